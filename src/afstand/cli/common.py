"""What every command group shares: the exit status for bad input, the KEY=VALUE parser, the
JSON printer, opening the database and finding the study of an instrument argument."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from afstand.errors import AfstandError

EXIT_BAD_INPUT = 2


def key_values(specs: list[str], option: str, metavar: str) -> dict[str, str]:
    """``["werkers=a.csv", ...]`` → ``{"werkers": "a.csv", ...}`` in the order given.

    Refuses (AfstandError, so exit 2) a spec without ``=``, an empty key or value and a key given twice."""
    out: dict[str, str] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise AfstandError(f"{option} {spec!r}: expected {metavar}")
        if key in out:
            raise AfstandError(f"{option} {spec!r}: {key} is given twice")
        out[key] = value
    return out


def print_json(data) -> None:
    """One JSON document on stdout: UTF-8 text as is, no NaN (a NaN is a bug, not a number)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False))
    sys.stdout.write("\n")


def open_database(db_url: str | None) -> None:
    """Configure Django for ``db_url`` (default: the server's) and bring the schema up to date."""
    from afstand.web.config.server import configure, migrate

    configure(db_url)
    migrate()


def form_path_given(instrument_arg: str) -> bool:
    """Whether an instrument argument is a path to a form file (not an instrument name)."""
    path = Path(instrument_arg)
    from afstand.instrument.workbook_files import FORM_SUFFIXES

    return path.suffix.lower() in FORM_SUFFIXES or path.is_file()


def study_or_none(study_arg: str | None, instrument_arg: str):
    """The study an instrument argument belongs to; None for a path to a form file without --study."""
    from afstand.study import find_study

    if study_arg is None and form_path_given(instrument_arg):
        return None
    return find_study(study_arg)


def keep_freed_memory() -> None:
    """For a command that runs once over a large file (analyze, trend, report): the C library keeps
    memory that is freed for the next allocation instead of handing it back to the system at once.

    By default glibc maps every block over 128 kB afresh and returns it when freed, so each of the
    thousands of temporary arrays of a 300,000-row analysis is paid for again in page faults. On the
    virtual machines measured, those faults cost more than the computation around them
    (``docs/benchmarks.md``). The settings last as long as the process: for the ``afstand`` command,
    until it ends; a caller of :func:`afstand.cli.main` inside a longer process (the tests) keeps
    them too. ``afstand serve`` keeps glibc's defaults. Without glibc's ``mallopt`` (another C
    library or system) nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 256 << 20)  # M_MMAP_THRESHOLD: blocks up to 256 MB come from the heap, whose freed memory is reused
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: the heap's free top is kept up to 1 GB
    mallopt(-2, 16 << 20)  # M_TOP_PAD: the heap grows 16 MB at a time
