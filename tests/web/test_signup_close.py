"""Once a wave's fieldwork has ended, all its waiting sign-ups are written, fewer than k too.

While a wave is open, its sign-ups reach the database only in batches of at least k
(``AFSTAND_SIGNUP_BATCH``). Once no respondent can answer it any more (its end date has passed),
``afstand signups flush`` and the owner's button write its rest whatever its number — unless fewer
than k of its responses came in after its previous batch (the batch's date would narrow a name
down to those few responses): then the rest is held, and the owner's page says why. A wave whose
end date is moved later is open again: the rule of k applies to it again until it ends again. The
sign-up form of an ended wave is closed (410), as its survey link: a sign-up comes while the wave is open.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.services import signup_spool, studies, submissions, waves
from afstand.web.models import InstrumentVersion, Membership, Response, SignUp, Wave
from tests.helpers import MINI_FORM, page_text
from tests.web import live

pytestmark = pytest.mark.django_db
K = 5
TODAY = dt.date.today()
D = TODAY - dt.timedelta(days=30)  # the first day of wave 2021's fieldwork; it ends on D + 10 (:func:`end`)
PASSWORD = "Een-lang-wachtwoord-42"


@pytest.fixture
def mini(db, settings):
    settings.AFSTAND_SIGNUP_BATCH = K
    settings.AFSTAND_SIGNUP_LIMIT = 1000
    study, _ = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    # open today, so that respondents can sign up (an ended wave's form answers 410): each test ends it with end()
    Wave.objects.filter(study=study).update(label="2021", starts_on=D, ends_on=TODAY + dt.timedelta(days=10))
    return study


def end(study, label: str = "2021", on: dt.date | None = None) -> None:
    """The wave's fieldwork is over: its last day is ``on`` (default D + 10), after the sign-ups below were made."""
    Wave.objects.filter(study=study, label=label).update(ends_on=on or D + dt.timedelta(days=10))


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def answer(study, on: dt.date, count: int = 1, label: str = "2021") -> None:
    """``count`` responses to the wave, dated ``on`` (as the survey stores them: a date, no time)."""
    version = InstrumentVersion.objects.get(study=study, wave__label=label, active=True)
    for n in range(count):
        assert submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": 20 + n}, today=on).status == 201


def sign_up(client, name: str, label: str = "2021") -> None:
    posted = client.post(
        f"/aanmelden/mini-studie/m/{label}", {"purpose": "focusgroep", "name": name, "email": f"{name.lower()}@example.org"}
    )
    assert posted.status_code == 303, posted.content.decode()[:300]


def stored() -> dict[str, tuple]:
    return {s.name: (s.wave.label, s.signed_up_on) for s in SignUp.objects.select_related("wave")}


def owner(client, study):
    user = User.objects.create_user("eigenaar", password=PASSWORD)
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)


def states(study, today: dt.date) -> dict[str, tuple]:
    return {g.wave.label: (g.state, g.waiting, g.after) for g in signup_spool.status(study, today=today)}


def test_an_ended_wave_gets_all_its_waiting_signups_written_fewer_than_k_too(client, mini):
    answer(mini, day(1), 12)
    for name in ("Anna", "Bram", "Cor"):
        sign_up(client, name)
    waves.create_wave(mini, "2022", starts_on=day(20))  # a later wave, open (and not started yet on day 10)
    for name in ("Dirk", "Eva"):
        sign_up(client, name, "2022")
    end(mini)
    assert signup_spool.flush(today=day(10)) == 0  # the last day of fieldwork: respondents may still answer
    assert states(mini, day(10)) == {"2021": ("open", 3, None), "2022": ("open", 2, None)}
    assert signup_spool.flush(today=day(11)) == 3  # the day after: no respondent can answer wave 2021 any more
    assert stored() == {name: ("2021", day(11)) for name in ("Anna", "Bram", "Cor")}  # the flush's date, as every batch
    assert sorted(e["name"] for e in signup_spool.pending()) == ["Dirk", "Eva"]  # the open wave keeps the rule of k
    assert states(mini, day(11)) == {"2021": ("closed", 0, 0), "2022": ("open", 2, None)}  # nothing came in after that batch


