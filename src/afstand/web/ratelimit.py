"""Rate limits kept in memory, per process (nothing about respondents is ever stored).

A :class:`Limiter` counts hits per key in fixed windows. Keys for respondents are salted
hashes of the client address with a per-process salt: they cannot be compared across restarts
and never leave memory. Researcher logins are limited per *username* in the database (see
:mod:`afstand.web.research.monitor`), so the limit holds across gunicorn workers.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

_SALT = secrets.token_bytes(16)


def client_key(request) -> bytes:
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.blake2b(address.encode(), key=_SALT, digest_size=16).digest()


class Limiter:
    def __init__(self, limit, window):
        """``limit`` and ``window`` (seconds) are numbers or callables returning them (read from settings late)."""
        self._limit, self._window = limit, window
        self.clock = time.time  # seconds; a test may replace it to step through windows
        self._lock = threading.Lock()
        self._seen: dict[bytes, tuple[int, int]] = {}

    def _value(self, v) -> int:
        return int(v() if callable(v) else v)

    def hit(self, key: bytes) -> bool:
        """Count one hit; True when over the limit."""
        window = int(self.clock()) // self._value(self._window)
        with self._lock:
            start, seen = self._seen.get(key, (window, 0))
            if start != window:
                start, seen = window, 0
                if len(self._seen) > 100_000:
                    self._seen.clear()
            seen += 1
            self._seen[key] = (start, seen)
        return seen > self._value(self._limit)

    def over(self, key: bytes) -> bool:
        """Over the limit already, without counting."""
        window = int(self.clock()) // self._value(self._window)
        with self._lock:
            start, seen = self._seen.get(key, (window, 0))
        return start == window and seen >= self._value(self._limit)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
