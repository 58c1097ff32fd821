"""The one check of a form for afstand's web survey, shared by ``afstand instrument check``, the
upload page and ``afstand study create`` (:func:`afstand.services.studies.check_form`): what one
refuses, the others refuse, with the same message.

A form is read as :func:`afstand.instrument.loader.load_instrument` reads it (pyxform, the sheet
checks, the support matrix, the analysis columns); then every expression the web survey evaluates
(``relevant``, ``constraint``, ``required`` as a condition, ``calculation``, ``choice_filter``,
``repeat_count``) is compiled by the form engine (:mod:`afstand.instrument.engine`). pyxform passes
an expression it cannot parse (``. >= 16 and``, ``(${consent} = 'ja'``) unchanged; ODK Validate,
Enketo and KoboToolbox refuse such a form when it is deployed, and so does afstand: each one is
named by sheet, row, column (cell) and value, with what is wrong in words (``the expression ends
after 'and': something must follow``, ``a '(' is not closed``), up to ten in one message.

A function afstand's web survey does not evaluate (``analysis only`` in docs/xlsform.md) is
refused here the same way: the web survey cannot collect the form, while an export of it from
another tool can still be analysed (``afstand analyze`` reads forms with
:func:`~afstand.instrument.loader.load_instrument`, which does not compile the expressions).
"""

from __future__ import annotations

import os
from typing import BinaryIO

from afstand.errors import InstrumentError
from afstand.instrument.engine import Engine, ExpressionError
from afstand.instrument.form_errors import expression_place, survey_rows
from afstand.instrument.form_sheets import Book, read_book
from afstand.instrument.model import Instrument
from afstand.instrument.support import ANALYSIS, REFUSED, FormSupport, lookup

MAX_LISTED = 10  # expressions listed in one message


def check_instrument(source: str | os.PathLike[str] | bytes | BinaryIO, *, name: str | None = None) -> FormSupport:
    """What afstand can do with each question of a form (``afstand instrument check``); never raises
    on a bad form: pyxform's and afstand's own errors are listed and make the form refused, exactly
    when :func:`load_for_web` (the upload page, ``afstand study create``) refuses it."""
    from afstand.instrument import loader
    from afstand.instrument.limesurvey_form import as_xlsform, is_limesurvey

    label = loader._label(source, name)
    try:
        raw, file_type, label = loader._read(source, name)
        converted = is_limesurvey(raw, file_type)
        raw, file_type, _converted = as_xlsform(raw, file_type, label)
        js, workbook, _warnings = loader._convert(raw, file_type, label)
    except InstrumentError as err:
        return FormSupport(label, REFUSED, errors=[str(err)])
    support = loader._support(js, workbook, label)
    if support.accepted:
        try:
            problem = logic_refusal(loader._build(js, workbook, label), None if converted else workbook, label)
            if problem:
                raise InstrumentError(problem)
        except InstrumentError as err:
            support.errors.append(str(err))
            support.status = REFUSED
    return support


def load_for_web(source: str | os.PathLike[str] | bytes | BinaryIO, *, name: str | None = None) -> Instrument:
    """A form loaded for afstand's web survey: :func:`~afstand.instrument.loader.load_instrument`,
    then every expression compiled; raises InstrumentError naming each expression that fails."""
    from afstand.instrument import loader

    if not isinstance(source, (str, os.PathLike, bytes)):
        source = source.read()  # read once: the sheets are read again for the places of a refusal
    instrument = loader.load_instrument(source, name=name)
    label = loader._label(source, name)
    if logic_refusal(instrument, None, label) is None:
        return instrument
    raise InstrumentError(logic_refusal(instrument, _sheets(source, name), label))


def logic_refusal(instrument: Instrument, book: Book | None, label: str) -> str | None:
    """The message refusing a form whose expressions the web survey cannot evaluate (``None``: it can)."""
    problems: list[ExpressionError] = []
    Engine(instrument, problems)
    if not problems:
        return None
    rows = survey_rows(book)
    order = {column: n for n, column in enumerate(("relevant", "required", "constraint", "calculation", "choice_filter", "repeat_count"))}
    located = sorted(((rows.get(_path(instrument, p), 0), order.get(p.column, 9)), _line(instrument, book, rows, p)) for p in problems)
    lines = list(dict.fromkeys(line for _, line in located))  # a group's condition is compiled once per question in it
    if len(lines) > MAX_LISTED:
        lines = lines[:MAX_LISTED] + [f"and {len(lines) - MAX_LISTED} more"]
    return f"{label}: " + "; ".join(lines)


def _path(instrument: Instrument, problem: ExpressionError) -> str:
    """The path of the question or group an expression belongs to (``group/question``, as survey_rows has it)."""
    element = instrument.items.get(problem.owner) or instrument.notes.get(problem.owner) or instrument.group(problem.owner)
    return (getattr(element, "path", "") or problem.owner) if element is not None else problem.owner


def _line(instrument: Instrument, book: Book | None, rows: dict[str, int], problem: ExpressionError) -> str:
    return f"{expression_place(book, rows, _path(instrument, problem), problem.column, problem.source)}: {_why(problem)}"


def _why(problem: ExpressionError) -> str:
    if problem.function is None:
        return problem.why
    feature = lookup("function", problem.function)
    if feature.status == ANALYSIS:
        return (
            f"afstand's web survey does not evaluate {problem.function}(), so it cannot collect this form "
            "(analysis only: an export of it from another tool can be analysed)"
        )
    return f"the function {problem.function}() is not supported: not a function afstand knows (docs/xlsform.md lists them)"


def _sheets(source: str | os.PathLike[str] | bytes, name: str | None) -> Book | None:
    """The sheets of a form, read again for the places in a refusal (``None`` for a LimeSurvey
    survey, whose workbook is afstand's conversion, not the researcher's)."""
    from afstand.instrument import loader
    from afstand.instrument.limesurvey_form import is_limesurvey
    from afstand.instrument.workbook_files import OLE_MAGIC

    raw, file_type, _label = loader._read(source, name)
    if is_limesurvey(raw, file_type):
        return None
    return read_book(raw, ".xls" if raw.startswith(OLE_MAGIC) else file_type)
