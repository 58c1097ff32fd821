"""Fuzzing what the web app accepts from strangers: the JSON API body, the sign-up form, the survey
form posts and XLSForm uploads. Never a server error; on any refusal nothing is written."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st

from afstand.services import signup_spool, studies
from afstand.web.models import Counter, InstrumentVersion, Response, Study
from afstand.web.respondent import api
from afstand.web.respondent import withdrawal as respondent
from tests.helpers import FUZZ, FUZZ_SLOW

pytestmark = pytest.mark.django_db
ITEMS = ["consent", "c_gender", "c_age", "c_contact_years", "c_contact_type", "c_social_whatsapp", "c_open_tips", "c_advantages", "bogus"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["ja", "nee", "man", "vrouw", "41", "1,5", "toezicht", "dagelijks", "\x00", "\ud800", "=1+1"]),
)
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=10
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {
            "instance_id": st.one_of(st.uuids().map(str), st.text(max_size=40), st.integers(), st.none()),
            "answers": st.one_of(st.dictionaries(st.sampled_from(ITEMS), json_values, max_size=9), json_values),
        },
        optional={"channel": json_values},
    ),
    json_values,
)


@pytest.fixture
def demo(db):
    for limiter in (api.SUBMISSIONS, respondent.SIGNUPS, respondent.WITHDRAW_FAILURES):
        limiter.reset()
    return studies.load_demo()


def stored() -> tuple:
    return Response.objects.count(), tuple(Counter.objects.order_by("id").values_list("value", flat=True))


@FUZZ
@given(body=bodies)
@example(body={"instance_id": "00000000-0000-4000-8000-000000000000", "answers": {"consent": "ja", "c_open_tips": "\x00"}})
@example(body={"instance_id": "00000000-0000-4000-8000-000000000001", "answers": {"consent": "ja", "c_open_tips": "\ud800"}})
@example(body={"instance_id": "00000000-0000-4000-8000-000000000002", "answers": {"consent": "ja"}, "channel": {"x": 1}})
def test_api_body(client, demo, body):
    before = stored()
    raw = json.dumps(body, ensure_ascii=True)  # lone surrogates travel as \\ud800 escapes, as a client would send them
    response = client.post("/api/v1/surveys/clienten/responses", raw, content_type="application/json")
    assert response.status_code in (200, 201, 400), response.content
    assert "error" in response.json() or "errors" in response.json() or "withdrawal_code" in response.json()
    if response.status_code == 400:
        assert stored() == before


@FUZZ
@given(raw=st.binary(max_size=500))
@example(raw=b"\xff\xfe")
@example(raw=b'{"instance_id": "x", "answers": ' + b"[" * 5000 + b"]" * 5000 + b"}")  # deep nesting
def test_api_raw_bytes(client, demo, raw):
    before = stored()
    response = client.post("/api/v1/surveys/clienten/responses", raw, content_type="application/json")
    assert response.status_code in (200, 201, 400)
    if response.status_code == 400:
        assert stored() == before


text = st.one_of(st.text(max_size=300), st.sampled_from(["\x00", "a\x00b", "<script>x</script>", "é" * 250, "a@b", ""]))


@FUZZ
@given(
    form=st.fixed_dictionaries(
        {
            "purpose": st.one_of(st.sampled_from(["loterij", "focusgroep"]), text),
            "name": text,
            "email": text,
            "phone": text,
            "availability": text,
        }
    )
)
@example(form={"purpose": "loterij", "name": "a\x00b", "email": "a@example.org", "phone": "", "availability": ""})
def test_signup_form(client, demo, form):
    respondent.SIGNUPS.reset()
    before = len(signup_spool.all_for(demo))
    response = client.post("/aanmelden/werken-op-afstand", form)
    assert response.status_code in (303, 400)  # signed up: post/redirect/get
    assert len(signup_spool.all_for(demo)) == before + (1 if response.status_code == 303 else 0)


@FUZZ_SLOW
@given(fields=st.dictionaries(st.sampled_from(["action", "consent", "c_age", "c_gender", "lang", "via", "c_open_tips"]), text, max_size=6))
@example(fields={"consent": "ja", "action": "next"})
@example(fields={"consent": "ja", "lang": "en"})
@example(fields={"consent": "nee"})
@example(fields={"consent": "ja", "action": "back"})
@example(fields={"consent": "0"})
def test_survey_form_posts(client, demo, fields):
    """Fuzzed answers to the consent page: always a redirect (post/redirect/get) to a page that
    shows; consent opens a draft, "nee" the declined page, anything else the error; nothing stored."""
    before = Response.objects.count()
    response = client.post("/s/clienten", fields)
    assert response.status_code == 303
    assert client.get(response["Location"]).status_code == 200
    assert Response.objects.count() == before  # the first page never completes a submission
    consent = fields.get("consent", "").strip()
    expected = "/verder/" if consent == "ja" else "/nee?" if consent == "nee" else "fout=1"
    assert expected in response["Location"]


@FUZZ_SLOW
@given(
    content=st.one_of(st.binary(max_size=800), st.text(max_size=800).map(lambda t: ("| survey |\n" + t).encode("utf-8", "surrogatepass"))),
    name=st.sampled_from(["f.md", "f.xlsx", "f.csv", "f.exe"]),
)
def test_xlsform_upload(client, demo, content, name):
    user = User.objects.filter(username="eigenaar").first() or User.objects.create_user(
        "eigenaar", password="Een-lang-wachtwoord-42", is_staff=True
    )
    client.force_login(user)
    before = (Study.objects.count(), InstrumentVersion.objects.count())
    response = client.post(
        "/onderzoek/nieuw/", {"title": "Fuzz", "slug": "fuzz", "instrument": "fuzz", "xlsform": SimpleUploadedFile(name, content)}
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert (Study.objects.count(), InstrumentVersion.objects.count()) == before
    else:  # made: remove it again so that the next example can use the same name
        Study.objects.filter(slug="fuzz").delete() if not Response.objects.filter(instrument_version__study__slug="fuzz").exists() else None
