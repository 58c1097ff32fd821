"""The sign-up flush rewrites the table inside the database (no row passes through Python) and
still gives every flush a fresh random physical order, every column intact (issue 13 item 1,
issue 18 item 4: the rewrite cost the rest of the app its throughput)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from afstand.services import signup_spool, studies
from afstand.web.models import SignUp

pytestmark = pytest.mark.django_db
K = 5


@pytest.fixture
def study(settings, tmp_path):
    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "spool")
    settings.AFSTAND_SIGNUP_BATCH = K
    return studies.load_demo()


def sign_up(study, person: int) -> None:
    data = {"purpose": "focusgroep", "name": f"person-{person}", "email": f"p{person}@example.org", "phone": f"06-{person:08d}"}
    signup_spool.add(study, data | {"availability": f"dinsdag\n'{person}'"}, today=dt.date(2026, 11, 1 + person % 20))


def physical_order() -> list[str]:
    table = connection.ops.quote_name(SignUp._meta.db_table)
    place = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {table} ORDER BY {place}")
        return [row[0] for row in cursor.fetchall()]


def test_every_flush_keeps_every_column_and_writes_a_fresh_random_order(study, monkeypatch):
    import itertools

    keys = itertools.count(1)  # the worst case: keys in arrival order (real keys are random)
    monkeypatch.setattr(signup_spool, "random_key", lambda: next(keys))
    orders = []
    for batch in range(4):
        for person in range(batch * 10, batch * 10 + 10):
            sign_up(study, person)
        assert signup_spool.flush(today=dt.date(2026, 12, 1 + batch)) == 10  # as the cron job does
        assert not signup_spool.pending() and SignUp.objects.count() == 10 * (batch + 1)
        orders.append(physical_order())
    for person in range(40):
        row = SignUp.objects.get(name=f"person-{person}")
        assert (row.study_id, row.purpose, row.email, row.phone, row.availability, row.signed_up_on) == (
            study.id,
            "focusgroep",
            f"p{person}@example.org",
            f"06-{person:08d}",
            f"dinsdag\n'{person}'",
            dt.date(2026, 12, 1 + person // 10),  # the date of the flush that wrote it, kept by later rewrites
        )
    first = [name for name in orders[-1] if name in orders[0]]
    assert len(first) == 10 and first != orders[0]  # the first ten moved again in the last flush
    arrival = [f"person-{p}" for p in range(40)]
    assert orders[-1] != arrival and orders[-1] != sorted(arrival)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT xmin::text) FROM {connection.ops.quote_name(SignUp._meta.db_table)}")
            assert cursor.fetchone()[0] == 1  # one transaction wrote every live row


def test_a_flush_that_cannot_write_every_row_again_changes_nothing(study, monkeypatch):
    for person in range(K):
        sign_up(study, person)
    signup_spool.flush()
    before = sorted(SignUp.objects.values_list("name", flat=True))
    for person in range(K, 2 * K - 1):
        sign_up(study, person)
    real = signup_spool._reorder
    monkeypatch.setattr(signup_spool, "_reorder", lambda table, order: real(table, order[1:]))  # one key left out
    sign_up(study, 2 * K - 1)
    with pytest.raises(RuntimeError, match="rows written again"):
        signup_spool.flush()
    assert sorted(SignUp.objects.values_list("name", flat=True)) == before  # rolled back: no row lost
    assert len(signup_spool.pending()) == K  # and the new ones still wait, on disk
    monkeypatch.undo()
    assert signup_spool.flush() == K and SignUp.objects.count() == 2 * K
