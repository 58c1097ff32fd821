"""The output folder of a report build: a staging folder beside it, moved into place whole."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from afstand.errors import AfstandError


def staging_dir(out_dir: Path) -> Path:
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
        if out_dir.exists() and (not out_dir.is_dir() or not writable(out_dir)):
            shutil.rmtree(staging, ignore_errors=True)
            raise AfstandError(f"{out_dir}: not a writable folder")
    except PermissionError:
        raise AfstandError(f"{out_dir}: cannot write here (permission denied)") from None
    except OSError as err:
        raise AfstandError(f"{out_dir}: cannot write here ({err.strerror})") from None
    return staging


def writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK | os.X_OK)


def move_into_place(staging: Path, out_dir: Path, written: list[Path]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    final = []
    for path in written:
        target = out_dir / path.name
        if path.is_dir():
            if target.exists():
                old = out_dir / f".{path.name}.old"
                shutil.rmtree(old, ignore_errors=True)
                target.rename(old)
                path.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                path.rename(target)
        else:
            path.replace(target)
        final.append(target)
    return final
