"""Privacy promises, checked on what is really stored and logged: no IP address, user agent or
precise time for survey traffic; sign-ups unjoinable to answers; exports with no respondent
metadata beyond the instrument version and the date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from afstand.services import exports as export
from afstand.services import signup_spool, studies
from afstand.web.models import AuditEvent, Response, SignUp, Study, Wave
from tests.helpers import review_and_send, shown_code, step

pytestmark = pytest.mark.django_db
IP, FORWARDED, AGENT = "203.0.113.77", "198.51.100.23", "Mozilla/5.0 (Linux; Android 14) private-agent-4711"
TRACE = {"REMOTE_ADDR": IP, "HTTP_X_FORWARDED_FOR": FORWARDED, "HTTP_USER_AGENT": AGENT, "HTTP_REFERER": "https://wa.me/31600000000"}


@pytest.fixture
def demo(db):
    from afstand.web.respondent import withdrawal as respondent

    respondent.SIGNUPS.reset()
    respondent.WITHDRAW_FAILURES.reset()
    return studies.load_demo()


def respondent_traffic(client) -> str:
    """A client answers on the web (with a browser's identifying headers), signs up, another
    answers through the API and withdraws. Returns the web respondent's withdrawal code."""
    client.defaults.update(TRACE)
    page = client.get("/s/clienten?via=whatsapp")
    page = step(client, page, consent="ja")
    page = step(client, page, c_age="41", c_gender="man", c_contact_type="toezicht")
    page, _ = review_and_send(client, page)
    code = shown_code(page.content.decode())
    signup_link = re.search(r'href="(/aanmelden/[^"]+)"', page.content.decode()).group(1)
    assert code.replace("-", "") not in signup_link and "i=" not in signup_link  # the sign-up link carries nothing of the response
    assert client.post(signup_link, {"purpose": "focusgroep", "name": "Piet", "email": "piet@example.org"}).status_code == 303
    api = client.post(
        "/api/v1/surveys/clienten/responses",
        {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": 30}},
        content_type="application/json",
    )
    assert client.post("/intrekken", {"code": api.json()["withdrawal_code"]}).status_code == 303
    return code


def test_nothing_identifying_is_stored_or_logged(client, demo, caplog):
    caplog.set_level(logging.DEBUG)
    started = timezone.now()
    respondent_traffic(client)
    assert Response.objects.count() == 1 and len(signup_spool.all_for(demo)) == 1
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = cursor.fetchall()
            if table == "django_migrations":  # when the test database was set up, not survey traffic
                continue
            dump = repr(rows)
            for secret in (IP, FORWARDED, "private-agent", "wa.me"):
                assert secret not in dump, (table, secret)
            for row in rows:  # no time of day for anything respondents did: dates, or midnight
                for value in row:
                    if isinstance(value, dt.datetime):
                        aware = value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)  # SQLite: UTC
                        if aware >= started - dt.timedelta(days=1):
                            assert timezone.localtime(aware).time() == dt.time(0, 0), (table, row)
                    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d.*", value):
                        assert value[11:19] == "00:00:00" or value < started.isoformat()[:10], (table, row)
    assert not _rows("django_session")  # no session for respondents
    assert not AuditEvent.objects.filter(action="withdrawal").exists()  # respondents' actions are counted, not audited
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (IP, FORWARDED, "private-agent"):
        assert secret not in logged


def _rows(table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')
        return cursor.fetchall()


def test_signups_cannot_be_joined_to_answers(client, demo):
    respondent_traffic(client)
    signup_columns = {f.column for f in SignUp._meta.concrete_fields}
    response_columns = {f.column for f in Response._meta.concrete_fields}
    assert signup_columns & response_columns == {"id"}  # both random keys, from separate draws
    # the study and the wave only (a wave's sign-ups are stored in groups of at least k): never a response or a version
    assert {f.related_model for f in SignUp._meta.concrete_fields if f.is_relation} == {Study, Wave}
    assert SignUp._meta.get_field("signed_up_on").get_internal_type() == "DateField"
    flushed_on = response_day = Response.objects.get().submitted_on
    flushed_on += dt.timedelta(days=3)  # the cron job's flush, days later
    signup_spool.flush(force=True, today=flushed_on)
    signup, response = SignUp.objects.get(), Response.objects.get()
    assert signup.id != response.id and signup.signed_up_on == flushed_on != response_day  # the flush's date, not the sign-up's
    assert signup.wave_id == response.instrument_version.wave_id


def test_exports_hold_only_version_date_and_wave_as_metadata(client, demo, tmp_path):
    respondent_traffic(client)
    instrument = export.latest_instrument("werken-op-afstand", "clienten")
    header, rows = export.rows("werken-op-afstand", "clienten")
    assert set(header) - set(instrument.items) == {"response_id", "instrument_version", "submission_date", "wave"}
    for fmt in ("csv", "xlsx", "sav"):
        buffer = io.BytesIO()
        export.write(header, rows, fmt, buffer, instrument=instrument)
        if fmt == "csv":
            columns = next(csv.reader(io.StringIO(buffer.getvalue().decode())))
        elif fmt == "xlsx":
            import openpyxl

            columns = [c.value for c in next(openpyxl.load_workbook(buffer).active.iter_rows())]
        else:
            import pyreadstat

            path = tmp_path / "export.sav"
            with open(path, "wb") as handle:
                handle.write(buffer.getvalue())
            frame, _ = pyreadstat.read_sav(path)
            columns = list(frame.columns)
        meta = [c for c in columns if not any(c == item or c.startswith(item + "_") for item in instrument.items)]
        assert meta == ["response_id", "instrument_version", "submission_date", "wave"], (fmt, meta)
        text = buffer.getvalue()
        assert IP.encode() not in text and b"private-agent" not in text, fmt
