"""``afstand analyze --cache``: a columnar copy of the data in the cache folder, same output warm and cold."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def analyze(data, *extra: str) -> dict:
    result = run_cli("analyze", "--instrument", "werkers", "--data", str(data), "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_warm_and_cold_runs_give_the_same_analysis_and_a_corrupt_entry_is_rewritten(tmp_path, monkeypatch):
    assert run_cli("demo-data", "--n-workers", "80", "--n-clients", "12", "--seed", "5", "--out", str(tmp_path)).returncode == 0
    data = tmp_path / "werkers.csv"
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(tmp_path / "cache"))
    plain = analyze(data)
    assert not (tmp_path / "cache" / "columnar").exists()  # opt-in: nothing stored without --cache

    cold = analyze(data, "--cache")
    entries = list((tmp_path / "cache" / "columnar").iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".arrow"
    entry = entries[0]
    stored = entry.read_bytes()
    warm = analyze(data, "--cache")
    assert cold == warm == plain
    assert entry.read_bytes() == stored  # reused, not rewritten

    for damage in (stored[: len(stored) // 2], b"not an arrow file", stored[:-200] + b"\0" * 200):
        entry.write_bytes(damage)
        assert analyze(data, "--cache") == plain
        assert entry.read_bytes() == stored  # ignored and written again

    data.write_text(data.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")  # other bytes, same answers
    assert analyze(data, "--cache") == plain
    assert len(list((tmp_path / "cache" / "columnar").iterdir())) == 2  # a new key: the old entry is not reused
