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
   (cron), ``afstand purge``, or the owner's "write the waiting sign-ups of ended waves now" button — never
   inside a respondent's request, so the flush's transaction id and WAL record sit next to no
   respondent's response. It writes the sign-ups of every study and wave of which at least
   ``AFSTAND_SIGNUP_BATCH`` (k, default 10) wait, under an exclusive ``flock``, in one
   transaction that **rewrites the whole sign-up table**: it deletes every row and inserts all
   rows, old and new, in a fresh random order. Every live row then carries the same transaction
   id, physical order and rowids are a random permutation, and the table's content says only which
   sign-ups came before the last flush — in groups of at least k *per study and wave*.
3. **A closed wave: the rest, whatever their number.** Once a wave's fieldwork has ended (its
   ``ends_on`` is before the flush's day, so no respondent can answer it any more) a flush writes
   all its waiting sign-ups, even fewer than k (:func:`decide`). A batch says "these people signed
   up after the wave's previous batch": their answers are among the wave's responses that came in
   since then. While the wave is open, k sign-ups per batch keep that a matter of at least k
   people; for the closed wave's rest the guarantee comes from the responses instead: it is
   written only when at least k of the wave's responses are dated after its previous batch (all
   its responses when it has none), or none is dated on or after that batch's day (late sign-ups
   after the closing batch); otherwise only when at least k wait. Nothing records a wave as
   closed: each flush reads ``ends_on`` on its own day, so a wave whose end date is moved later is
   open again, and a sign-up made then waits for k others or the new end like any other. The date
   of each wave's latest batch is also kept in the spool (``.last-batches``), so that deleting
   stored sign-ups by hand does not widen that window.
   **The owner's view (review rev14 F2).** The owner closes and reopens a wave at will, so every
   flush of an ended wave is a look at its spool the owner chose: written or not, the owner learns
   what waited (nothing written also says something). So each flush that decides about an ended
   wave — whatever waits, nothing too — records the number of the wave's responses that had
   arrived (stored plus withdrawn) in the spool (``.ended-checks``), and a later flush decides
   about it again only once at least k more have arrived, or none: in between, whatever waits is
   *held*, whether one sign-up waits or none. Between two looks at an ended wave's spool there
   are then at least k responses (or none), never the one response of a close, reopen, close.
   The owner's button writes ended waves only; an open wave's batch waits for the scheduled
   ``afstand signups flush`` (pressed after every response, the button would tell whose answer
   brought the k-th sign-up). And no page shows how many wait, or anything else that changes
   with what waits (:func:`status` says per wave which rule applies, in words).
4. **No date of its own.** A stored sign-up's date (``signed_up_on``) is the date of the flush
   that wrote it, the same for its whole batch (retention counts from it): it cannot be joined to
   a response's date. The owner sees only stored sign-ups (no date column) and, per wave, the rule
   that applies to what waits (:func:`status`, point 3), never a spooled one nor their number.
5. **No dead generations.** On PostgreSQL the rewrite leaves the previous generation of the table
   as dead tuples (their ``xmin`` and membership give away the batches): the sign-up table is
   vacuumed (``VACUUM``) right after the commit. On SQLite (``secure_delete``) the WAL is checkpointed.
   WAL archives and physical backups still keep the history (docs/security.md).
6. **Exactly once.** Each spooled sign-up carries its random primary key; the flush inserts a key
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
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum

from afstand.fileio import atomic_write_bytes
from afstand.services import scrub
from afstand.web.models import Counter, Response, SignUp, Study, Wave, random_key

FIELDS = ("purpose", "name", "email", "phone", "availability")
BATCHES = ".last-batches"  # not *.json (a spooled sign-up): the day of each wave's latest batch (module docstring, point 3)
CHECKS = ".ended-checks"  # each ended wave's last decision: its day and the responses arrived by then (point 3)


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


