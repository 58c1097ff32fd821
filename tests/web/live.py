"""A real `afstand serve` on 127.0.0.1 for end-to-end, crash and race tests (never another host)."""

from __future__ import annotations

import csv
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

EXE = str(Path(sys.executable).with_name("afstand"))


def listening_socket() -> socket.socket:
    """A socket bound to a port the kernel picks on 127.0.0.1, already listening: handed to the server as
    an open file descriptor, so no other process can take the port between choosing and binding it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def server_env(var: Path) -> dict:
    env = {**os.environ, "AFSTAND_VAR": str(var)}
    env.pop("AFSTAND_TESTING", None)
    return env


def start(db: str, var: Path, *, workers: int = 2, threads: int = 1, pipe: bool = True) -> subprocess.Popen:
    """Start the server in its own process group (so a crash test can SIGKILL all of it) on a socket bound
    here (``process.port``), and wait until it answers."""
    out = subprocess.PIPE if pipe else subprocess.DEVNULL
    sock = listening_socket()
    port = sock.getsockname()[1]
    try:
        process = subprocess.Popen(
            [
                EXE,
                "serve",
                "--fd",
                str(sock.fileno()),
                "--port",
                str(port),
                "--db",
                db,
                "--demo",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            env=server_env(var),
            stdout=out,
            stderr=out,
            text=True,
            start_new_session=True,
            pass_fds=(sock.fileno(),),
        )
    finally:
        sock.close()  # the server holds its own copy
    process.port = port
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read() if pipe else process.returncode}") from None
            time.sleep(0.1)
    kill(process)
    raise RuntimeError("server did not start within 60 s")


def start_with_form(var: Path, slug: str, title: str, name: str, form_text: str, *, workers: int = 1):
    """A study made from one form with `afstand study create` (as a researcher would), then served:
    the server process, its database URL and the form's file."""
    db = f"sqlite:///{var / 'afstand.sqlite3'}"
    form = var / f"{name}.md"
    form.write_text(form_text, encoding="utf-8")
    made = subprocess.run(
        [EXE, "study", "create", "--slug", slug, "--title", title, "--db", db, "--form", f"{name}={form}"],
        env=server_env(var),
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    return start(db, var, workers=workers), db, form


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the whole server (gunicorn master and workers) as a power cut would."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> tuple[str, str]:
    """Stop gracefully (SIGTERM to gunicorn's master); return what it printed."""
    process.terminate()
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        kill(process)
        out, err = process.communicate()
    return out or "", err or ""


class Client:
    """One keep-alive connection; reconnects after any network error."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
        try:
            self.conn.request(method, path, body, headers or {})
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
            return response.status, data, dict(response.getheaders())
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            raise

    def submit(self, instrument: str, body: dict) -> tuple[int, dict]:
        status, data, _ = self.request(
            "POST", f"/api/v1/surveys/{instrument}/responses", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        return status, json.loads(data)

    def withdraw(self, code: str) -> int:
        """The respondent's withdrawal form (no cookie, no token: respondent forms carry none)."""
        body = urllib.parse.urlencode({"code": code}).encode()
        status, _, _ = self.request("POST", "/intrekken", body, {"Content-Type": "application/x-www-form-urlencoded"})
        return status


def export_rows(db: str, var: Path, instrument: str, out: Path) -> list[dict]:
    """Stored responses as `afstand export` writes them (the researcher's view of what was stored)."""
    result = subprocess.run(
        [EXE, "export", "--instrument", instrument, "--db", db, "--format", "csv", "--out", str(out)],
        env=server_env(var),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """An ``afstand`` command as cron runs it, with the server's environment (its spool, its database)."""
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=300)


def post_form(port: int, path: str, fields: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})
        return conn.getresponse().status
    finally:
        conn.close()


def signup_rows(db_url: str) -> list[tuple]:
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as raw:
            return raw.execute("SELECT name, signed_up_on FROM afstand_signup").fetchall()
    import psycopg

    with psycopg.connect(db_url) as raw:
        return [(n, d.isoformat()) for n, d in raw.execute("SELECT name, signed_up_on FROM afstand_signup").fetchall()]
