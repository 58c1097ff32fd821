"""Fuzzing the XLSForm loader: any bytes, and forms built from random rows, give an Instrument or a
clear InstrumentError naming the file — never another exception."""

from __future__ import annotations

import io

from hypothesis import example, given
from hypothesis import strategies as st

from afstand.errors import AfstandError
from afstand.instrument.loader import load_instrument
from afstand.responses.submission import compile_rules
from tests.helpers import FUZZ, FUZZ_SLOW
from tests.instrument.broken_forms import GENERIC

cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30).map(lambda s: s.replace("|", "/").replace("\n", " "))
types = st.sampled_from(
    [
        "text",
        "integer",
        "decimal",
        "select_one yn",
        "select_multiple yn",
        "select_one nolist",
        "note",
        "begin_group",
        "end_group",
        "begin_repeat",
        "end_repeat",
        "calculate",
        "date",
        "geopoint",
        "acknowledge",
        "nonsense",
    ]
)
xlsx_cell = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)  # what a spreadsheet can hold
names = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), cell)
expressions = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            "${a} = 'ja'",
            ". > 3",
            ". >= 16 and . <= 99",
            "selected(${b}, 'ja')",
            "((",
            "${missing} > 1",
            "count-selected(.) < 3",
            "regex(., '[0-9]+')",
            "1 div 0",
        ]
    ),
    cell,
)


def check(data: bytes, name: str) -> None:
    try:
        instrument = load_instrument(data, name=name)
    except AfstandError as err:
        assert str(err).startswith(f"{name}: "), err  # every refusal names the file first
        assert not GENERIC.search(str(err)), err  # and says what is wrong, not which exception pyxform raised
        return
    try:
        compile_rules(instrument)  # what the web upload does next
    except AfstandError:
        pass


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["f.md", "f.csv", "f.xlsx", "f.xls"]))
@example(b"PK\x03\x04", "f.xlsx")
@example(b"| survey |\n", "f.md")
@example("\ufeff| survey |\n| | type | name | label |\n".encode(), "f.md")
def test_any_bytes(data, name):
    check(data, name)


@FUZZ
@given(
    st.lists(st.tuples(types, names, cell, expressions, expressions, st.sampled_from(["", "yes", "no", "maybe"])), max_size=8),
    st.lists(st.tuples(st.sampled_from(["yn", "other", ""]), names, cell), max_size=4),
)
@example(
    [
        ("select_one yn", "consent", "Doe je mee?", "", "", "yes"),
        ("begin_group", "g", "G", "${consent} = 'ja'", "", ""),
        ("integer", "age", "Leeftijd", "", ". > 3", ""),
        ("end_group", "", "", "", "", ""),
    ],
    [("yn", "ja", "Ja")],
)
@example([("begin_group", "g", "", "", "", "")], [])  # a group that never ends
@example([("text", "a", "A", "", "", ""), ("text", "a", "A again", "", "", "")], [])  # a duplicate name
def test_random_forms(rows, choices):
    lines = ["| survey |", "| | type | name | label | relevant | constraint | required |"]
    lines += [f"| | {t} | {n} | {label} | {rel} | {con} | {req} |" for t, n, label, rel, con, req in rows]
    lines += ["| choices |", "| | list_name | name | label |", "| | yn | ja | Ja |", "| | yn | nee | Nee |"]
    lines += [f"| | {ln} | {n} | {label} |" for ln, n, label in choices]
    check(("\n".join(lines) + "\n").encode("utf-8"), "random.md")


@FUZZ_SLOW
@given(st.lists(st.lists(st.one_of(xlsx_cell, st.integers(), st.floats(allow_nan=True), st.none()), max_size=5), max_size=6))
def test_random_xlsx_workbooks(rows):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    for row in rows:
        sheet.append([v if not isinstance(v, str) or not v.startswith("=") else "'" + v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    check(buffer.getvalue(), "random.xlsx")