@dataclass(frozen=True)
class Group:
    """The sign-ups of one study and wave waiting in the spool, and what a flush on ``today`` does
    with them (:func:`decide`).

    ``rule`` says which rule applies, whatever waits (the owner's page shows it in words, never
    ``waiting`` nor ``state``): ``"open"`` (the wave is open or has not started: written in groups
    of at least k by the scheduled flush), ``"ended"`` (its fieldwork has ended: what waits is
    written whatever its number), ``"ended-k"`` (it has ended, but fewer than k of its responses
    came in after its previous batch: written only when at least k wait), ``"held"`` (it has ended,
    a flush decided about it after an end before, and since then fewer than k of its responses
    arrived, but some: nothing is written; the module's point 3).

    ``state`` is what a flush does with the ``waiting`` ones: ``"ready"`` (at least k wait:
    written), ``"closed"`` (an ended wave's rest: written), ``"held"`` (kept: an ended wave's) or
    ``"open"`` (kept: fewer than k of an open wave)."""

    study: str
    wave: Wave | None  # None: sign-ups kept from before waves (or a wave deleted since)
    waiting: int
    state: str
    after: int | None = None  # ended waves: the wave's responses dated after its previous batch
    rule: str = "open"
    arrived: int = 0  # ended waves: the wave's responses so far, stored and withdrawn
    recent: int = 0  # ended waves: its responses dated on or after the flush's day

    @property
    def writable(self) -> bool:
        return self.waiting > 0 and self.state in ("ready", "closed")


def closed(wave: Wave | None, today: dt.date) -> bool:
    """Whether the wave's fieldwork has ended: no respondent can answer it on ``today`` any more
    (its links answer 410 from the day after ``ends_on``, :func:`afstand.services.waves.closure`)."""
    return wave is not None and wave.ends_on is not None and wave.ends_on < today


def decide(sizes: dict[tuple, int], today: dt.date) -> dict[tuple, Group]:
    """What a flush on ``today`` does with each group ``(study slug, wave id)`` of ``sizes`` sign-ups."""
    k = settings.AFSTAND_SIGNUP_BATCH
    ids = {wave for _, wave in sizes if wave is not None}
    waves = {w.id: w for w in Wave.objects.select_related("study").filter(id__in=ids)}
    folder = spool_dir()
    remembered, checks = _read(folder, BATCHES), _read(folder, CHECKS)
    out = {}
    for (slug, wave_id), n in sizes.items():
        wave = waves.get(wave_id) if wave_id is not None else None
        if wave is not None and wave.study.slug != slug:
            wave = None
        if not closed(wave, today):
            out[slug, wave_id] = Group(slug, wave, n, "ready" if n >= k else "open")
            continue
        responses = Response.objects.filter(instrument_version__wave=wave)
        arrived = responses.count() + (Counter.objects.filter(wave=wave, kind="withdrawn").aggregate(n=Sum("value"))["n"] or 0)
        if _held(checks.get(_batch_key(slug, wave_id)), arrived, responses, k):
            out[slug, wave_id] = Group(slug, wave, n, "held", None, "held", arrived)
            continue
        recent = responses.filter(submitted_on__gte=today).count()
        since = _last_batch(wave, remembered)
        if since is None:
            after = any_after = responses.count()
        else:  # a response dated the batch's own day may have come before or after it
            after = responses.filter(submitted_on__gt=since).count()
            any_after = responses.filter(submitted_on__gte=since).count()
        if any_after == 0 or after >= k:
            out[slug, wave_id] = Group(slug, wave, n, "ready" if n >= k else "closed", after, "ended", arrived, recent)
        else:
            out[slug, wave_id] = Group(slug, wave, n, "ready" if n >= k else "held", after, "ended-k", arrived, recent)
    return out


