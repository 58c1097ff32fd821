"""Submissions: store a response exactly once, withdraw it (short codes with a check
character), retention purge. Drafts are in :mod:`afstand.services.drafts`, the survey's page flow
in :mod:`afstand.services.survey_pages`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F

from afstand.responses.codes import DATA_CHARS, CodeTypo, code_characters, make_code, read_code
from afstand.responses.submission import check_submission
from afstand.services import scrub, signup_spool
from afstand.services.studies import instrument_for
from afstand.web.models import (
    AuditEvent,
    Counter,
    Draft,
    InstrumentVersion,
    Memo,
    Response,
    SignUp,
    Withdrawn,
    hash_code,
    random_key,
    tombstone_hash,
)


def monitor_rows(study, *, unknown_channel: str = "unknown", wave: str | None = None) -> list[dict]:
    """Per instrument of the study (of one wave, by label, or of all): responses stored (per day,
    per channel), target (the wave's own, per channel too, when it has them), declined and withdrawn
    counts, its version ids and the wave links: the live monitor."""
    rows = []
    wave_targets_all = {}
    if wave:
        chosen = study.waves.filter(label=wave).first()
        wave_targets_all = chosen.targets if chosen else {}
    names = InstrumentVersion.objects.filter(study=study).values_list("name", flat=True).distinct()
    for name in sorted(set(names)):
        versions = InstrumentVersion.objects.filter(study=study, name=name)
        if wave:
            versions = versions.filter(wave__label=wave)
        responses = Response.objects.filter(instrument_version__in=versions)
        # counted in the database (one GROUP BY each), not by reading every response
        by_day = sorted(responses.order_by().values_list("submitted_on").annotate(n=Count("id")))
        channels: dict[str, int] = {}
        for channel, n in responses.order_by().values_list("channel").annotate(n=Count("id")):
            channels[channel or unknown_channel] = channels.get(channel or unknown_channel, 0) + n
        by_channel = sorted(channels.items())
        counters: dict[str, int] = {}  # declined and withdrawn: of the wave, or summed over all
        found = Counter.objects.filter(study=study, instrument=name)
        for kind, value in (found.filter(wave__label=wave) if wave else found).values_list("kind", "value"):
            counters[kind] = counters.get(kind, 0) + value
        target = versions.exclude(target=None).order_by("-id").values_list("target", flat=True).first()
        wave_targets = dict(wave_targets_all.get(name, {}))
        target = wave_targets.pop("total", target)
        total = responses.count()
        rows.append(
            {
                "name": name,
                "total": total,
                "target": target,
                "percent": round(100 * total / target) if target else None,
                "declined": counters.get("declined", 0),
                "withdrawn": counters.get("withdrawn", 0),
                "by_day": by_day,
                "by_channel": [(c, n, wave_targets.get(c)) for c, n in by_channel],
                "versions": [f"{v.wave.label}: {v.version_id}" for v in versions.select_related("wave").order_by("id")],
                "links": [
                    f"/s/{study.slug}/m/{label}/{name}"
                    for label in dict.fromkeys(versions.filter(active=True).order_by("wave_id").values_list("wave__label", flat=True))
                ],
            }
        )
    return rows


def withdrawal_code(instance_id: uuid.UUID) -> str:
    """Derived from the instance id with the server's secret: returned again on a resubmission
    without being stored. 80 bits and a check character (:mod:`afstand.responses.codes`)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"withdraw:" + instance_id.bytes, hashlib.sha256).digest()
    return make_code(digest)


def read_withdrawal_code(typed: str) -> tuple[str | None, bool]:
    """(the canonical code, False) for what someone typed (case, spaces and dashes ignored);
    (None, True) for a typo the check character catches; (None, False) for text with no code shape."""
    try:
        return read_code(typed), False
    except CodeTypo:
        return None, True


CODE_LENGTH = DATA_CHARS + 1  # the characters of a code a respondent types (dashes and spaces aside)
_LEGACY = 20  # the earlier layout: five groups of four base-32 characters


@dataclass(frozen=True)
class TypedCode:
    """What someone typed in the withdrawal form: ``kind`` is ``empty``, ``typo`` (the check
    character says a character is wrong), ``length`` (too short or too long to be a code: no
    lookup) or ``code`` (``code`` is the text to look up); ``length`` is the characters typed."""

    kind: str
    code: str | None
    length: int


def read_typed_code(typed: str) -> TypedCode:
    compact = code_characters(typed)
    if not compact:
        return TypedCode("empty", None, 0)
    try:
        code = read_code(typed)
    except CodeTypo:
        return TypedCode("typo", None, len(compact))
    if code is not None:
        return TypedCode("code", code, len(compact))
    if len(compact) == _LEGACY:  # a code of the earlier layout, typed with or without its dashes
        return TypedCode("code", "-".join(compact[i : i + 4] for i in range(0, _LEGACY, 4)), len(compact))
    if len(compact) == CODE_LENGTH:  # the right length with a character no code has
        return TypedCode("typo", None, len(compact))
    return TypedCode("length", None, len(compact))


