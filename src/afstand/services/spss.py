"""The web app's and the CLI's door to the SPSS/Stata writers of :mod:`afstand.formats.statfiles`
(which own the formats), with the study's record of choice codes.

A select_one is written as numeric codes (see the writers). Codes that are not the choice names
themselves are recorded in the database (:class:`~afstand.web.models.ChoiceCode`, per study,
choice list and choice name) the first time an export needs them, and every later export of the
study — another version, another wave, a version that dropped or inserted a choice — reads them
back: a choice keeps its code for good, and a code once given is never given to another choice.
"""

from __future__ import annotations

from typing import BinaryIO, Sequence

from django.db import IntegrityError, transaction

from afstand.errors import AfstandError
from afstand.formats.statfiles import StatTable, assign_codes, build_table, write_coded_csv, write_dta, write_sps
from afstand.formats.statfiles import write_sav as _write_sav
from afstand.instrument.model import Instrument

ATTEMPTS = 5  # two exports that record new codes at the same moment: the later one reads the first one's codes


def write_sav(
    header: list[str], rows: list[list[str]], versions: Instrument | Sequence[Instrument], out: BinaryIO, *, study: str | None = None
) -> StatTable:
    """``versions``: every version of the instrument, oldest first (or a single instrument);
    ``study``: the study's slug, whose recorded codes are used and extended (None: no record)."""
    table = stat_table(header, rows, versions, "spss", study)
    _write_sav(table, out)
    return table


def write_stata(
    header: list[str], rows: list[list[str]], versions: Instrument | Sequence[Instrument], out: BinaryIO, *, study: str | None = None
) -> StatTable:
    table = stat_table(header, rows, versions, "stata", study)
    write_dta(table, out)
    return table


def write_syntax(
    header: list[str],
    rows: list[list[str]],
    versions: Instrument | Sequence[Instrument],
    out: BinaryIO,
    *,
    data_file: str,
    study: str | None = None,
) -> StatTable:
    """SPSS syntax (``.sps``) that reads ``data_file`` — the coded CSV of :func:`write_syntax_data`
    — and gives it the same names, labels, value labels, missing values and levels as the ``.sav``."""
    table = stat_table(header, rows, versions, "spss", study)
    write_sps(table, data_file, out)
    return table


def write_syntax_data(
    header: list[str], rows: list[list[str]], versions: Instrument | Sequence[Instrument], out: BinaryIO, *, study: str | None = None
) -> StatTable:
    """The data file the ``.sps`` reads: the variables as CSV, select_one as their numeric codes."""
    table = stat_table(header, rows, versions, "spss", study)
    write_coded_csv(table, out)
    return table


def stat_table(header, rows, versions, package: str, study: str | None) -> StatTable:
    versions = _versions(versions)
    missing: tuple[str, ...] = ()
    recorded: dict[str, dict[str, int]] = {}
    if study is not None:
        from afstand.services.studies import core_study

        core = core_study(study)
        missing = core.missing_codes if core is not None else ()
        recorded = record_codes(study, versions)
    return build_table(header, rows, versions, package=package, recorded=recorded, missing=missing)


def recorded_codes(study: str) -> dict[str, dict[str, int]]:
    """``{list name: {choice name: code}}`` as the study recorded them."""
    from afstand.web.models import ChoiceCode

    out: dict[str, dict[str, int]] = {}
    for list_name, choice, code in ChoiceCode.objects.filter(study__slug=study).values_list("list_name", "choice", "code"):
        out.setdefault(list_name, {})[choice] = code
    return out


def record_codes(study: str, versions: Sequence[Instrument]) -> dict[str, dict[str, int]]:
    """The codes of every choice list of ``versions``: the recorded ones, and new ones for choices
    that have none yet (recorded now). Returns them all."""
    from afstand.web.models import ChoiceCode, Study

    owner = Study.objects.filter(slug=study).first()
    if owner is None:
        raise AfstandError(f"no study {study!r} in this database")
    for _ in range(ATTEMPTS):
        recorded = recorded_codes(study)
        codes = assign_codes(versions, recorded)
        new = [
            ChoiceCode(study=owner, list_name=list_name, choice=choice, code=code)
            for list_name, table in codes.items()
            for choice, code in table.items()
            if choice not in recorded.get(list_name, {})
        ]
        if not new:
            return codes
        try:
            with transaction.atomic():
                ChoiceCode.objects.bulk_create(new)
            return codes
        except IntegrityError:  # another export recorded codes meanwhile: read them and try again
            continue
    raise AfstandError(f"study {study!r}: the choice codes could not be recorded (busy); try the export again")


def _versions(versions) -> list[Instrument]:
    return [versions] if isinstance(versions, Instrument) else list(versions)
