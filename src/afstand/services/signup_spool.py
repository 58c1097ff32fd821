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
   The request writes nothing else anywhere (its rate limit counts outside the database too).
2. **Batch, at a moment no sign-up chose.** :func:`flush` runs from ``afstand signups flush``
   (cron), ``afstand purge``, or the owner's "write the waiting sign-ups now" button — never
   inside a respondent's request, so the flush's transaction id and WAL record sit next to no
   respondent's response. It writes the sign-ups of every study and wave of which at least
   ``AFSTAND_SIGNUP_BATCH`` (k, default 10) wait, under an exclusive ``flock``, in one
   transaction that **rewrites the whole sign-up table**: it deletes every row and inserts all
   rows, old and new, in a fresh random order. Every live row then carries the same transaction
   id, physical order and rowids are a random permutation, and the table's content says only which
   sign-ups came before the last flush — in groups of at least k *per study and wave*.
3. **No date of its own.** A stored sign-up's date (``signed_up_on``) is the date of the flush
   that wrote it, the same for its whole batch (retention counts from it): it cannot be joined to
   a response's date. The owner sees only stored sign-ups (no date column) and the number
   still waiting, never a spooled one.
4. **No dead generations.** On PostgreSQL the rewrite leaves the previous generation of the table
   as dead tuples (their ``xmin`` and membership give away the batches): the sign-up table is
   vacuumed (``VACUUM``) right after the commit. On SQLite (``secure_delete``) the WAL is checkpointed.
   WAL archives and physical backups still keep the history (docs/security.md).
5. **Exactly once.** Each spooled sign-up carries its random primary key; the flush inserts a key
   once, and deletes its spool files only after the commit. A crash between the commit and the
   deletion leaves files whose keys are stored already: the next flush skips them.
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

from afstand.services import scrub
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
    (returns only after it is on disk). Nothing goes to the database here: :func:`flush` does,
    later, at a moment not tied to this sign-up.

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


def _ready(entries: list[tuple[Path, dict]], force: bool, study_slug: str | None) -> list[tuple[Path, dict]]:
    sizes: dict[tuple, int] = {}
    for _, e in entries:
        sizes[_group(e)] = sizes.get(_group(e), 0) + 1
    return [
        (path, e)
        for path, e in entries
        if (study_slug is None or e.get("study") == study_slug) and (force or sizes[_group(e)] >= settings.AFSTAND_SIGNUP_BATCH)
    ]


def flush(force: bool = False, study_slug: str | None = None, today: dt.date | None = None) -> int:
    """Write the spooled sign-ups of every study and wave (of one study with ``study_slug``) of
    which at least k wait (or all, with ``force``) to the database, dated ``today`` (the flush's
    date, the same for the whole batch): the number written. The others stay in the spool.

    Called by ``afstand signups flush`` (cron), ``afstand purge`` and the owner's button, never in
    a respondent's request. ``force`` is for tests only; it may write a batch smaller than k."""
    folder = spool_dir()
    with _locked(folder, wait=True):  # a second flush (cron and the owner's button) waits, then finds nothing
        ready = _ready(_entries(folder), force, study_slug)
        if not ready:
            return 0
        written = rewrite([e for _, e in ready], today=today)
        for path, _ in ready:
            path.unlink(missing_ok=True)
        _fsync_dir(folder)
    scrub.after_delete(SignUp)
    return written


def rewrite(new: list[dict], today: dt.date | None = None) -> int:
    """One transaction: every sign-up row, old and new, deleted and inserted again in random order;
    the new ones dated ``today`` (the flush's date, not the sign-up's), the old ones keep theirs."""
    studies = dict(Study.objects.values_list("slug", "id"))
    waves = dict(Wave.objects.values_list("id", "study_id"))
    table = connection.ops.quote_name(SignUp._meta.db_table)
    written_on = today or dt.date.today()
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
                SignUp(id=e["id"], study_id=studies[e["study"]], wave_id=wave, signed_up_on=written_on, **{f: e.get(f, "") for f in FIELDS})
            )
            known.add(e["id"])
            added += 1
        secrets.SystemRandom().shuffle(rows)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
        SignUp.objects.bulk_create(rows, batch_size=500)
    return added


def waiting(study: Study, wave: Wave | None = None) -> dict[str, int]:
    """How many sign-ups of a study (of one wave, or of all) wait in the spool, and how many of
    them a flush would write now (their wave has at least k waiting)."""
    spooled = pending(study.slug)
    entries = [e for e in spooled if wave is None or e.get("wave") == wave.id]
    sizes: dict[tuple, int] = {}
    for e in spooled:
        sizes[_group(e)] = sizes.get(_group(e), 0) + 1
    ready = sum(1 for e in entries if sizes[_group(e)] >= settings.AFSTAND_SIGNUP_BATCH)
    return {"waiting": len(entries), "ready": ready, "k": settings.AFSTAND_SIGNUP_BATCH}


def stored_for(study: Study, wave: Wave | None = None) -> list[dict]:
    """The stored sign-ups of a study (of one wave, or of all), in random-key order, as the owner
    sees them: dicts with FIELDS and ``wave`` (its label, "" when it has none); no date."""
    labels = dict(Wave.objects.filter(study=study).values_list("id", "label"))
    rows = SignUp.objects.filter(study=study)
    if wave is not None:
        rows = rows.filter(wave=wave)
    return [{"id": s.id, "wave": labels.get(s.wave_id, ""), **{f: getattr(s, f) for f in FIELDS}} for s in rows.order_by("id")]


def all_for(study: Study, wave: Wave | None = None) -> list[dict]:
    """Every sign-up of a study (of one wave, or of all), stored or spooled, in random-key order
    (for maintenance and tests; the owner sees :func:`stored_for` and :func:`waiting` only)."""
    rows = stored_for(study, wave)
    stored = {r["id"] for r in rows}
    labels = dict(Wave.objects.filter(study=study).values_list("id", "label"))
    rows += [
        {"id": e["id"], "wave": labels.get(e.get("wave"), ""), **{f: e.get(f, "") for f in FIELDS}}
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
