"""No client address in any log line at any level, gunicorn's error log included (issue 13, item 9)."""

from __future__ import annotations

import logging
import socket
import time

from afstand.web.config.logs import NoAddresses, scrub
from tests.web import live

CLIENT = "127.0.0.2"  # a loopback address of its own: the server's banner names the one it listens on, 127.0.0.1


def test_scrub_removes_addresses_and_keeps_times():
    line = "Invalid request from ip=203.0.113.5: bad; peer 2001:db8::1, ::ffff:10.0.0.1 at 2026-11-30 12:30:45"
    assert scrub(line) == "Invalid request from ip=[address]: bad; peer [address], [address] at 2026-11-30 12:30:45"
    assert scrub("version 1.2.3, ratio 3:1, 10:15") == "version 1.2.3, ratio 3:1, 10:15"


def test_every_django_log_line_passes_the_filter():
    root = logging.getLogger()
    assert any(isinstance(f, NoAddresses) for h in root.handlers for f in h.filters)
    record = logging.LogRecord("django.security", logging.DEBUG, __file__, 1, "client %s sent %s", ("198.51.100.7", "junk"), None)
    NoAddresses().filter(record)
    assert record.getMessage() == "client [address] sent junk"


def test_gunicorn_logs_no_address_for_malformed_requests(tmp_path):
    process = live.start(f"sqlite:///{tmp_path / 'afstand.sqlite3'}", tmp_path, workers=1)
    port = process.port
    try:
        for raw in (
            b"GARBAGE\r\n\r\n",
            b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"y" * 20000 + b"\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(CLIENT, 0)) as connection:
                connection.sendall(raw)
                try:
                    connection.recv(1000)
                except OSError:
                    pass
        time.sleep(0.5)
    finally:
        out, err = live.stop(process)
    logged = out + err
    assert "Invalid request" in logged or "[address]" in logged, logged[-2000:]  # gunicorn did log the bad requests...
    assert CLIENT not in logged, logged[-2000:]  # ...without the client's address
