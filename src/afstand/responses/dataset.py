"""The validated, typed responses of one instrument: what the analysis reads.

Only respondents who consented are kept in the columns; ``n_total`` counts everyone.
Columns are stored in vectorised form:

* select_one: ``int32`` codes, the index of the choice in its list, ``-1`` = missing
* select_multiple: :class:`MultiColumn` (boolean matrix rows × choices)
* numbers: ``float64``, ``NaN`` = missing
* text: a :class:`~afstand.responses.readers.Column` (distinct texts + index, −1 = missing)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from afstand.errors import Problem
from afstand.instrument.model import Instrument, Item
from afstand.responses.readers import Column


@dataclass(frozen=True)
class MultiColumn:
    """A select_multiple item as a dense boolean matrix rows × choices (no choice = missing)."""

    matrix: np.ndarray

    @property
    def n_rows(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_choices(self) -> int:
        return self.matrix.shape[1]

    @property
    def answered(self) -> np.ndarray:
        """Rows with at least one choice (``matrix.any(axis=1)``, a column at a time: 10× faster)."""
        out = np.zeros(self.n_rows, dtype=bool)
        for j in range(self.n_choices):
            out |= self.matrix[:, j]
        return out

    def counts(self) -> np.ndarray:
        """Respondents per choice (``matrix.sum(axis=0)``, a column at a time)."""
        return np.array([np.count_nonzero(self.matrix[:, j]) for j in range(self.n_choices)], dtype=np.int64)

    def indicator(self) -> np.ndarray:
        return self.matrix.astype(np.int8)

    def take(self, mask: np.ndarray) -> "MultiColumn":
        return MultiColumn(self.matrix[mask])


@dataclass
class ResponseSet:
    instrument: Instrument
    source: str
    n_total: int
    response_ids: np.ndarray  # object array of str, consented rows (may be given as a function that makes it)
    file_rows: np.ndarray  # spreadsheet row numbers of the consented rows
    single: dict[str, np.ndarray] = field(default_factory=dict)
    multi: dict[str, MultiColumn] = field(default_factory=dict)
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    texts: dict[str, Column] = field(default_factory=dict)
    not_asked: list[str] = field(default_factory=list)
    #: items asked of only some rows (datasets mixing instrument versions): mask over the rows
    asked: dict[str, np.ndarray] = field(default_factory=dict)
    dropped_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    layout: str | None = None  # the export layout the file was read as
    metadata_columns: list[str] = field(default_factory=list)  # the exporting tool's columns, not analysed
    unused_columns: list[str] = field(default_factory=list)  # form fields in the file that are not analysed
    declared_missing: dict[str, dict[str, int]] = field(default_factory=dict)  # item → code → consenting rows

    @property
    def n_consented(self) -> int:
        return len(self.file_rows)

    def subset(self, mask: np.ndarray) -> "ResponseSet":
        """The same responses restricted to ``mask`` (for group breakdowns)."""
        return ResponseSet(
            instrument=self.instrument,
            source=self.source,
            n_total=int(mask.sum()),
            response_ids=self.response_ids[mask],
            file_rows=self.file_rows[mask],
            single={k: v[mask] for k, v in self.single.items()},
            multi={k: v.take(mask) for k, v in self.multi.items()},
            numbers={k: v[mask] for k, v in self.numbers.items()},
            texts={k: v.take(mask) for k, v in self.texts.items()},
            not_asked=list(self.not_asked),
            asked={k: v[mask] for k, v in self.asked.items()},
        )

    def n_asked(self, name: str) -> int:
        """Consented respondents whose instrument version holds the item."""
        mask = self.asked.get(name)
        return self.n_consented if mask is None else int(mask.sum())

    def n_not_asked(self, name: str) -> int:
        return self.n_consented - self.n_asked(name)

    def choice_counts(self, item: Item) -> np.ndarray:
        """Respondents per choice of a select_one item, ``[0]``: missing or not asked (read-only).

        ``np.bincount(codes + 1, minlength=choices + 1)``, counted once per codes array (the
        frequencies and the Likert collapse both need it)."""
        codes = self.single[item.name]
        key = _counts_key(item)
        memo = self.__dict__.setdefault("_choice_counts", {})
        found = memo.get(key)
        if found is None or found[0] is not codes:  # the codes array itself is kept: a new one is counted afresh
            counts = np.bincount(codes + 1, minlength=key[1] + 1)
            counts.flags.writeable = False
            found = memo[key] = (codes, counts)
        return found[1]

    def remember_choice_counts(self, item: Item, counts: np.ndarray) -> None:
        """:meth:`choice_counts` of the item's codes as they are now, counted by the caller (the
        validator counts while it checks, on two threads for large files)."""
        counts = np.asarray(counts)
        if counts.shape != (len(item.choice_list.names) + 1,):
            raise ValueError("one count per choice and one for missing expected")
        counts.flags.writeable = False
        memo = self.__dict__.setdefault("_choice_counts", {})
        memo[_counts_key(item)] = (self.single[item.name], counts)

    def scores(self, name: str) -> np.ndarray:
        """Numeric scores of a select_one item (``NaN`` where missing or without a score)."""
        item = self.instrument.items[name]
        table = np.array([np.nan if c.score is None else c.score for c in item.choice_list.choices] + [np.nan])
        codes = self.single[name]
        return table[np.where(codes < 0, len(table) - 1, codes)]


def _counts_key(item: Item) -> tuple[str, int]:
    """The key of an item's choice counts in :meth:`ResponseSet.choice_counts`' memo."""
    return item.name, len(item.choice_list.names)


def _get_response_ids(self: ResponseSet) -> np.ndarray:
    ids = self.__dict__["_response_ids"]
    if callable(ids):
        ids = self.__dict__["_response_ids"] = ids()
    return ids


def _set_response_ids(self: ResponseSet, value) -> None:
    self.__dict__["_response_ids"] = value


# ``response_ids`` may be passed as a function and is then made on first use: loading 300,000
# responses should not build 300,000 Python strings that the analysis never reads.
ResponseSet.response_ids = property(_get_response_ids, _set_response_ids)  # type: ignore[assignment]
