"""Files that mix form versions: which version of the form each row answered.

Every layout names the column that says so (:attr:`afstand.responses.layouts.Layout.version_headers`):
afstand's ``instrument_version``, KoboToolbox's ``__version__`` (older exports ``_version_``), ODK
Central's ``FormVersion``. A value identifies one of the instrument versions the caller has (the
study's forms, ``--version-form``) when it is that version's

* content hash (``version_id``, what afstand stamps on every response),
* ``version`` setting (what ODK Central writes in ``FormVersion``), or
* version uid as KoboToolbox's versioned forms carry it: a ``calculate`` named ``__version__``
  whose calculation is that uid in quotes.

A file that holds one version value is read as the given instrument when the value names none of
the versions (the caller chose the instrument). A file that holds more than one (or rows without
a value beside rows with one) is read row by row as each row's version asks, and a row whose
version is not among the versions given is a problem naming file, row, column and value
(:func:`afstand.responses.versions.asked_masks`): never read as another version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from afstand.instrument.model import Instrument
from afstand.responses.readers import Column, Grid
from afstand.responses.versions import VERSION_COLUMN

__all__ = ["VERSION_COLUMN", "RowVersions", "read_versions", "version_keys"]


@dataclass
class RowVersions:
    column: Column  # per row the version id; a value that names no version given stays as written
    header: str  # the column as the file names it (for messages)
    per_row: np.ndarray  # per row the position of its version in ``forms``; −1: none given or not known
    mixed: bool  # more than one version (or rows without one beside rows with one)


def version_keys(instrument: Instrument) -> list[str]:
    """The values that name this version in a version column (see the module text)."""
    keys = [instrument.version_id]
    if instrument.version:
        keys.append(str(instrument.version).strip())
    kobo = instrument.items.get("__version__")
    text = (kobo.calculation or "").strip() if kobo is not None else ""
    if len(text) > 2 and text[0] == text[-1] and text[0] in "'\"":
        keys.append(text[1:-1].strip())
    return keys


def read_versions(grid: Grid, targets: Sequence, headers: Sequence[str], forms: Sequence[Instrument]) -> RowVersions | None:
    """The rows' versions from the first column named in ``headers`` that the layout kept as the
    tool's own (``targets``: what each column was matched to); None when the file has no such
    column, or holds one value that names none of ``forms`` (read as ``forms[0]``)."""
    wanted = {h: rank for rank, h in enumerate(headers)}
    found = [(wanted[h.strip()], i) for i, h in enumerate(grid.headers) if h.strip() in wanted and targets[i].kind in ("meta", "id")]
    if not found:
        return None
    index = min(found)[1]
    cells = grid.columns[index]
    position = _positions(cells.values, forms)
    used = np.zeros(len(cells.values) + 1, dtype=bool)
    used[cells.index] = True  # −1 (an empty cell) marks the last entry
    named = [v for v in range(len(cells.values)) if used[v]]
    mixed = len(named) > 1 or (len(named) == 1 and bool(used[-1]))
    if not named or (not mixed and position[named[0]] < 0):
        return None
    texts = [forms[p].version_id if p >= 0 else str(cells.values[v]).strip() for v, p in enumerate(position)]
    distinct = sorted(set(texts))
    recode = np.array([distinct.index(t) for t in texts] + [-1], dtype=np.int32)
    column = Column(np.array(distinct, dtype=object), recode[cells.index])
    per_row = np.append(position, -1).astype(np.int32)[cells.index]
    return RowVersions(column, grid.where(index), per_row, mixed)


def _positions(values, forms: Sequence[Instrument]) -> np.ndarray:
    """Per distinct value, the position of the version it names in ``forms`` (−1: none, or more than one)."""
    by_key: dict[str, set[int]] = {}
    for p, form in enumerate(forms):
        for key in version_keys(form):
            by_key.setdefault(key, set()).add(p)
    out = np.full(len(values), -1, dtype=np.int32)
    for v, value in enumerate(values):
        hits = by_key.get(str(value).strip(), set())
        ids = {forms[p].version_id for p in hits}
        if len(ids) == 1:  # two different versions with the same version setting: not one of them
            out[v] = min(hits)
    return out
