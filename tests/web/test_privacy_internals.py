"""The privacy promise under database internals (review pgpriv: F1, F2, F6, F8).

A sign-up has no date of its own and is written at a moment no respondent chose; the owner sees
stored sign-ups only; a withdrawal leaves neither its answers in SQLite's ``-wal`` nor a tombstone
equal to the deleted row's hash; on PostgreSQL no dead generation of the sign-up table stays on
its pages. Tests that need PostgreSQL internals (``pageinspect``) run in the suite's PostgreSQL
pass (AFSTAND_DB_URL) and skip on SQLite.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from afstand.services import signup_spool, studies, submissions
from afstand.web.models import Counter, Membership, Response, SignUp, Wave, Withdrawn, hash_code
from tests.helpers import page_text
from tests.web import live

PASSWORD = "Een-lang-wachtwoord-42"


def without_nonces(page: str) -> str:
    """The page without what differs on every load anyway (the CSRF token, the style nonce)."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', "", page)


WRITES = ("INSERT", "UPDATE", "DELETE", "LOCK", "VACUUM")


@pytest.fixture
def demo(db, settings):
    settings.AFSTAND_SIGNUP_LIMIT = 10_000
    settings.AFSTAND_SIGNUP_BATCH = 3
    return studies.load_demo()


def sign_up(client, study, name: str):
    return client.post(f"/aanmelden/{study.slug}", {"purpose": "loterij", "name": name, "email": f"{name.lower()}@example.org"})


def owner(client, study):
    user = User.objects.create_user("eigenaar", password=PASSWORD)
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)


# F1: no flush (and no other write) inside a respondent's sign-up ----------------------------------


@pytest.mark.django_db
def test_the_sign_up_that_fills_the_batch_writes_nothing_to_the_database(client, demo):
    for name in ("Anna", "Bram", "Cor", "Dirk"):  # k = 3: the third and fourth fill a batch
        with CaptureQueriesContext(connection) as queries:
            assert sign_up(client, demo, name).status_code == 303
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == [], name
    assert not SignUp.objects.exists() and len(signup_spool.pending()) == 4


@pytest.mark.django_db
def test_every_row_of_a_flush_carries_the_flush_date_and_retention_counts_from_it(client, demo):
    for name in ("Anna", "Bram", "Cor"):
        sign_up(client, demo, name)
    later = dt.date.today() + dt.timedelta(days=5)
    assert signup_spool.flush(today=later) == 3
    assert set(SignUp.objects.values_list("signed_up_on", flat=True)) == {later}
    for name in ("Eva", "Fien", "Gijs"):
        sign_up(client, demo, name)
    even_later = later + dt.timedelta(days=2)
    assert signup_spool.flush(today=even_later) == 3
    dates = dict(SignUp.objects.values_list("name", "signed_up_on"))
    assert {dates[n] for n in ("Anna", "Bram", "Cor")} == {later} and {dates[n] for n in ("Eva", "Fien", "Gijs")} == {even_later}
    # retention: 1 day after the first flush's date, only that batch is old enough
    assert submissions.purge(1, today=later + dt.timedelta(days=2))["signups"] == 3
    assert sorted(SignUp.objects.values_list("name", flat=True)) == ["Eva", "Fien", "Gijs"]


