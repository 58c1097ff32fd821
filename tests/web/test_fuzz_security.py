"""Hypothesis over what issue 13 found giving 500s: API bodies with huge integers, and XLSForm
expressions (unsupported functions, deep nesting, huge numbers). Always a 4xx or a clean refusal."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from afstand.errors import AfstandError
from afstand.services import studies, submissions
from afstand.web.models import Study
from tests.helpers import FUZZ, MINI_FORM

pytestmark = pytest.mark.django_db
HUGE = "\x00HUGE\x00"
ITEMS = ["consent", "c_age", "c_gender", "c_contact_years", "c_open_tips", "bogus"]
numbers = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.just(HUGE), st.integers(min_value=4000, max_value=6000).map(lambda n: "9" * n)
)
values = st.one_of(numbers, st.text(max_size=10), st.sampled_from(["ja", "man", "41"]), st.none(), st.lists(numbers, max_size=2))


def raw_body(instance, answers: dict, digits: int) -> str:
    """JSON text by hand: json.dumps itself refuses integers over 4,300 digits."""

    def encode(v):
        if v == HUGE:
            return "-" * (digits % 2) + "9" * digits
        if isinstance(v, list):
            return "[" + ",".join(encode(x) for x in v) + "]"
        import json

        return json.dumps(v)

    inner = ",".join(f'"{k}":{encode(v)}' for k, v in answers.items())
    return f'{{"instance_id":{encode(instance)},"answers":{{{inner}}}}}'


@FUZZ
@given(
    answers=st.dictionaries(st.sampled_from(ITEMS), values, max_size=5),
    digits=st.integers(min_value=4301, max_value=20000),
    instance=st.one_of(st.just("v4"), st.just(HUGE), st.text(max_size=5)),
)
@example(answers={"consent": "ja", "c_age": HUGE}, digits=5000, instance="v4")
@example(answers={"consent": "ja", "c_contact_years": HUGE}, digits=4301, instance="v4")
def test_api_body_with_huge_integers(client, db, answers, digits, instance):
    studies.load_demo()
    instance = str(uuid.uuid4()) if instance == "v4" else instance
    response = client.post("/api/v1/surveys/clienten/responses", raw_body(instance, answers, digits), content_type="application/json")
    assert response.status_code in (200, 201, 400, 409, 410), response.status_code
    assert response["Content-Type"].startswith("application/json")


def expressions(depth: int = 3):
    atoms = st.one_of(
        st.just("."),
        st.just("${age}"),
        st.just("${why}"),
        st.integers(-(10**6), 10**6).map(str),
        st.integers(1, 6000).map(lambda n: "9" * n),
        st.sampled_from(["'a'", "''", "true()", "false()", "1e308", "0"]),
    )
    calls = st.sampled_from(
        [
            "regex",
            "pow",
            "int",
            "string-length",
            "selected",
            "count-selected",
            "concat",
            "if",
            "not",
            "round",
            "number",
            "substr",
            "contains",
            "coalesce",
            "unknown-fn",
            "random",
        ]
    )
    ops = st.sampled_from([" + ", " - ", " * ", " div ", " mod ", " = ", " != ", " < ", " >= ", " and ", " or "])
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, ops, inner).map("".join),
            st.tuples(calls, st.lists(inner, max_size=3)).map(lambda c: f"{c[0]}({', '.join(c[1])})"),
            inner.map(lambda e: f"({e})"),
        ),
        max_leaves=8,
    )


def nested(n: int) -> str:
    return "(" * n + ". > 1" + ")" * n


@FUZZ
@given(
    constraint=st.one_of(expressions(), st.integers(1, 1200).map(nested)),
    relevant=st.one_of(st.none(), expressions()),
    age=st.one_of(st.integers(-(10**6), 10**6).map(str), st.just("9" * 5000), st.just("x")),
)
@example(constraint="regex(., '[a-z]+')", relevant=None, age="12")
@example(constraint="pow(., 999999)", relevant=None, age="99")
@example(constraint=nested(500), relevant=None, age="12")
def test_xlsform_expressions_never_break_the_server(db, constraint, relevant, age):
    form = MINI_FORM.replace(". >= 16 and . <= 99", constraint.replace("|", "/"))
    if relevant:
        form = form.replace(
            "| | decimal | years | Jaren | Years | | |", f"| | decimal | years | Jaren | Years | | {relevant.replace('|', '/')} |"
        )
    study, _ = Study.objects.get_or_create(slug="fuzz", defaults={"title": "Fuzz"})
    try:
        instrument = studies.check_form("fuzz.md", form.encode())
    except AfstandError:
        return  # refused with a message: a 400 on the web
    version = studies.add_version(study, "mini", "fuzz.md", form.encode(), instrument=instrument)
    outcome = submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": age, "years": "1"})
    assert outcome.status in (200, 201, 400)
