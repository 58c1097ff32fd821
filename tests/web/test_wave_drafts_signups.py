"""Drafts and sign-ups belong to the wave whose link the respondent came through (issue 17).

A draft of wave 2021 never continues in wave 2022's link, and once wave 2021's fieldwork is over
a draft not sent yet can no longer be sent (it expires). A sign-up made from the thank-you page
of a wave belongs to that wave: the owner lists and downloads the sign-ups of one wave or of all,
and retention purges one wave's. Each wave's sign-ups reach the database only in groups of at
least k, so the wave column never singles out fewer than k people."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.services import drafts, fieldwork, signup_spool, studies, submissions, waves
from afstand.web.models import Draft, Membership, Response, SignUp, Wave
from tests.helpers import MINI_FORM, h1, page_text, review_and_send, step

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"


@pytest.fixture
def mini(db):
    """A study with an open wave 2021 (no dates) and its one questionnaire."""
    study, _ = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    Wave.objects.filter(study=study).update(label="2021")
    return study


def token_of(page) -> str:
    return re.search(r"/verder/([\w-]+)", page.request["PATH_INFO"]).group(1)


def test_a_draft_stays_in_its_wave_and_expires_when_the_wave_closes(client, mini):
    first = step(client, client.get("/s/mini-studie/m/2021/mini"), consent="ja")
    old = token_of(first)
    assert Draft.objects.get().wave.label == "2021"
    review = step(client, first, age="40")
    while h1(review) != "Controleer je antwoorden":
        review = step(client, review)
    second = waves.create_wave(mini, "2022")
    # the 2021 consent page's draft key posted to the 2022 link (a page kept in the history): a new draft of 2022
    fields = {"q-consent": "ja", "lang": "nl", "i": str(uuid.uuid4()), "k": old}
    moved = client.post("/s/mini-studie/m/2022/mini", fields, HTTP_SEC_FETCH_SITE="same-origin")
    assert moved.status_code == 303 and "/verder/" in moved["Location"] and old not in moved["Location"]
    assert sorted(Draft.objects.values_list("wave__label", flat=True)) == ["2021", "2022"]
    fresh = client.get(moved["Location"])
    assert 'value="40"' not in fresh.content.decode()  # none of the 2021 answers
    # the 2021 draft still resumes as 2021 while its wave is open
    assert 'value="40"' in client.get(f"/s/mini-studie/mini/verder/{old}?stap=2").content.decode()
    # wave 2021 closes: its draft not sent yet cannot be sent any more, its answers are gone, and its link says why
    Wave.objects.filter(study=mini, label="2021").update(ends_on=dt.date.today() - dt.timedelta(days=1))
    sent = client.post(f"/s/mini-studie/mini/verder/{old}?stap=controle", {"action": "send"})
    assert sent.status_code == 410 and "Deze vragenlijst is gesloten" in sent.content.decode()
    assert "Je antwoorden zijn niet verstuurd" in sent.content.decode()
    assert not Response.objects.exists() and sorted(Draft.objects.values_list("wave__label", flat=True)) == ["2021", "2022"]
    ended = drafts.open_draft(old)  # the row stays until its date expires, without the answers
    assert drafts.load(old) is None and ended.wave.label == "2021" and sorted(ended.state) == ["ended", "l", "v", "w"]
    assert client.get(f"/s/mini-studie/mini/verder/{old}").status_code == 410
    # the 2022 draft goes on and is stored in 2022; its thank-you page's sign-up link is of 2022
    thanks, _ = review_and_send(client, step(client, fresh, age="50"))
    assert Response.objects.get().instrument_version.wave == second
    assert 'href="/aanmelden/mini-studie/m/2022?lang=nl"' in thanks.content.decode()
    # a sent draft is kept after its wave closed: the thank-you page still shows the code
    Wave.objects.filter(study=mini, label="2022").update(ends_on=dt.date.today() - dt.timedelta(days=1))
    again = client.get(thanks.request["PATH_INFO"])
    assert again.status_code == 200 and 'id="withdrawal-code"' in again.content.decode()


def test_a_resume_link_emptied_at_a_close_stays_dead_after_a_reopen(client, mini):
    """Review rev14 F8: Back to the consent page (the browser keeps it, with its draft key) and Next
    after close and reopen started the emptied draft again under its old link: a link that had
    said "Deze link werkt niet meer" worked again. Now Next there starts a new draft, with a new link."""
    consent = client.get("/s/mini-studie/m/2021/mini")
    kept = {name: re.search(rf'name="{name}" value="([^"]+)"', consent.content.decode()).group(1) for name in ("i", "k")}
    fields = {"q-consent": "ja", "lang": "nl", **kept}
    first = client.post("/s/mini-studie/m/2021/mini", fields, HTTP_SEC_FETCH_SITE="same-origin")  # as a browser sends it
    page = client.get(first["Location"])
    old = token_of(page)
    assert old == kept["k"]  # the consent page's own key became the draft's link
    step(client, page, age="40")
    wave = Wave.objects.get(study=mini, label="2021")
    fieldwork.close_now(wave, actor="test")
    closed = client.get(f"/s/mini-studie/mini/verder/{old}?stap=2")
    assert closed.status_code == 410 and "Je antwoorden zijn niet verstuurd" in closed.content.decode()
    fieldwork.reopen(wave, dt.date.today() + dt.timedelta(days=30), actor="test")
    for stap in ("3", "2", "1"):
        gone = client.get(f"/s/mini-studie/mini/verder/{old}?stap={stap}")
        assert gone.status_code == 404 and "Deze link werkt niet meer" in gone.content.decode()
    # the consent page from the history, sent again (Next): a same-origin post with its hidden fields
    again = client.post("/s/mini-studie/m/2021/mini", fields, HTTP_SEC_FETCH_SITE="same-origin")
    assert again.status_code == 303 and "/verder/" in again["Location"] and old not in again["Location"]
    fresh = client.get(again["Location"])
    assert fresh.status_code == 200 and 'value="40"' not in fresh.content.decode()  # a new draft, no old answer
    for stap in ("2", "1", ""):
        gone = client.get(f"/s/mini-studie/mini/verder/{old}" + (f"?stap={stap}" if stap else ""))
        assert gone.status_code == 404 and "Deze link werkt niet meer" in gone.content.decode()  # still dead
    posted = client.post(f"/s/mini-studie/mini/verder/{old}?stap=2", {"q-age": "41", "action": "next"})
    assert posted.status_code == 404 and drafts.load(old) is None
    assert isinstance(drafts.open_draft(old), drafts.Ended)  # its row is the emptied one, until its date expires


def sign_up(client, url: str, name: str) -> None:
    posted = client.post(url, {"purpose": "focusgroep", "name": name, "email": f"{name.lower()}@example.org"})
    assert posted.status_code == 303, posted.content.decode()[:300]


def test_signups_are_listed_exported_and_purged_per_wave_in_groups_of_k(client, mini, settings):
    settings.AFSTAND_SIGNUP_BATCH = 3
    settings.AFSTAND_SIGNUP_LIMIT = 1000
    second = waves.create_wave(mini, "2022")
    thanks, _ = review_and_send(client, step(client, step(client, client.get("/s/mini-studie/m/2021/mini"), consent="ja"), age="40"))
    link = re.search(r'href="(/aanmelden/mini-studie/m/2021)\?lang=nl"', thanks.content.decode()).group(1)
    form = client.get(link)
    assert form.status_code == 200 and f'action="{link}"' in form.content.decode()
    for name in ("Anna", "Bram"):
        sign_up(client, link, name)
    sign_up(client, "/aanmelden/mini-studie", "Cor")  # the plain link: the current wave (2022)
    assert not SignUp.objects.exists()  # three in all, but no wave has k: nothing in the database yet
    for name in ("Dirk", "Eva"):
        sign_up(client, "/aanmelden/mini-studie/m/2022", name)
    assert not SignUp.objects.exists()  # never written in a respondent's request
    assert signup_spool.flush() == 3  # the cron job (afstand signups flush)
    # 2022 reached k: its three are written (all with one wave); 2021's two wait in the spool
    assert sorted(SignUp.objects.values_list("name", "wave__label")) == [("Cor", "2022"), ("Dirk", "2022"), ("Eva", "2022")]
    assert sorted(e["name"] for e in signup_spool.pending()) == ["Anna", "Bram"]
    assert client.post("/aanmelden/mini-studie/m/1999", {"purpose": "loterij", "name": "X", "email": "x@example.org"}).status_code == 404
    user = User.objects.create_user("eigenaar", password=PASSWORD)
    Membership.objects.create(user=user, study=mini, role="owner")
    client.force_login(user)
    page = client.get("/onderzoek/mini-studie/aanmeldingen/?meting=2021").content.decode()
    assert (
        "Anna" not in page_text(page)
        and "Bram" not in page_text(page)
        and "Dirk" not in page_text(page)
        and 'aria-current="page">2021<' in page
    )  # waiting: not shown
    assert "aanmeldingen wachten" not in page and "Hoeveel er wachten, wordt niet getoond" in page  # not even how many
    assert 'href="/onderzoek/mini-studie/aanmeldingen.csv?meting=2021"' in page

    def download(query: str) -> list[dict]:
        response = client.get(f"/onderzoek/mini-studie/aanmeldingen.csv{query}")
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    one = client.get("/onderzoek/mini-studie/aanmeldingen.csv?meting=2022")
    assert one["Content-Disposition"] == 'attachment; filename="aanmeldingen-mini-studie-2022.csv"'
    assert sorted((r["name"], r["wave"]) for r in download("?meting=2022")) == [("Cor", "2022"), ("Dirk", "2022"), ("Eva", "2022")]
    assert sorted(r["wave"] for r in download("")) == ["2022", "2022", "2022"]
    assert client.get("/onderzoek/mini-studie/aanmeldingen/?meting=1999").status_code == 404
    # retention of one wave: that wave's sign-ups go (stored and spooled), the other wave's stay
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert submissions.purge(0, today=tomorrow, wave=second)["signups"] == 3
    assert not SignUp.objects.exists() and download("") == [] and sorted(e["name"] for e in signup_spool.pending()) == ["Anna", "Bram"]
    first = Wave.objects.get(study=mini, label="2021")
    assert submissions.purge(0, today=tomorrow, wave=first) == {"responses": 1, "signups": 2}
    assert download("") == [] and Response.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_migration_puts_signups_of_a_study_with_one_wave_into_it():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("afstand", "0012_choice_codes")], [("afstand", "0013_signups_and_drafts_per_wave")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes("afstand")
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Study, Wave_, SignUp_ = (old.get_model("afstand", m) for m in ("Study", "Wave", "SignUp"))
        one, two = Study.objects.create(slug="een", title="Een"), Study.objects.create(slug="twee", title="Twee")
        only = Wave_.objects.create(study=one, label="2021", targets={})
        for label in ("2021", "2022"):
            Wave_.objects.create(study=two, label=label, targets={})
        for study in (one, two):
            for n in range(2):
                SignUp_.objects.create(
                    study=study, purpose="loterij", name=f"{study.slug}-{n}", email="a@example.org", signed_up_on=dt.date.today()
                )
        old.get_model("afstand", "Draft").objects.create(token_hash="a" * 64, state="x", saved_on=dt.date.today())
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        placed = {s.name: s.wave_id for s in new.get_model("afstand", "SignUp").objects.all()}
        assert placed == {"een-0": only.id, "een-1": only.id, "twee-0": None, "twee-1": None}  # several waves: not placed
        assert new.get_model("afstand", "Draft").objects.get().wave_id is None
    finally:
        MigrationExecutor(connection).migrate(leaves)
