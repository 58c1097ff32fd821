"""Every leaf command has help text, and ``--help`` works for each (the way sqlite-utils checks its CLI)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from afstand.cli import build_parser, main

README = Path(__file__).resolve().parents[2] / "README.md"


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for action in subs:
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, child in action.choices.items():
            assert helps.get(name), f"afstand {' '.join(path + (name,))} has no help line"
            yield from _leaves(child, path + (name,))


LEAVES = sorted(" ".join(path) for path, _ in _leaves(build_parser()))


def test_the_walk_finds_every_command_group():
    assert {"analyze", "report", "serve", "instrument show", "code suggest", "demo-data", "study create", "study list"} <= set(LEAVES)


@pytest.mark.parametrize("command", LEAVES)
def test_help_works_and_every_option_is_explained(command, capsys):
    with pytest.raises(SystemExit) as done:
        main(command.split() + ["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: afstand {command}")
    parser = dict((" ".join(p), q) for p, q in _leaves(build_parser()))[command]
    unexplained = [a.option_strings or a.dest for a in parser._actions if not a.help and a.dest != "help"]
    assert unexplained == [], f"afstand {command}: options without help text"


@pytest.mark.parametrize("command", LEAVES)
def test_every_command_is_in_the_readme(command):
    assert f"afstand {command}" in README.read_text(encoding="utf-8")


def test_analyze_layout_help_names_every_layout_and_an_unknown_one_is_refused(tmp_path):
    from afstand.responses.layouts import layout_names
    from tests.conftest import run_cli

    shown = run_cli("analyze", "--help")
    assert shown.returncode == 0
    text = "".join(shown.stdout.split())  # argparse wraps lines, also after a hyphen
    assert all(name in text for name in layout_names())
    data = tmp_path / "werkers.csv"
    data.write_text("response_id\nr1\n", encoding="utf-8")
    refused = run_cli("analyze", "--instrument", "werkers", "--data", str(data), "--layout", "bogus")
    assert refused.returncode == 2
    assert "unknown layout 'bogus'" in refused.stderr and "kobo-xml" in refused.stderr


def _groups(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            if path:
                yield path
            for name, child in action.choices.items():
                yield from _groups(child, path + (name,))


GROUPS = sorted(" ".join(path) for path in _groups(build_parser()))


def test_the_walk_finds_the_nested_groups():
    assert {"study", "study wave", "code", "instrument", "signups"} <= set(GROUPS)


@pytest.mark.parametrize("group", GROUPS)
def test_a_group_without_a_command_prints_its_own_help_and_exit_2(group, capsys):
    assert main(group.split()) == 2
    assert capsys.readouterr().out.startswith(f"usage: afstand {group} ")
