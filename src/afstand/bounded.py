"""Bounded parsing of untrusted files: zip bombs are refused before parsing, and parsing runs in a
child process with CPU-time, memory and wall-clock limits.

* :func:`check_zip` reads only a zip file's central directory and refuses an archive whose members
  would decompress to more than ``max_member`` bytes each or ``max_total`` together, with more than
  ``max_members`` members, or with a member compressed more than ``max_ratio`` : 1 (past the first
  megabyte). Python's ``zipfile`` (used by openpyxl, pyxform and python-docx) never inflates a member
  past its declared size, so checking the declared sizes bounds the real work.
* :func:`run_bounded` runs a function in a forked child with ``RLIMIT_CPU`` and ``RLIMIT_AS`` set and
  a timeout, and returns its result (pickled through a pipe). The parent holds no database lock
  meanwhile (callers parse before they open a transaction). A child that is killed or runs out of
  memory becomes :class:`ParseLimit`, an :class:`~afstand.errors.AfstandError` (a 400 on the web).
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import select
import signal
import time
import types
import zipfile

from afstand.errors import AfstandError

MB = 1024 * 1024


class ParseLimit(AfstandError):
    """An upload that is too big to unpack or to parse within the limits."""


def check_zip(
    content: bytes, label: str, *, max_member: int = 64 * MB, max_total: int = 128 * MB, max_ratio: int = 100, max_members: int = 2000
) -> None:
    """Refuse a zip bomb before anything parses it; non-zip content passes unchanged."""
    if not content.startswith(b"PK"):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return  # not readable as a zip: the parser reports it in its own words
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise ParseLimit(f"{label}: too many parts in the file ({len(members)}; at most {max_members})")
        total = 0
        for info in members:
            if info.file_size > max_member:
                raise ParseLimit(
                    f"{label}: part {info.filename[:80]!r} unpacks to {info.file_size // MB} MB (at most {max_member // MB} MB)"
                )
            if info.file_size > MB and info.file_size > max_ratio * max(info.compress_size, 1):
                raise ParseLimit(
                    f"{label}: part {info.filename[:80]!r} is compressed {info.file_size // max(info.compress_size, 1)}:1 "
                    f"(at most {max_ratio}:1): refused as a possible zip bomb"
                )
            total += info.file_size
            if total > max_total:
                raise ParseLimit(f"{label}: unpacks to more than {max_total // MB} MB in total")


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_bounded(func, *args, label: str = "upload", timeout: float = 4.0, cpu_seconds: int = 4, memory: int = 768 * MB):
    """``func(*args)`` in a forked child with limits; its result, or its exception raised again here."""
    import resource

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_end)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
            limit = _vm_size() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            try:
                outcome = ("ok", func(*args))
            except MemoryError:
                outcome = ("error", (ParseLimit, f"{label}: needs more than {memory // MB} MB of memory to read", {}))
            except BaseException as err:  # noqa: BLE001 — passed to the parent as (class, message, attributes)
                outcome = ("error", (type(err), str(err), dict(vars(err))))
            try:
                data = pickle.dumps(outcome)
            except Exception as err:  # noqa: BLE001
                data = pickle.dumps(("error", (AfstandError, f"{label}: {outcome[1]} ({type(err).__name__})", {})))
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)  # no atexit, no finalizers: the parent's database connections stay untouched
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise ParseLimit(f"{label}: reading it took longer than {timeout:g} s; refused")
            ready, _, _ = select.select([read_end], [], [], left)
            if ready:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
            raise ParseLimit(f"{label}: reading it needs more than {cpu_seconds} s of processor time; refused")
        raise ParseLimit(f"{label}: could not be read within the limits (memory {memory // MB} MB, {cpu_seconds} s)")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise _rebuild(*value)
    return value


def _rebuild(cls: type, message: str, attributes: dict) -> BaseException:
    """The child's exception again, without calling its __init__ (DataError takes problems, not a message)."""
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        return AfstandError(message)
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error


# Results cross the pipe pickled: the core's frozen models hold read-only mappings.
def _mapping_proxy(content: dict) -> types.MappingProxyType:
    return types.MappingProxyType(content)


copyreg.pickle(types.MappingProxyType, lambda proxy: (_mapping_proxy, (dict(proxy),)))
