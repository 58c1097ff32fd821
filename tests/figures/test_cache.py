"""The figure cache: a damaged or cut-short entry is drawn again (never shown), and the cache stays
within AFSTAND_FIGURE_CACHE_MB, the least recently used entries going first."""

from __future__ import annotations

import os
import time

import pytest

from afstand import cache
from afstand.figures import render
from afstand.report.build import build_report
from afstand.study import Study
from tests.helpers import MINI_STUDY, write_mini_csv


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "figures"


def test_an_entry_is_read_back_only_whole(own_cache):
    drawing = b"<svg>" + b"x" * 5000 + b"</svg>"
    render._store("abc.figuur-01.svg", drawing)
    assert render._cached("abc.figuur-01.svg") == drawing
    entry = own_cache / "abc.figuur-01.svg"
    for damage in (entry.read_bytes()[:-100], entry.read_bytes()[:-1] + b"y", drawing):  # cut short, one byte changed, no header
        entry.write_bytes(damage)
        assert render._cached("abc.figuur-01.svg") is None
        assert not entry.exists()  # removed: the next build draws and stores it again
        render._store("abc.figuur-01.svg", drawing)


def test_prune_removes_the_least_recently_used_first(own_cache):
    now = time.time()
    for age, name in enumerate(["new", "middle", "old"]):
        render._store(f"{name}.svg", b"z" * 1000)
        os.utime(own_cache / f"{name}.svg", (now - 100 * age, now - 100 * age))
    assert render._cached("old.svg") is not None  # reading it makes it the most recently used
    size = (own_cache / "new.svg").stat().st_size
    removed = render.prune(limit=2 * size)
    assert removed == size and sorted(p.name for p in own_cache.iterdir()) == ["new.svg", "old.svg"]
    stale = own_cache / ".x.svg.123.tmp"  # a write that died long ago
    stale.write_bytes(b"half")
    os.utime(stale, (now - 2 * render.STALE_PARTS, now - 2 * render.STALE_PARTS))
    render.prune(limit=10 * size)
    assert not stale.exists()


def _build(study, data, out):
    build_report(study, data, out, formats=("html", "docx"), workers=2)
    return {p.name: p.read_bytes() for p in (out / "figures").iterdir()}


def test_a_build_redraws_a_damaged_entry_and_keeps_the_bound(own_cache, tmp_path, monkeypatch):
    study = Study.load(MINI_STUDY)
    data = {
        "mini": write_mini_csv(
            tmp_path / "mini.csv", 60, 7, {"org": [1, 1, 1, 1, 0], "sex": [1, 1, 0, 0], "role": [1, 1, 1, 0], "years": [1, 1, 1, 1, 0]}
        )
    }
    first = _build(study, data, tmp_path / "a")
    entries = sorted(own_cache.iterdir())
    assert entries and all(not p.name.startswith(".") for p in entries)
    svg = next(p for p in entries if p.name.endswith(".svg"))
    svg.write_bytes(svg.read_bytes()[: len(svg.read_bytes()) // 2])  # cut short
    assert _build(study, data, tmp_path / "b") == first  # drawn again, byte for byte
    assert render._cached(svg.name) is not None  # and stored whole
    monkeypatch.setenv("AFSTAND_FIGURE_CACHE_MB", "0")
    svg.unlink()
    assert _build(study, data, tmp_path / "c") == first
    assert list(own_cache.iterdir()) == []  # a bound of 0 keeps nothing
    assert cache.root() is not None
