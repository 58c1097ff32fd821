"""Sign-ups cannot be joined to responses through database metadata (issue 13, item 1).

The probe: respondents answer and sign up one after the other, interleaved, each request
committed on its own. Then an attacker with database access tries every join the database
offers: transaction ids (PostgreSQL ``xmin``), physical order (``ctid``, SQLite's hidden
``rowid``), the order of an unordered ``SELECT``, the order of a dump, and the random keys.
With N pairs a join by chance gets one right on average; more than ``MAX_HITS`` right happens by
chance with probability < 0.001 (Poisson(1) tail), so the test fails only for a real leak.
The same probe against the old code (a sign-up inserted at once) joins every pair.

A second probe ends the wave with fewer than k sign-ups waiting, which the closing flush writes:
the same joins, and the date join (each sign-up to the responses dated since the batch before its
own) leaves every sign-up among at least k candidate responses; a control shows that join naming
the one response of a rest written against the rule.

Runs on SQLite by default and on PostgreSQL when AFSTAND_DB_URL points at one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection

from afstand.services import signup_spool, studies, submissions
from afstand.web.models import Response, SignUp, Wave

pytestmark = pytest.mark.django_db(transaction=True)
N, K, MAX_HITS = 40, 8, 5


@pytest.fixture
def probe(client, settings, tmp_path):
    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "spool")
    settings.AFSTAND_SIGNUP_BATCH = K
    settings.AFSTAND_SIGNUP_LIMIT = 10_000
    settings.AFSTAND_RATE_LIMIT = 10_000
    study = studies.load_demo()
    truth: dict[str, int] = {}  # response public id -> person
    for person in range(N):
        instance = uuid.uuid4()
        answered = client.post(
            "/api/v1/surveys/clienten/responses",
            json.dumps({"instance_id": str(instance), "answers": {"consent": "ja", "c_age": 30 + person % 40, "c_gender": "man"}}),
            content_type="application/json",
        )
        assert answered.status_code == 201
        signed = client.post(
            f"/aanmelden/{study.slug}", {"purpose": "loterij", "name": f"person-{person}", "email": f"p{person}@example.org"}
        )
        assert signed.status_code == 303  # signed up: post/redirect/get
        truth[Response.objects.get(instance_id=instance).public_id] = person
        if person % K == K - 1:
            assert signup_spool.flush() == K  # the cron job, as soon as k wait (the probe's worst case)
    assert SignUp.objects.count() == N and not signup_spool.pending()  # N is a multiple of K: every batch written
    return study, truth


def person_of_signup(name: str) -> int:
    return int(name.removeprefix("person-"))


def hits_by_rank(responses: list[str], signups: list[str], truth: dict[str, int]) -> int:
    """Join the i-th response to the i-th sign-up (both in the order the attacker found): pairs right."""
    return sum(truth[r] == person_of_signup(s) for r, s in zip(responses, signups))


def ordered(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def dump_order(table: str, column: str) -> list[str]:
    """The order in which a dump of the database writes the table's rows."""
    if connection.vendor == "sqlite":
        raw: sqlite3.Connection = connection.connection
        position = [row[1] for row in raw.execute(f'PRAGMA table_info("{table}")')].index(column)
        prefix = f'INSERT INTO "{table}" VALUES('
        return [_sql_values(line[len(prefix) : -2])[position] for line in raw.iterdump() if line.startswith(prefix)]
    pg_dump = shutil.which("pg_dump") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None)
    if pg_dump is None:
        pytest.skip("pg_dump not installed")
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s["PASSWORD"] or ""}
    out = subprocess.run(
        [
            str(pg_dump),
            "-h",
            s["HOST"] or "127.0.0.1",
            "-p",
            str(s["PORT"] or 5432),
            "-U",
            s["USER"],
            "--data-only",
            "-t",
            table,
            s["NAME"],
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    copy = out.split(f"COPY public.{table} ", 1)[1]
    position = [c.strip().strip('"') for c in copy[copy.index("(") + 1 : copy.index(")")].split(",")].index(column)
    lines = copy.split("\n")[1:]
    return [line.split("\t")[position] for line in lines[: lines.index("\\.")]]


def _sql_values(text: str) -> list[str]:
    """Split the VALUES(...) of an iterdump line into unquoted values."""
    values, current, quoted, i = [], "", False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "'" and text[i + 1 : i + 2] == "'":
                current += "'"
                i += 1
            elif ch == "'":
                quoted = False
            else:
                current += ch
        elif ch == "'":
            quoted = True
        elif ch == ",":
            values.append(current)
            current = ""
        else:
            current += ch
        i += 1
    values.append(current)
    return values


def test_the_probe_cannot_join_signups_to_responses(probe):
    _study, truth = probe
    attack(truth, list(range(N)))


def attack(truth: dict[str, int], persons: list[int]) -> None:
    """Every join the database offers, on the stored responses and sign-ups (``persons``: who
    signed up, in arrival order): none gets more than ``MAX_HITS`` pairs right."""
    r, s = connection.ops.quote_name(Response._meta.db_table), connection.ops.quote_name(SignUp._meta.db_table)
    attacks: dict[str, tuple[list[str], list[str]]] = {
        "unordered select": (ordered(f"SELECT public_id FROM {r}"), ordered(f"SELECT name FROM {s}")),
        "random key": (ordered(f"SELECT public_id FROM {r} ORDER BY id"), ordered(f"SELECT name FROM {s} ORDER BY id")),
        "dump": (dump_order(Response._meta.db_table, "public_id"), dump_order(SignUp._meta.db_table, "name")),
    }
    if connection.vendor == "sqlite":
        attacks["rowid"] = (ordered(f"SELECT public_id FROM {r} ORDER BY rowid"), ordered(f"SELECT name FROM {s} ORDER BY rowid"))
        arrival = ordered(f"SELECT public_id FROM {r} ORDER BY rowid")
    else:
        attacks["ctid"] = (ordered(f"SELECT public_id FROM {r} ORDER BY ctid"), ordered(f"SELECT name FROM {s} ORDER BY ctid"))
        attacks["xmin order"] = (
            ordered(f"SELECT public_id FROM {r} ORDER BY xmin::text::bigint"),
            ordered(f"SELECT name FROM {s} ORDER BY xmin::text::bigint, name"),
        )
        arrival = ordered(f"SELECT public_id FROM {r} ORDER BY xmin::text::bigint")
        # the probe's own join: each sign-up to the response with the closest smaller transaction id
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT public_id, xmin::text::bigint FROM {r}")
            responses = cursor.fetchall()
            cursor.execute(f"SELECT name, xmin::text::bigint FROM {s}")
            signups = cursor.fetchall()
        assert len({x for _, x in signups}) == 1, "every sign-up row carries the same transaction id"
        nearest = sum(
            truth[max((rx, rp) for rp, rx in responses if rx < sx)[1]] == person_of_signup(name)
            for name, sx in signups
            if any(rx < sx for _, rx in responses)
        )
        assert nearest <= MAX_HITS, f"xmin join: {nearest} of {len(signups)} right"
    # the attacker's tools do see arrival order where it exists: the responses themselves are in order
    assert [truth[p] for p in arrival] == sorted(truth.values())
    for name, (responses, signups) in attacks.items():
        assert len(responses) == len(truth) and sorted(map(person_of_signup, signups)) == sorted(persons), name
        hits = hits_by_rank(responses, signups, truth)
        assert hits <= MAX_HITS, f"{name}: {hits} of {len(signups)} pairs joined"


def date_join(truth: dict[str, int]) -> list[tuple[int, bool]]:
    """The best a dump's dates allow: each sign-up to the responses dated after the day of the batch
    before its own, up to its own batch's day. Per sign-up: how many candidates, and whether its
    person's response is one of them."""
    responses = list(Response.objects.values_list("public_id", "submitted_on"))
    signups = list(SignUp.objects.values_list("name", "signed_up_on"))
    days = sorted({on for _, on in signups})
    out = []
    for name, on in signups:
        before = max((d for d in days if d < on), default=None)
        found = [p for p, d in responses if d <= on and (before is None or d > before)]
        out.append((len(found), any(truth[p] == person_of_signup(name) for p in found)))
    return out


CLOSING_DAYS, LAST_DAY_ANSWERS, LAST_DAY_SIGNUPS = 5, 12, 4


@pytest.fixture
def closing_probe(client, settings, tmp_path):
    """Fieldwork of six days. On each of the first five, K respondents answer and sign up one after
    the other (each request committed on its own) and the cron job writes that day's batch; on the
    last day LAST_DAY_ANSWERS answer and the first LAST_DAY_SIGNUPS of them sign up: fewer than k.
    The wave ends; the next day's flush writes them."""
    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "spool")
    settings.AFSTAND_SIGNUP_BATCH = K
    settings.AFSTAND_SIGNUP_LIMIT = 10_000
    study = studies.load_demo()
    version = studies.active_version(study.slug, "clienten")
    first = dt.date.today() - dt.timedelta(days=20)
    truth: dict[str, int] = {}
    persons = []
    for day in range(CLOSING_DAYS + 1):
        on = first + dt.timedelta(days=day)
        for n in range(K if day < CLOSING_DAYS else LAST_DAY_ANSWERS):
            instance, person = uuid.uuid4(), len(truth)
            answers = {"consent": "ja", "c_age": 30 + person % 40, "c_gender": "man"}
            assert submissions.submit(version, instance, answers, today=on).status == 201
            truth[Response.objects.get(instance_id=instance).public_id] = person
            if day < CLOSING_DAYS or n < LAST_DAY_SIGNUPS:
                signed = client.post(
                    f"/aanmelden/{study.slug}", {"purpose": "focusgroep", "name": f"person-{person}", "email": "p@example.org"}
                )
                assert signed.status_code == 303
                persons.append(person)
        if day < CLOSING_DAYS:
            assert signup_spool.flush(today=on) == K  # the cron job, at the end of the day
    last = first + dt.timedelta(days=CLOSING_DAYS)
    assert signup_spool.flush(today=last) == 0  # the last day of fieldwork: fewer than k wait
    Wave.objects.filter(id=version.wave_id).update(ends_on=last)
    assert signup_spool.flush(today=last + dt.timedelta(days=1)) == LAST_DAY_SIGNUPS  # the wave has ended: its rest
    assert not signup_spool.pending() and SignUp.objects.count() == len(persons)
    return truth, persons


def test_the_rest_of_an_ended_wave_cannot_be_joined_to_responses_either(closing_probe):
    truth, persons = closing_probe
    attack(truth, persons)
    joins = date_join(truth)
    assert len(joins) == len(persons) and all(right for _, right in joins)  # the join is sound: each person's answer is a candidate
    assert min(n for n, _ in joins) >= K  # but among at least k: the rest's batch too (LAST_DAY_ANSWERS candidates)


def test_the_date_join_finds_a_rest_written_against_the_rule(client, settings, tmp_path):
    """The control: a rest with fewer than k responses after the wave's last batch is held; written
    anyway (``force``, tests only), the date join names its person's response."""
    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "spool")
    settings.AFSTAND_SIGNUP_BATCH = 3
    study = studies.load_demo()
    version = studies.active_version(study.slug, "clienten")
    first = dt.date.today() - dt.timedelta(days=20)
    truth: dict[str, int] = {}
    for person in range(4):
        on = first + dt.timedelta(days=person // 3)  # three on the first day, the fourth the next
        instance = uuid.uuid4()
        assert submissions.submit(version, instance, {"consent": "ja", "c_age": 30, "c_gender": "man"}, today=on).status == 201
        truth[Response.objects.get(instance_id=instance).public_id] = person
        signup_spool.add(study, {"purpose": "loterij", "name": f"person-{person}", "email": "p@example.org"}, wave=version.wave)
        if person == 2:
            assert signup_spool.flush(today=on) == 3
    Wave.objects.filter(id=version.wave_id).update(ends_on=first + dt.timedelta(days=1))
    assert signup_spool.flush(today=first + dt.timedelta(days=2)) == 0  # held: one response after the last batch
    assert signup_spool.flush(force=True, today=first + dt.timedelta(days=2)) == 1
    joins = dict(zip(SignUp.objects.values_list("name", flat=True), date_join(truth)))
    assert joins["person-3"] == (1, True)  # one candidate, and it is hers


def test_a_crash_in_the_flush_loses_nothing_and_a_crash_after_it_stores_nothing_twice(db, settings, tmp_path, monkeypatch):
    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "spool")
    settings.AFSTAND_SIGNUP_BATCH = 3
    study = studies.load_demo()
    for person in range(3):
        signup_spool.add(study, {"purpose": "loterij", "name": f"person-{person}", "email": "a@example.org"})
    assert SignUp.objects.count() == 0 and len(signup_spool.pending()) == 3  # only in the spool, on disk, until a flush

    def crash(*args, **kwargs):
        raise OSError("killed mid-flush")

    monkeypatch.setattr(SignUp.objects, "bulk_create", crash)
    with pytest.raises(OSError):
        signup_spool.flush()
    assert SignUp.objects.count() == 0 and len(signup_spool.pending()) == 3  # the transaction rolled back; the spool is whole
    monkeypatch.undo()
    # a flush that committed but died before removing its files: the next flush stores nothing twice
    signup_spool.rewrite(signup_spool.pending())
    assert SignUp.objects.count() == 3
    assert signup_spool.flush() == 0 and SignUp.objects.count() == 3 and not signup_spool.pending()
    assert sorted(SignUp.objects.values_list("name", flat=True)) == ["person-0", "person-1", "person-2"]


def test_the_owner_sees_stored_signups_only_and_the_csv_url_works(client, settings, tmp_path):
    from django.contrib.auth.models import User

    from afstand.web.models import Membership

    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "spool")
    settings.AFSTAND_SIGNUP_LIMIT = 10_000
    settings.AFSTAND_SIGNUP_BATCH = 1
    study = studies.load_demo()
    client.post(f"/aanmelden/{study.slug}", {"purpose": "focusgroep", "name": "Jan Jansen", "email": "jan@example.org"})
    assert SignUp.objects.count() == 0 and len(signup_spool.pending()) == 1
    user = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)
    assert "Jan Jansen" not in client.get(f"/onderzoek/{study.slug}/aanmeldingen/").content.decode()  # waiting: not shown
    signup_spool.flush()
    assert "Jan Jansen" in client.get(f"/onderzoek/{study.slug}/aanmeldingen/").content.decode()
    csv_download = client.get(f"/onderzoek/{study.slug}/aanmeldingen.csv")
    assert csv_download.status_code == 200 and "Jan Jansen" in csv_download.content.decode("utf-8-sig")