def _held(check: dict | None, arrived: int, responses, k: int) -> bool:
    """Whether no flush may decide about an ended wave now: one did after an end before (``check``:
    its day, the responses arrived by then, stored plus withdrawn, and how many were dated that day
    or later), and since then some, but fewer than k, have arrived. A withdrawal changes nothing
    (stored − 1, withdrawn + 1); a retention purge lowers the count, so "none arrived" also needs
    no more responses dated on or after that day than then (a new one is dated so)."""
    if not check:
        return False
    new = arrived - int(check.get("arrived", 0))
    if new >= k:
        return False
    recent = responses.filter(submitted_on__gte=dt.date.fromisoformat(check["on"])).count()
    return not (new <= 0 and recent <= int(check.get("recent", 0)))


def _last_batch(wave: Wave, remembered: dict[str, str]) -> dt.date | None:
    """The day the wave's latest batch was written: the latest date among its stored sign-ups,
    or the one the spool remembers (it outlives a deletion by hand), whichever is later."""
    stored = SignUp.objects.filter(wave=wave).order_by("-signed_up_on").values_list("signed_up_on", flat=True).first()
    kept = remembered.get(_batch_key(wave.study.slug, wave.id))
    dates = [d for d in (stored, dt.date.fromisoformat(kept) if kept else None) if d is not None]
    return max(dates) if dates else None


def _batch_key(slug: str, wave_id: int | None) -> str:
    return f"{slug}/{wave_id}"


def _read(folder: Path, name: str) -> dict:
    try:
        found = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _remember(folder: Path, name: str, values: dict) -> None:
    """Add ``values`` to the spool's file ``name`` (``BATCHES``, ``CHECKS``), durably, under the flush lock."""
    kept = _read(folder, name)
    kept.update(values)
    atomic_write_bytes(folder / name, json.dumps(kept, sort_keys=True).encode("utf-8"))  # mode 0600, synced


def _sizes(entries, study_slug: str | None = None) -> dict[tuple, int]:
    sizes: dict[tuple, int] = {}
    for e in entries:
        if study_slug is None or e.get("study") == study_slug:
            sizes[_group(e)] = sizes.get(_group(e), 0) + 1
    return sizes


def flush(force: bool = False, study_slug: str | None = None, today: dt.date | None = None) -> int:
    """Write the spooled sign-ups of every study and wave (of one study with ``study_slug``) that
    :func:`decide` finds writable on ``today`` — at least k wait, or the wave's fieldwork has ended
    — (or all, with ``force``) to the database, dated ``today`` (the flush's date, the same for
    the whole batch): the number written. The others stay in the spool.

    Called by ``afstand signups flush`` (cron), ``afstand purge`` and the owner's button, never in
    a respondent's request. ``force`` is for tests only; it may write any batch."""
    return flush_report(force, study_slug, today)["written"]


def flush_report(
    force: bool = False, study_slug: str | None = None, today: dt.date | None = None, ended_only: bool = False
) -> dict[str, int]:
    """:func:`flush`, with what it did: ``written`` (sign-ups stored) and ``closed`` (of them, the
    rest of ended waves, fewer than k). ``ended_only`` (the owner's button): only ended waves are
    written. Every ended wave it may decide about (not ``"held"``) is recorded as decided on, with
    the responses arrived (the module's point 3), whether anything waited or not."""
    today = today or dt.date.today()
    folder = spool_dir()
    with _locked(folder, wait=True):  # a second flush (cron and the owner's button) waits, then finds nothing
        entries = _entries(folder)
        sizes = _sizes((e for _, e in entries), study_slug)
        ended = Wave.objects.filter(ends_on__lt=today)
        for slug, wave_id in (ended.filter(study__slug=study_slug) if study_slug else ended).values_list("study__slug", "id"):
            sizes.setdefault((slug, wave_id), 0)  # decided on with nothing waiting too: "nothing" is an answer as well
        groups = decide(sizes, today)
        chosen = {key for key, g in groups.items() if force or (g.writable and (closed(g.wave, today) or not ended_only))}
        ready = [(path, e) for path, e in entries if _group(e) in chosen]
        report = {"written": 0, "closed": sum(g.waiting for key, g in groups.items() if key in chosen and g.state == "closed")}
        if ready:
            report["written"] = rewrite([e for _, e in ready], today=today)
            _remember(folder, BATCHES, {_batch_key(*key): today.isoformat() for key in chosen})
            for path, _ in ready:
                path.unlink(missing_ok=True)
        decided = {
            _batch_key(*key): {"on": today.isoformat(), "arrived": g.arrived, "recent": g.recent}
            for key, g in groups.items()
            if g.rule in ("ended", "ended-k")
        }
        if decided:
            _remember(folder, CHECKS, decided)
        _fsync_dir(folder)
    if ready:
        scrub.after_delete(SignUp)
    return report


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
        known = set(SignUp.objects.order_by().values_list("id", flat=True))
        rows = []  # the new ones; the stored ones are moved inside the database (_reorder)
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
        shuffle = secrets.SystemRandom().shuffle
        shuffle(rows)
        SignUp.objects.bulk_create(rows, batch_size=500)
        order = list(known)
        shuffle(order)
        _reorder(table, order)
    return added


