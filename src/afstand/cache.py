"""A small on-disk cache for results that are slow to compute and fully determined by a key.

Used for compiled instruments (pyxform's output, keyed by the content hash of the XLSForm)
and for columnar copies of large response files. Entries live under ``AFSTAND_CACHE_DIR``,
or else ``$XDG_CACHE_HOME/afstand`` (``~/.cache/afstand``). ``AFSTAND_CACHE_DIR=off``
switches the cache off.

A cache must never change a result: entries are written to a temporary file and renamed
into place (readers see a whole entry or none), and an entry that cannot be read or does
not parse is treated as absent and rewritten. When the cache folder cannot be created or
written (a read-only home, say), everything works as without a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable

from afstand import config

OFF = "off"


def root() -> Path | None:
    configured = config.get("AFSTAND_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() == OFF else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "afstand"


def key(*parts: bytes | str) -> str:
    """A hex digest of ``parts`` (each length-prefixed, so the split between them counts)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def path(kind: str, name: str) -> Path | None:
    base = root()
    return None if base is None else base / kind / name


def read_json(kind: str, entry: str) -> Any | None:
    """The JSON value stored under ``kind/entry.json``, or ``None`` (absent, unreadable or corrupt)."""
    target = path(kind, f"{entry}.json")
    if target is None:
        return None
    try:
        return json.loads(target.read_bytes())
    except (OSError, ValueError):
        return None


def write_json(kind: str, entry: str, value: Any) -> bool:
    """Store ``value``; ``False`` when the cache is off or cannot be written (never an error)."""
    return write_bytes(kind, f"{entry}.json", json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def write_bytes(kind: str, name: str, data: bytes) -> bool:
    return write_with(kind, name, lambda handle: handle.write(data))


def write_with(kind: str, name: str, write: Callable[[BinaryIO], object]) -> bool:
    """Store what ``write(handle)`` writes to a binary file, whole or not at all; ``False`` when
    the cache is off or cannot be written (never an error)."""
    target = path(kind, name)
    if target is None:
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, target)
        return True
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # no half-written file left behind
        raise
