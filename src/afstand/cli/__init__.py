"""The ``afstand`` command: a thin layer over the core (files) and :mod:`afstand.services` (the database).

One module per command group; each has ``register(sub)`` adding its commands to the parser.
Bad input (:class:`~afstand.errors.AfstandError`, a file that cannot be read) ends with one line
``afstand: error: …`` on stderr and exit status 2. Anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

# afstand runs its own threads (the parse, the group comparisons); the matrices it multiplies are
# small (items × items), and OpenBLAS's helper threads, which spin while they wait, only take CPU
# from them (about 0.1 CPU s when numpy is imported). Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from afstand.cli import analysis, code, database, demo, instrument, report, signups, study, trend
from afstand.cli.common import EXIT_BAD_INPUT
from afstand.errors import AfstandError

GROUPS = (analysis, report, trend, database, signups, instrument, code, demo, study)

__all__ = ["main", "run", "build_parser", "EXIT_BAD_INPUT"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="afstand", description="Run a survey study end to end: instruments, responses, analysis, report, web app."
    )
    sub = parser.add_subparsers(title="commands")
    for group in GROUPS:
        group.register(sub)
    _group_help(parser)
    return parser


def _group_help(parser: argparse.ArgumentParser) -> None:
    """A command group named without a command (``afstand study``) prints its own help, not the top level's."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # (aliases name the same parser)
                child.set_defaults(group_help=child.print_help)
                _group_help(child)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        getattr(args, "group_help", parser.print_help)()
        return EXIT_BAD_INPUT
    try:
        return args.handler(args) or 0
    except AfstandError as err:
        print(f"afstand: error: {_one_line(str(err))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader of the output has gone (afstand … | head): see run()
        raise
    except OSError as err:  # a file that cannot be read or written: the user's to fix
        print(f"afstand: error: {_one_line(str(err))}", file=sys.stderr)
        return EXIT_BAD_INPUT


def run(argv: list[str] | None = None) -> None:
    """The ``afstand`` command (the console script and ``python -m afstand.cli``): :func:`main`, then
    the process ends with its status. Before that, :func:`gc.freeze`: Python's last garbage
    collection at exit then does not walk every object that numpy, pyarrow and scipy created at
    import (about 0.04 s of every command). Objects are still released; only cycles left to the
    collector are not, which the operating system reclaims with the process. Not for callers of
    :func:`main` inside a longer-lived process (tests, the web app)."""
    try:
        code = main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # the program reading the output stopped early (afstand … | head): no error to report;
        # what is still buffered goes nowhere instead of failing again at exit (Python's advice)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    gc.freeze()
    sys.exit(code)


def _one_line(message: str) -> str:
    """Several problems (one per line) as one line."""
    return "; ".join(line.strip() for line in message.splitlines() if line.strip())
