"""A real server on 127.0.0.1 for end-to-end and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_db(tmp_path):
    """A fresh database for a live server: SQLite, or a new PostgreSQL database when the suite runs on PostgreSQL."""
    url = os.environ.get("AFSTAND_DB_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
        return
    import uuid

    import psycopg

    name = f"afstand_live_{uuid.uuid4().hex[:10]}"
    base, _, _ = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server(tmp_path, server_db):
    port = free_port()
    db = server_db
    env = {**os.environ, "AFSTAND_VAR": str(tmp_path)}
    env.pop("AFSTAND_TESTING", None)
    exe = Path(sys.executable).with_name("afstand")
    process = subprocess.Popen([str(exe), "serve", "--port", str(port), "--db", db, "--demo", "--workers", "2"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read())
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("server did not start")
    yield f"http://127.0.0.1:{port}", db, env, process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


