"""Responses as SPSS ``.sav``, Stata ``.dta`` and an SPSS ``.sps`` syntax file (pyreadstat).

One place owns what a data manager gets in a statistics package, whatever the caller (CLI,
web export):

* **Types follow the instrument**, never the data: select_one and numbers are numeric,
  open answers text, even in a column that holds no answer at all.
* **Codes.** A select_one is written as numeric codes: a choice name that is a whole number is
  its own code (``99`` stays ``99``), any other choice gets a stable code per list. Codes are
  never renumbered: the codes recorded before (``recorded``, kept by the study) stay, and a
  choice that is new gets its own number when it is a free whole number, else the next free
  code. Without a record, codes follow the first appearance of each choice over the versions,
  oldest first, so adding a choice to a new version never changes the code of an old one. The
  codes used are returned so the caller records them (:mod:`afstand.services.spss`).
* **Value labels** come from the newest version that has the choice; an answer valid in an
  older version keeps its code and label.
* **Missing values** declared per item (XLSForm ``missing``) or per study are declared as
  user-missing values in SPSS and as extended missing values (``.a``, ``.b``, …) in Stata.
* **Measurement levels**: select_one nominal, or ordinal when its list has scores or the
  question a ``likert`` appearance; numbers scale; 0/1 columns of a select_multiple nominal.
* **Variable names** are unique and valid for the package; every renamed column is listed in
  the rename table (in the ``.sps`` file and on the result).

A select_multiple is written as one text column of choice names and one 0/1 column per choice
(``<item>_<choice>``), as Kobo's SPSS export does.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import BinaryIO, Sequence

import numpy as np
import pandas as pd

from afstand.errors import AfstandError
from afstand.instrument.model import Instrument, Item

META_LABELS = {
    "response_id": "Respons-id (willekeurig)",
    "instrument_version": "Versie van de vragenlijst",
    "submission_date": "Datum van insturen",
    "wave": "Meting",
}
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
STATA_RESERVED = {
    "_all",
    "_b",
    "byte",
    "_coef",
    "_cons",
    "double",
    "float",
    "if",
    "in",
    "int",
    "long",
    "_n",
    "_N",
    "_pi",
    "_pred",
    "_rc",
    "_skip",
    "strL",
    "using",
    "with",
    "str",
    "e",
    "pi",
}
CHOSEN_LABELS = {0.0: "Niet gekozen", 1.0: "Gekozen"}


@dataclass
class Variable:
    column: str  # the column of the canonical export it comes from
    name: str  # the variable name in the package
    label: str
    kind: str  # numeric or string
    measure: str  # nominal, ordinal or scale
    values: list  # one cell per row (float/None for numeric, str for string)
    value_labels: dict[float, str] = field(default_factory=dict)
    missing: list[float] = field(default_factory=list)  # declared missing codes


@dataclass
class StatTable:
    """What gets written: the variables, the codes per choice list, the rename table."""

    variables: list[Variable]
    codes: dict[str, dict[str, int]]  # list name → choice name → code (to be recorded by the study)
    renamed: list[tuple[str, str]]  # (column in the canonical export, variable name) where they differ


def build_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    versions: Sequence[Instrument],
    *,
    package: str = "spss",
    recorded: dict[str, dict[str, int]] | None = None,
    missing: Sequence[str] = (),
) -> StatTable:
    """Rows in the canonical layout (choice names, select_multiple space-separated) → variables.

    ``versions``: every version of the instrument, oldest first. ``recorded``: the codes the
    study recorded before. ``missing``: the study's missing-value codes.
    """
    if not versions:
        raise AfstandError("no instrument version to export")
    items = _items_newest_first(versions)
    codes = assign_codes(versions, recorded or {})
    index = {name: i for i, name in enumerate(header)}
    names = _Names(package)
    own = {column: names.take(column) for column in header}  # the export's columns first: they keep their names
    variables: list[Variable] = []
    for column in header:
        cells = [row[index[column]] if index[column] < len(row) else "" for row in rows]
        item = items.get(column)
        if item is None:
            variables.append(Variable(column, own[column], META_LABELS.get(column, column), "string", "nominal", [c or "" for c in cells]))
            continue
        label = item.label()
        declared = tuple(dict.fromkeys(tuple(item.missing) + tuple(missing)))
        if item.kind == "select_one":
            table = codes[item.choice_list.name]
            labels = _value_labels(item.choice_list.name, versions, table)
            values = []
            for row_number, cell in enumerate(cells, start=2):
                if not cell:
                    values.append(None)
                elif cell in table:
                    values.append(float(table[cell]))
                else:
                    raise AfstandError(f"row {row_number}, column {column!r}: {cell!r} is a choice of no version of the instrument")
            measure = "ordinal" if _ordinal(item, versions) else "nominal"
            declared_codes = [float(table[c]) for c in declared if c in table]
            variables.append(Variable(column, own[column], label, "numeric", measure, values, labels, sorted(set(declared_codes))))
        elif item.kind == "select_multiple":
            variables.append(Variable(column, own[column], label, "string", "nominal", [c or "" for c in cells]))
            for choice_name, choice_label in _all_choices(item.choice_list.name, versions):
                dummy = names.take(f"{column}_{choice_name}")
                values = [None if not c else float(choice_name in c.split()) for c in cells]
                variables.append(
                    Variable(
                        f"{column}/{choice_name}", dummy, f"{label}: {choice_label}", "numeric", "nominal", values, dict(CHOSEN_LABELS)
                    )
                )
        elif item.kind == "number":
            values = []
            for row_number, cell in enumerate(cells, start=2):
                try:
                    values.append(float(cell.replace(",", ".")) if cell else None)
                except ValueError:
                    raise AfstandError(f"row {row_number}, column {column!r}: {cell!r} is not a number") from None
            variables.append(Variable(column, own[column], label, "numeric", "scale", values, missing=sorted(set(_numbers(declared)))))
        else:
            variables.append(Variable(column, own[column], label, "string", "nominal", [c or "" for c in cells]))
    renamed = [(v.column, v.name) for v in variables if v.column != v.name]
    return StatTable(variables, codes, renamed)


def assign_codes(versions: Sequence[Instrument], recorded: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Codes per choice list over every version (see the module text); ``recorded`` is kept as is."""
    order: dict[str, list[str]] = {}
    for instrument in versions:  # oldest first: first appearance decides the order
        for item in instrument.items.values():
            if item.choice_list is None:
                continue
            names = order.setdefault(item.choice_list.name, [])
            for choice in item.choice_list.choices:
                if choice.name not in names:
                    names.append(choice.name)
    out: dict[str, dict[str, int]] = {}
    for list_name, names in order.items():
        table = dict(recorded.get(list_name, {}))
        if len(set(table.values())) != len(table):
            raise AfstandError(f"choice list {list_name!r}: two choices have the same code in the recorded codes")
        used = set(table.values())
        for name in names:
            if name in table:
                continue
            own = _whole(name)  # a whole-number name is its own code, unless another choice has that code
            table[name] = own if own is not None and own not in used else max(used, default=0) + 1
            used.add(table[name])
        out[list_name] = table
    return out


