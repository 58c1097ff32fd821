"""Legacy .xls XLSForms are read with python-calamine, never with xlrd (unmaintained): issue 13, item 12."""

from __future__ import annotations

from pathlib import Path

import pytest

from afstand.errors import InstrumentError
from afstand.instrument import loader
from afstand.instrument.loader import load_instrument

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "xlsform-corpus"


@pytest.fixture
def xls_files():
    files = sorted(CORPUS.glob("*.xls"))
    if not files:
        pytest.skip("../shared/xlsform-corpus is not present")
    return files


def test_xls_forms_load_without_xlrd_to_the_same_version(xls_files, monkeypatch):
    from pyxform.xls2json_backends import get_xlsform
    from pyxform.xls2xform import convert

    def with_xlrd(path):  # what pyxform itself makes of the .xls (through xlrd)
        warnings: list[str] = []
        js = convert(xlsform=path.read_bytes(), warnings=warnings, form_name="data", file_type=".xls")._pyxform
        loader._annotate_types(js.get("children", []))  # as loader._convert does: pyxform's type dictionary per question
        if loader.check_pyxform(js, path.name).refusals():
            return None  # the support matrix refuses it (a repeat, …): refused the same way without xlrd
        return loader._finish(
            loader._build(js, get_xlsform(path.read_bytes(), file_type=".xls"), path.name), warnings, path.name
        ).version_id

    expected = {p.name: with_xlrd(p) for p in xls_files}
    monkeypatch.setattr(loader.cache, "read_json", lambda *a, **k: None)  # convert every time, not from the cache

    def no_xlrd(*args, **kwargs):
        raise AssertionError("xlrd was asked to read a file")

    import pyxform.xls2json_backends as backends

    monkeypatch.setattr(backends, "xls_to_dict", no_xlrd)
    assert any(v is not None for v in expected.values())
    for path in xls_files:
        if expected[path.name] is None:
            for source in (path, path.read_bytes()):
                with pytest.raises(InstrumentError, match="does not support this form"):
                    load_instrument(source, name=path.name)
            continue
        assert load_instrument(path).version_id == expected[path.name], path.name
        assert load_instrument(path.read_bytes(), name=path.name).version_id == expected[path.name]


def test_a_damaged_xls_is_a_clear_error():
    with pytest.raises(InstrumentError, match="broken.xls"):
        load_instrument(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="broken.xls")
