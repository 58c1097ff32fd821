"""A CSV file read from disk and the same bytes in memory are one source to the reader."""

from __future__ import annotations

import pytest

from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses.csv_source import PIECE, CsvSource
from afstand.responses.readers import read_csv_grid


@pytest.mark.parametrize("size", [0, 1, PIECE - 1, PIECE, PIECE + 1, 3 * PIECE + 17])
def test_a_path_and_its_bytes_agree(tmp_path, size):
    data = b"a,b\n" + b"x" * size + b"\n1,2\r\n" if size else b""
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    on_disk, in_memory = CsvSource(path, "f.csv"), CsvSource(data, "f.csv")
    assert on_disk.size == in_memory.size == len(data)
    assert on_disk.head(7) == in_memory.head(7) == data[:7]
    assert on_disk.last_byte() == in_memory.last_byte() == data[-1:]
    assert on_disk.count_newlines() == in_memory.count_newlines() == data.count(b"\n")
    assert on_disk.whole().to_pybytes() == in_memory.whole().to_pybytes() == data
    assert on_disk.arrow_input().read() == in_memory.arrow_input().read() == data


def test_a_value_with_a_line_break_is_read_whole_from_disk_and_from_memory(tmp_path):
    rows = ["id,why"] + [f'r{i},"line {i}\nnext, line"' if i % 7 == 0 else f"r{i},plain {i}" for i in range(20_000)]
    data = ("\n".join(rows) + "\n").encode()
    path = tmp_path / "breaks.csv"
    path.write_bytes(data)
    for source in (path, data):
        grid = read_csv_grid(source, name="breaks.csv")
        assert grid.n_rows == 20_000
        assert grid.columns[1].cell(7) == "line 7\nnext, line"


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        CsvSource(tmp_path / "nope.csv", "nope.csv")


@pytest.mark.parametrize("change", ["append", "truncate", "remove", "replace"])
def test_a_file_that_changes_while_it_is_read_is_refused(tmp_path, monkeypatch, change):
    """Whatever moment the change happens, no half-old half-new table and no traceback: one line saying so."""
    path = tmp_path / "groeit.csv"
    path.write_bytes(b"id,why\n" + b"".join(b"r%d,tekst %d\n" % (i, i) for i in range(5000)))
    last_byte = CsvSource.last_byte

    def changing(self):  # called as the parse starts, after the header was read
        out = last_byte(self)
        if change == "append":
            with open(path, "ab") as handle:
                handle.write(b"r5000,later\n")
        elif change == "truncate":
            with open(path, "r+b") as handle:
                handle.truncate(2000)
        elif change == "remove":
            path.unlink()
        else:
            replacement = tmp_path / "nieuw.csv"
            replacement.write_bytes(b"id,why\nr0,anders\n")
            replacement.replace(path)
        return out

    monkeypatch.setattr(CsvSource, "last_byte", changing)
    with pytest.raises(DataError, match="the file changed while it was read"):
        read_csv_grid(path)


def test_a_folder_a_pipe_and_a_missing_file_are_told_apart(tmp_path):
    import os

    from afstand.responses import load_responses
    from tests.helpers import MINI_FORM, md_form

    mini = load_instrument(md_form(tmp_path, MINI_FORM))
    (tmp_path / "map.csv").mkdir()
    os.mkfifo(tmp_path / "pijp.csv")
    for name, reason in [("map.csv", "a folder, not a file"), ("pijp.csv", "not a regular file"), ("weg.csv", "no such file")]:
        with pytest.raises(DataError, match=reason):
            load_responses(tmp_path / name, mini)


def test_a_file_that_cannot_be_opened_says_why_in_words():
    from afstand.errors import unreadable

    assert unreadable(PermissionError(13, "Permission denied")) == "the file cannot be read: permission denied"
