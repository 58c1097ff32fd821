"""The compiled-instrument cache: pyxform runs once per form version, and the cache never changes a result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from afstand import cache
from afstand.errors import InstrumentError
from afstand.instrument import loader
from tests.helpers import MINI_FORM, md_form

STUDY_FORMS = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "studies").glob("*/instruments/*.*") if p.suffix in (".md", ".xlsx", ".xls", ".csv")
)  # the folder also holds the jargon list
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "xlsform-corpus"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(folder))
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / loader.CACHE_KIND).glob("*.json")) if (folder / loader.CACHE_KIND).is_dir() else []


def _count_conversions(monkeypatch) -> list[int]:
    calls = [0]
    convert = loader._convert

    def counting(*args):
        calls[0] += 1
        return convert(*args)

    monkeypatch.setattr(loader, "_convert", counting)
    return calls


@pytest.mark.parametrize("form", STUDY_FORMS, ids=lambda p: p.name)
def test_cached_instrument_equals_converted_one(form, cache_dir, monkeypatch):
    calls = _count_conversions(monkeypatch)
    first = loader.load_instrument(form)
    second = loader.load_instrument(form)
    assert calls[0] == 1 and len(_entries(cache_dir)) == 1
    assert repr(second) == repr(first) and second.version_id == first.version_id


def test_corpus_forms_through_the_cache(cache_dir):
    if not CORPUS.is_dir():
        pytest.skip("../shared/xlsform-corpus is not present")
    for form in sorted(CORPUS.glob("*.xls*")):
        try:
            first = loader.load_instrument(form)
        except InstrumentError as err:
            with pytest.raises(InstrumentError) as again:  # refused forms are not cached: same message
                loader.load_instrument(form)
            assert str(again.value) == str(err)
            continue
        assert repr(loader.load_instrument(form)) == repr(first), form.name


def test_same_content_other_path_and_bytes_hit_the_cache(tmp_path, cache_dir, monkeypatch):
    calls = _count_conversions(monkeypatch)
    a = loader.load_instrument(md_form(tmp_path, MINI_FORM))
    copy = tmp_path / "other" / "form.md"
    copy.parent.mkdir()
    copy.write_bytes((tmp_path / "form.md").read_bytes())
    b = loader.load_instrument(copy)
    assert calls[0] == 1 and b.version_id == a.version_id and b.source == str(copy)
    changed = MINI_FORM.replace("| | text | why |", "| | text | why_not |")
    loader.load_instrument(md_form(tmp_path / "other", changed))
    assert calls[0] == 2 and len(_entries(cache_dir)) == 2  # a new form version converts again


def test_refused_forms_are_not_cached(tmp_path, cache_dir):
    broken = MINI_FORM.replace("| | text | why |", "| | txet | why |")
    for _ in range(2):
        with pytest.raises(InstrumentError, match="txet"):
            loader.load_instrument(md_form(tmp_path, broken))
    assert _entries(cache_dir) == []


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "pyxform": {"children": 7}}', b"[1, 2]"])
def test_corrupt_entry_is_ignored_and_rewritten(tmp_path, cache_dir, damage):
    form = md_form(tmp_path, MINI_FORM)
    good = loader.load_instrument(form)
    (entry,) = _entries(cache_dir)
    entry.write_bytes(damage)
    assert repr(loader.load_instrument(form)) == repr(good)
    assert entry.read_bytes() != damage  # rewritten with a whole entry


def test_cache_off_and_unwritable(tmp_path, monkeypatch):
    form = md_form(tmp_path, MINI_FORM)
    monkeypatch.setenv("AFSTAND_CACHE_DIR", "off")
    assert loader.load_instrument(form).form_id == "mini"
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(blocker / "cache"))
    assert loader.load_instrument(form).form_id == "mini"
    assert cache.write_json("instruments", "x", {}) is False


def test_second_load_does_not_import_pyxform(tmp_path, cache_dir):
    form = md_form(tmp_path, MINI_FORM)
    code = (
        f"import sys; from afstand.instrument.loader import load_instrument;load_instrument({str(form)!r}); print('pyxform' in sys.modules)"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]
