"""Responses in memory (columns, rows, bytes, a stream) load exactly as the same data from a file."""

from __future__ import annotations

import io
import json

import pytest

from afstand.analysis.summary import analyze
from afstand.demo import generate, write_csv
from afstand.errors import DataError
from afstand.responses import load_responses, table_from_columns, table_from_rows


@pytest.fixture(scope="module")
def demo(study):
    instrument = study.instrument("werkers")
    columns = generate(instrument, 300, seed=7, name="werkers")
    text = io.StringIO()
    write_csv(columns, text)
    return instrument, columns, text.getvalue()


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_every_source_gives_the_same_analysis(tmp_path, study, demo):
    instrument, columns, text = demo
    path = tmp_path / "werkers.csv"
    path.write_text(text, encoding="utf-8")
    from_file = analyze(load_responses(path, instrument), name="werkers", study=study)
    header = list(columns)
    rows = [list(r) for r in zip(*(columns[h] for h in header))]
    sources = {
        "columns": table_from_columns({h: list(v) for h, v in columns.items()}, name=str(path)),
        "rows": table_from_rows(header, rows, name=str(path)),
        "bytes": text.encode("utf-8"),
        "stream": io.BytesIO(text.encode("utf-8")),
    }
    for kind, source in sources.items():
        result = analyze(load_responses(source, instrument, name=str(path)), name="werkers", study=study)
        assert _same(result, from_file), kind
    assert from_file["n_consented"] > 250


def test_none_and_empty_are_both_unanswered(study):
    instrument = study.instrument("werkers")
    a = load_responses(table_from_columns({"response_id": ["1", "2"], "consent": ["ja", "ja"], "w_gender": [None, "vrouw"]}), instrument)
    b = load_responses(table_from_columns({"response_id": ["1", "2"], "consent": ["ja", "ja"], "w_gender": ["", "vrouw"]}), instrument)
    assert _same(analyze(a, name="werkers")["items"]["w_gender"], analyze(b, name="werkers")["items"]["w_gender"])
    assert analyze(a, name="werkers")["items"]["w_gender"]["missing"] == 1


def test_bad_cells_in_memory_are_named_like_a_file(study):
    instrument = study.instrument("werkers")
    table = table_from_columns({"response_id": ["1", "2"], "consent": ["ja", "ja"], "w_gender": ["vrouw", "paars"]}, name="db/werkers")
    with pytest.raises(DataError) as err:
        load_responses(table, instrument)
    assert "db/werkers" in str(err.value) and "row 3" in str(err.value) and "paars" in str(err.value)


def test_ragged_rows_are_refused():
    with pytest.raises(DataError, match="row 3: expected 2 values, found 1"):
        table_from_rows(["a", "b"], [["1", "2"], ["3"]], name="x")
