"""Sign-ups that no database metadata can order against a response.

A response row and a sign-up row written one after the other would carry neighbouring
transaction ids (PostgreSQL ``xmin``), neighbouring physical places (``ctid``, SQLite's hidden
``rowid``, and so the order of ``pg_dump`` and ``.dump``) and neighbouring WAL records. Anyone
with database or backup access could then join names and e-mail addresses to answers.

So a sign-up never goes to the database on its own:

1. **Spool.** The sign-up view writes it to one file in a spool folder outside the database
   (``AFSTAND_SIGNUP_SPOOL``, default ``$AFSTAND_VAR/signup-spool``), named by a random token,
   written to a temporary file, flushed with ``fsync`` and renamed into place (then the folder
   is synced), before the respondent sees "thank you". A crash loses nothing that was confirmed.
2. **Batch.** When at least ``AFSTAND_SIGNUP_BATCH`` (k, default 10) sign-ups of one wave of a
   study wait in the spool, one worker (an exclusive ``flock``) writes them to the database in one
   transaction that **rewrites the whole sign-up table**: it deletes every row and inserts all
   rows, old and new, in a fresh random order. Every live row then carries the same transaction
   id, physical order and rowids are a random permutation, and the table's content says only which
   sign-ups came before the last flush — in groups of at least k *per study and wave*. A sign-up
   belongs to the wave whose link its respondent came through (listed, exported and purged per
   wave); because each wave's sign-ups arrive in groups of at least k, the study and wave columns
   never single out fewer than k people (a wave with fewer than k sign-ups keeps them in the
   spool, where its owner sees them all the same).
3. **Exactly once.** Each spooled sign-up carries its random primary key; the flush inserts a key
   once, and deletes its spool files only after the commit. A crash between the commit and the
   deletion leaves files whose keys are stored already: the next flush skips them.

Sign-ups still in the spool are shown to the study's owner beside the stored ones (the owner's
list merges both, in random-key order), so nothing waits for a flush to be usable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from afstand.web.models import SignUp, Study, Wave, random_key

FIELDS = ("purpose", "name", "email", "phone", "availability")


def spool_dir() -> Path:
    folder = Path(settings.AFSTAND_SIGNUP_SPOOL)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _once(nonce: str) -> tuple[int, str]:
    """The key and spool file name of the sign-up form with this random nonce (keyed with the
    server's secret: as random as :func:`random_key` to anyone without it)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"signup:" + nonce.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % (2**62) + 1, digest[8:24].hex()


def add(study: Study, data: dict, today: dt.date | None = None, once: str | None = None, wave: Wave | None = None) -> None:
    """Spool one sign-up of ``wave`` (the wave whose link the respondent came through) durably
    (returns only after it is on disk), then flush when k of one wave are waiting.

    ``once`` is the form's random nonce: the same form sent again (a double tap, a reload) has the
    same key and file, so it is stored once (a flush inserts a key once)."""
    key, token = _once(once) if once else (random_key(), secrets.token_hex(16))
    entry = {"id": key, "study": study.slug, "wave": wave.id if wave is not None else None, "on": (today or dt.date.today()).isoformat()}
    entry.update({f: str(data.get(f) or "") for f in FIELDS})
    folder = spool_dir()
    tmp = folder / f".{secrets.token_hex(16)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, folder / f"{token}.json")
    _fsync_dir(folder)
    flush()


def _entries(folder: Path) -> list[tuple[Path, dict]]:
    out = []
    for path in folder.glob("*.json"):
        try:
            out.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # a file another flush removed meanwhile; a torn file cannot exist (rename after fsync)
    return out


def pending(study_slug: str | None = None) -> list[dict]:
    """Spooled sign-ups not yet in the database (for the owner's list)."""
    return [e for _, e in _entries(spool_dir()) if study_slug is None or e.get("study") == study_slug]


def _group(entry: dict) -> tuple:
    """The batch a spooled sign-up waits in: its study and wave (what the stored row will say)."""
    return entry.get("study"), entry.get("wave")


@contextlib.contextmanager
def _locked(folder: Path, wait: bool):
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def flush(force: bool = False) -> int:
    """Write the spooled sign-ups of every study and wave of which at least k wait (or all, with
    ``force``) to the database: the number written. The others stay in the spool.

    ``force`` is for tests and for ``afstand purge``-like maintenance only; it may write a batch
    smaller than k."""
    folder = spool_dir()
    with _locked(folder, wait=force) as mine:
        if not mine:
            return 0  # another worker is flushing
        entries = _entries(folder)
        sizes: dict[tuple, int] = {}
        for _, e in entries:
            sizes[_group(e)] = sizes.get(_group(e), 0) + 1
        ready = [(path, e) for path, e in entries if force or sizes[_group(e)] >= settings.AFSTAND_SIGNUP_BATCH]
        if not ready:
            return 0
        written = rewrite([e for _, e in ready])
        for path, _ in ready:
            path.unlink(missing_ok=True)
        _fsync_dir(folder)
        return written


def rewrite(new: list[dict]) -> int:
    """One transaction: every sign-up row, old and new, deleted and inserted again in random order."""
    studies = dict(Study.objects.values_list("slug", "id"))
    waves = dict(Wave.objects.values_list("id", "study_id"))
    table = connection.ops.quote_name(SignUp._meta.db_table)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # no other writer in between (purge, a second flush)
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        rows = list(SignUp.objects.all())
        known = {r.id for r in rows}
        added = 0
        for e in new:
            if e["id"] in known or e.get("study") not in studies:
                continue  # stored by a flush that crashed before it removed its files; or its study is gone
            wave = e.get("wave")
            if wave is not None and waves.get(wave) != studies[e["study"]]:
                continue  # its wave is gone (deleted with everything of it)
            rows.append(
                SignUp(
                    id=e["id"],
                    study_id=studies[e["study"]],
                    wave_id=wave,
                    signed_up_on=dt.date.fromisoformat(e["on"]),
                    **{f: e.get(f, "") for f in FIELDS},
                )
            )
            known.add(e["id"])
            added += 1
        secrets.SystemRandom().shuffle(rows)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
        SignUp.objects.bulk_create(rows, batch_size=500)
    return added


def all_for(study: Study, wave: Wave | None = None) -> list[dict]:
    """Every sign-up of a study (of one wave, or of all), stored or spooled, in random-key order:
    dicts with FIELDS, ``wave`` (its label, "" when it has none) and ``signed_up_on``."""
    labels = dict(Wave.objects.filter(study=study).values_list("id", "label"))
    stored_rows = SignUp.objects.filter(study=study)
    if wave is not None:
        stored_rows = stored_rows.filter(wave=wave)
    rows = [
        {"id": s.id, "wave": labels.get(s.wave_id, ""), "signed_up_on": s.signed_up_on, **{f: getattr(s, f) for f in FIELDS}}
        for s in stored_rows
    ]
    stored = {r["id"] for r in rows}
    rows += [
        {
            "id": e["id"],
            "wave": labels.get(e.get("wave"), ""),
            "signed_up_on": dt.date.fromisoformat(e["on"]),
            **{f: e.get(f, "") for f in FIELDS},
        }
        for e in pending(study.slug)
        if e["id"] not in stored and (wave is None or e.get("wave") == wave.id)
    ]
    return sorted(rows, key=lambda r: r["id"])


def purge(cutoff: dt.date, wave: Wave | None = None) -> int:
    """Delete spooled sign-ups dated before ``cutoff`` (retention; of one wave, or of all): the number deleted."""
    folder = spool_dir()
    deleted = 0
    with _locked(folder, wait=True):
        for path, e in _entries(folder):
            if dt.date.fromisoformat(e["on"]) < cutoff and (wave is None or (e.get("study"), e.get("wave")) == (wave.study.slug, wave.id)):
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted
