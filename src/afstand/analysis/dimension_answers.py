"""A dimension's answers per respondent: keyed item scores, the dimension score, complete cases.

A respondent's dimension score is the mean of the keyed items answered, when at least half of the
dimension's items were answered (:mod:`afstand.analysis.scales`). The k items of a dimension are
answered from short choice lists, so the answers fall into few *patterns* (3 items of 5 choices,
each possibly unanswered: 216). When the patterns are few next to the respondents, each pattern's
scores are computed once and every respondent gets those of their pattern:

* the numbers are those of the row-by-row computation bit for bit: the same floating-point
  operations on the same values, only once per pattern (``tests/analysis/test_dimension_answers.py``
  compares both ways);
* the count per pattern gives the polychoric cross tables and the distinct scale scores without
  further passes over the rows.

Statistics whose value depends on the order of a sum over respondents (mean, covariance) still run
over the rows, in file order, as before.
"""

from __future__ import annotations

import math

import numpy as np

from afstand.analysis.reliability import complete_rows
from afstand.instrument.model import Item
from afstand.responses.dataset import ResponseSet

#: patterns are used when there are at most this many, or at most as many as respondents
SMALL_PATTERNS = 1 << 12
MAX_PATTERNS = 1 << 20


def keyed_table(item: Item) -> np.ndarray:
    """The keyed score per choice of a select_one item, then NaN for "no answer" (index −1).

    Statements keyed ``-1`` are reversed (``min + max − score``)."""
    table = np.array([np.nan if c.score is None else c.score for c in item.choice_list.choices] + [np.nan])
    defined = [c.score for c in item.choice_list.choices if c.score is not None]
    if item.key == -1 and defined:  # (without scores nothing is scored, reversed or not)
        table = (min(defined) + max(defined)) - table
    return table


