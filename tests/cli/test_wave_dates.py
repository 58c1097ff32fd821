"""``afstand study wave close|dates|reopen`` as a researcher runs them: close a wave now, extend or
move its fieldwork, reopen it; a refused date is one line on stderr and exit 2, and nothing changes;
every change is in the audit log."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from tests.conftest import run_cli

PASSWORD = "Een-lang-wachtwoord-42"
STUDY = "werken-op-afstand"
TODAY = dt.date.today()


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    monkeypatch.setenv("AFSTAND_PASSWORD", PASSWORD)
    made = run_cli("createuser", "--username", "anna", "--role", "owner", "--db", url)  # loads the study: wave 2021, no dates
    assert made.returncode == 0, made.stderr
    return url


def wave(db: str, *args: str):
    return run_cli("study", "wave", *args, "--study", STUDY, "--db", db)


def listed(db: str) -> dict[str, dict]:
    shown = run_cli("study", "wave", "list", "--study", STUDY, "--db", db, "--json")
    assert shown.returncode == 0, shown.stderr
    return {w["label"]: w for w in json.loads(shown.stdout)}


def audit(db: str) -> list[tuple[str, str]]:
    with sqlite3.connect(db.removeprefix("sqlite:///")) as raw:
        rows = raw.execute("SELECT user, action, detail FROM afstand_auditevent WHERE action LIKE 'wave-%'").fetchall()
    return sorted((action, detail) for user, action, detail in rows if user.startswith("cli"))


def test_close_now_extend_and_reopen(db):
    first = listed(db)["2021"]
    assert first["state"] == "open" and first["ends_on"] is None
    closed = wave(db, "close", "--wave", "2021")
    assert closed.returncode == 0, closed.stderr
    assert "wave 2021 is closed: its links say the questionnaire is closed (410)" in closed.stdout
    assert (listed(db)["2021"]["state"], listed(db)["2021"]["ends_on"]) == ("ended", days(-1))  # "now": the last day is yesterday
    again = wave(db, "close", "--wave", "2021")
    assert again.returncode == 0 and "wave 2021 was already closed" in again.stdout
    text = run_cli("study", "wave", "list", "--study", STUDY, "--db", db).stdout
    assert f"2021 (… – {days(-1)}) [closed]:" in text
    reopened = wave(db, "reopen", "--wave", "2021", "--ends", days(7))
    assert reopened.returncode == 0 and "wave 2021 is open: its links take answers" in reopened.stdout, reopened.stderr
    assert (listed(db)["2021"]["state"], listed(db)["2021"]["ends_on"]) == ("open", days(7))
    week = wave(db, "dates", "--wave", "2021", "--ends", days(14))  # fieldwork extended by a week
    assert week.returncode == 0 and listed(db)["2021"]["ends_on"] == days(14)
    assert [a for a, _ in audit(db)] == ["wave-close", "wave-dates", "wave-reopen"]
    assert ("wave-reopen", f"{STUDY}/2021: … – {days(-1)} → … – {days(7)}") in audit(db)


def test_refused_dates_exit_2_and_change_nothing(db):
    made = run_cli("study", "wave", "create", "--study", STUDY, "--label", "2022", "--starts", days(30), "--ends", days(60), "--db", db)
    assert made.returncode == 0, made.stderr
    before = listed(db)
    cases = [
        (
            ("dates", "--wave", "2022", "--starts", days(40), "--ends", days(35)),
            f"wave 2022: the fieldwork cannot end on {days(35)}, before it starts on {days(40)}",
        ),  # fmt: skip
        (("dates", "--wave", "2022", "--starts", days(-2)), f"the first day cannot be in the past ({days(-2)})"),
        (("dates", "--wave", "2021", "--ends", days(-3)), "the last day cannot be in the past"),
        (("dates", "--wave", "2021", "--starts", days(3)), "wave 2021 has started already: its first day can no longer be changed"),
        (("dates", "--wave", "2021", "--ends", "2030-13-01"), "--ends '2030-13-01': not a date (YYYY-MM-DD, or none)"),
        (("dates", "--wave", "2021"), "give --starts, --ends or both"),
        (("reopen", "--wave", "2021", "--ends", days(5)), "wave 2021 has not ended: there is nothing to reopen"),
        (("close", "--wave", "1999"), "--wave 1999: study werken-op-afstand has no such wave (its waves: 2021, 2022)"),
    ]
    for args, message in cases:
        done = wave(db, *args)
        assert done.returncode == 2 and message.lower() in done.stderr.lower(), (args, done.stderr)
        assert done.stderr.startswith("afstand: error:") and "Traceback" not in done.stderr
    assert listed(db) == before and audit(db) == []
    moved = wave(db, "dates", "--wave", "2022", "--starts", days(14), "--ends", "none")
    assert moved.returncode == 0, moved.stderr
    assert (listed(db)["2022"]["starts_on"], listed(db)["2022"]["ends_on"], listed(db)["2022"]["state"]) == (days(14), None, "not_started")