def write_sav(table: StatTable, out: BinaryIO) -> None:
    frame = _frame(table)
    labels = {v.name: v.label for v in table.variables}
    value_labels = {v.name: v.value_labels for v in table.variables if v.value_labels}
    missing = {v.name: v.missing[:3] for v in table.variables if v.missing}  # SPSS keeps up to 3 discrete values
    measure = {v.name: v.measure for v in table.variables}
    _via_file(
        lambda path: __import__("pyreadstat").write_sav(
            frame, path, column_labels=labels, variable_value_labels=value_labels, missing_ranges=missing, variable_measure=measure
        ),
        ".sav",
        out,
    )


def write_dta(table: StatTable, out: BinaryIO) -> None:
    """Stata: declared missing codes become extended missing values ``.a``, ``.b``, … ."""
    frame = _frame(table)
    user_missing: dict[str, list[str]] = {}
    value_labels: dict[str, dict] = {}
    for v in table.variables:
        labels = {k: text for k, text in v.value_labels.items() if k not in v.missing}
        if v.missing:
            letters = {code: chr(ord("a") + i) for i, code in enumerate(v.missing[:26])}
            frame[v.name] = pd.Series(
                [letters.get(x, x) if x is not None and not _isnan(x) else np.nan for x in frame[v.name].tolist()], dtype=object
            )
            user_missing[v.name] = list(letters.values())
        if labels:
            value_labels[v.name] = labels
    labels = {v.name: _bytes_prefix(v.label, 80) for v in table.variables}  # Stata: labels of at most 80 bytes
    _via_file(
        lambda path: __import__("pyreadstat").write_dta(
            frame, path, column_labels=labels, variable_value_labels=value_labels, missing_user_values=user_missing or None
        ),
        ".dta",
        out,
    )


def write_sps(table: StatTable, data_file: str, out: BinaryIO) -> None:
    """SPSS syntax that reads ``data_file`` (the coded CSV of :func:`write_coded_csv`) and labels it."""
    lines = [
        f"* Written by afstand: SPSS syntax that reads {_sps_text(data_file)} (the responses, choices as numeric codes).",
        "* It labels the data as the .sav export is labelled. Keep both files in one folder.",
        "* Run this file from that folder (or give the folder first: CD 'folder').",
        "",
    ]
    if table.renamed:
        lines.append("* Renamed columns (export column -> SPSS variable).")
        lines += [f"*   {column} -> {name}." for column, name in table.renamed]
        lines.append("")
    lines += [
        f"GET DATA /TYPE=TXT /FILE='{_sps_text(data_file)}' /ENCODING='UTF8' /DELIMITERS=\",\" /QUALIFIER='\"'",
        "  /ARRANGEMENT=DELIMITED /FIRSTCASE=2 /VARIABLES=",
    ]
    for v in table.variables:
        width = max([1] + [len(str(x).encode("utf-8")) for x in v.values if x])
        lines.append(f"  {v.name} {'F12.4' if v.kind == 'numeric' else f'A{min(max(width, 1), 32767)}'}")
    lines[-1] += "."
    lines += ["", "VARIABLE LABELS"]
    lines += [f"  {v.name} '{_sps_text(v.label)}'" for v in table.variables]
    lines[-1] += "."
    labelled = [v for v in table.variables if v.value_labels]
    if labelled:
        lines += ["", "VALUE LABELS"]
        for i, v in enumerate(labelled):
            lines.append(f"  {'/' if i else ''}{v.name}")
            lines += [f"    {_num(k)} '{_sps_text(text)}'" for k, text in sorted(v.value_labels.items())]
        lines[-1] += "."
    for v in table.variables:
        if v.missing:
            lines.append(f"MISSING VALUES {v.name} ({', '.join(_num(m) for m in v.missing[:3])}).")
    for level in ("nominal", "ordinal", "scale"):
        names = [v.name for v in table.variables if v.measure == level and v.kind == "numeric"]
        if names:
            lines.append(f"VARIABLE LEVEL {' '.join(names)} ({level.upper()}).")
    lines += ["EXECUTE.", ""]
    out.write("\n".join(lines).encode("utf-8"))