def _reorder(table: str, order: list[int]) -> None:
    """Delete every sign-up row and insert it again, in ``order`` (row keys), inside the database:
    no row passes through Python, so a flush costs microseconds per stored sign-up, not the ORM's
    tens, while the table is locked (on SQLite every other writer waits; bench/signup_flush.py). Rolls back
    unless every deleted row was inserted again."""
    columns = [connection.ops.quote_name(f.column) for f in SignUp._meta.concrete_fields]
    key = connection.ops.quote_name(SignUp._meta.pk.column)
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement; the INSERT reads the rows the DELETE returns
            cursor.execute(
                f"WITH old AS (DELETE FROM {table} RETURNING {listed}), new AS (INSERT INTO {table} ({listed}) "
                f"SELECT {', '.join(f'old.{c}' for c in columns)} FROM old "
                f"JOIN unnest(%s::bigint[]) WITH ORDINALITY AS p(id, pos) ON p.id = old.{key} ORDER BY p.pos RETURNING 1) "
                f"SELECT (SELECT COUNT(*) FROM old), (SELECT COUNT(*) FROM new)",
                [order],
            )
            deleted, written = cursor.fetchone()
        else:  # SQLite (no DELETE … RETURNING inside a statement): a copy in the new order, then back
            copy = "temp.afstand_signup_flush"
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(  # the permutation drives (CROSS JOIN: outer loop), each row found by its key's index
                f"CREATE TEMP TABLE afstand_signup_flush AS SELECT {', '.join(f'c.{c}' for c in columns)} "
                f"FROM json_each(%s) p CROSS JOIN {table} c ON c.{key} = p.value ORDER BY p.key",
                [json.dumps(order)],
            )
            cursor.execute(f"DELETE FROM {table}")
            deleted = cursor.rowcount
            cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {copy} ORDER BY rowid")
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE {copy}")
    if deleted != written:
        raise RuntimeError(f"sign-up flush: {written} rows written again of {deleted}")  # rolls the flush back


def status(study: Study, wave: Wave | None = None, today: dt.date | None = None) -> list[Group]:
    """What waits of a study, per wave (of one wave, or of all, oldest first; sign-ups without a
    wave last, when some wait), as :func:`decide` finds it on ``today``. For the owner's page,
    which shows each group's ``rule`` only, never what waits (see the module's point 3)."""
    today = today or dt.date.today()
    sizes = _sizes(e for e in pending(study.slug) if wave is None or e.get("wave") == wave.id)
    waves = [wave] if wave is not None else list(Wave.objects.filter(study=study).order_by("id"))
    for w in waves:
        sizes.setdefault((study.slug, w.id), 0)
    groups = decide(sizes, today)
    out = [groups[study.slug, w.id] for w in waves]
    if wave is None:
        known = {w.id for w in waves}
        out += [g for (_, wave_id), g in groups.items() if wave_id not in known]
    return out


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
    (for maintenance and tests; the owner sees :func:`stored_for` and :func:`status` only)."""
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
