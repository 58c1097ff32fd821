"""Legacy .xls XLSForms are read with python-calamine, never with xlrd (unmaintained): issue 13, item 12."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from afstand.errors import InstrumentError
from afstand.instrument.loader import load_instrument, version_id_of

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "xlsform-corpus"


@pytest.fixture
def xls_files():
    files = sorted(CORPUS.glob("*.xls"))
    if not files:
        pytest.skip("../shared/xlsform-corpus is not present")
    return files


def test_xls_forms_load_without_xlrd_to_the_same_version(xls_files, monkeypatch):
    expected = {p.name: version_id_of(convert(xlsform=p.read_bytes(), warnings=[], form_name="data", file_type=".xls")._pyxform)
                for p in xls_files}

    def no_xlrd(*args, **kwargs):
        raise AssertionError("xlrd was asked to read a file")

    import pyxform.xls2json_backends as backends

    monkeypatch.setattr(backends, "xls_to_dict", no_xlrd)
    for path in xls_files:
        assert load_instrument(path).version_id.endswith("@" + expected[path.name]), path.name
        assert load_instrument(path.read_bytes(), name=path.name).version_id.endswith("@" + expected[path.name])


def test_a_damaged_xls_is_a_clear_error():
    with pytest.raises(InstrumentError, match="broken.xls"):
        load_instrument(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="broken.xls")
