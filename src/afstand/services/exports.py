"""Stored responses → the canonical layout (CSV, XLSX), one row per stored response.

Columns: response_id (random, not the arrival order), instrument_version, submission_date, wave
(the label of the study's measurement), then every item of the instrument's versions. An export
is of one wave or of all waves together. No other metadata about a respondent leaves the server:
the recruitment channel is shown only as counts in the monitor. Files are written atomically.
"""

from __future__ import annotations

import csv
import io
from operator import itemgetter
from pathlib import Path

from django.db import connection, transaction

from afstand.errors import AfstandError
from afstand.fileio import atomic_write_bytes
from afstand.responses import table_from_json_answers
from afstand.responses.spreadsheet_csv import BOM, protect
from afstand.responses.tables import MAIN, response_tables, table_items
from afstand.services.studies import instrument_for, latest_instrument, versions_of
from afstand.web.models import InstrumentVersion, Response

META = ["response_id", "instrument_version", "submission_date", "wave"]


def _versions_and_items(study_slug: str, name: str, wave: str | None = None) -> tuple[list[InstrumentVersion], list[str]]:
    versions = versions_of(study_slug, name, wave)
    if not versions:
        where = f" in wave {wave}" if wave else ""
        raise AfstandError(f"no instrument {name!r} in study {study_slug!r}{where} in this database")
    items: list[str] = []
    for version in reversed(versions):  # the newest version's order first
        for item in table_items(instrument_for(version), None):  # questions in repeats have tables of their own
            if item not in items:
                items.append(item)
    return versions, items


def _stored(versions: list[InstrumentVersion]):
    """(public id, version id, submission date, answers, wave label) of every stored response of these versions."""
    version_ids = {v.id: (v.version_id, v.wave.label) for v in versions}
    for public_id, version_pk, submitted_on, answers in (
        Response.objects.filter(instrument_version__in=versions)
        .values_list("public_id", "instrument_version_id", "submitted_on", "answers")
        .iterator(chunk_size=5000)
    ):
        yield public_id, version_ids[version_pk][0], submitted_on, answers, version_ids[version_pk][1]


def rows(study_slug: str, name: str, wave: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The canonical layout: header and one row per stored response (of one wave, or of all; a
    form with repeats: its main table)."""
    versions, items = _versions_and_items(study_slug, name, wave)
    if instrument_for(versions[-1]).repeats:
        return tables(study_slug, name, wave)[MAIN]
    out = [
        [public_id, version_id, submitted_on.isoformat(), label] + [answers.get(i, "") for i in items]
        for public_id, version_id, submitted_on, answers, label in _stored(versions)
    ]
    return META + items, out


def stored_table(study_slug: str, name: str, wave: str | None = None):
    """The stored responses of one instrument (of one wave, or of all) as the core's RawTable (the
    canonical layout, with a ``wave`` column), in memory: the answers' JSON text is read as stored
    and parsed by pyarrow, no file in between and no Python object per answer (about five times
    faster for 100,000 responses than decoding each response through the ORM; bench/stored.py)."""
    versions, items = _versions_and_items(study_slug, name, wave)
    version_ids = {v.id: v.version_id for v in versions}
    wave_labels = {v.id: v.wave.label for v in versions}
    quote = connection.ops.quote_name
    # the answers as UTF-8 bytes, which pyarrow parses: no str per response to decode and encode again
    answers = "convert_to(r.answers::text, 'UTF8')" if connection.vendor == "postgresql" else "CAST(r.answers AS BLOB)"
    # the date as ISO text from the database: no date object per response (Django's SQLite converter parsed each one)
    submitted = "r.submitted_on::text" if connection.vendor == "postgresql" else "CAST(r.submitted_on AS TEXT)"
    query = (
        f"SELECT r.public_id, r.instrument_version_id, {submitted}, {answers} FROM {quote(Response._meta.db_table)} r "
        f"WHERE r.instrument_version_id IN ({', '.join('%s' for _ in versions)})"
    )
    stored = _fetch_all(query, list(version_ids))
    stored.sort(key=itemgetter(0))  # by public id (random): in Python, not an ORDER BY that sorts the answers' text on disk
    meta = {
        "response_id": [r[0] for r in stored],
        "instrument_version": [version_ids[r[1]] for r in stored],
        "submission_date": [r[2] for r in stored],
        "wave": [wave_labels[r[1]] for r in stored],
    }
    label = f"{study_slug}/{name}{'/' + wave if wave else ''} (database)"
    return table_from_json_answers([r[3] for r in stored], items, meta=meta, name=label)


#: PostgreSQL's planner settings that make it scan a large table with parallel workers, each
#: turning its share of the answers (jsonb) into text: that conversion, on one core, was most of
#: the time a page of 100,000 stored responses took (bench/stored.py)
_PARALLEL_SCAN = (("parallel_setup_cost", "0"), ("parallel_tuple_cost", "0"))


def _fetch_all(query: str, params: list) -> list[tuple]:
    """Every row of ``query``; on PostgreSQL with a parallel scan (the settings for this query only)
    and in binary (a ``bytea`` arrives as the bytes, not as hex text)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    import psycopg

    with transaction.atomic():  # SET LOCAL lasts until the end of the transaction: set back below
        # Django's cursors bind on the client, which cannot ask for binary results: a plain psycopg
        # cursor on the same connection (and so in the same transaction)
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name, _ in _PARALLEL_SCAN))
            before = cursor.fetchone()
            for name, value in _PARALLEL_SCAN:
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            cursor.execute(query, params, binary=True)  # (an error rolls the transaction back, and the settings with it)
            rows = cursor.fetchall()
            for (name, _), value in zip(_PARALLEL_SCAN, before):  # back for the rest of an enclosing transaction
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            return rows


