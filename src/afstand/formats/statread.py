"""Reading SPSS ``.sav`` and Stata ``.dta`` files as response data (pyreadstat).

A statistics file becomes a :class:`~afstand.responses.readers.Grid` like any export: one column
per variable, named by the variable, cells as text (whole numbers without ``.0``, system-missing
empty). What the file declares is kept, not guessed:

* **value labels** travel with the grid (code → label per variable), so that the ``spss`` layout
  reads a select_one's code as the choice whose label it carries (codes that are positions in a
  list, as SPSS users number them, as well as afstand's own codes);
* **variable labels** travel too: a variable whose name matches no question, or more than one
  (a name renamed for SPSS, ``dagen_other`` that is both a question and ``dagen``'s choice
  ``other``), is matched by its label — the question's label, or ``question: choice`` for a 0/1
  variable, as afstand's own ``.sav`` labels them;
* **user-missing values** (SPSS ``MISSING VALUES``, Stata's ``.a``…``.z``) are missing: the cell is
  empty, never a number in a mean.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from afstand.errors import DataError, Problem
from afstand.responses.readers import Column, Grid

STAT_SUFFIXES = (".sav", ".zsav", ".dta")


def read_stat_grid(data: bytes, label: str, suffix: str) -> Grid:
    """The variables of a ``.sav``/``.zsav``/``.dta`` file (its bytes) as a grid with value labels."""
    import pyreadstat

    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    handle, path = tempfile.mkstemp(suffix=suffix)  # pyreadstat reads paths
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        try:
            frame, meta = reader(path, apply_value_formats=False, user_missing=False)
        except Exception as err:  # pyreadstat raises its own error types on damaged files
            kind = "Stata .dta" if suffix == ".dta" else "SPSS .sav"
            raise DataError([Problem(label, f"not a readable {kind} file: {type(err).__name__}: {err}")]) from None
    finally:
        Path(path).unlink(missing_ok=True)
    headers = [str(c) for c in frame.columns]
    columns, value_labels = [], []
    declared = meta.variable_value_labels or {}
    for name in headers:
        columns.append(Column.from_list([_text(v) for v in frame[name].tolist()]))
        labels = declared.get(name)
        value_labels.append({_text(k): str(v) for k, v in labels.items() if _text(k) is not None} if labels else None)
    names_to_labels = meta.column_names_to_labels or {}
    column_labels = [names_to_labels.get(name) or None for name in headers]
    return Grid(file=label, headers=headers, columns=columns, n_rows=len(frame), value_labels=value_labels, column_labels=column_labels)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value).strip()
    return text or None
