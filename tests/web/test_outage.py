"""A PostgreSQL outage under load: 503 JSON with Retry-After, never a 500, and nothing acknowledged lost
(issue 13, item 11). Starts its own throwaway PostgreSQL (Debian's binaries; skipped without them)."""

from __future__ import annotations

import collections
import http.client
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.web import live

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

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path("/usr/lib/postgresql").is_dir() else None


def pg(data: Path, *args: str) -> None:
    subprocess.run(
        ["su", "postgres", "-s", "/bin/sh", "-c", " ".join([str(BIN / "pg_ctl"), "-D", str(data), *args])],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def postgres(tmp_path):
    if BIN is None or os.geteuid() != 0 or shutil.which("su") is None:
        pytest.skip("needs Debian's PostgreSQL binaries and root (as scripts/postgres.sh)")
    with live.listening_socket() as probe:
        port = 20000 + probe.getsockname()[1] % 12000  # below the ephemeral range (see scripts/postgres.sh)
    data = Path(f"/tmp/afstand-outage-{uuid.uuid4().hex[:8]}")
    env = {**os.environ, "AFSTAND_PG_PORT": str(port), "AFSTAND_PG_DATA": str(data)}
    url = subprocess.run(
        ["bash", str(Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    options = f"-o '-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={data} -c fsync=off' -l {data}/log -w"
    yield url, lambda: pg(data, "-m", "fast", "stop"), lambda: pg(data, options, "start")
    subprocess.run(
        ["bash", str(Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"), "stop"], env=env, capture_output=True, timeout=60
    )


def test_stopping_postgres_mid_load_gives_503_and_loses_nothing_acknowledged(tmp_path, postgres):
    url, stop_db, start_db = postgres
    server = live.start(url, tmp_path, workers=2)
    port = server.port
    acked: dict[str, str] = {}
    statuses: list[int] = []
    outage_answers: list[tuple[dict, str]] = []
    done = threading.Event()
    failures: list[str] = []
    lock = threading.Lock()

    def respondent() -> None:
        c = live.Client(port, timeout=30)
        while not done.is_set():
            body = {"instance_id": str(uuid.uuid4()), "answers": {**ANSWERS, "c_open_tips": f"tip-{uuid.uuid4().hex[:8]}"}}
            for _attempt in range(200):  # a real client: the same instance again until it is acknowledged
                try:
                    status, raw, headers = c.request(
                        "POST", "/api/v1/surveys/clienten/responses", json.dumps(body).encode(), {"Content-Type": "application/json"}
                    )
                except (OSError, http.client.HTTPException) as err:
                    with lock:
                        failures.append(type(err).__name__)
                    time.sleep(0.2)
                    continue
                with lock:
                    statuses.append(status)
                if status in (200, 201):
                    with lock:
                        acked[body["instance_id"]] = body["answers"]["c_open_tips"]
                    break
                if status == 503:
                    with lock:
                        outage_answers.append((json.loads(raw), headers.get("Retry-After", "")))
                time.sleep(0.2)

    try:
        threads = [threading.Thread(target=respondent) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 180
        while len(acked) < 20 and time.monotonic() < deadline:  # the workers are warm and the load runs
            time.sleep(0.2)
        stop_db()
        time.sleep(2.0)
        start_db()
        time.sleep(2.0)  # load goes on after the restart; each client finishes its current instance
        done.set()
        for t in threads:
            t.join(timeout=180)
    finally:
        live.stop(server)
    assert 500 not in statuses and set(statuses) <= {200, 201, 503}, sorted(set(statuses))
    assert outage_answers, (
        f"the outage was not seen: statuses {collections.Counter(statuses)}, network errors {collections.Counter(failures)}"
    )
    assert all("error" in body and retry == "5" for body, retry in outage_answers)
    rows = live.export_rows(url, tmp_path, "clienten", tmp_path / "export.csv")
    stored = [r["c_open_tips"] for r in rows]
    assert len(acked) > 20 and set(acked.values()) <= set(stored)  # every acknowledged submission is stored...
    assert len(stored) == len(set(stored))  # ...once