def test_the_rest_is_held_while_fewer_than_k_responses_came_after_the_last_batch(client, mini):
    answer(mini, day(1), 6)
    for name in ("Anna", "Bram", "Cor", "Dirk", "Eva"):
        sign_up(client, name)
    assert signup_spool.flush(today=day(2)) == K  # k waited: an ordinary batch, dated day 2
    answer(mini, day(2), 2)  # the batch's own day: these may have come before it or after it
    answer(mini, day(3), 2)
    sign_up(client, "Fien")  # written alone, her batch would say: one of the 2 (at most 4) answers after day 2
    end(mini)
    assert signup_spool.flush(today=day(11)) == 0
    assert states(mini, day(11)) == {"2021": ("held", 1, 2)}
    owner(client, mini)
    page = client.get("/onderzoek/mini-studie/aanmeldingen/").content.decode()
    assert "maar er kwamen minder dan 5 antwoorden binnen nadat de laatste groep aanmeldingen was opgeslagen" in page
    assert "Fien" not in page_text(page) and "(2)" not in page and " 1 wachtende" not in page  # the rule in words: neither number
    refused = client.post("/onderzoek/mini-studie/aanmeldingen/", {"write": "1"})
    assert refused.status_code == 409 and "Fien" not in stored()
    # the stored sign-ups deleted by hand (a lottery drawn): the spool still knows the day of the last batch
    SignUp.objects.all().delete()
    assert states(mini, day(12))["2021"] == ("held", 1, 2)
    (signup_spool.spool_dir() / signup_spool.BATCHES).unlink()  # without it, the batch in an older backup is forgotten
    assert states(mini, day(12))["2021"] == ("closed", 1, 10)


def test_a_signup_after_the_end_is_refused_and_late_ones_of_a_reopened_wave_are_written(client, mini):
    answer(mini, day(4), 6)
    for name in ("Anna", "Bram"):
        sign_up(client, name)
    end(mini)
    assert signup_spool.flush(today=day(11)) == 2  # the wave ended on day 10
    # from a thank-you page left open: the form is closed (410), as the wave's survey link, and nothing is spooled
    late = client.post("/aanmelden/mini-studie/m/2021", {"purpose": "focusgroep", "name": "Cor", "email": "cor@example.org"})
    assert late.status_code == 410 and "Aanmelden is gesloten" in late.content.decode() and signup_spool.pending() == []
    # reopened without a new response: a sign-up then comes after every response, so it is written alone
    end(mini, on=TODAY + dt.timedelta(days=3))
    sign_up(client, "Cor")
    end(mini, on=day(11))
    assert states(mini, day(12)) == {"2021": ("closed", 1, 0)}
    assert signup_spool.flush(today=day(12)) == 1
    assert stored() == {"Anna": ("2021", day(11)), "Bram": ("2021", day(11)), "Cor": ("2021", day(12))}


