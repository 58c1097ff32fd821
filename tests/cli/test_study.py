"""``afstand study create|add-version|list`` on SQLite (and on PostgreSQL in the suite's PostgreSQL
pass): the same service as the upload pages, the same one-line refusal of a bad form."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import run_cli
from tests.helpers import MINI_FORM, md_form

BROKEN = MINI_FORM.replace("select_one agree | s1", "select_one nolist | s1")


def study_cli(tmp_path, *args):
    return run_cli("study", *args, cwd=tmp_path)


def test_create_add_version_and_list(tmp_path, server_db):
    mini = md_form(tmp_path, MINI_FORM, "mini.md")
    second = md_form(tmp_path, MINI_FORM.replace("| Mini | mini | 1 |", "| Mini-bis | mini2 | 1 |"), "mini2.md")
    created = study_cli(
        tmp_path,
        "create",
        "--slug",
        "nieuw-2022",
        "--title",
        "Nieuw onderzoek",
        "--db",
        server_db,
        "--form",
        f"mini={mini}",
        f"tweede={second}",
    )
    assert created.returncode == 0, created.stderr
    first_id = re.search(r"nieuw-2022: mini (mini@[0-9a-f]{16})", created.stdout).group(1)
    changed = md_form(tmp_path, MINI_FORM.replace("| Leeftijd |", "| Hoe oud ben je? |"), "mini-v2.md")
    added = study_cli(tmp_path, "add-version", "--slug", "nieuw-2022", "--db", server_db, "--form", f"mini={changed}")
    assert added.returncode == 0, added.stderr
    second_id = re.search(r"nieuw-2022: mini (mini@[0-9a-f]{16})", added.stdout).group(1)
    assert second_id != first_id
    again = study_cli(tmp_path, "add-version", "--slug", "nieuw-2022", "--db", server_db, "--form", f"mini={changed}")
    assert again.returncode == 0 and second_id in again.stdout  # the same content: the same version, nothing new
    listed = study_cli(tmp_path, "list", "--db", server_db, "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {
        "studies": [
            {
                "slug": "nieuw-2022",
                "title": "Nieuw onderzoek",
                "instruments": [
                    {"name": "mini", "version": second_id, "versions": 2, "responses": 0},
                    {
                        "name": "tweede",
                        "version": re.search(r"tweede (mini2@[0-9a-f]{16})", created.stdout).group(1),
                        "versions": 1,
                        "responses": 0,
                    },
                ],
            }
        ]
    }
    text = study_cli(tmp_path, "list", "--db", server_db)
    assert text.returncode == 0 and "nieuw-2022\tNieuw onderzoek" in text.stdout and second_id in text.stdout


def _one_error_line(result) -> str:
    assert result.returncode == 2 and result.stdout == "", (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("afstand: error: "), lines
    return lines[0].removeprefix("afstand: error: ")


@pytest.mark.django_db
def test_a_bad_form_is_refused_as_the_upload_page_refuses_it(tmp_path, server_db, client):
    client.force_login(
        User.objects.create_user("onderzoeker", password="Een-lang-wachtwoord-42", is_staff=True)
    )  # only staff create studies
    page = client.post(
        "/onderzoek/nieuw/",
        {"title": "X", "slug": "x-2022", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", BROKEN.encode())},
    )
    assert page.status_code == 400
    found = re.search(r'<li><a href="#id_xlsform">[^<:]*: (.*?)</a></li>', page.content.decode(), re.S)
    shown = html.unescape(found.group(1)).strip()
    broken = md_form(tmp_path, BROKEN, "mini.md")
    message = _one_error_line(
        study_cli(tmp_path, "create", "--slug", "x-2022", "--title", "X", "--db", server_db, "--form", f"mini={broken}")
    )
    assert message == shown and "nolist" in message
    # nothing half-made: the study was not created, so adding a version to it is refused too
    assert "no study 'x-2022'" in _one_error_line(
        study_cli(tmp_path, "add-version", "--slug", "x-2022", "--db", server_db, "--form", f"mini={broken}")
    )
    listed = study_cli(tmp_path, "list", "--db", server_db, "--json")
    assert json.loads(listed.stdout) == {"studies": []}


def test_bad_arguments_are_one_line_with_exit_2(tmp_path, server_db):
    mini = md_form(tmp_path, MINI_FORM, "mini.md")
    cases = [
        (["create", "--slug", "a", "--title", "A", "--db", server_db, "--form", "mini"], "--form 'mini': expected NAME=FILE"),
        (
            ["create", "--slug", "a", "--title", "A", "--db", server_db, "--form", f"mini={tmp_path / 'gone.md'}"],
            "gone.md: no such file (--form mini)",
        ),
        (["create", "--slug", "a", "--title", "A", "--db", server_db, "--form", f"mini={mini}", f"mini={mini}"], "mini is given twice"),
    ]
    for args, expected in cases:
        assert expected in _one_error_line(study_cli(tmp_path, *args)), args
    assert study_cli(tmp_path, "create", "--slug", "a", "--title", "A", "--db", server_db, "--form", f"mini={mini}").returncode == 0
    assert "there already is a study named a" in _one_error_line(
        study_cli(tmp_path, "create", "--slug", "a", "--title", "B", "--db", server_db, "--form", f"x={mini}")
    )
    # the same form in a second study is a new deployment there (issue 17: waves and studies keep their responses apart)
    assert study_cli(tmp_path, "create", "--slug", "b", "--title", "B", "--db", server_db, "--form", f"mini={mini}").returncode == 0
    # the same form under another instrument name in the same wave: refused with a clear line, not a crash
    assert "already version mini@" in _one_error_line(
        study_cli(tmp_path, "add-version", "--slug", "b", "--db", server_db, "--form", f"andere={mini}")
    )


@pytest.mark.django_db
def test_names_titles_and_files_the_upload_page_refuses_are_refused_by_the_cli_too(tmp_path, server_db, client):
    """A name that cannot be part of a link, a title too long or empty, a file of another kind, an
    empty or too large one: the upload page gives a 400, the CLI one line and exit 2, on SQLite and
    PostgreSQL alike (a 60-character slug once ended in a PostgreSQL traceback), and nothing is stored."""
    from afstand.services.studies import MAX_FORM_BYTES

    mini = md_form(tmp_path, MINI_FORM, "mini.md")
    notes = tmp_path / "notes.txt"
    notes.write_text(mini.read_text(encoding="utf-8"), encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.md"
    huge.write_text(mini.read_text(encoding="utf-8") + "\n" + "x" * MAX_FORM_BYTES, encoding="utf-8")
    good = {"slug": "goed-2022", "title": "Goed", "instrument": "mini"}
    cases = [
        ({"slug": "s" * 60}, f"mini={mini}", "at most 50 characters"),
        ({"slug": "sp ace/x"}, f"mini={mini}", "use only letters, digits"),
        ({"title": "T" * 300}, f"mini={mini}", "at most 200"),
        ({"title": " "}, f"mini={mini}", "title is empty"),
        ({"instrument": "a b"}, f"a b={mini}", "use only letters, digits"),
        ({"instrument": "n" * 60}, f"{'n' * 60}={mini}", "at most 50 characters"),
        ({}, f"mini={notes}", "notes.txt: not an XLSForm"),
        ({}, f"mini={empty}", "empty.xlsx: the file is empty"),
        ({}, f"mini={huge}", "huge.md: too large"),
    ]
    client.force_login(User.objects.create_user("onderzoeker", password="Een-lang-wachtwoord-42", is_staff=True))
    for change, form, expected in cases:
        fields = {**good, **change}
        message = _one_error_line(
            study_cli(tmp_path, "create", "--slug", fields["slug"], "--title", fields["title"], "--db", server_db, "--form", form)
        )
        assert expected in message, (change, message)
        path = form.split("=", 1)[1]
        with open(path, "rb") as handle:
            upload = SimpleUploadedFile(path.rsplit("/", 1)[-1], handle.read())
        page = client.post("/onderzoek/nieuw/", {**fields, "xlsform": upload})
        assert page.status_code == 400, (change, page.status_code)
    listed = study_cli(tmp_path, "list", "--db", server_db, "--json")
    assert json.loads(listed.stdout) == {"studies": []}
    # add-version checks the instrument's name and the file as create does
    assert (
        study_cli(tmp_path, "create", "--slug", "goed-2022", "--title", "Goed", "--db", server_db, "--form", f"mini={mini}").returncode == 0
    )
    assert "use only letters, digits" in _one_error_line(
        study_cli(tmp_path, "add-version", "--slug", "goed-2022", "--db", server_db, "--form", f"a.b={mini}")
    )
    assert "notes.txt: not an XLSForm" in _one_error_line(
        study_cli(tmp_path, "add-version", "--slug", "goed-2022", "--db", server_db, "--form", f"mini={notes}")
    )
    # a workbook with macros (.xlsm) is a form file as the loader reads it, on the CLI as on the page
    import shutil
    from pathlib import Path

    xlsm = tmp_path / "thuiswerk.xlsm"
    shutil.copy(Path(__file__).resolve().parents[1] / "responses" / "data" / "foreign" / "thuiswerk.xls", xlsm)
    added = study_cli(tmp_path, "add-version", "--slug", "goed-2022", "--db", server_db, "--form", f"thuis={xlsm}")
    assert added.returncode == 0, added.stderr
    page = client.post(
        "/onderzoek/nieuw/",
        {
            "title": "Met macro's",
            "slug": "xlsm-2022",
            "instrument": "thuis",
            "xlsform": SimpleUploadedFile("thuis.xlsm", xlsm.read_bytes()),
        },
    )
    assert page.status_code == 302, page.status_code
