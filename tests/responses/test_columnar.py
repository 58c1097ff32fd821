"""The columnar cache returns exactly what the CSV reader returns, and only for the same content and form."""

from __future__ import annotations

import pytest

from afstand.responses import columnar, readers
from afstand.responses.columnar import read_csv_cached


def table_state(raw):
    return (
        raw.file,
        raw.n_rows,
        raw.id_column,
        raw.headers,
        raw.problems,
        {name: column.to_pylist() for name, column in raw.columns.items()},
    )


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "columnar"


def test_a_stored_table_is_the_readers_table(tmp_path, cache_dir, monkeypatch):
    data = tmp_path / "data.csv"
    # a duplicated column (a problem the reader reports), blanks, padded values, an empty column, a line break in a value
    data.write_text('response_id,q1,q1,q2,note,empty\nr1, a ,x,1,"two\nlines",\nr2,,y, 1,,\nr3,b,z,,plain,\n', encoding="utf-8")
    fresh = readers.read_csv(data)
    assert read_csv_cached(data, "v1") is not None and len(list(cache_dir.iterdir())) == 1

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again although the entry is valid")

    monkeypatch.setattr(columnar, "read_csv", no_parse)
    warm = read_csv_cached(data, "v1")
    assert table_state(warm) == table_state(fresh)
    assert [p.message for p in warm.problems] == ["the column appears twice"]
    with pytest.raises(AssertionError):
        read_csv_cached(data, "v2")  # another instrument version: another entry


def test_changed_content_is_never_served_from_an_old_entry(tmp_path, cache_dir):
    data = tmp_path / "data.csv"
    data.write_text("response_id,q1\nr1,a\nr2,b\n", encoding="utf-8")
    read_csv_cached(data, "v1")
    data.write_text("response_id,q1\nr1,a\nr2,c\n", encoding="utf-8")  # same size, other content
    assert read_csv_cached(data, "v1").columns["q1"].to_pylist() == ["a", "c"]


def test_without_a_writable_cache_it_reads_as_usual(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(blocked / "cache"))
    data = tmp_path / "data.csv"
    data.write_text("response_id,q1\nr1,a\n", encoding="utf-8")
    assert read_csv_cached(data, "v1").columns["q1"].to_pylist() == ["a"]
    monkeypatch.setenv("AFSTAND_CACHE_DIR", "off")
    assert read_csv_cached(data, "v1").columns["q1"].to_pylist() == ["a"]
