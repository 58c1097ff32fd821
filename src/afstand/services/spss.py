"""Stored responses as an SPSS ``.sav`` file with variable and value labels (pyreadstat).

select_one items become numeric codes 1…k with value labels (SPSS convention); a
select_multiple item is written twice: as one text column of choice names, and as one 0/1
column per choice (``<item>_<choice>``, labelled "item: choice"). Numbers stay numbers,
open answers text. Labels are the instrument's Dutch labels.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import BinaryIO

import pandas as pd
import pyreadstat

from afstand.instrument.model import Instrument

META_LABELS = {"response_id": "Respons-id (willekeurig)", "instrument_version": "Versie van de vragenlijst",
               "submission_date": "Datum van insturen", "wave": "Meting"}


def _var(name: str) -> str:
    """An SPSS-safe variable name (letters, digits, _; at most 64 bytes; starting with a letter)."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean[:1].isalpha():
        clean = "v_" + clean
    return clean[:64]


def write_sav(header: list[str], rows: list[list[str]], instrument: Instrument, out: BinaryIO) -> None:
    columns: dict[str, list] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    index = {name: i for i, name in enumerate(header)}
    for name in header:
        values = [row[index[name]] for row in rows]
        item = instrument.items.get(name)
        var = _var(name)
        if item is None:
            columns[var] = values
            labels[var] = META_LABELS.get(name, name)
        elif item.kind == "select_one":
            codes = {c.name: i + 1 for i, c in enumerate(item.choice_list.choices)}
            columns[var] = [float(codes[v]) if v in codes else None for v in values]
            labels[var] = item.label()
            value_labels[var] = {float(i + 1): c.label() for i, c in enumerate(item.choice_list.choices)}
        elif item.kind == "select_multiple":
            columns[var] = values
            labels[var] = item.label()
            for choice in item.choice_list.choices:
                dummy = _var(f"{name}_{choice.name}")
                columns[dummy] = [None if not v else float(choice.name in v.split()) for v in values]
                labels[dummy] = f"{item.label()}: {choice.label()}"
                value_labels[dummy] = {0.0: "Niet gekozen", 1.0: "Gekozen"}
        elif item.kind == "number":
            columns[var] = [float(v) if v not in ("", None) else None for v in values]
            labels[var] = item.label()
        else:
            columns[var] = values
            labels[var] = item.label()
    frame = pd.DataFrame(columns)
    for var, values in columns.items():
        if all(isinstance(v, float) or v is None for v in values) and any(v is not None for v in values):
            frame[var] = pd.to_numeric(frame[var])
    fd, path = tempfile.mkstemp(suffix=".sav")
    os.close(fd)
    try:
        pyreadstat.write_sav(frame, path, column_labels=[labels[c] for c in frame.columns], variable_value_labels=value_labels)
        with open(path, "rb") as handle:
            out.write(handle.read())
    finally:
        os.unlink(path)
