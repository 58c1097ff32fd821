"""Coding screens: queue, span and whole-answer coding, suggestions, frequencies, report themes, withdrawal."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from afstand.services import coding as coding_store
from afstand.services import submissions
from afstand.web.models import Coding, Membership, Response, Reviewed

pytestmark = pytest.mark.django_db


def coder(client, study, role="coder", name="codeur"):
    user = User.objects.create_user(name, password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)
    return user


def test_queue_span_and_whole_answer_coding_and_frequencies(client, coded_study):
    user = coder(client, coded_study)
    overview = client.get("/onderzoek/werken-op-afstand/coderen/").content.decode()
    assert 'href="/onderzoek/werken-op-afstand/coderen/W1/"' in overview
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/").content.decode()
    public_id = re.search(r'name="response" value="([0-9a-f]+)"', page).group(1)
    response = Response.objects.get(public_id=public_id)
    text = coding_store.text_of("werken-op-afstand", "W1", response)
    assert "Suggesties" in page and "Overnemen" in page  # suggestions from the codebook before anything is coded
    client.post("/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "code", "code": "motivatie"})
    client.post(
        "/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "code", "code": "weerstand", "start": "0", "end": "5"}
    )
    spans = sorted(Coding.objects.filter(coder=user).values_list("code", "start", "end"))
    assert spans == [("motivatie", 0, len(text)), ("weerstand", 0, 5)]
    bad = client.post(
        "/onderzoek/werken-op-afstand/coderen/W1/",
        {"response": public_id, "action": "code", "code": "weerstand", "start": "0", "end": "9999"},
    )
    assert bad.status_code == 400 and "outside the answer" in bad.content.decode()
    assert (
        client.post(
            "/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "code", "code": "geen_middelen"}
        ).status_code
        == 400
    )
    client.post("/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "done"})
    following = client.get("/onderzoek/werken-op-afstand/coderen/W1/").content.decode()
    assert f'value="{public_id}"' not in following  # the queue moved on
    table = client.get("/onderzoek/werken-op-afstand/coderen/W1/frequenties/").content.decode()
    row = re.search(r'id="freq-motivatie">.*?<td class="n">(\d+)<', table, re.S)
    assert row.group(1) == "1" and text[:20] in table
    found = client.get("/onderzoek/werken-op-afstand/coderen/W1/alle/?code=weerstand").content.decode()
    assert public_id in found and "1 antwoord" in found


def test_report_gets_themes_and_withdrawal_removes_codings(client, coded_study):
    user = coder(client, coded_study, role="owner")
    answers = coding_store.answers("werken-op-afstand", "W1")[:3]
    for response, _text in answers:
        coding_store.apply(coded_study, "W1", response, 0, 3, "jongvolwassenen", user)
    lines = coding_store.answer_lines("werken-op-afstand")
    assert len(lines) == 3 and all('"codes": ["jongvolwassenen"]' in line for line in lines)
    response = answers[0][0]
    code = submissions.withdrawal_code(response.instance_id)
    assert submissions.withdraw(code)
    assert Coding.objects.count() == 2 and not Reviewed.objects.filter(response_id=response.id).exists()


def test_coding_urls_need_membership(client, coded_study):
    other = User.objects.create_user("buiten", password="Een-lang-wachtwoord-42")
    client.force_login(other)
    assert client.get("/onderzoek/werken-op-afstand/coderen/W1/").status_code == 403
    assert (
        client.post("/onderzoek/werken-op-afstand/coderen/W1/", {"response": "x", "action": "code", "code": "motivatie"}).status_code == 403
    )


def test_agreement_page_compares_two_coders(client, coded_study):
    from sklearn.metrics import cohen_kappa_score

    ann = coder(client, coded_study, name="ann")
    bob = User.objects.create_user("bob", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=bob, study=coded_study, role="coder")
    answers = coding_store.answers("werken-op-afstand", "W1")[:8]
    ann_codes = ["motivatie", "motivatie", "netwerk", "motivatie", "netwerk", "motivatie", None, "netwerk"]
    bob_codes = ["motivatie", "netwerk", "netwerk", "motivatie", "netwerk", None, None, "netwerk"]
    for user, chosen in ((ann, ann_codes), (bob, bob_codes)):
        for (response, text), code in zip(answers, chosen):
            if code:
                coding_store.apply(coded_study, "W1", response, 0, len(text), code, user)
            else:
                Reviewed.objects.create(study=coded_study, question="W1", response=response, coder=user)
    ninth, _ = coding_store.answers("werken-op-afstand", "W1")[8]
    coding_store.apply(coded_study, "W1", ninth, 0, 3, "weerstand", ann)  # coded by one coder only: not compared
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/overeenstemming/")
    html = page.content.decode()
    assert page.status_code == 200
    for response, _ in answers:
        assert response.public_id in html  # the units compared are listed
    expected = cohen_kappa_score([c == "motivatie" for c in ann_codes], [c == "motivatie" for c in bob_codes])
    row = re.search(r'id="agreement-motivatie">(.*?)</tr>', html, re.S).group(1)
    assert f"{expected:.3f}".replace(".", ",") in row  # Dutch decimal comma
    result = coding_store.agreement("werken-op-afstand", "W1")
    assert result["codes"]["motivatie"]["kappa"]["ann|bob"] == pytest.approx(expected)
    assert len(result["units"]) == 8 and ninth.public_id not in result["units"]


def test_frequencies_page_lists_keywords_the_coded_answers_contradict(client, coded_study):
    from afstand.coding.suggest import _contains, stems

    user = coder(client, coded_study, role="owner")
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/frequenties/").content.decode()
    assert "Trefwoorden buiten gebruik" in page and 'id="set-aside-none"' in page  # nothing coded yet: every rule stays
    book = coding_store.codebook("werken-op-afstand")
    answers = coding_store.answers("werken-op-afstand", "W1")
    # a keyword of some code that occurs in at least two answers; code those answers with another code
    code, keyword, hits = next(
        (c.id, k, found)
        for c in book.for_question("W1")
        for k in c.keywords
        if len(found := [(r, t) for r, t in answers if _contains(stems(t, keep_stop_words=True), tuple(stems(k, keep_stop_words=True)))])
        >= 2
    )
    other = next(c.id for c in book.for_question("W1") if c.id != code)
    for response, text in hits:
        coding_store.apply(coded_study, "W1", response, 0, len(text), other, user)
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/frequenties/").content.decode()
    table = re.search(r'<table class="likert" id="set-aside">(.*?)</table>', page, re.S).group(1)
    label = book.get("W1", code).label
    assert re.search(
        rf"<th scope=\"row\">{re.escape(label)}</th><td>[^<]*\b{re.escape(keyword)}\b[^<]*</td><td class=\"n\">{len(hits)}</td><td class=\"n\">0</td>",
        table.replace("&#x27;", "'"),
    ), table


def test_suggestion_model_follows_the_codings_not_their_number(client, coded_study):
    """Remove one code and apply another: the same counts, other content: the model is refitted."""
    user = coder(client, coded_study)
    answers = coding_store.answers("werken-op-afstand", "W1")[:3]
    for response, text in answers:
        coding_store.apply(coded_study, "W1", response, 0, len(text), "motivatie", user)
    first = coding_store._current_model("werken-op-afstand", "W1")
    assert coding_store._current_model("werken-op-afstand", "W1") is first  # nothing changed: served from the cache
    response, text = answers[0]
    Coding.objects.filter(response=response, code="motivatie").delete()
    coding_store.apply(coded_study, "W1", response, 0, len(text), "weerstand", user)
    assert (Coding.objects.count(), Reviewed.objects.count()) == (3, 3)  # the counts the old cache key used are unchanged
    second = coding_store._current_model("werken-op-afstand", "W1")
    assert second is not first