def test_a_reopened_wave_waits_for_k_again_and_writes_its_rest_when_it_ends_again(client, mini):
    answer(mini, day(3), 6)
    for name in ("Anna", "Bram"):
        sign_up(client, name)
    end(mini)
    assert signup_spool.flush(today=day(11)) == 2
    # the fieldwork is extended (its end date moved later): the wave is open again
    Wave.objects.filter(study=mini, label="2021").update(ends_on=TODAY + dt.timedelta(days=10))
    answer(mini, day(15), 6)
    for name in ("Cor", "Dirk"):
        sign_up(client, name)
    assert signup_spool.flush(today=day(16)) == 0  # new sign-ups of an open wave: fewer than k wait
    assert signup_spool.flush() == 0  # the cron job today
    owner(client, mini)
    page = client.get("/onderzoek/mini-studie/aanmeldingen/").content.decode()
    assert "Het veldwerk van meting 2021 loopt tot en met" in page and "Hoeveel er wachten, wordt niet getoond" in page
    assert "Anna" in page and "Cor" not in page_text(page) and "2 wachtende" not in page
    english = client.post("/onderzoek/mini-studie/aanmeldingen/", {"write": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409 and "Cor" not in stored()
    text = english.content.decode()
    assert "The sign-ups of a wave whose fieldwork is still open are written in groups of at least 5 at the scheduled write" in text
    assert "How many are waiting is not shown" in text
    # it ends again: the rest of the reopened fieldwork, counted from the closing batch of day 11
    Wave.objects.filter(study=mini, label="2021").update(ends_on=day(20))
    assert states(mini, TODAY) == {"2021": ("closed", 2, 6)}
    page = client.get("/onderzoek/mini-studie/aanmeldingen/").content.decode()
    ended = "wachtende aanmeldingen, als die er zijn, worden bij de volgende geplande ronde opgeslagen"
    assert ended in page and " 2 wachtende" not in page
    written = client.post("/onderzoek/mini-studie/aanmeldingen/", {"write": "1"})
    assert written.status_code == 302 and not signup_spool.pending()
    assert stored() == {"Anna": ("2021", day(11)), "Bram": ("2021", day(11)), "Cor": ("2021", TODAY), "Dirk": ("2021", TODAY)}
    after = client.get(written["Location"]).content.decode()
    assert "Cor" in after and "Dirk" in after and ended in after  # the same words now nothing waits


def test_a_wave_without_an_end_date_keeps_the_rule_of_k(client, mini):
    Wave.objects.filter(study=mini).update(ends_on=None)
    answer(mini, day(1), 12)
    for name in ("Anna", "Bram"):
        sign_up(client, name)
    assert signup_spool.flush(today=TODAY + dt.timedelta(days=400)) == 0
    owner(client, mini)
    page = client.get("/onderzoek/mini-studie/aanmeldingen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wave 2021 has no end date: its sign-ups are written at the scheduled write once at least 5 are waiting." in page
    assert "Anna" not in page_text(page)


def test_the_cron_command_writes_the_rest_of_an_ended_wave(server):
    """The real command with the server's environment: fewer than k (default 10) wait until the
    wave's end date has passed, then all are written."""
    base, db_url, env, _process = server
    port = int(base.rsplit(":", 1)[1])
    for n in range(4):
        assert (
            live.post_form(port, "/aanmelden/werken-op-afstand", {"purpose": "loterij", "name": f"p{n}", "email": f"p{n}@example.org"})
            == 303
        )
    done = live.command(env, "signups", "flush", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "wrote 0 sign-ups (0 the rest of ended waves); how many still wait is not shown;" in done.stdout
    assert "4" not in done.stdout  # the operator's cron mail does not count what waits either (docs/security.md)
    assert live.signup_rows(db_url) == []
    _set_end(db_url, TODAY - dt.timedelta(days=1))  # the fieldwork ended yesterday
    done = live.command(env, "signups", "flush", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "wrote 4 sign-ups (4 the rest of ended waves); how many still wait is not shown" in done.stdout
    assert sorted((n, str(d)) for n, d in live.signup_rows(db_url)) == [(f"p{n}", TODAY.isoformat()) for n in range(4)]


def _set_end(db_url: str, ends_on: dt.date) -> None:
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as raw:
            raw.execute("UPDATE afstand_wave SET ends_on = ?", [ends_on.isoformat()])
        return
    import psycopg

    with psycopg.connect(db_url) as raw:
        raw.execute("UPDATE afstand_wave SET ends_on = %s", [ends_on])


def test_a_reopened_wave_is_decided_on_again_only_after_k_more_responses(client, mini):
    """Review rev14 F2: every flush of an ended wave shows the owner what waited (nothing written
    says something too), so the next one decides about it only after k more responses, or none.
    A withdrawal meanwhile neither counts as a new response nor hides one; neither does a purge."""
    answer(mini, day(1), 6)
    version = InstrumentVersion.objects.get(study=mini, wave__label="2021", active=True)
    sent = submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": 30}, today=day(1))
    end(mini)
    assert signup_spool.flush(today=day(11)) == 0  # nothing waits: that too is a look at the spool
    assert [g.rule for g in signup_spool.status(mini, today=day(11))] == ["ended"]
    end(mini, on=TODAY + dt.timedelta(days=3))  # reopened: one response, her sign-up, and a withdrawal of an old one
    answer(mini, day(12))
    sign_up(client, "Eva")
    withdrawn = client.post("/intrekken", {"code": sent.body["withdrawal_code"]})
    assert withdrawn.status_code == 303 and "klaar=1" in withdrawn["Location"] and Response.objects.count() == 7
    end(mini, on=day(12))
    assert states(mini, day(13)) == {"2021": ("held", 1, None)}  # 7 stored and withdrawn before, 8 now: one new
    assert signup_spool.flush(today=day(13)) == 0 and [e["name"] for e in signup_spool.pending()] == ["Eva"]
    owner(client, mini)
    page = client.get("/onderzoek/mini-studie/aanmeldingen/").content.decode()
    assert 'data-rule="held"' in page and "sindsdien zijn er minder dan 5 antwoorden binnengekomen" in page and "Eva" not in page_text(page)
    # retention removes the old answers: fewer stored than at the look, yet one came after it
    assert submissions.purge(10, today=day(14))["responses"] == 6
    assert states(mini, day(14))["2021"][0] == "held"
    end(mini, on=TODAY + dt.timedelta(days=3))
    answer(mini, day(15), K - 1)  # 5 new since the look, but the purge hides 6: counted as fewer, still held
    end(mini, on=day(15))
    assert states(mini, day(16))["2021"][0] == "held" and signup_spool.flush(today=day(16)) == 0
    end(mini, on=TODAY + dt.timedelta(days=3))
    answer(mini, day(17), K + 1)  # 11 stored and 1 withdrawn: k more than the 7 at the look, even as counted after the purge
    end(mini, on=day(17))
    assert signup_spool.flush(today=day(18)) == 1 and stored() == {"Eva": ("2021", day(18))}