def tables(study_slug: str, name: str, wave: str | None = None) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Kobo's layout for a form with repeats: the main table (with the ``wave`` column) and one
    table per repeat, joined by ``_index`` / ``_parent_index`` (see afstand.responses.tables);
    columns of the newest version; of one wave's responses, or of all."""
    versions, _ = _versions_and_items(study_slug, name, wave)
    stored = (
        ([public_id, version_id, submitted_on.isoformat(), label], answers)
        for public_id, version_id, submitted_on, answers, label in _stored(versions)
    )
    return response_tables(instrument_for(versions[-1]), stored, META)


def write(
    header: list[str],
    data: list[list[str]],
    fmt: str,
    out,
    *,
    sheet: str = "responses",
    instrument=None,
    spreadsheet: bool = False,
    study: str | None = None,
    data_file: str = "",
) -> None:
    """Write rows as CSV, XLSX, SPSS .sav, Stata .dta, or SPSS syntax (.sps) with the coded CSV it
    reads (``spss.csv``) to a binary file-like object (shared by CLI and web).

    ``instrument``: the instrument, or all its versions oldest first (codes and labels of the
    .sav/.dta then cover answers given to older versions).
    ``spreadsheet``: the CSV in the spreadsheet-safe layout (afstand.responses.spreadsheet_csv),
    the web's default download; the CLI writes the canonical layout.
    ``study``: the study whose recorded choice codes the SPSS/Stata files use and extend
    (afstand.services.spss). ``data_file``: the name of the coded CSV a ``.sps`` reads."""
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        if spreadsheet:
            writer.writerows([protect(v) for v in row] for row in data)
        else:
            writer.writerows(data)
        out.write((BOM if spreadsheet else b"") + text.getvalue().encode("utf-8"))
    elif fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        ws = workbook.create_sheet(sheet[:31])  # Excel allows 31 characters
        ws.append(header)
        for row in data:
            ws.append([_as_text(ws, v) if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in row])
        workbook.save(out)
    elif fmt in STAT_FORMATS:
        from afstand.services import spss

        if fmt == "sav":
            spss.write_sav(header, data, instrument, out, study=study)
        elif fmt == "dta":
            spss.write_stata(header, data, instrument, out, study=study)
        elif fmt == "sps":
            spss.write_syntax(header, data, instrument, out, data_file=data_file or f"{sheet}.spss.csv", study=study)
        else:
            spss.write_syntax_data(header, data, instrument, out, study=study)
    else:
        raise AfstandError(f"--format {fmt}: not supported (csv, xlsx, sav, dta, sps, spss.csv)")


STAT_FORMATS = ("sav", "dta", "sps", "spss.csv")


FORMULA_STARTS = ("=", "+", "-", "@")


def _as_text(ws, value: str):
    """A cell that Excel shows as the text typed, never evaluates (an answer "=HYPERLINK(...)" stays text)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    return cell


def export(study_slug: str, name: str, fmt: str, target: Path, wave: str | None = None) -> int:
    instrument = latest_instrument(study_slug, name)
    if instrument is not None and instrument.repeats and fmt in ("csv", "xlsx"):
        return _export_tables(study_slug, name, fmt, target, wave)
    header, data = rows(study_slug, name, wave)
    buffer = io.BytesIO()
    data_file = f"{target.stem}.spss.csv" if fmt == "sps" else ""  # the .sps reads the coded CSV beside it
    write(header, data, fmt, buffer, sheet=name, instrument=all_versions(study_slug, name, wave), study=study_slug, data_file=data_file)
    atomic_write_bytes(target, buffer.getvalue())
    if fmt == "sps":
        buffer = io.BytesIO()
        write(header, data, "spss.csv", buffer, sheet=name, instrument=all_versions(study_slug, name, wave), study=study_slug)
        atomic_write_bytes(target.with_name(data_file), buffer.getvalue())
    return len(data)


def all_versions(study_slug: str, name: str, wave: str | None = None) -> list:
    """Every stored version of an instrument (of one wave, or all), oldest first (SPSS/Stata codes and
    labels cover them all)."""
    return [instrument_for(v) for v in versions_of(study_slug, name, wave)]


def _export_tables(study_slug: str, name: str, fmt: str, target: Path, wave: str | None = None) -> int:
    """A form with repeats: XLSX with one sheet per table; CSV as TARGET plus TARGET-<repeat>.csv."""
    found = tables(study_slug, name, wave)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_workbook(found, name, buffer)
        atomic_write_bytes(target, buffer.getvalue())
    else:
        for table, (header, data) in found.items():
            buffer = io.BytesIO()
            write(header, data, "csv", buffer)
            path = target if table == MAIN else target.with_name(f"{target.stem}-{table.replace('/', '_')}{target.suffix}")
            atomic_write_bytes(path, buffer.getvalue())
    return len(found[MAIN][1])


def write_workbook(found: dict[str, tuple[list[str], list[list[str]]]], name: str, out) -> None:
    """Kobo's layout of a form with repeats as one XLSX: the main table, then one sheet per repeat."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for table, (header, data) in found.items():
        ws = workbook.create_sheet((name if table == MAIN else table.replace("/", "_"))[:31])
        ws.append(header)
        for row in data:
            ws.append([_as_text(ws, v) if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in row])
    workbook.save(out)
