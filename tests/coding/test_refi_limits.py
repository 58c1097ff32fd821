"""QDPX limits (issue 13, item 10): a DTD anywhere is refused, and the archive's total size is capped."""

from __future__ import annotations

import io
import zipfile

import pytest

from afstand.coding import refi_import
from afstand.coding.refi_import import read_qdc, read_qdpx
from afstand.errors import DataError

CODEBOOK = '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>'
BOMB = '<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def test_a_doctype_after_64_kb_is_refused():
    late = ("<?xml version='1.0'?>" + "<!--" + "x" * 70_000 + "-->" + BOMB + CODEBOOK).encode()
    with pytest.raises(DataError, match="DOCTYPE or ENTITY"):
        read_qdc(late)


def test_a_doctype_in_utf16_is_refused():
    utf16 = ("<?xml version='1.0' encoding='UTF-16'?>" + BOMB + CODEBOOK).encode("utf-16")
    with pytest.raises(DataError, match="DOCTYPE or ENTITY"):
        read_qdc(utf16)


def test_the_total_uncompressed_size_is_capped(monkeypatch):
    monkeypatch.setattr(refi_import, "MAX_TOTAL", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(5):  # each member under the per-member cap, together over the total
            archive.writestr(f"sources/s{i}.txt", "x" * 400)
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>')
    with pytest.raises(DataError, match="unpacks to"):
        read_qdpx(buffer.getvalue())
