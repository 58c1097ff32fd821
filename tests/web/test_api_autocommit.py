"""Exactly once outside a test transaction, as in production: on PostgreSQL the instance's lock and
the insert go as one query string (one implicit transaction, one round trip); a withdrawal racing
a resubmission still leaves nothing behind (issue 18 item 4: fewer round trips per submission)."""

from __future__ import annotations

import time
import uuid
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from afstand.services import studies, submissions
from afstand.web.models import Response, Withdrawn
from tests.web.races import at_once

pytestmark = pytest.mark.django_db(transaction=True)
ANSWERS = {"consent": "ja", "c_age": 40, "c_gender": "man"}


@pytest.fixture
def version():
    studies.load_demo()
    return studies.active_version("werken-op-afstand", "clienten")


def test_stored_once_replayed_with_its_code_and_never_after_a_withdrawal(version):
    instance = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries:
        first = submissions.submit(version, instance, dict(ANSWERS))
    assert first.status == 201 and Response.objects.count() == 1
    assert len(queries) == 1  # SQLite: the insert; PostgreSQL: lock and insert in one query string
    assert submissions.submit(version, instance, dict(ANSWERS)).body == first.body  # 200, the same code
    assert submissions.submit(version, instance, {**ANSWERS, "c_age": 41}).status == 409
    assert submissions.withdraw(first.body["withdrawal_code"]) and Response.objects.count() == 0
    assert submissions.submit(version, instance, dict(ANSWERS)).status == 410 and Response.objects.count() == 0


def run_together(*jobs):
    return at_once(*jobs, close_connections=True)


def late_submit(version, instance, delay: float):
    time.sleep(delay)
    return submissions.submit(version, instance, dict(ANSWERS))


def test_same_instance_at_once_and_withdrawal_races(version, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database fails concurrent writers at once instead of queueing them")
    instance = uuid.uuid4()
    outcomes = run_together(*[lambda: submissions.submit(version, instance, dict(ANSWERS))] * 8)
    assert sorted(o.status for o in outcomes) == [200] * 7 + [201]
    assert len({o.body["withdrawal_code"] for o in outcomes}) == 1 and Response.objects.count() == 1
    # a withdrawal that lingers after deleting (before its tombstone and commit), and a resubmission meanwhile
    real = Withdrawn.objects.get_or_create

    def slow_tombstone(**kwargs):
        time.sleep(0.05)
        return real(**kwargs)

    monkeypatch.setattr(Withdrawn.objects, "get_or_create", slow_tombstone)
    for delay in (0, 0.01, 0.02, 0.03, 0.04):  # the resubmission comes before, during and after the deletion
        instance = uuid.uuid4()
        code = submissions.submit(version, instance, dict(ANSWERS)).body["withdrawal_code"]
        withdrawn, again = run_together(partial(submissions.withdraw, code), partial(late_submit, version, instance, delay))
        assert withdrawn is True and again.status in (200, 410)  # before the withdrawal: already stored; after: gone
        assert not Response.objects.filter(instance_id=instance).exists()  # never stored again after its withdrawal
        assert submissions.withdrawn_before(code)  # its tombstone
