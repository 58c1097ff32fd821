"""Crash safety and races against a real server on 127.0.0.1 (bounded: 2,000 submissions, 16 clients).

Runs on SQLite by default and on PostgreSQL when the suite does (AFSTAND_DB_URL)."""

from __future__ import annotations

import collections
import http.client
import queue
import threading
import uuid

from tests.web import live
from tests.web.races import at_once

ANSWERS = {
    "consent": "ja",
    "c_gender": "man",
    "c_age": "41",
    "c_contact_years": "1.5",
    "c_contact_type": "toezicht",
    "c_contact_freq": "paar_per_maand",
    "c_social_whatsapp": "dagelijks",
    "c_wa_beveiligd": "eens",
    "c_wa_f2f_nodig": "deels",
}
TOTAL, CONCURRENCY, KILL_AFTER = 2000, 16, 700


def body(marker: str, instance_id: str | None = None) -> dict:
    return {"instance_id": instance_id or str(uuid.uuid4()), "answers": {**ANSWERS, "c_open_tips": marker}}


def assert_whole(rows: list[dict]) -> None:
    """Every stored row carries all the answers that were sent: nothing is stored half."""
    for row in rows:
        assert {k: row[k] for k in ANSWERS} == ANSWERS, row
        assert row["instrument_version"].startswith("clienten@") and len(row["submission_date"]) == 10


def test_sigkill_mid_load_loses_no_acknowledged_submission(tmp_path, server_db):
    process = live.start(server_db, tmp_path, pipe=False)
    port = process.port
    bodies = [body(f"tip-{i:04d}") for i in range(TOTAL)]
    todo: queue.Queue[int] = queue.Queue()
    for i in range(TOTAL):
        todo.put(i)
    acked: dict[int, str] = {}
    unacked: set[int] = set()
    lock = threading.Lock()
    in_flight_at_kill: list[int] = []
    busy = [0]
    answered: collections.Counter = collections.Counter()  # HTTP statuses that came back (network errors aside)

    def client() -> None:
        c = live.Client(port, timeout=15)
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            with lock:
                busy[0] += 1
            try:
                status, answer = c.submit("clienten", bodies[i])
            except (OSError, http.client.HTTPException, ValueError):
                status, answer = 0, {}
            with lock:
                busy[0] -= 1
                if status:
                    answered[status] += 1
                if status in (200, 201):
                    acked[i] = answer["withdrawal_code"]
                    if len(acked) == KILL_AFTER:
                        in_flight_at_kill.append(busy[0])
                        live.kill(process)  # SIGKILL, master and workers, mid-load
                else:
                    unacked.add(i)

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert process.poll() is not None and len(acked) + len(unacked) == TOTAL
    assert KILL_AFTER <= len(acked) < TOTAL and unacked, (len(acked), len(unacked))
    # every answer the server gave was "stored": no 500, and no wrong 200/404/410 (as when gunicorn workers
    # once shared the master's PostgreSQL connection)
    assert set(answered) == {201}, answered

    restarted = live.start(server_db, tmp_path, pipe=False)
    restart_port = restarted.port
    try:
        rows = live.export_rows(server_db, tmp_path, "clienten", tmp_path / "after-crash.csv")
        stored = collections.Counter(row["c_open_tips"] for row in rows)
        assert max(stored.values()) == 1  # nothing twice
        missing = [i for i in acked if stored[bodies[i]["answers"]["c_open_tips"]] != 1]
        assert not missing, f"{len(missing)} acknowledged submissions lost, e.g. {missing[:5]}"
        assert_whole(rows)
        lost_acks = len(rows) - len(acked)  # committed, but the answer never reached the client

        c = live.Client(restart_port)
        statuses = collections.Counter()
        for i in sorted(unacked):
            status, answer = c.submit("clienten", bodies[i])
            statuses[status] += 1
            assert status in (200, 201) and answer["withdrawal_code"], (i, status, answer)
        assert statuses[200] == lost_acks and statuses[201] == len(unacked) - lost_acks
        for i in list(acked)[:50]:  # an acknowledged one sent again: the same code, not stored twice
            assert c.submit("clienten", bodies[i]) == (200, {"withdrawal_code": acked[i]})

        rows = live.export_rows(server_db, tmp_path, "clienten", tmp_path / "after-resubmit.csv")
        assert sorted(row["c_open_tips"] for row in rows) == sorted(b["answers"]["c_open_tips"] for b in bodies)
        assert_whole(rows)
    finally:
        live.stop(restarted)
    # the kill really came in the middle of the load: requests were in flight, some never answered
    assert in_flight_at_kill and in_flight_at_kill[0] > 0 and lost_acks >= 0, (in_flight_at_kill, lost_acks)
    print(
        f"killed with {in_flight_at_kill[0]} requests in flight; {len(acked)} acknowledged, {lost_acks} stored without "
        f"acknowledgement, {len(unacked)} resubmitted"
    )


def race(workers: int, *jobs) -> list:
    """Run the jobs at the same moment, each on its own thread; return their results in order."""
    return at_once(*jobs)


def test_same_instance_from_eight_clients_stores_one_and_withdrawal_race_leaves_none(tmp_path, server_db):
    process = live.start(server_db, tmp_path, workers=2, threads=4)
    port = process.port
    clients = [live.Client(port) for _ in range(8)]
    try:
        for round_ in range(15):
            sent = body(f"twin-{round_}")
            results = race(8, *[lambda c=c, sent=sent: c.submit("clienten", sent) for c in clients])
            assert sorted(status for status, _ in results) == [200] * 7 + [201], results
            assert len({answer["withdrawal_code"] for _, answer in results}) == 1

        outcomes = collections.Counter()
        for round_ in range(15):
            sent = body(f"gone-{round_}")
            status, answer = clients[0].submit("clienten", sent)
            assert status == 201
            code = answer["withdrawal_code"]
            # before the withdrawal, a resubmission is acknowledged as stored already
            assert clients[6].submit("clienten", sent)[0] == 200
            results = race(
                4,
                lambda code=code: clients[1].withdraw(code),
                *[lambda c=c, sent=sent: c.submit("clienten", sent)[0] for c in clients[2:5]],
            )
            assert results[0] == 303, results  # deleted: post/redirect/get
            assert set(results[1:]) <= {200, 410}, results
            outcomes.update(results[1:])
            assert clients[5].submit("clienten", sent)[0] == 410  # withdrawn stays withdrawn
        rows = live.export_rows(server_db, tmp_path, "clienten", tmp_path / "export.csv")
    finally:
        live.stop(process)
    markers = collections.Counter(row["c_open_tips"] for row in rows)
    assert markers == {f"twin-{r}": 1 for r in range(15)}, markers
    # whichever way each race went (200: came before the withdrawal, 410: after it), none of the 45 racing
    # resubmissions stored the answers again (201), and none of the withdrawn ones is in the export.
    # Which side wins is up to the scheduler, so the mix is printed, not asserted.
    assert sum(outcomes.values()) == 45 and set(outcomes) <= {200, 410}, dict(outcomes)
    assert not any(marker.startswith("gone-") for marker in markers)
    print(f"resubmissions racing a withdrawal: {dict(outcomes)}")