def withdrawn_before(code: str) -> bool:
    """Whether the response of this code was withdrawn earlier (its tombstone is kept)."""
    return Withdrawn.objects.filter(withdrawal_hash=tombstone_hash(hash_code(code))).exists()


@dataclass
class Outcome:
    status: int  # 201 stored, 200 already stored, 400 invalid, 410 withdrawn
    body: dict


def _lock_instance(withdrawal_hash: str) -> None:
    """Serialise submission and withdrawal of one instance inside the current transaction.

    SQLite transactions here are IMMEDIATE (one writer at a time) so nothing more is needed; on
    PostgreSQL a transaction-scoped advisory lock keyed by the withdrawal hash does it, so a
    withdrawal racing a resubmission of the same instance can never leave the answers behind."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(bytes.fromhex(withdrawal_hash[:16]), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def submit(
    version: InstrumentVersion, instance_id: uuid.UUID, answers: dict, *, channel: str = "", today: dt.date | None = None
) -> Outcome:
    """Store one submission exactly once: 201 stored, 200 already stored (same code again),
    400 invalid, 410 withdrawn earlier (nothing stored).

    A new submission costs one statement: an insert that stores nothing when the instance is
    already stored (unique instance id) or withdrawn (tombstone). SQLite runs it under its write
    lock; on PostgreSQL the instance's advisory lock orders it with a withdrawal. Only when it
    stored nothing do we look at why."""
    instrument = instrument_for(version)
    try:
        checked = check_submission(instrument, answers)
    except (ValueError, ArithmeticError, RecursionError, TypeError) as err:  # a rule the answers make unevaluable
        return Outcome(400, {"error": f"the answers cannot be checked: {type(err).__name__}"})
    code = withdrawal_code(instance_id)
    key = hash_code(code)
    if not checked.ok or not checked.consented:
        known = _known(instance_id, key, code, checked.answers if checked.ok and checked.consented else None)
        if known is not None:
            return known
        if not checked.ok:
            return Outcome(400, {"errors": {k: e.as_dict() for k, e in checked.errors.items()}})
        return decline(version, instance_id)
    row = Response(
        instrument_version=version,
        instance_id=instance_id,
        public_id=secrets.token_hex(8),
        answers=checked.answers,
        submitted_on=today or dt.date.today(),
        channel=channel[:20],
        withdrawal_hash=key,
    )
    # PostgreSQL: a transaction holding the instance's lock; SQLite: one autocommit statement is
    # atomic and runs under the database write lock
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        _lock_instance(key)
        stored = _insert_unless_known(row)
    if stored:
        return Outcome(201, {"withdrawal_code": code})
    known = _known(instance_id, key, code, row.answers)
    if known is None:
        raise IntegrityError("a response was neither stored nor found (random key collision?)")
    return known


def decline_key(version: InstrumentVersion, instance_id: uuid.UUID) -> str:
    """The key of a declined consent: 128 bits derived from the instance id, the study, the wave
    and the questionnaire with the server's secret. The decline page holds it, so that "I want to
    take part after all" can take back that decline (and no other); only its hash is stored."""
    scope = f"decline:{version.study.slug}/{version.wave_id}/{version.name}:".encode()
    return hmac.new(settings.SECRET_KEY.encode(), scope + instance_id.bytes, hashlib.sha256).hexdigest()[:32]


def _declined_row(study_slug: str, wave_id: int | None, name: str, key: str) -> str:
    """The stored hash of a decline key, bound to its questionnaire and wave: a key works only where it was made."""
    return hash_code(f"{study_slug}/{wave_id}/{name}:{key}")


def decline(version: InstrumentVersion, instance_id: uuid.UUID) -> Outcome:
    """Count a declined consent once per instance id (a replay is not counted again): 201 the first time, 200 after."""
    from afstand.web.models import Declined

    row = _declined_row(version.study.slug, version.wave_id, version.name, decline_key(version, instance_id))
    try:
        with transaction.atomic():
            Declined.objects.create(withdrawal_hash=row)
            count(version, "declined")
    except IntegrityError:
        return Outcome(200, {"withdrawal_code": None, "stored": False})
    return Outcome(201, {"withdrawal_code": None, "stored": False})


def take_back_decline(study, wave_id: int | None, name: str, key: str) -> bool:
    """Undo the decline of questionnaire ``name`` in the wave whose key this is ("I want to take
    part after all", or "yes" on the consent page that declined): its hash is deleted and that
    wave's count goes down by one, once. A made-up key, another questionnaire's or wave's key or a
    key used before changes nothing. True if undone."""
    from afstand.web.models import Declined

    with transaction.atomic():
        undone, _ = Declined.objects.filter(withdrawal_hash=_declined_row(study.slug, wave_id, name, key)).delete()
        if undone:
            counters = Counter.objects.filter(study=study, wave_id=wave_id, instrument=name, kind="declined", value__gt=0)
            counters.update(value=F("value") - 1)
    return bool(undone)


