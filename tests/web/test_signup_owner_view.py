"""The owner closes and reopens a wave to learn whether one new respondent signed up (review rev14 F2).

Closing and reopening are instant for the owner, and the responses table shows which response is
new. The attack: the wave has ended; the owner looks at everything and presses "write now", and the
scheduled write runs; then the owner reopens the wave, one response comes in — with a sign-up in
one world, without in the other — and the owner closes it again and once more looks at every page
and download, presses the button and lets the scheduled write run. Every owner-visible byte must
be the same in both worlds: the sign-ups page and CSV (per wave and all), the monitor, the wave's
page, the responses, the analysis, the export, the button's answer, the audit log and the line of
``afstand signups flush``.

The two worlds start from one database state: each runs inside a savepoint that is rolled back,
with a copy of the spool, and every random number (keys, tokens, CSRF, nonces) drawn from the
same seed from the branch on, so that "the same" means byte for byte. The control at the end
shows that the comparison sees a difference where one is allowed: once k more responses came in,
the reopened wave's rest is written.

Runs on SQLite, and on PostgreSQL in the suite's PostgreSQL pass (``AFSTAND_DB_URL``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import secrets
import shutil
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from afstand.cli.signups import summary
from afstand.services import scrub, signup_spool, studies
from afstand.web.models import AuditEvent, Membership, Wave
from tests.helpers import MINI_FORM, page_text

pytestmark = pytest.mark.django_db
K = 5
TODAY = dt.date.today()
STUDY = "mini-studie"
PAGES = (  # every page and download of the owner that could say something about the wave
    "/onderzoek/",
    f"/onderzoek/{STUDY}/",
    f"/onderzoek/{STUDY}/?meting=2021",
    f"/onderzoek/{STUDY}/meting/2021/",
    f"/onderzoek/{STUDY}/aanmeldingen/",
    f"/onderzoek/{STUDY}/aanmeldingen/?meting=2021",
    f"/onderzoek/{STUDY}/aanmeldingen.csv",
    f"/onderzoek/{STUDY}/aanmeldingen.csv?meting=2021",
    f"/onderzoek/{STUDY}/antwoorden/mini/?meting=2021",
    f"/onderzoek/{STUDY}/analyse/mini/?meting=2021",
    f"/onderzoek/{STUDY}/export/mini.csv?meting=2021",
)


class Seeded:
    """Every random number the app draws through ``secrets`` (row keys, public ids, tokens, CSRF
    masks, style nonces) from a seeded generator: two worlds reseeded alike draw alike."""

    def __init__(self, monkeypatch):
        self.rng = random.Random(0)
        monkeypatch.setattr(secrets, "randbits", lambda bits: self.rng.getrandbits(bits))
        monkeypatch.setattr(secrets, "token_bytes", lambda n=None: self.rng.randbytes(32 if n is None else n))
        monkeypatch.setattr(secrets, "choice", lambda seq: seq[self.rng.randrange(len(seq))])

    def reseed(self, seed: str) -> None:
        self.rng.seed(seed)


@pytest.fixture
def world(db, settings, monkeypatch):
    settings.AFSTAND_SIGNUP_BATCH = K
    settings.AFSTAND_SIGNUP_LIMIT = 1000
    settings.AFSTAND_RATE_LIMIT = 1000
    seeded = Seeded(monkeypatch)
    study, _ = studies.create_study(STUDY, "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())])
    Wave.objects.filter(study=study).update(label="2021", starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=10))
    user = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role="owner")
    owner = Client(enforce_csrf_checks=True)  # posts with the page's CSRF token, as a browser does
    owner.force_login(user)
    owner.get(f"/onderzoek/{STUDY}/")  # the CSRF cookie is set before any branch
    return seeded, owner, Client()


def answer(respondent: Client, n: int = 1) -> None:
    for _ in range(n):
        body = {"instance_id": str(uuid.UUID(int=secrets.randbits(128), version=4)), "answers": {"consent": "ja", "age": "41"}}
        sent = respondent.post(
            f"/api/v1/studies/{STUDY}/waves/2021/surveys/mini/responses", json.dumps(body), content_type="application/json"
        )
        assert sent.status_code == 201, sent.content


def sign_up(respondent: Client, name: str) -> None:
    form = respondent.get(f"/aanmelden/{STUDY}/m/2021").content.decode()
    nonce = re.search(r'name="n" value="([^"]+)"', form).group(1)
    posted = respondent.post(
        f"/aanmelden/{STUDY}/m/2021", {"n": nonce, "purpose": "focusgroep", "name": name, "email": f"{name.lower()}@example.org"}
    )
    assert posted.status_code == 303, posted.content.decode()[:300]


def owner_post(owner: Client, path: str, data: dict):
    page = owner.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return owner.post(path, {**data, "csrfmiddlewaretoken": token})


def close(owner: Client) -> None:
    assert owner_post(owner, f"/onderzoek/{STUDY}/meting/2021/", {"action": "close"}).status_code == 302


def reopen(owner: Client) -> None:
    ends = (TODAY + dt.timedelta(days=30)).isoformat()
    assert owner_post(owner, f"/onderzoek/{STUDY}/meting/2021/", {"action": "reopen", "ends_on": ends}).status_code == 302


def looks(owner: Client) -> dict:
    """Everything the owner can see now, then press the button, look again, let the scheduled
    write run (its line too), and look again."""
    seen = {}

    def every_page(phase: str) -> None:
        for path in PAGES:
            got = owner.get(path)
            seen[phase, path] = (got.status_code, got.get("Content-Type"), got.get("Content-Disposition"), got.content)

    every_page("closed")
    pressed = owner_post(owner, f"/onderzoek/{STUDY}/aanmeldingen/?meting=2021", {"write": "1"})
    seen["button"] = (pressed.status_code, pressed.get("Location"), pressed.content)
    every_page("after the button")
    seen["afstand signups flush"] = summary(scrub.maintenance())
    every_page("after the scheduled write")
    seen["audit log"] = sorted((e.user, e.action, e.detail, e.day) for e in AuditEvent.objects.all())
    return seen


def branch(world, settings, tmp_path, name: str, reopened, responses: int = 1) -> dict:
    """One world from the shared state: reopen, ``responses`` new responses (the first one's
    respondent runs ``reopened``: signs up or not), close, and everything the owner sees."""
    seeded, owner, respondent = world
    spool = signup_spool.spool_dir()
    copy = tmp_path / f"spool-{name}"
    shutil.copytree(spool, copy)
    settings.AFSTAND_SIGNUP_SPOOL = str(copy)
    try:
        with transaction.atomic():
            seeded.reseed("the attack")
            reopen(owner)
            answer(respondent)
            reopened(respondent)
            seeded.reseed("the other respondents")  # a sign-up draws numbers; the responses after it draw alike
            answer(respondent, responses - 1)
            names = sorted(e["name"] for e in signup_spool.pending())
            seeded.reseed("the owner looks")  # from here on both worlds draw the same numbers
            close(owner)
            seen = looks(owner)
            seen["spool (not shown to the owner)"] = names
            transaction.set_rollback(True)
    finally:
        settings.AFSTAND_SIGNUP_SPOOL = str(spool)
    return seen


def differences(one: dict, other: dict, tokens: bool = True) -> list:
    """The keys of what the owner saw differently. ``tokens=False``: a CSRF token or style nonce
    (random on every load, and drawn a different number of times once one world wrote a page the
    other did not) does not count."""

    def shown(value):
        if tokens or not isinstance(value, tuple):
            return value
        return tuple(re.sub(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', b"", v) if isinstance(v, bytes) else v for v in value)

    return [key for key in one if key != "spool (not shown to the owner)" and shown(one[key]) != shown(other[key])]


PREFIXES = {
    # the review's own numbers: 3 responses, 3 sign-ups (held: fewer than k responses in all)
    "three sign-ups, held": (3, ("Anna", "Bram", "Cees")),
    # enough responses for the rest to be written, and nothing waits: "nothing" is an answer too
    "nothing waits": (7, ()),
    # the rest (2) is written at the first close; the reopened wave's one response comes after it
    "the rest was written": (6, ("Anna", "Bram")),
    # k - 1 wait: one more sign-up would make k (a count of k or more is not shown either)
    "one short of k": (4, ("Anna", "Bram", "Cees", "Dirk")),
}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_close_reopen_one_response_close_shows_the_owner_nothing_about_its_signup(world, settings, tmp_path, prefix):
    seeded, owner, respondent = world
    responses, names = PREFIXES[prefix]
    answer(respondent, responses)
    for name in names:
        sign_up(respondent, name)
    close(owner)
    first = looks(owner)  # the owner learns what the first end shows (the button, the scheduled write)
    assert b"Eva" not in first["closed", f"/onderzoek/{STUDY}/aanmeldingen/"][3]
    signed = branch(world, settings, tmp_path, "signed", lambda r: sign_up(r, "Eva"))
    not_signed = branch(world, settings, tmp_path, "not signed", lambda r: None)
    assert "Eva" in signed["spool (not shown to the owner)"] and "Eva" not in not_signed["spool (not shown to the owner)"]
    assert differences(signed, not_signed) == []
    page = signed["after the scheduled write", f"/onderzoek/{STUDY}/aanmeldingen/?meting=2021"][3].decode()
    assert "Eva" not in page_text(page) and 'data-rule="held"' in page  # held, in words: no number anywhere
    assert not re.search(r"\b\d+ (wachtende|aanmelding)", page)


def test_the_comparison_sees_the_rest_written_once_k_more_responses_came_in(world, settings, tmp_path):
    """The control: with k responses after the reopen the new rest may be written (it is among k
    answers), so the two worlds differ — on the sign-ups page and CSV, and nowhere else."""
    seeded, owner, respondent = world
    answer(respondent, 7)
    close(owner)
    looks(owner)
    signed = branch(world, settings, tmp_path, "signed", lambda r: sign_up(r, "Eva"), responses=K)
    not_signed = branch(world, settings, tmp_path, "not signed", lambda r: None, responses=K)
    changed = differences(signed, not_signed, tokens=False)
    assert changed and {key[1] if isinstance(key, tuple) else key for key in changed} <= {
        f"/onderzoek/{STUDY}/aanmeldingen/",
        f"/onderzoek/{STUDY}/aanmeldingen/?meting=2021",
        f"/onderzoek/{STUDY}/aanmeldingen.csv",
        f"/onderzoek/{STUDY}/aanmeldingen.csv?meting=2021",
        "button",
        "afstand signups flush",
        "audit log",
    }
    assert b"Eva" in signed["after the button", f"/onderzoek/{STUDY}/aanmeldingen.csv?meting=2021"][3]
    assert signed["button"][0] == 302 and not_signed["button"][0] == 409