def write_coded_csv(table: StatTable, out: BinaryIO) -> None:
    """The variables as CSV with numeric codes (the data file the ``.sps`` reads)."""
    frame = _frame(table)
    out.write(frame.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8"))


# ---------------------------------------------------------------------------------------------


class _Names:
    """Unique, valid variable names for SPSS (64 bytes) or Stata (28 characters: Stata allows 32, but
    readstat names each value-label set after its variable plus a running number, and a label set
    name has the same limit of 32; 28 leaves room for 9999 sets)."""

    def __init__(self, package: str):
        if package not in ("spss", "stata"):
            raise AfstandError(f"unknown statistics package {package!r}")
        self.package = package
        self.limit = 64 if package == "spss" else 28
        self.taken: set[str] = set()

    def take(self, column: str) -> str:
        allowed = r"[^A-Za-z0-9_.@#$]" if self.package == "spss" else r"[^A-Za-z0-9_]"
        clean = re.sub(allowed, "_", column).rstrip(".")
        if not clean or not (clean[0].isalpha() or (self.package == "stata" and clean[0] == "_")):
            clean = "v_" + clean
        reserved = SPSS_RESERVED if self.package == "spss" else STATA_RESERVED
        if clean.upper() in reserved if self.package == "spss" else clean in reserved:
            clean = "v_" + clean
        clean = clean[: self.limit]
        name, n = clean, 1
        while name.lower() in self.taken:
            n += 1
            suffix = f"_{n}"
            name = clean[: self.limit - len(suffix)] + suffix
        self.taken.add(name.lower())
        return name


def _items_newest_first(versions: Sequence[Instrument]) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for instrument in reversed(versions):
        for name, item in instrument.items.items():
            items.setdefault(name, item)
    return items


def _all_choices(list_name: str, versions: Sequence[Instrument]) -> list[tuple[str, str]]:
    """Every choice of a list over the versions (newest version's order first), with its newest label."""
    out: dict[str, str] = {}
    for instrument in reversed(versions):
        clist = instrument.choice_lists.get(list_name)
        if clist is None:
            continue
        for choice in clist.choices:
            out.setdefault(choice.name, choice.label())
    return list(out.items())


def _value_labels(list_name: str, versions: Sequence[Instrument], codes: dict[str, int]) -> dict[float, str]:
    return {float(codes[name]): label for name, label in _all_choices(list_name, versions)}


def _ordinal(item: Item, versions: Sequence[Instrument]) -> bool:
    return item.appearance == "likert" or any(c.score is not None for c in item.choice_list.choices)


def _whole(text: str) -> int | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**31 else None


def _numbers(codes) -> list[float]:
    out = []
    for code in codes:
        try:
            out.append(float(str(code).replace(",", ".")))
        except ValueError:
            pass
    return out


def _isnan(x) -> bool:
    return isinstance(x, float) and x != x


def _frame(table: StatTable) -> pd.DataFrame:
    data = {}
    for v in table.variables:
        if v.kind == "numeric":
            data[v.name] = pd.Series([np.nan if x is None else x for x in v.values], dtype="float64")
        else:
            data[v.name] = pd.Series([x or "" for x in v.values], dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(table.variables[0].values) if table.variables else 0))


def _via_file(write, suffix: str, out: BinaryIO) -> None:
    """pyreadstat writes to a path: write to a temporary file, copy to ``out``, remove it."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    os.close(fd)
    try:
        try:
            write(path)
        except Exception as err:  # pyreadstat's PyreadstatError/ReadstatError, or a value it cannot hold
            if type(err).__module__.split(".")[0] != "pyreadstat":
                raise
            raise AfstandError(f"the {suffix} file could not be written: {err}") from err
        with open(path, "rb") as handle:
            out.write(handle.read())
    finally:
        os.unlink(path)


def _bytes_prefix(text: str, limit: int) -> str:
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")


def _sps_text(text: str) -> str:
    return str(text).replace("'", "''").replace("\n", " ")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
