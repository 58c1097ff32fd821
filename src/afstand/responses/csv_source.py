"""Where a CSV file's bytes come from: a file on disk, read as a stream, or bytes in memory.

pyarrow reads a path through its own file reader, as ``pyarrow.csv.read_csv(path)`` does. That
costs a fraction of the system time of memory-mapping the file: on the virtual machines afstand is
measured on, the page faults of a mapped 300 MB file took 0.1–0.6 s of system time, the reads
0.06–0.12 s (``docs/benchmarks.md``). The line breaks, which tell whether a value holds one
(:func:`afstand.responses.readers._parse_csv`), are counted by a thread reading the file in
1 MB pieces into one reused buffer beside pyarrow.

Bytes and streams (uploads) are held in memory as they are.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pyarrow as pa

from afstand.errors import DataError, Problem, not_a_file, unreadable

PIECE = 1 << 20  # 1 MB: the comparison stays in the cache


class CsvSource:
    """A CSV file's bytes, for the reader: its size, its first bytes, a pyarrow input, the count
    of its line feeds, and (for messages and the rare second parse) all of it."""

    def __init__(self, source: str | os.PathLike[str] | bytes | io.IOBase, label: str) -> None:
        self.label = label
        self.path: Path | None = None
        self._buffer: pa.Buffer | None = None
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.is_file():
                raise DataError([Problem(label, not_a_file(path))])
            self.path = path
            self._stat = _identity(path.stat())
            self.size = self._stat[1]
        else:
            self._buffer = pa.py_buffer(source if isinstance(source, bytes) else source.read())
            self.size = len(self._buffer)

    def check_unchanged(self) -> None:
        """:class:`DataError` when the file is no longer the one first looked at (removed, replaced,
        shortened, added to or rewritten since): its parts may have been read from different
        versions of it. Nothing for bytes in memory."""
        if self.path is None:
            return
        try:
            now = _identity(self.path.stat())
        except OSError:
            now = None
        if now != self._stat:
            raise DataError(
                [
                    Problem(
                        self.label,
                        "the file changed while it was read (removed, replaced or written to): read it again when it is complete",
                    )
                ]
            )

    def head(self, n: int = 1 << 16) -> bytes:
        """The first ``n`` bytes (fewer for a shorter file)."""
        if self.path is None:
            return self._buffer.slice(0, min(n, self.size)).to_pybytes()
        try:
            with open(self.path, "rb") as handle:
                return handle.read(n)
        except OSError as err:  # e.g. no permission to read it
            raise DataError([Problem(self.label, unreadable(err))]) from None

    def last_byte(self) -> bytes:
        if self.size == 0:
            return b""
        if self.path is None:
            return self._buffer.slice(self.size - 1).to_pybytes()
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1)

    def whole(self) -> pa.Buffer:
        """All of the file (memory-mapped for a path, after :meth:`check_unchanged`: a map of a file
        shortened meanwhile would end the process with SIGBUS when read)."""
        if self._buffer is None:
            self.check_unchanged()
            if self.size == 0:
                self._buffer = pa.py_buffer(b"")
            else:
                with pa.memory_map(str(self.path)) as mapped:
                    self._buffer = mapped.read_buffer()
        return self._buffer

    def arrow_input(self) -> pa.NativeFile:
        """A new pyarrow input over the file, from its start."""
        if self._buffer is None:
            return pa.OSFile(str(self.path))
        return pa.BufferReader(self._buffer)

    def count_newlines(self) -> int:
        """The number of line feeds (byte 10) in the file."""
        if self._buffer is not None:
            data = np.frombuffer(self._buffer, dtype=np.uint8)
            return sum(_line_feeds(data[i : i + PIECE]) for i in range(0, len(data), PIECE))
        piece = bytearray(PIECE)
        view = np.frombuffer(piece, dtype=np.uint8)
        total = 0
        with open(self.path, "rb", buffering=0) as handle:
            while read := handle.readinto(piece):
                total += _line_feeds(view[:read])
        return total


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file and its version apart: device, size, inode and time of last change."""
    return stat.st_dev, stat.st_size, stat.st_ino, stat.st_mtime_ns


def _line_feeds(piece: np.ndarray) -> int:
    return int(np.count_nonzero(piece == 10))
