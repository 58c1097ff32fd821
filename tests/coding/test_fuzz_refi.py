"""Fuzzing the REFI-QDA readers: broken archives, mutated project XML and codebooks give a Project
or a DataError naming the file — never another exception, never a hang."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from afstand.coding.refi import write_qdc, write_qdpx
from afstand.coding.refi_import import read_qdc, read_qdpx
from afstand.errors import DataError
from tests.helpers import FUZZ, make_qdpx, sample_project

BOMB = """<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&d;"/>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>"""


def exported() -> tuple[bytes, str]:
    buffer = io.BytesIO()
    write_qdpx(sample_project(), buffer)
    data = buffer.getvalue()
    return data, zipfile.ZipFile(io.BytesIO(data)).read("project.qde").decode("utf-8")


QDPX, QDE = exported()
ATTRIBUTES = sorted(set(re.findall(r' ([A-Za-z]+)="', QDE)))
values = st.one_of(st.integers(-5, 10**7).map(str), st.text(max_size=12), st.sampled_from(["", "-1", "1e3", "true", "{x}", "&amp;"]))


def check(read, label: str):
    try:
        return read()
    except DataError as err:
        assert label in str(err), err
        return None


@FUZZ
@given(position=st.integers(0, len(QDPX) - 1), value=st.integers(0, 255))
@example(position=0, value=0)  # found: zipfile.BadZipFile escaped from archive.read ("Bad magic number for file header")
@example(position=len(QDPX) // 3, value=0)  # inside compressed data: a CRC or zlib error
def test_flipped_byte_in_the_archive(position, value):
    data = bytearray(QDPX)
    data[position] = value
    check(lambda: read_qdpx(bytes(data), label="fuzz.qdpx"), "fuzz.qdpx")


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(ATTRIBUTES), st.integers(0, 20), values), min_size=1, max_size=4))
@example(changes=[("endPosition", 0, "99999")])
@example(changes=[("startPosition", 0, "-1")])
@example(changes=[("targetGUID", 0, "")])
def test_mutated_project_xml(changes):
    xml = QDE
    for attribute, nth, value in changes:
        spots = [m.span(1) for m in re.finditer(rf' {attribute}="([^"]*)"', xml)]
        if spots:
            start, end = spots[nth % len(spots)]
            escaped = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            xml = xml[:start] + escaped + xml[end:]
    files = {n: zipfile.ZipFile(io.BytesIO(QDPX)).read(n) for n in zipfile.ZipFile(io.BytesIO(QDPX)).namelist() if n != "project.qde"}
    project = check(lambda: read_qdpx(make_qdpx(xml, files), label="fuzz.qdpx"), "fuzz.qdpx")
    if project is not None:  # whatever was read is consistent: every selection lies within its text
        for coding in project.codings:
            assert 0 <= coding.start <= coding.end <= len(project.sources[coding.source].text)


@FUZZ
@given(xml=st.text(max_size=300))
@example(xml=BOMB)
@example(xml=EXTERNAL)
def test_random_qdc_text(xml):
    check(lambda: read_qdc(xml.encode("utf-8", "surrogatepass"), label="fuzz.qdc"), "fuzz.qdc")


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL])
def test_no_entity_expansion(xml):
    with pytest.raises(DataError, match="DOCTYPE or ENTITY declaration is not allowed"):
        read_qdpx(make_qdpx(xml, {}), label="bomb.qdpx")
    with pytest.raises(DataError, match="not allowed"):
        read_qdc(xml.replace("Project", "CodeBook").encode(), label="bomb.qdc")


def test_codebook_round_trip_survives_odd_labels():
    from afstand.coding.codebook import Code, Codebook

    book = Codebook("t", [Code("W1", "x", 'A "quoted" <label> & more', "", "#000000")])
    buffer = io.BytesIO()
    write_qdc(book, buffer)
    assert read_qdc(buffer.getvalue()).codes[0].label == 'A "quoted" <label> & more'