GONE = {"error": "this response was withdrawn; nothing was stored", "stored": False}
CONFLICT = {"error": "this instance_id was used before with other answers; nothing was stored", "stored": False}


def _known(instance_id: uuid.UUID, key: str, code: str, answers: dict | None) -> Outcome | None:
    """200 with the withdrawal code when this instance is stored with exactly ``answers``; 409 without
    the code when it is stored with other answers (knowing an instance id must not give its code);
    410 when it was withdrawn; else None."""
    stored = Response.objects.filter(instance_id=instance_id).values_list("answers", flat=True).first()
    if stored is not None:
        return Outcome(200, {"withdrawal_code": code}) if answers is not None and stored == answers else Outcome(409, CONFLICT)
    if Withdrawn.objects.filter(withdrawal_hash=tombstone_hash(key)).exists():
        return Outcome(410, GONE)
    return None


@lru_cache(maxsize=4)
def _insert_sql(vendor: str) -> str:
    """INSERT … SELECT … WHERE NOT EXISTS (tombstone) ON CONFLICT DO NOTHING, built once per database kind."""
    quote = connection.ops.quote_name
    fields = Response._meta.concrete_fields
    return (
        f"INSERT INTO {quote(Response._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join('%s' for _ in fields)} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {quote(Withdrawn._meta.db_table)} WHERE withdrawal_hash = %s) ON CONFLICT DO NOTHING"
    )


def _insert_unless_known(row: Response) -> bool:
    """Store ``row`` unless its instance is stored or withdrawn already: True if stored."""
    if row.id is None:
        row.id = random_key()
    values = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in Response._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values + [tombstone_hash(row.withdrawal_hash)])
        return cursor.rowcount == 1


def withdraw(code: str) -> bool:
    """Delete the response with this withdrawal code; keep a count and a tombstone (a keyed hash
    of the code's hash, not the deleted row's own hash) so that a late resubmission cannot store
    it again. No audit row: its place among the researchers' timed rows would date it (the
    ``withdrawn`` counter records it). Afterwards, on SQLite, the WAL is checkpointed so that its
    ``-wal`` file no longer holds the answers (:mod:`afstand.services.scrub`). True if one was deleted."""
    key = hash_code(code)
    with transaction.atomic():
        _lock_instance(key)
        response = Response.objects.select_related("instrument_version").filter(withdrawal_hash=key).first()
        if response is None:
            return False
        version = response.instrument_version
        Memo.objects.filter(study=version.study, target__startswith="answer:", target__endswith=f":{response.public_id}").delete()
        response.delete()  # its codings go with it (on_delete=CASCADE)
        Withdrawn.objects.get_or_create(withdrawal_hash=tombstone_hash(key))
        count(version, "withdrawn")
    if connection.vendor == "sqlite":
        scrub.after_delete(Response)  # PostgreSQL: VACUUM from `afstand signups flush` (cron), not in this request
    return True


def count(version: InstrumentVersion, kind: str) -> None:
    counter, _ = Counter.objects.get_or_create(study=version.study, wave_id=version.wave_id, instrument=version.name, kind=kind)
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)


def purge(older_than_days: int, today: dt.date | None = None, *, wave=None) -> dict[str, int]:
    """Delete responses, sign-ups and drafts older than the retention period; keep counts only.

    With ``wave`` only that wave's responses, sign-ups and drafts (expired drafts of every wave go too)."""
    cutoff = (today or dt.date.today()) - dt.timedelta(days=older_than_days)
    draft_cutoff = (today or dt.date.today()) - dt.timedelta(days=settings.AFSTAND_DRAFT_DAYS)
    with transaction.atomic():
        old = Response.objects.filter(submitted_on__lt=cutoff)
        old_signups = SignUp.objects.filter(signed_up_on__lt=cutoff)
        old_drafts = Draft.objects.filter(saved_on__lt=max(cutoff, draft_cutoff))
        if wave is not None:
            old = old.filter(instrument_version__wave=wave)
            old_signups = old_signups.filter(wave=wave)
            old_drafts = old_drafts.filter(wave=wave)
        responses, _ = old.delete()
        signups, _ = old_signups.delete()
        signups += signup_spool.purge(cutoff, wave)
        old_drafts.delete()
        Draft.objects.filter(saved_on__lt=draft_cutoff).delete()  # expired, whatever their wave
        where = f"wave {wave.study.slug}/{wave.label}, " if wave is not None else ""
        AuditEvent.objects.create(
            user="system", action="purge", detail=f"{where}before {cutoff.isoformat()}: {responses} responses, {signups} sign-ups"
        )
    return {"responses": responses, "signups": signups}
