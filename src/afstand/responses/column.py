"""A column of text cells as read from a file: dictionary-encoded, one index per row.

:class:`Column` is what every reader hands to the validator; :func:`convert_columns` makes the
columns of a parsed CSV file (pyarrow parses blocks in parallel, each with its own dictionary).
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa


class Column:
    """A column of text cells, dictionary-encoded: ``values[index[row]]``; ``index == -1`` = empty.

    Checks and conversions run once per distinct value and are mapped back with the index,
    which is what makes loading 300k responses fast. The distinct values become Python
    strings only when they are first asked for (a column of 300,000 response ids that is
    only checked for duplicates never needs them).

    A column read from a CSV file may hold its index as the parser's (``raw``) with a small
    table from the parser's dictionary to this one (``remap``: the cells empty after trimming
    go to −1). ``index`` is made from them when first asked for; :meth:`map` goes from the
    parser's index to its result in one pass, so a column that is only checked and typed
    never makes its own index (one pass and one array per column fewer).
    """

    __slots__ = ("_index", "_values", "_dictionary", "_raw", "_remap")

    def __init__(
        self,
        values: np.ndarray | None,
        index: np.ndarray | None,
        *,
        dictionary: pa.Array | None = None,
        raw: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self._values = values  # object array of distinct, whitespace-trimmed, non-empty strings
        self._dictionary = dictionary  # the same as an Arrow array, until ``values`` is asked for
        self._index = index  # int32 per row
        self._raw, self._remap = raw if raw is not None else (None, None)

    @property
    def index(self) -> np.ndarray:
        """Per row, the position of its value in ``values``; −1 = empty."""
        if self._index is None:  # two threads may both make it: the same array, either one kept
            self._index = self._remap[self._raw]
        return self._index

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            dictionary = self._dictionary  # None: another thread has just made the values (set before this is cleared)
            if dictionary is not None:
                self._values = _object_array(dictionary.to_pylist())  # not to_numpy(): for strings that imports pandas
                self._dictionary = None
        return self._values

    @property
    def n_values(self) -> int:
        dictionary = self._dictionary  # read first: cleared only after the values are set
        return len(self._values) if self._values is not None else len(dictionary)

    @classmethod
    def from_arrow(cls, array: pa.Array | pa.ChunkedArray) -> "Column":
        import pyarrow.compute as pc  # imported on first use (24 ms), for a large CSV while it is parsed (readers)

        chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
        if not chunks:
            return cls.empty(0)
        if pa.types.is_dictionary(array.type) and not pa.types.is_string(array.type.value_type):
            array = pa.chunked_array(chunks).cast(pa.string())  # a dictionary of numbers (a typed column): as text
            chunks = array.chunks
        if not pa.types.is_dictionary(array.type):
            text = pa.concat_arrays(chunks)
            if not pa.types.is_string(text.type):  # all empty (null) or inferred as numbers: as text
                text = text.cast(pa.string())
            return cls.from_arrow(pc.dictionary_encode(text))
        # one array: Arrow unifies the chunks' dictionaries while it concatenates (one pass over the rows)
        whole = chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)
        original = whole.dictionary
        index = _int32(whole.indices)
        dictionary = pc.utf8_trim_whitespace(original)
        trimmed = not pc.all(pc.equal(dictionary, original)).as_py() if len(original) else False
        empty = _int32(pc.utf8_length(dictionary)) <= 0  # empty after trimming, or null
        raw = None
        if empty.any():
            # the empty entries leave the dictionary; the index is made from the parser's when asked
            # for, through ``remap`` (its last entry is for a null cell: −1)
            kept = np.flatnonzero(~empty).astype(np.int32)
            remap = np.full(len(empty) + 1, -1, dtype=np.int32)
            remap[kept] = np.arange(len(kept), dtype=np.int32)
            dictionary = dictionary.take(pa.Array.from_buffers(pa.int32(), len(kept), [None, pa.py_buffer(kept)]))
            raw, index = (index, remap), None
        column = cls(None, index, dictionary=dictionary, raw=raw)
        # a dictionary from pyarrow is unique; trimming can make two entries equal
        if (trimmed or original.null_count) and len(set(column.values.tolist())) != len(column.values):
            values, inverse = np.unique(column.values.astype(str), return_inverse=True)
            index = column.index
            index = np.where(index >= 0, inverse[np.maximum(index, 0)], -1).astype(np.int32)
            column = cls(values.astype(object), index)
        return column

    @classmethod
    def from_list(cls, cells: list[str | None]) -> "Column":
        return cls.from_arrow(pa.array(cells, type=pa.string()))

    @classmethod
    def empty(cls, n: int) -> "Column":
        return cls(np.array([], dtype=object), np.full(n, -1, dtype=np.int32))

    def __len__(self) -> int:
        return len(self._raw if self._index is None else self._index)

    def __repr__(self) -> str:
        return f"Column({self.n_values} distinct values, {len(self)} rows)"

    @property
    def present(self) -> np.ndarray:
        if self._index is None:
            return (self._remap >= 0)[self._raw]
        return self._index >= 0

    def map(self, per_value: np.ndarray, missing, rows: np.ndarray | None = None) -> np.ndarray:
        """``per_value[index]`` with ``missing`` where the cell is empty (index −1 → last entry).

        ``rows`` (positions) limits the result to those rows, in one pass.
        """
        per_value = np.asarray(per_value)
        if len(per_value) != self.n_values:
            raise ValueError("one entry per distinct value expected")
        table = np.append(per_value, np.array([missing], dtype=per_value.dtype))
        if self._index is None:  # from the parser's index: its table first (the remap's −1 picks ``missing``)
            return table[self._remap][self._raw if rows is None else self._raw[rows]]
        return table[self._index if rows is None else self._index[rows]]

    def cell(self, row: int) -> str | None:
        i = self.index[row]
        return None if i < 0 else self.values[i]

    def to_pylist(self) -> list[str | None]:
        return self.map(self.values, None).tolist()

    def take(self, mask: np.ndarray) -> "Column":
        if self._index is None:
            return Column(self._values, None, dictionary=self._dictionary, raw=(self._raw[mask], self._remap))
        return Column(self._values, self._index[mask], dictionary=self._dictionary)


def _int32(array: pa.Array) -> np.ndarray:
    """An Arrow int32 array as numpy without a copy where possible; nulls become −1.

    (``fill_null`` would make a ``pa.scalar``, which imports pandas: 0.4 s.)
    """
    validity, data = array.buffers()[:2]
    n, offset = len(array), array.offset
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    values = np.frombuffer(data, dtype=np.int32, count=offset + n)[offset:]
    if not array.null_count:
        return values
    valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=offset + n, bitorder="little")[offset:]
    return np.where(valid.view(bool), values, np.int32(-1))


def _object_array(items: list) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def convert_columns(arrays: list[pa.ChunkedArray], n_rows: int) -> list[Column]:
    """``Column.from_arrow`` of each; for large files on two threads (pyarrow and numpy release
    the GIL, so this part takes about half the time on two cores)."""
    threads = min(2, os.cpu_count() or 1)
    if n_rows < 50_000 or threads < 2 or len(arrays) < 2:
        return [Column.from_arrow(a) for a in arrays]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(Column.from_arrow, arrays))
