"""Writing files so that a failure half-way never leaves half-written output."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside ``target``, then rename it into place."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(target: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


def replace_dir(source: Path, target: Path) -> None:
    """Move a fully written temporary folder into place of ``target``."""
    if target.exists():
        backup = target.with_name(f".{target.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        target.rename(backup)
        source.rename(target)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
