"""Rate limits behind a proxy, shared by workers, salted, flood-proof, and unable to lock an account (issue 13, item 3)."""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory

from afstand.services import scrub, studies, submissions
from afstand.web import ratelimit
from afstand.web.research import login

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"
PROXY = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.AFSTAND_LIMIT_SALT_DIR = str(tmp_path / "salt")
    return studies.load_demo()


def address(settings, remote: str, forwarded: str | None = None, trusted: str = "") -> str:
    settings.AFSTAND_TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return ratelimit.client_address(RequestFactory().get("/", **meta))


def test_the_client_address_comes_from_trusted_proxies_only_and_ipv6_is_masked(settings):
    assert address(settings, "127.0.0.1", "203.0.113.9") == "127.0.0.1"  # no trusted proxy: the header is ignored
    assert address(settings, "127.0.0.1", "203.0.113.9", trusted="127.0.0.1") == "203.0.113.9"
    assert address(settings, "198.51.100.1", "203.0.113.9", trusted="127.0.0.1") == "198.51.100.1"  # not from the proxy: ignored
    # a client's own X-Forwarded-For is left of what the proxy appended: the rightmost untrusted hop counts
    assert address(settings, "127.0.0.1", "1.2.3.4, 203.0.113.9", trusted="127.0.0.0/8") == "203.0.113.9"
    assert address(settings, "127.0.0.1", "203.0.113.9, 10.0.0.2", trusted="127.0.0.1,10.0.0.0/8") == "203.0.113.9"
    assert address(settings, "127.0.0.1", "garbage", trusted="127.0.0.1") == "127.0.0.1"
    assert address(settings, "2001:db8:1:2:aaaa::1") == address(settings, "2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert address(settings, "2001:db8:1:3::1") != address(settings, "2001:db8:1:2::1")
    assert address(settings, "::1", "2001:db8:9:9:1::5", trusted="::1") == "2001:db8:9:9::/64"
    assert address(settings, "::ffff:203.0.113.5") == "203.0.113.5"


def test_behind_the_proxy_wrong_withdrawal_codes_lock_only_their_sender(client, demo, settings):
    settings.AFSTAND_TRUSTED_PROXIES = "127.0.0.1"
    settings.AFSTAND_WITHDRAW_LIMIT = 5
    version = studies.active_version(demo.slug, "clienten")
    real = submissions.submit(version, uuid.uuid4(), {"consent": "ja"}).body["withdrawal_code"]
    guesser = PROXY | {"HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    statuses = [client.post("/intrekken", {"code": f"AAAA-AAAA-AAAA-AAAA-AAA{i}"}, **guesser).status_code for i in range(7)]
    assert statuses == [404] * 5 + [429] * 2
    # every respondent arrives from 127.0.0.1 (the proxy): the others are not locked out
    assert client.post("/intrekken", {"code": real}, **PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 303


def test_counts_are_shared_by_workers_and_keys_are_salted(demo, settings):
    limiter = ratelimit.Limiter("probe", 3, 60)
    now = time.time()
    limiter.clock = lambda: now  # one window throughout (a minute may end during the test)
    subject = "a:203.0.113.77"
    assert [limiter.hit(subject) for _ in range(4)] == [False, False, False, True]
    other_worker = caches.create_connection("limits")  # a separate cache object, as in another gunicorn worker
    key, _ = limiter._key(subject)
    assert other_worker.get(key) == 4
    name, digest = key.split(":")  # the limit's name and a keyed digest: no window number in clear
    window = str(int(limiter.clock()) // 60)
    assert name == "probe" and window not in key
    limiter.clock = lambda: now + 60
    assert limiter._key(subject)[0] != key  # the next window: another digest
    stored = " ".join([key] + [p.read_bytes().hex() for p in Path(settings.CACHES["limits"]["LOCATION"]).glob("*")])
    assert "203.0.113.77" not in stored and b"203.0.113.77".hex() not in stored
    for plain in (hashlib.sha256(subject.encode()).hexdigest(), hashlib.blake2b(subject.encode(), digest_size=16).hexdigest()):
        assert plain not in stored


def test_respondent_limits_write_nothing_to_the_database(client, demo, settings):
    """A sign-up, an API submission and a wrong withdrawal code are counted outside the database:
    no row of the respondent's limit (its transaction id would sit next to their response)."""
    from django.test.utils import CaptureQueriesContext

    settings.AFSTAND_TRUSTED_PROXIES = "127.0.0.1"
    with CaptureQueriesContext(connection) as queries:
        signed = client.post(f"/aanmelden/{demo.slug}", {"purpose": "loterij", "name": "Sanne", "email": "s@example.org"}, **PROXY)
        api = client.post(
            "/api/v1/surveys/clienten/responses",
            {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": 30}},
            content_type="application/json",
            **PROXY,
        )
        wrong = client.post("/intrekken", {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"}, **PROXY)
    assert (signed.status_code, api.status_code, wrong.status_code) == (303, 201, 404)
    assert [q["sql"] for q in queries.captured_queries if "limits" in q["sql"]] == []
    assert sum(1 for _ in Path(settings.CACHES["limits"]["LOCATION"]).glob("*.djcache")) == 3  # counted, in files
    for table in ("afstand_limits", "afstand_limits_accounts"):
        if table in connection.introspection.table_names():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                assert cursor.fetchone()[0] == 0


def test_expired_counters_are_deleted(demo, settings):
    limiter = ratelimit.Limiter("old", 3, 60)
    limiter.clock = lambda: time.time() - 3 * 86400  # a window three days ago: expired within a second
    limiter.hit("a:203.0.113.5")
    current = ratelimit.Limiter("now", 3, 60)
    now = time.time()
    current.clock = lambda: now  # one window throughout, also if a minute ends during the sleep below
    current.hit("a:203.0.113.6")
    folder = Path(settings.CACHES["limits"]["LOCATION"])
    assert len(list(folder.glob("*.djcache"))) == 2
    time.sleep(1.5)
    assert scrub.sweep_limits() == 1
    assert len(list(folder.glob("*.djcache"))) == 1 and current.count("a:203.0.113.6") == 1


def test_a_flood_of_addresses_cannot_wipe_account_counters(client, demo, settings, monkeypatch):
    settings.AFSTAND_LOGIN_USER_LIMIT = 3
    settings.AFSTAND_TRUSTED_PROXIES = "127.0.0.1"
    User.objects.create_user("anna", password=PASSWORD)
    for i in range(3):
        client.post("/onderzoek/inloggen/", {"username": "anna", "password": "fout"}, **PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    flood = ratelimit.Limiter("flood", 10, 60)
    limits = caches["limits"]
    monkeypatch.setattr(limits, "_max_entries", 50)  # a small table, so that the flood forces culls
    for i in range(400):
        flood.hit(f"a:198.51.{i // 250}.{i % 250}")
    assert login.LOGIN_USER.count("anna") == 3  # in its own table, with entries for real accounts only
    locked = client.post("/onderzoek/inloggen/", {"username": "anna", "password": "fout"}, **PROXY, HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert locked.status_code == 429
    client.post(
        "/onderzoek/inloggen/", {"username": "nobody-" + uuid.uuid4().hex, "password": "x"}, **PROXY, HTTP_X_FORWARDED_FOR="203.0.113.201"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM afstand_limits_accounts")
        assert cursor.fetchone()[0] == 1  # no entry for a username that does not exist


def test_nobody_can_lock_an_account_and_successful_logins_are_not_counted(client, demo, settings):
    from django.test import Client

    settings.AFSTAND_TRUSTED_PROXIES = "127.0.0.1"
    settings.AFSTAND_LOGIN_USER_LIMIT = 20
    User.objects.create_user("anna", password=PASSWORD)
    owner = Client()
    for _ in range(settings.AFSTAND_LOGIN_LIMIT + 3):  # successful logins are not counted
        assert (
            owner.post(
                "/onderzoek/inloggen/", {"username": "anna", "password": PASSWORD}, **PROXY, HTTP_X_FORWARDED_FOR="198.51.100.10"
            ).status_code
            == 302
        )
    assert login.DEVICE_COOKIE in owner.cookies
    # an attacker from many addresses: each (username, address) pair is limited, then the username backs off
    statuses = []
    for i in range(40):
        statuses.append(
            client.post(
                "/onderzoek/inloggen/", {"username": "anna", "password": f"guess-{i}"}, **PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{i // 5}"
            ).status_code
        )
    assert statuses.count(200) == 20 and statuses[-1] == 429
    stranger = Client()  # a browser that never logged in as anna waits for the backoff
    assert (
        stranger.post(
            "/onderzoek/inloggen/", {"username": "anna", "password": PASSWORD}, **PROXY, HTTP_X_FORWARDED_FOR="198.51.100.99"
        ).status_code
        == 429
    )
    # the owner's own browser is not locked out
    assert (
        owner.post(
            "/onderzoek/inloggen/", {"username": "anna", "password": PASSWORD}, **PROXY, HTTP_X_FORWARDED_FOR="198.51.100.11"
        ).status_code
        == 302
    )


def test_every_limit_is_a_documented_setting():
    from pathlib import Path

    from afstand.web.config import settings as config

    deploy = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    names = [n for n in dir(config) if n.startswith("AFSTAND_") and ("LIMIT" in n or "WINDOW" in n or n in ("AFSTAND_TRUSTED_PROXIES",))]
    assert len(names) >= 12
    assert [n for n in names if f"`{n}`" not in deploy] == []
    assert "limit_req" in deploy and "AFSTAND_REDIS_URL" in deploy


def test_a_hit_is_one_statement_and_counts_survive_expiry_and_other_workers(demo):
    from django.test.utils import CaptureQueriesContext

    limiter = ratelimit.Limiter("one", 2, 60, alias="accounts")  # the alias a database table holds whatever the settings
    now = time.time()
    limiter.clock = lambda: now  # one window throughout (a minute may end during the test)
    with CaptureQueriesContext(connection) as queries:
        assert limiter.hit("a:192.0.2.1") is False
    assert len(queries) == 1  # the atomic upsert; Django's database cache needed 7 in 3 transactions
    assert [limiter.hit("a:192.0.2.1") for _ in range(2)] == [False, True]
    assert limiter.count("a:192.0.2.1") == 3 and limiter.count("a:192.0.2.2") == 0
    limits = caches["accounts"]
    key, _ = limiter._key("a:192.0.2.1")
    assert limits.hit(key, -5) == 4  # an existing entry keeps its expiry
    expired, _ = limiter._key("a:192.0.2.3")
    assert limits.hit(expired, -5) == 1 and limits.get(expired) is None  # expired: not read back
    assert limits.hit(expired, 60) == 1  # and counted from one again
    limits.set("pickled", {"a": 1})  # what Django's backend stores still reads back
    assert limits.get("pickled") == {"a": 1}


@pytest.mark.django_db(transaction=True)
def test_hits_at_the_same_moment_are_all_counted(settings, tmp_path):
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database fails concurrent writers at once instead of queueing them")
    settings.AFSTAND_LIMIT_SALT_DIR = str(tmp_path / "salt")
    limiter = ratelimit.Limiter("race", 10_000, 60, alias="accounts")
    now = time.time()
    limiter.clock = lambda: now  # one window throughout (a minute may end during the test)
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        for _ in range(25):
            limiter.hit("a:198.51.100.9")
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.count("a:198.51.100.9") == 100  # no lost update (Django's add-then-incr could lose some)


def test_file_counts_lose_no_hit_across_threads_and_processes(settings, tmp_path):
    """The respondents' store (files): hits at the same moment from threads of two worker processes are
    all counted (Django's file cache add-then-incr counted about a third of them)."""
    import multiprocessing
    import threading

    from afstand.web.ratelimit import FileCounts

    folder = str(tmp_path / "limits")

    def hits(n_threads: int, per_thread: int) -> None:
        store = FileCounts(folder, {})
        barrier = threading.Barrier(n_threads)

        def worker():
            barrier.wait()
            for _ in range(per_thread):
                store.hit("race:key", 60)

        threads = [threading.Thread(target=worker) for _ in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    other = multiprocessing.get_context("fork").Process(target=hits, args=(3, 20))
    other.start()
    hits(3, 20)
    other.join(60)
    assert other.exitcode == 0
    assert FileCounts(folder, {}).get("race:key") == 120
    assert len([p for p in (tmp_path / "limits").iterdir() if p.name.startswith("lock-")]) <= FileCounts.LOCK_STRIPES
