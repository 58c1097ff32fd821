"""An optional columnar copy of a parsed CSV response file, reused on the next run (``analyze --cache``).

Parsing a large CSV is most of what ``afstand analyze`` costs. With ``--cache`` the parsed
columns (dictionary-encoded text, exactly what :func:`afstand.responses.readers.read_csv`
returns) are stored as an uncompressed Arrow IPC file in the afstand cache folder
(:mod:`afstand.cache`, ``AFSTAND_CACHE_DIR``), under ``columnar/``. The entry's name is a digest of
the file's content (SHA-256 of every byte), the instrument's version (its content hash), this
format's version and pyarrow's version, so a changed file or form never finds a stale entry. The
next run memory-maps the entry instead of parsing; the file is still read once, to hash it.

The cache never changes a result: what is stored is the reader's output, validation and analysis
run as without it. An entry that cannot be opened, is truncated, fails Arrow's full validation
or does not match its own row count and column names is ignored and rewritten; a cache folder
that cannot be written is no error. Bytes and streams are not cached, only paths.
"""

from __future__ import annotations

import hashlib
import json
import os

import pyarrow as pa

from afstand import cache
from afstand.errors import Problem
from afstand.responses.readers import ID_COLUMN, Column, RawTable, read_csv

KIND = "columnar"
FORMAT = "columnar-2"  # 2: values with control characters and unclosed quotes are refused when read (entries of 1 may hold them)


def read_csv_cached(path: str | os.PathLike[str], instrument_version: str) -> RawTable:
    """:func:`read_csv` of ``path``, from the columnar cache when an entry for this content and
    instrument version exists, otherwise parsed and stored for the next run."""
    name = f"{entry_key(path, instrument_version)}.arrow"
    stored = _load(name, str(path))
    if stored is not None:
        return stored
    raw = read_csv(path)
    _store(name, raw)
    return raw


def entry_key(path: str | os.PathLike[str], instrument_version: str) -> str:
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return cache.key(FORMAT, pa.__version__, instrument_version, digest)


def _store(name: str, raw: RawTable) -> bool:
    names = list(raw.columns)
    arrays = []
    for column in raw.columns.values():
        index = column.index
        indices = pa.array(index, type=pa.int32(), mask=index < 0)
        arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(column.values.tolist(), type=pa.string())))
    problems = [{"message": p.message, "row": p.row, "column": p.column, "value": p.value} for p in raw.problems]
    try:
        meta = json.dumps({"rows": raw.n_rows, "problems": problems})
    except TypeError:  # a value JSON cannot hold: not cached rather than changed
        return False
    table = pa.Table.from_arrays(arrays, names=names, metadata={"afstand": meta}) if names else None

    def write(handle) -> None:
        with pa.ipc.new_file(handle, table.schema) as writer:
            writer.write_table(table)

    return table is not None and cache.write_with(KIND, name, write)


def _load(name: str, label: str) -> RawTable | None:
    """The stored table, or ``None`` when there is no usable entry."""
    target = cache.path(KIND, name)
    if target is None or not target.is_file():
        return None
    try:
        with pa.memory_map(str(target)) as source:
            table = pa.ipc.open_file(source).read_all()
        table.validate(full=True)
        meta = json.loads(table.schema.metadata[b"afstand"])
        if table.num_rows != meta["rows"] or len(set(table.column_names)) != table.num_columns:
            raise ValueError("the entry does not match its own description")
        columns = {n: Column.from_arrow(table.column(n)) for n in table.column_names}
        problems = [Problem(label, p["message"], row=p["row"], column=p["column"], value=p["value"]) for p in meta["problems"]]
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None  # corrupt or unreadable: parsed again and rewritten
    return RawTable(
        file=label,
        n_rows=int(meta["rows"]),
        columns=columns,
        headers={h: h for h in columns},
        id_column=ID_COLUMN if ID_COLUMN in columns else None,
        problems=problems,
    )