class DimensionAnswers:
    """The answers of one response set to one dimension's items (see the module docstring).

    ``scores``: each respondent's dimension score (NaN: too few items answered), read-only.
    """

    def __init__(self, responses: ResponseSet, items: list[Item], *, patterns: bool | None = None) -> None:
        self.k = len(items)
        self.n = responses.n_consented
        self.tables = [keyed_table(item) for item in items]
        self.codes = [responses.single[item.name] for item in items]
        radices = [len(t) for t in self.tables]  # the choices and "no answer"
        size = math.prod(radices)
        if patterns is None:
            patterns = 0 < self.k and size <= MAX_PATTERNS and size <= max(SMALL_PATTERNS, self.n)
        self.code: np.ndarray | None = None
        self._matrix: np.ndarray | None = None
        if patterns:
            code = np.zeros(self.n, dtype=np.int32 if size < 2**31 else np.int64)
            for radix, codes in zip(radices, self.codes):
                code *= radix
                code += codes + 1  # 0: no answer
            self.code = code
            self.counts = np.bincount(code, minlength=size)
            digits = np.indices(radices).reshape(self.k, size)  # each pattern's choice per item (+1), C order as ``code``
            self.matrix_of = np.column_stack([t[d - 1] for t, d in zip(self.tables, digits)])  # per pattern
            missing = np.isnan(self.matrix_of)
            answered = self.k - _row_sums(missing.astype(np.int8 if self.k < 127 else np.intp))
            self.complete_of = answered == self.k
            self.scores_of = _scores(self.matrix_of, missing, answered, self.k)
            self.scores = self.scores_of[code]
        else:
            self._matrix = self.matrix()
            missing = np.isnan(self._matrix)
            answered = self.k - _row_sums(missing.astype(np.int8 if self.k < 127 else np.intp))
            self.scores = _scores(self._matrix, missing, answered, self.k)
        self.scores.flags.writeable = False

    def matrix(self) -> np.ndarray:
        """Keyed item scores, respondents × items (NaN = not answered or without a score)."""
        if self.code is not None:
            return np.take(self.matrix_of, self.code, axis=0)  # ``matrix_of[code]``, four times faster
        if self._matrix is not None:
            return self._matrix
        return np.column_stack([t[c] for t, c in zip(self.tables, self.codes)]) if self.k else np.zeros((self.n, 0))

    def complete(self) -> np.ndarray:
        """The rows of :meth:`matrix` without a missing item, in file order."""
        if self.code is None:
            return complete_rows(self._matrix)
        return np.take(self.matrix_of, self.code[self.complete_of[self.code]], axis=0)

    def complete_patterns(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The distinct complete rows (patterns × items) and how many respondents have each;
        None when the rows were not grouped into patterns."""
        if self.code is None:
            return None
        used = np.flatnonzero(self.complete_of & (self.counts > 0))
        return self.matrix_of[used], self.counts[used]

    def levels(self, decimals: int = 9) -> tuple[list[float], np.ndarray]:
        """The distinct dimension scores (rounded to ``decimals``: 10/3 and 3.3333333333 are one)
        and each respondent's position among them (−1: no score)."""
        if self.code is None:
            present = ~np.isnan(self.scores)
            rounded = np.round(self.scores[present], decimals)
            distinct = np.unique(rounded)
            level = np.full(self.n, -1)
            level[present] = np.searchsorted(distinct, rounded)
            return [float(v) for v in distinct], level
        present = ~np.isnan(self.scores_of) & (self.counts > 0)
        rounded = np.round(self.scores_of[present], decimals)
        distinct = np.unique(rounded)
        level_of = np.full(len(self.scores_of), -1)
        level_of[present] = np.searchsorted(distinct, rounded)
        return [float(v) for v in distinct], level_of[self.code]


def dimension_answers(responses: ResponseSet, items: list[Item]) -> DimensionAnswers:
    """:class:`DimensionAnswers`, made once per response set and dimension (the scale table, the
    group comparisons and the trend all need it)."""
    key = tuple((item.name, item.key) for item in items)
    memo = responses.__dict__.setdefault("_dimension_answers", {})
    found = memo.get(key)
    if found is None:
        found = memo[key] = DimensionAnswers(responses, items)
    return found


def _scores(matrix: np.ndarray, missing: np.ndarray, answered: np.ndarray, k: int) -> np.ndarray:
    enough = answered >= math.ceil(k / 2)
    return _row_means(matrix, missing, answered, enough)


def _row_means(matrix: np.ndarray, missing: np.ndarray, answered: np.ndarray, enough: np.ndarray) -> np.ndarray:
    """Mean of the answered items per row where ``enough``, else NaN: ``np.nanmean(matrix[enough], axis=1)``
    bit for bit (NaN → 0, row sums, divided by the count), without nanmean's copies."""
    totals = _column_sums([np.where(missing[:, j], 0.0, matrix[:, j]) for j in range(matrix.shape[1])])
    scores = np.full(len(totals), np.nan)
    np.divide(totals, answered, out=scores, where=enough)
    return scores


def _row_sums(matrix: np.ndarray) -> np.ndarray:
    """``matrix.sum(axis=1)``, bit for bit."""
    return _column_sums([matrix[:, j] for j in range(matrix.shape[1])])


def _column_sums(columns: list[np.ndarray]) -> np.ndarray:
    """The row sums of the matrix with these columns, as ``matrix.sum(axis=1)`` gives them.

    numpy adds fewer than 8 elements strictly from left to right, starting from 0, so adding
    the columns in turn gives the same numbers (``tests/analysis/test_scales.py`` checks it)
    at a sixth of the cost; wider rows use numpy's (pairwise) order itself.
    """
    if not 1 <= len(columns) < 8:
        return np.column_stack(columns).sum(axis=1) if columns else np.zeros(0)
    total = columns[0] + columns[0].dtype.type(0)  # numpy starts from +0: −0.0 alone sums to +0.0
    for column in columns[1:]:
        total += column
    return total
