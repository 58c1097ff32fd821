"""The distinct values of a column that holds few of them, without sorting the column.

Scores and scale scores take a handful of values, but ``np.unique`` sorts every row (300,000
rows: about 20 ms a column). :func:`unique_few` finds the values one at a time from the
smallest up (one comparison pass per value over what is left) and maps the rows to them with
a binary search over those few values: the same arrays as
``np.unique(values, return_inverse=True)``, in a fraction of the time
(``tests/analysis/test_levels.py`` checks them equal).
"""

from __future__ import annotations

import numpy as np

#: more distinct values than this: ``np.unique`` itself (sorting is then the cheaper way)
LIMIT = 32


def unique_few(values: np.ndarray, *, limit: int = LIMIT) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of a 1-d numeric array without NaN."""
    values = np.asarray(values)
    if values.ndim != 1 or not len(values) or values.dtype.kind not in "fiu":
        return np.unique(values, return_inverse=True)
    levels = []
    rest = values
    current = rest.min()
    if current != current:  # NaN: np.unique's own rules
        return np.unique(values, return_inverse=True)
    while True:
        levels.append(current)
        if len(levels) > limit:
            return np.unique(values, return_inverse=True)
        rest = rest[rest > current]
        if not len(rest):
            break
        current = rest.min()
        if current != current:
            return np.unique(values, return_inverse=True)
    distinct = np.array(levels, dtype=values.dtype)
    return distinct, np.searchsorted(distinct, values).astype(np.intp, copy=False)