def test_the_cron_command_writes_batches_of_k_that_respondents_filled(server):
    """Sign-ups through a live server wait in the spool; ``afstand signups flush`` (cron) writes
    the wave that has k (default 10), all with the flush's date."""
    base, db_url, env, process = server
    port = int(base.rsplit(":", 1)[1])
    for n in range(10):
        assert (
            live.post_form(port, "/aanmelden/werken-op-afstand", {"purpose": "loterij", "name": f"p{n}", "email": f"p{n}@example.org"})
            == 303
        )
    assert live.signup_rows(db_url) == []  # the tenth sign-up did not flush
    done = live.command(env, "signups", "flush", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "wrote 10 sign-ups (0 the rest of ended waves); how many still wait is not shown" in done.stdout
    rows = live.signup_rows(db_url)
    assert sorted(n for n, _ in rows) == sorted(f"p{n}" for n in range(10))
    assert {str(d) for _, d in rows} == {dt.date.today().isoformat()}
    again = live.command(env, "signups", "flush", "--db", db_url)
    assert again.returncode == 0 and "wrote 0 sign-ups" in again.stdout


@pytest.mark.django_db(transaction=True)
def test_no_dead_generation_of_the_signup_table_stays_on_its_pages(client, demo):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL heap pages (pageinspect)")
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except Exception as err:  # not a superuser, or the contrib module is missing
            pytest.skip(f"pageinspect: {err}")
    for batch in range(3):
        for n in range(3):
            sign_up(client, demo, f"b{batch}-{n}")
        assert signup_spool.flush() == 3
    for n in range(2):  # fewer than k, then the wave ends: the closing flush writes them in the same kind of rewrite
        sign_up(client, demo, f"rest-{n}")
    Wave.objects.filter(study=demo).update(ends_on=dt.date.today() - dt.timedelta(days=1))
    assert signup_spool.flush() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM afstand_signup")
        live_xmins = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT pg_relation_size('afstand_signup') / current_setting('block_size')::int")
        blocks = cursor.fetchone()[0]
        tuples = []
        for block in range(blocks):
            cursor.execute("SELECT t_xmin::text FROM heap_page_items(get_raw_page('afstand_signup', %s)) WHERE t_xmin IS NOT NULL", [block])
            tuples += [r[0] for r in cursor.fetchall()]
    assert len(live_xmins) == 1  # one transaction id for every live row
    assert len(tuples) == 11 and set(tuples) == set(live_xmins)  # no tuple of an earlier flush (their batches) left


# F2: the owner sees stored sign-ups only, no date, and may write k waiting ones at the end -------


@pytest.mark.django_db
def test_the_owner_sees_stored_signups_without_dates_and_not_how_many_of_an_open_wave_wait(client, demo):
    for name in ("Anna", "Bram", "Cor"):
        sign_up(client, demo, name)
    signup_spool.flush()
    owner(client, demo)
    before = client.get(f"/onderzoek/{demo.slug}/aanmeldingen/").content.decode()
    sign_up(client, demo, "Dirk")  # waiting: a poll now must not name the person who just answered
    page = client.get(f"/onderzoek/{demo.slug}/aanmeldingen/").content.decode()
    assert "Anna" in page and "Dirk" not in page_text(page) and "Hoeveel er wachten, wordt niet getoond" in page
    # nor count them: the two looks, one sign-up apart, are the same page (the number would pin Dirk to the last response)
    assert without_nonces(page) == without_nonces(before)
    assert dt.date.today().isoformat() not in page
    download = client.get(f"/onderzoek/{demo.slug}/aanmeldingen.csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert sorted(r["name"] for r in rows) == ["Anna", "Bram", "Cor"]
    assert "signed_up_on" not in rows[0] and not any(dt.date.today().isoformat() in v for r in rows for v in r.values())


@pytest.mark.django_db
def test_the_button_writes_ended_waves_only_and_says_why_not(client, demo):
    """Pressed after every response, a button that wrote an open wave's k would tell whose answer
    brought the k-th sign-up (review rev14 F2): an open wave's batch waits for the scheduled write."""
    owner(client, demo)
    for name in ("Anna", "Bram"):
        sign_up(client, demo, name)
    refused = client.post(f"/onderzoek/{demo.slug}/aanmeldingen/", {"write": "1"})
    assert refused.status_code == 409 and not SignUp.objects.exists()
    said = refused.content.decode()
    assert "Er is niets opgeslagen. Deze knop slaat de wachtende aanmeldingen op van metingen waarvan het veldwerk voorbij is" in said
    assert "minstens 3" in said and "2 aanmeldingen" not in said
    sign_up(client, demo, "Cor")  # k wait now: the button says the same as before
    again = client.post(f"/onderzoek/{demo.slug}/aanmeldingen/", {"write": "1"})
    assert again.status_code == 409 and not SignUp.objects.exists()
    assert without_nonces(again.content.decode()) == without_nonces(said)
    assert signup_spool.flush() == 3  # the scheduled write (afstand signups flush)
    sign_up(client, demo, "Dirk")
    Wave.objects.filter(study=demo).update(ends_on=dt.date.today() - dt.timedelta(days=1))  # the wave has ended
    written = client.post(f"/onderzoek/{demo.slug}/aanmeldingen/", {"write": "1"})  # its rest: no response came after the batch
    assert written.status_code == 302
    assert sorted(SignUp.objects.values_list("name", flat=True)) == ["Anna", "Bram", "Cor", "Dirk"] and not signup_spool.pending()
    page = client.get(written["Location"]).content.decode()
    assert "Dirk" in page and "wachtende aanmeldingen, als die er zijn, worden bij de volgende geplande ronde opgeslagen" in page


# F8: the tombstone is not the deleted row's hash; counters have random keys --------------------


@pytest.mark.django_db
def test_a_tombstone_does_not_equal_the_withdrawn_rows_hash(client, demo):
    version = studies.active_version(demo.slug, "clienten")
    instance = uuid.uuid4()
    code = submissions.submit(version, instance, {"consent": "ja", "c_age": 44}).body["withdrawal_code"]
    key = Response.objects.get(instance_id=instance).withdrawal_hash  # what an older backup holds
    assert client.post("/intrekken", {"code": code}).status_code == 303
    assert not Withdrawn.objects.filter(withdrawal_hash=key).exists() and Withdrawn.objects.count() == 1
    assert key == hash_code(code)
    # the tombstone still works: a late resubmission of the same instance is refused, nothing stored
    again = client.post(
        "/api/v1/surveys/clienten/responses",
        json.dumps({"instance_id": str(instance), "answers": {"consent": "ja", "c_age": 44}}),
        content_type="application/json",
    )
    assert again.status_code == 410 and not Response.objects.exists()
    assert submissions.withdrawn_before(code)
    decline = submissions.decline(version, uuid.uuid4())
    assert decline.status == 201
    assert all(pk > 2**32 for pk in Counter.objects.values_list("pk", flat=True))  # random keys, not a sequence


# F6: SQLite's -wal file no longer holds withdrawn answers -----------------------------------------


def test_a_withdrawal_leaves_its_answers_in_no_sqlite_file(server):
    base, db_url, env, process = server
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite files")
    port = int(base.rsplit(":", 1)[1])
    marker = "Terugtrekken-" + uuid.uuid4().hex
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": 44, "c_open_tips": marker}})
    conn.request("POST", "/api/v1/surveys/clienten/responses", body, {"Content-Type": "application/json"})
    answered = conn.getresponse()
    code = json.loads(answered.read())["withdrawal_code"]
    conn.close()
    assert answered.status == 201
    path = Path(db_url.removeprefix("sqlite:///"))
    files = [path, Path(f"{path}-wal")]
    assert any(marker.encode() in f.read_bytes() for f in files if f.exists())  # stored: in the files
    assert live.post_form(port, "/intrekken", {"code": code}) == 303
    for f in files:
        if f.exists():
            assert marker.encode() not in f.read_bytes(), f.name
            assert hash_code(code).encode() not in f.read_bytes(), f.name


# migration 0014: what was stored before these fixes --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_0014_removes_per_signup_dates_withdrawal_rows_and_plain_tombstones(settings):
    from django.db.migrations.executor import MigrationExecutor

    from afstand.web.models import tombstone_hash

    before, after = [("afstand", "0013_signups_and_drafts_per_wave")], [("afstand", "0014_private_signups_counters_tombstones")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes("afstand")
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Study, SignUp_, Counter_, Withdrawn_, Audit = (
            old.get_model("afstand", m) for m in ("Study", "SignUp", "Counter", "Withdrawn", "AuditEvent")
        )
        study = Study.objects.create(slug="oud", title="Oud")
        for n, day in enumerate((dt.date(2027, 1, 11), dt.date(2027, 1, 12), dt.date(2027, 1, 20))):
            SignUp_.objects.create(study=study, purpose="loterij", name=f"p{n}", email="a@example.org", signed_up_on=day)
        for kind in ("declined", "withdrawn"):
            Counter_.objects.create(study=study, instrument="clienten", kind=kind, value=2)
        plain = hash_code("ABCD-EFGH-JKLM-NPQR-STUV")
        Withdrawn_.objects.create(withdrawal_hash=plain)
        Audit.objects.create(id=12345678901, at=None, user="respondent", action="withdrawal", detail="oud/clienten")
        Audit.objects.create(id=12345678902, user="anna", action="export", detail="oud/clienten.csv")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        assert set(new.get_model("afstand", "SignUp").objects.values_list("signed_up_on", flat=True)) == {dt.date(2027, 1, 20)}
        counters = dict(new.get_model("afstand", "Counter").objects.values_list("kind", "id"))
        assert all(pk > 2**32 for pk in counters.values())
        assert list(new.get_model("afstand", "Withdrawn").objects.values_list("withdrawal_hash", flat=True)) == [tombstone_hash(plain)]
        assert list(new.get_model("afstand", "AuditEvent").objects.values_list("action", flat=True)) == ["export"]
    finally:
        MigrationExecutor(connection).migrate(leaves)
