"""Rate limits shared by all workers, behind a reverse proxy, without keeping addresses.

* **Which client.** ``REMOTE_ADDR``, unless the request comes from a trusted proxy
  (``AFSTAND_TRUSTED_PROXIES``: addresses or networks): then the rightmost address in
  ``X-Forwarded-For`` that is not itself a trusted proxy. IPv6 addresses are masked to their /64
  (one household or phone gets one /64; counting single addresses would let a phone rotate).
* **Where the counts live.** Django's cache alias ``limits``: files in ``AFSTAND_LIMIT_DIR``
  (:class:`FileCounts`, Django's file-based cache; one folder on the app server that every
  gunicorn worker shares — put it on a tmpfs such as ``/dev/shm``), or Redis when
  ``AFSTAND_REDIS_URL`` is set. **Never the database**: a respondent's sign-up, API submission or
  withdrawal writes no row there (a row would carry its own transaction id and WAL record next to
  the respondent's response, marking who signed up and when an answer came). The per-account
  login counters (alias ``accounts``, researchers only) stay in a database table.
* **What a count reveals.** Keys are ``limit name : keyed BLAKE2b of (limit name, window
  number, subject)``, keyed with a random salt of the day that lives only in a file on the app
  server (``AFSTAND_LIMIT_SALT_DIR``) and is replaced every day; nothing in a key says which
  window (time) it counts, and nothing in the database or a backup can turn a key back into an
  address. Entries expire at the first midnight after their window, so a stored expiry says no
  more than a response's date does, and ``afstand signups flush`` (cron,
  :func:`afstand.services.scrub.sweep_limits`) deletes
  expired entries.
* **Floods.** A flood of new addresses creates entries in ``limits`` only; the store culls at
  ``AFSTAND_LIMIT_MAX_ENTRIES`` (a random third). Per-account counters live in the second alias,
  ``accounts``, with entries only for existing accounts, so no flood can push them out.

Counts are fixed windows: the counter of window ``w`` for subject ``s`` is one cache entry.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import ipaddress
import os
import secrets
import time
import zlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache


class FileCounts(FileBasedCache):
    """Django's file-based cache, culling at most every ``CULL_SECONDS`` per worker process (its
    stock ``set`` lists the whole folder on every write). Expired counters are deleted by
    :func:`afstand.services.scrub.sweep_limits` (cron)."""

    CULL_SECONDS = 10.0
    LOCK_STRIPES = 64
    _culled = -CULL_SECONDS  # per process, shared by its threads' cache objects

    def _cull(self):
        now = time.monotonic()
        if now - FileCounts._culled < self.CULL_SECONDS:
            return
        FileCounts._culled = now
        super()._cull()

    def hit(self, key: str, timeout: float) -> int:
        """Count one hit atomically across threads and worker processes; the new count.

        Django's ``add`` then ``incr`` is read-modify-write without a lock, so hits at the same
        moment were lost. Here the read and the write happen under an exclusive ``flock`` on one of
        ``LOCK_STRIPES`` lock files (chosen by the key, so there are never more lock files than
        that), and the value is written as Django writes it (a temporary file renamed into place),
        so a reader without the lock never sees half a file."""
        self._createdir()
        stripe = zlib.crc32(key.encode()) % self.LOCK_STRIPES
        with open(os.path.join(self._dir, f"lock-{stripe:02d}"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                seen = int(self.get(key, 0)) + 1
                self.set(key, seen, timeout)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return seen


def _value(v) -> int:
    return int(v() if callable(v) else v)


@lru_cache(maxsize=8)
def _networks(spec: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _parse(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in n for n in networks)


def client_address(request) -> str:
    """The client's address as a string (IPv6 masked to /64); "" when unknown."""
    networks = _networks(getattr(settings, "AFSTAND_TRUSTED_PROXIES", "") or "")
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    address = remote
    if _trusted(remote, networks):
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        address = None
        for hop in reversed(hops):  # rightmost first: the ones our own proxies appended
            parsed = _parse(hop)
            if parsed is None:
                break
            address = parsed
            if not _trusted(parsed, networks):
                break
        address = address or remote
    if address is None:
        return ""
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)


def client_key(request) -> str:
    return "a:" + client_address(request)


_SALTS: dict[str, bytes] = {}


def _salt() -> bytes:
    """Today's random salt, shared by the workers through a file on the app server (never in the database)."""
    day = dt.date.today().isoformat()
    salt = _SALTS.get(day)
    if salt is not None:
        return salt
    folder = Path(settings.AFSTAND_LIMIT_SALT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ratelimit-salt-{day}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker is writing it
            salt = path.read_bytes()
            if len(salt) == 32:
                break
            time.sleep(0.01)
    else:
        salt = secrets.token_bytes(32)
        with os.fdopen(fd, "wb") as handle:
            handle.write(salt)
        for old in folder.glob("ratelimit-salt-*"):  # yesterday's salt goes: old keys can never be recomputed
            if old != path:
                old.unlink(missing_ok=True)
    _SALTS.clear()
    _SALTS[day] = salt
    return salt


def _expiry(window_end: float) -> int:
    """Seconds until the first local midnight after ``window_end``."""
    end = dt.datetime.fromtimestamp(window_end)
    midnight = dt.datetime.combine(end.date() + dt.timedelta(days=1), dt.time())
    return max(1, int(midnight.timestamp() - time.time()) + 1)


class Limiter:
    def __init__(self, name: str, limit, window, alias: str = "limits"):
        """``limit`` and ``window`` (seconds) are numbers or callables returning them (read from settings late)."""
        self.name, self._limit, self._window, self.alias = name, limit, window, alias
        self.clock = time.time  # seconds; a test may replace it to step through windows

    def _key(self, subject: str) -> tuple[str, int]:
        window = _value(self._window)
        index = int(self.clock()) // window
        digest = hashlib.blake2b(f"{self.name}\0{index}\0{subject}".encode(), key=_salt(), digest_size=16).hexdigest()
        return f"{self.name}:{digest}", _expiry((index + 1) * window)  # the window is inside the digest only

    def count(self, subject: str) -> int:
        key, _ = self._key(subject)
        return int(caches[self.alias].get(key) or 0)

    def hit(self, subject: str) -> bool:
        """Count one hit; True when over the limit."""
        key, timeout = self._key(subject)
        cache = caches[self.alias]
        if hasattr(cache, "hit"):  # an atomic counter: FileCounts, or the database's (afstand.web.config.limit_cache)
            return cache.hit(key, timeout) > _value(self._limit)
        if cache.add(key, 1, timeout):
            seen = 1
        else:
            try:
                seen = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout)
                seen = 1
        return seen > _value(self._limit)

    def over(self, subject: str) -> bool:
        """At the limit already, without counting."""
        return self.count(subject) >= _value(self._limit)

    def reset(self) -> None:
        reset()


def reset() -> None:
    """Forget every count (tests, and an operator after an incident)."""
    for alias in ("limits", "accounts"):
        caches[alias].clear()
    _SALTS.clear()
