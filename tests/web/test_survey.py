"""The respondent's pages: consent gate, page flow, server-side checks, thanks, withdrawal, sign-up."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from afstand.services import signup_spool, studies
from afstand.web.models import Counter, Response, SignUp
from tests.helpers import md_form, state_of, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return studies.load_demo()


def test_full_client_survey(client, demo):
    url = "/s/clienten"
    page = client.get(url + "?via=whatsapp")
    html = page.content.decode()
    assert page.status_code == 200 and "<html lang=\"nl\">" in html
    assert "Ik heb de uitleg over dit onderzoek gelezen" in html and "set-cookie" not in {k.lower() for k in page.headers}
    assert 'value="next">Volgende</button>' in html  # later pages depend on the consent answer: not the last page
    assert page["Referrer-Policy"] == "no-referrer"
    # consent is required: sending without it shows the error summary
    again = step(client, url, page)
    assert again.status_code == 400 and "Er is iets niet goed ingevuld" in again.content.decode()
    page = step(client, url, again, consent="ja")
    assert "Over u" in page.content.decode()
    # a constraint checked on the server
    bad = step(client, url, page, c_age="12", c_gender="man")
    assert bad.status_code == 400 and "Vul een leeftijd in tussen 16 en 99." in bad.content.decode()  # the form's constraint_message
    page = step(client, url, bad, c_age="41", c_gender="man", c_contact_type=["toezicht", "werkstraf"])
    # back keeps the answers
    back = step(client, url, page, action="back")
    assert 'value="41"' in back.content.decode() and 'value="werkstraf" checked' in back.content.decode()
    page = step(client, url, back, c_age="41", c_gender="man", c_contact_type=["toezicht", "werkstraf"])
    while "withdrawal-code" not in page.content.decode():
        assert page.status_code == 200, page.content.decode()[:500]
        last_page, page = page, step(client, url, page)
    code = re.search(r'id="withdrawal-code">([A-Z2-7-]+)<', page.content.decode()).group(1)
    stored = Response.objects.get()
    assert stored.answers == {"consent": "ja", "c_age": "41", "c_gender": "man", "c_contact_type": "toezicht werkstraf"}
    assert stored.channel == "whatsapp"
    # the same final page posted twice (a double click, a reload) stores nothing twice: the same code again
    twice = step(client, url, last_page)
    assert twice.status_code == 200 and Response.objects.count() == 1
    assert re.search(r'id="withdrawal-code">([A-Z2-7-]+)<', twice.content.decode()).group(1) == code
    withdrawn = client.post("/intrekken", {"code": code})
    assert withdrawn.status_code == 200 and Response.objects.count() == 0
    assert Counter.objects.get(instrument="clienten", kind="withdrawn").value == 1


def test_declining_consent_stores_nothing(client, demo):
    page = client.get("/s/werkers")
    end = step(client, "/s/werkers", page, consent="nee")
    assert "Je doet niet mee" in end.content.decode()
    assert Response.objects.count() == 0 and Counter.objects.get(instrument="werkers", kind="declined").value == 1


def test_english_switch_and_tampered_state(client, demo):
    page = client.get("/s/clienten?lang=en")
    assert "I have read the information about this study" in page.content.decode() and '<html lang="en">' in page.content.decode()
    switched = client.post("/s/clienten", {"state": state_of(page), "lang": "nl", "consent": "ja"})
    assert "Ik heb de uitleg over dit onderzoek gelezen" in switched.content.decode() and 'value="ja" checked' in switched.content.decode()
    tampered = client.post("/s/clienten", {"state": state_of(page)[:-3] + "abc", "consent": "ja"})
    assert tampered.status_code == 400


def test_labels_are_escaped(client, tmp_path):
    """A form whose labels, hints and choices hold markup: the page shows the text, never the markup."""
    from afstand.services.studies import Form, create_study

    form = md_form(tmp_path, """
        | survey |
        | | type | name | label::Nederlands (nl) | hint::Nederlands (nl) | required | consent_choice |
        | | select_one yn | consent | Doe je mee? <script>alert(1)</script> | <b>vet</b> | yes | ja |
        | | text | waarom | <img src=x onerror=alert(2)> & "quote" | | | |
        | choices |
        | | list_name | name | label::Nederlands (nl) |
        | | yn | ja | Ja <i>zeker</i> |
        | | yn | nee | Nee |
        | settings |
        | | form_title | form_id | default_language |
        | | Test <script>alert(3)</script> | escape | Nederlands (nl) |
    """)
    create_study("escape", "Escape", [Form("escape", form.name, form.read_bytes())])
    html = client.get("/s/escape/escape").content.decode()
    assert "Doe je mee? &lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "Ja &lt;i&gt;zeker&lt;/i&gt;" in html and "Test &lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quote&quot;" in html  # a form without groups: one page
    assert "<script>alert" not in html and "<b>vet" not in html and "<i>zeker" not in html and "<img src=x" not in html


def test_signup_is_unlinkable(client, demo):
    form = client.get("/aanmelden/werken-op-afstand")
    assert form.status_code == 200
    done = client.post("/aanmelden/werken-op-afstand", {"purpose": "focusgroep", "name": "Jan Jansen", "email": "jan@example.org",
                                                         "phone": "0612345678", "availability": "dinsdag"})
    assert done.status_code == 200 and len(signup_spool.all_for(demo)) == 1
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), SignUp._meta.db_table)}
    response_columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), Response._meta.db_table)}
    assert columns == {"id", "study_id", "purpose", "name", "email", "phone", "availability", "signed_up_on"}
    assert columns & response_columns == {"id"}  # both random keys, drawn independently
    assert not [f for f in SignUp._meta.get_fields() if f.is_relation and f.related_model is Response]
    assert SignUp._meta.get_field("signed_up_on").get_internal_type() == "DateField"
    bad = client.post("/aanmelden/werken-op-afstand", {"purpose": "loterij", "name": "X", "email": "not-an-email"})
    assert bad.status_code == 400 and len(signup_spool.all_for(demo)) == 1


def test_resume_link_continues_where_the_respondent_left_off(client, demo):
    from afstand.web.models import AuditEvent, Draft

    url = "/s/clienten"
    page = client.get(url + "?via=mail")
    assert "resume-link" not in page.content.decode()  # nothing is saved before consent
    page = step(client, url, page, consent="ja")
    page = step(client, url, page, c_age="35", c_gender="vrouw", c_contact_type="toezicht")
    link = re.search(r'id="resume-link" href="([^"]+)"', page.content.decode()).group(1)
    assert Draft.objects.count() == 1 and Response.objects.count() == 0
    assert link.split("/verder/")[1].split("?")[0] not in {d.token_hash for d in Draft.objects.all()}  # only a hash is stored
    # the tab is closed; later the link opens the same page with the answers so far
    resumed = client.get(link.replace("http://testserver", ""))
    assert resumed.status_code == 200 and "Social media" in resumed.content.decode()
    back = step(client, url, resumed, action="back")
    assert 'value="35"' in back.content.decode()
    page = step(client, url, back, c_age="35", c_gender="vrouw", c_contact_type="toezicht")
    while "withdrawal-code" not in page.content.decode():
        assert page.status_code == 200
        page = step(client, url, page)
    assert Draft.objects.count() == 0  # sent: the draft is gone and the link no longer works
    stored = Response.objects.get()
    assert stored.answers["c_age"] == "35" and stored.channel == "mail"
    gone = client.get(link.replace("http://testserver", ""))
    assert gone.status_code == 404 and "Deze link werkt niet meer" in gone.content.decode()
    code = re.search(r'id="withdrawal-code">([A-Z2-7-]+)<', page.content.decode()).group(1)
    client.post("/intrekken", {"code": code})
    event = AuditEvent.objects.get(action="withdrawal")
    assert event.detail == "werken-op-afstand/clienten" and code not in event.detail


def test_expired_draft_is_refused(client, demo):
    import datetime as dt

    from afstand.web.models import Draft

    page = client.get("/s/clienten")
    page = step(client, "/s/clienten", page, consent="ja")
    link = re.search(r'id="resume-link" href="([^"]+)"', page.content.decode()).group(1).replace("http://testserver", "")
    Draft.objects.update(saved_on=dt.date.today() - dt.timedelta(days=31))
    assert client.get(link).status_code == 404 and Draft.objects.count() == 0
    assert client.get("/s/clienten/verder/not-a-token").status_code == 404
