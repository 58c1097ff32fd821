"""LimeSurvey's relevance equations, conditions and piped texts in XLSForm terms: the simple forms are
converted, everything else is reported as not converted (None), never guessed."""

from __future__ import annotations

import pytest

from afstand.instrument.limesurvey_logic import conditions_relevance, language_label, pipe, plain, relevance

NAMES = {
    "Q1": ("one", "Q1"),
    "Q2": ("value", "Q2"),
    "Q3": ("multi", "Q3"),
    "Q3_SQ001": ("option", "Q3", "SQ001"),
    "Q5_SQ001": ("one", "SQ001"),
}


@pytest.mark.parametrize(
    "equation,xpath",
    [
        ("1", ""),
        ("", ""),
        ('Q1 == "A1"', "${Q1} = 'A1'"),
        ("Q1.NAOK == 'A1'", "${Q1} = 'A1'"),
        ('Q1 eq "A1" and Q2 gt 3', "${Q1} = 'A1' and ${Q2} > 3"),
        ('Q1 == "A1" && Q2 <= 3 || Q1 != "A2"', "${Q1} = 'A1' and ${Q2} <= 3 or ${Q1} != 'A2'"),
        ('(Q1 == "A1" or Q1 == "A2") and !is_empty(Q2)', "(${Q1} = 'A1' or ${Q1} = 'A2') and ${Q2} != ''"),
        ("is_empty(Q2)", "${Q2} = ''"),
        ('!(Q1 == "A1")', "not(${Q1} = 'A1')"),
        ('Q3_SQ001 == "Y"', "selected(${Q3}, 'SQ001')"),
        ('Q3_SQ001 != "Y"', "not(selected(${Q3}, 'SQ001'))"),
        ('Q3_SQ001.NAOK == ""', "not(selected(${Q3}, 'SQ001'))"),
        ("is_empty(Q3_SQ001)", "not(selected(${Q3}, 'SQ001'))"),
        ("is_empty(Q3)", "count-selected(${Q3}) = 0"),
        ('Q5_SQ001 == "3"', "${SQ001} = '3'"),
        ('Q1 == "-oth-"', "${Q1} = 'other'"),
        ("3 < Q2", "${Q2} > 3"),
        ("Q2 == Q1", "${Q2} = ${Q1}"),
        ('Q1 == "it\'s"', '${Q1} = "it\'s"'),
        ('{Q1 == "A1"}', "${Q1} = 'A1'"),
    ],
)
def test_simple_equations_become_xpath(equation, xpath):
    assert relevance(equation, NAMES) == xpath


@pytest.mark.parametrize(
    "equation",
    [
        "count(Q2) > 0",  # a function other than is_empty
        "Q2 + 1 > 3",  # arithmetic
        'Q9 == "A1"',  # no such question
        'Q1.shown == "Yes"',  # the text, not the code
        'self.NAOK == "Y"',
        '123456X1X11 == "A1"',  # an SGQA code
        'Q3 == "SQ001"',  # a multiple choice as a whole
        'Q3_SQ001 == "N"',
        'Q1 == "A1" and',
        '!Q1 == "A1"',  # EM's ! binds before ==
        'Q1 == "it\'s \\"x\\""',
        'regexMatch("^A", Q1)',
        "Q1",
    ],
)
def test_other_equations_are_not_converted(equation):
    assert relevance(equation, NAMES) is None


def test_conditions_become_one_equation_per_question():
    rows = [
        {"qid": "20", "cqid": "11", "cfieldname": "531X1X11", "method": "==", "value": "A1", "scenario": "1"},
        {"qid": "20", "cqid": "11", "cfieldname": "531X1X11", "method": "==", "value": "A2", "scenario": "1"},
        {"qid": "20", "cqid": "12", "cfieldname": "531X1X12", "method": ">", "value": "3", "scenario": "1"},
        {"qid": "20", "cqid": "13", "cfieldname": "+531X1X13SQ001", "method": "==", "value": "Y", "scenario": "2"},
        {"qid": "21", "cqid": "11", "cfieldname": "531X1X11", "method": "==", "value": "@531X1X12@", "scenario": "1"},
    ]
    codes = {"11": "Q1", "12": "Q2", "13": "Q3"}
    found = conditions_relevance(rows, codes)
    assert found["20"] == '((Q1 == "A1" or Q1 == "A2") and Q2 > "3") or Q3_SQ001 == "Y"'
    assert relevance(found["20"], NAMES) == "((${Q1} = 'A1' or ${Q1} = 'A2') and ${Q2} > '3') or selected(${Q3}, 'SQ001')"
    assert relevance(found["21"], NAMES) is None  # compared with another answer: kept as LimeSurvey wrote it, not converted


def test_piped_codes_become_references_and_other_expressions_are_listed():
    text, left = pipe("Je bent {Q2} jaar, {Q1.shown}; {if(Q2 > 3, 'a', 'b')} { niet } {TOKEN:FIRSTNAME}", NAMES)
    assert text == "Je bent ${Q2} jaar, ${Q1}; {if(Q2 > 3, 'a', 'b')} { niet } {TOKEN:FIRSTNAME}"
    assert left == ["{if(Q2 > 3, 'a', 'b')}", "{TOKEN:FIRSTNAME}"]


def test_html_texts_become_plain_lines_and_languages_their_names():
    assert (
        plain("<p>Een <b>vet</b>&nbsp;woord</p><p>en &amp; meer<br/>regels</p><script>x()</script>") == "Een vet woord\nen & meer\nregels"
    )
    assert [language_label(c) for c in ("nl", "en", "de-informal", "pt-BR", "xx-zz")] == [
        "Nederlands (nl)",
        "English (en)",
        "Deutsch (de-informal)",
        "Português (pt-BR)",
        "xx-zz (xx-zz)",
    ]
