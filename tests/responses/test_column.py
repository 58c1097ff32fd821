"""Column: the parser's chunks, their dictionaries and empty cells, and the index made lazily."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from afstand.responses.column import Column, convert_columns


def chunked(*chunks: list[str | None]) -> pa.ChunkedArray:
    """A column as pyarrow's CSV parser hands it over: one dictionary per block."""
    return pa.chunked_array([pa.array(c, type=pa.string()).dictionary_encode() for c in chunks])


CELLS = (["b", "", "a", "  ", "c"], [" a ", "d", "", "b"], ["", "", "e"])


def test_chunks_with_their_own_dictionaries_become_one_column():
    column = Column.from_arrow(chunked(*CELLS))
    assert column.to_pylist() == ["b", None, "a", None, "c", "a", "d", None, "b", None, None, "e"]
    assert sorted(column.values.tolist()) == ["a", "b", "c", "d", "e"]
    assert len(column) == 12


@pytest.mark.parametrize("rows", [None, np.array([0, 1, 5, 11, 3])])
def test_map_from_the_parsers_index_equals_map_from_the_index(rows):
    lazy = Column.from_arrow(chunked(*CELLS))
    made = Column.from_arrow(chunked(*CELLS))
    assert len(made.index) == 12  # made now: map goes through it
    per_value = np.array([len(v) * 10 + i for i, v in enumerate(lazy.values)])
    assert lazy.map(per_value, -1, rows).tolist() == made.map(per_value, -1, rows).tolist()
    assert lazy.map(per_value, -1, rows).tolist() != [-1] * (12 if rows is None else len(rows))


def test_the_index_marks_empty_and_blank_cells_minus_one():
    column = Column.from_arrow(chunked(*CELLS))
    index = column.index
    assert [i for i, v in enumerate(index) if v < 0] == [1, 3, 7, 9, 10]
    assert [column.values[i] for i in index if i >= 0] == ["b", "a", "c", "a", "d", "b", "e"]


def test_take_keeps_the_parsers_index_until_asked():
    column = Column.from_arrow(chunked(*CELLS))
    mask = np.zeros(12, dtype=bool)
    mask[[0, 1, 5, 11]] = True
    part = column.take(mask)
    assert len(part) == 4
    assert part.to_pylist() == ["b", None, "a", "e"]
    assert part.present.tolist() == [True, False, True, True]


def test_nulls_from_other_readers_are_empty_too():
    column = Column.from_arrow(chunked(["x", None, " "], [None, "y"]))
    assert column.to_pylist() == ["x", None, None, None, "y"]


def test_trimming_that_makes_two_values_equal_gives_one_value():
    column = Column.from_arrow(chunked(["a", " a", "b"], ["a ", "b"]))
    assert sorted(column.values.tolist()) == ["a", "b"]
    assert column.to_pylist() == ["a", "a", "b", "a", "b"]


def test_convert_columns_on_two_threads_equals_one_at_a_time():
    rng = np.random.default_rng(7)
    words = ["", " ", "ja", "nee", "weet niet", " ja"]
    arrays = [chunked(*[[words[i] for i in rng.integers(0, 6, 20_000)] for _ in range(4)]) for _ in range(5)]
    together = convert_columns(arrays, 80_000)
    alone = [Column.from_arrow(a) for a in arrays]
    for a, b in zip(together, alone):
        assert a.to_pylist() == b.to_pylist()
