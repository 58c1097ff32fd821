"""The one layer between Django and afstand's core (kpi/formpack style).

Views and commands call these functions; nothing else in ``afstand.web`` imports the core.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import tempfile
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from afstand.instrument.loader import load_instrument
from afstand.instrument.model import Instrument
from afstand.responses.codes import make_code
from afstand.responses.submission import check_submission, compile_rules
from afstand.study import Study as CoreStudy
from afstand.study import find_study
from afstand.web.models import AuditEvent, Counter, Draft, InstrumentVersion, Response, Study, Withdrawn, hash_code, random_key

_INSTRUMENTS: dict[str, Instrument] = {}


def instrument_for(version: InstrumentVersion) -> Instrument:
    instrument = _INSTRUMENTS.get(version.version_id)
    if instrument is None:
        instrument = load_instrument(bytes(version.xlsform), name=version.filename)
        _INSTRUMENTS[version.version_id] = instrument
    return instrument


def active_version(study_slug: str, name: str) -> InstrumentVersion | None:
    return (InstrumentVersion.objects.select_related("study").filter(study__slug=study_slug, name=name, active=True)
            .order_by("-id").first())


def add_version(study: Study, name: str, filename: str, content: bytes, target: int | None = None) -> InstrumentVersion:
    """Store an uploaded XLSForm as a new immutable version (the same content twice: the same version)."""
    instrument = load_instrument(content, name=filename)
    compile_rules(instrument)  # a form whose skip logic the server cannot check is refused here
    existing = InstrumentVersion.objects.filter(version_id=instrument.version_id).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        InstrumentVersion.objects.filter(study=study, name=name, active=True).update(active=False)
        version = InstrumentVersion.objects.create(study=study, name=name, version_id=instrument.version_id, filename=filename,
                                                   xlsform=content, target=target, active=True)
    _INSTRUMENTS[version.version_id] = instrument
    return version


def load_study(core: CoreStudy) -> Study:
    """Create (or update) a study and its instrument versions from a study folder."""
    study, _ = Study.objects.get_or_create(slug=core.id, defaults={"title": core.title})
    for name in core.instrument_names:
        for path in core.form_paths(name):  # the published form, then the next version (the one new respondents get)
            add_version(study, name, path.name, path.read_bytes(), core.instrument_config(name).get("target"))
    return study


def load_demo() -> Study:
    return load_study(find_study())


def withdrawal_code(instance_id: uuid.UUID) -> str:
    """Derived from the instance id with the server's secret: returned again on a resubmission
    without being stored. 80 bits and a check character (:mod:`afstand.responses.codes`)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"withdraw:" + instance_id.bytes, hashlib.sha256).digest()
    return make_code(digest)


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


def submit(version: InstrumentVersion, instance_id: uuid.UUID, answers: dict, *, channel: str = "",
           today: dt.date | None = None) -> Outcome:
    """Store one submission exactly once: 201 stored, 200 already stored (same code again),
    400 invalid, 410 withdrawn earlier (nothing stored).

    A new submission costs one statement: an insert that stores nothing when the instance is
    already stored (unique instance id) or withdrawn (tombstone). SQLite runs it under its write
    lock; on PostgreSQL the instance's advisory lock orders it with a withdrawal. Only when it
    stored nothing do we look at why."""
    instrument = instrument_for(version)
    checked = check_submission(instrument, answers)
    code = withdrawal_code(instance_id)
    key = hash_code(code)
    if not checked.ok or not checked.consented:
        known = _known(instance_id, key, code)
        if known is not None:
            return known
        if not checked.ok:
            return Outcome(400, {"errors": {k: e.as_dict() for k, e in checked.errors.items()}})
        count(version, "declined")
        return Outcome(201, {"withdrawal_code": None, "stored": False})
    row = Response(instrument_version=version, instance_id=instance_id, public_id=secrets.token_hex(8), answers=checked.answers,
                   submitted_on=today or dt.date.today(), channel=channel[:20], withdrawal_hash=key)
    # PostgreSQL: a transaction holding the instance's lock; SQLite: one autocommit statement is
    # atomic and runs under the database write lock
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        _lock_instance(key)
        stored = _insert_unless_known(row)
    if stored:
        return Outcome(201, {"withdrawal_code": code})
    known = _known(instance_id, key, code)
    if known is None:
        raise IntegrityError("a response was neither stored nor found (random key collision?)")
    return known


GONE = {"error": "this response was withdrawn; nothing was stored", "stored": False}


def _known(instance_id: uuid.UUID, key: str, code: str) -> Outcome | None:
    """200 when this instance is stored, 410 when it was withdrawn, else None."""
    if Response.objects.filter(instance_id=instance_id).exists():
        return Outcome(200, {"withdrawal_code": code})
    if Withdrawn.objects.filter(withdrawal_hash=key).exists():
        return Outcome(410, GONE)
    return None


@lru_cache(maxsize=4)
def _insert_sql(vendor: str) -> str:
    """INSERT … SELECT … WHERE NOT EXISTS (tombstone) ON CONFLICT DO NOTHING, built once per database kind."""
    quote = connection.ops.quote_name
    fields = Response._meta.concrete_fields
    return (f"INSERT INTO {quote(Response._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {', '.join('%s' for _ in fields)} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {quote(Withdrawn._meta.db_table)} WHERE withdrawal_hash = %s) ON CONFLICT DO NOTHING")


def _insert_unless_known(row: Response) -> bool:
    """Store ``row`` unless its instance is stored or withdrawn already: True if stored."""
    if row.id is None:
        row.id = random_key()
    values = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in Response._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values + [row.withdrawal_hash])
        return cursor.rowcount == 1


def withdraw(code: str) -> bool:
    """Delete the response with this withdrawal code; keep a count and a tombstone (the code's
    hash) so that a late resubmission cannot store it again. True if one was deleted."""
    key = hash_code(code)
    with transaction.atomic():
        _lock_instance(key)
        response = Response.objects.select_related("instrument_version").filter(withdrawal_hash=key).first()
        if response is None:
            return False
        version = response.instrument_version
        from afstand.web.models import Memo

        Memo.objects.filter(study=version.study, target__startswith="answer:", target__endswith=f":{response.public_id}").delete()
        response.delete()  # its codings go with it (on_delete=CASCADE)
        Withdrawn.objects.get_or_create(withdrawal_hash=key)
        count(version, "withdrawn")
        # audited without the response, its id, its code or the time: only that one of this instrument was deleted, and the day
        midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
        AuditEvent.objects.create(at=midnight, user="respondent", action="withdrawal", detail=f"{version.study.slug}/{version.name}")
    return True


def count(version: InstrumentVersion, kind: str) -> None:
    counter, _ = Counter.objects.get_or_create(study=version.study, instrument=version.name, kind=kind)
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)


def version_by_id(version_id: str | None) -> InstrumentVersion | None:
    return InstrumentVersion.objects.select_related("study").filter(version_id=version_id).first() if version_id else None


def new_draft_token() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


def save_draft(token: str, state: str, today: dt.date | None = None) -> None:
    Draft.objects.update_or_create(token_hash=hash_code(token), defaults={"state": state, "saved_on": today or dt.date.today()})


def load_draft(token: str, today: dt.date | None = None) -> str | None:
    """The saved page state of a draft, or None when unknown or older than AFSTAND_DRAFT_DAYS."""
    draft = Draft.objects.filter(token_hash=hash_code(token)).first()
    if draft is None:
        return None
    if draft.saved_on < (today or dt.date.today()) - dt.timedelta(days=settings.AFSTAND_DRAFT_DAYS):
        draft.delete()
        return None
    return draft.state


def delete_draft(token: str | None) -> None:
    if token:
        Draft.objects.filter(token_hash=hash_code(token)).delete()


def purge(older_than_days: int, today: dt.date | None = None) -> dict[str, int]:
    """Delete responses and sign-ups older than the retention period; keep counts only."""
    from afstand.web.models import SignUp

    cutoff = (today or dt.date.today()) - dt.timedelta(days=older_than_days)
    with transaction.atomic():
        responses, _ = Response.objects.filter(submitted_on__lt=cutoff).delete()
        signups, _ = SignUp.objects.filter(signed_up_on__lt=cutoff).delete()
        draft_cutoff = (today or dt.date.today()) - dt.timedelta(days=settings.AFSTAND_DRAFT_DAYS)
        Draft.objects.filter(saved_on__lt=max(cutoff, draft_cutoff)).delete()
        AuditEvent.objects.create(user="system", action="purge", detail=f"before {cutoff.isoformat()}: {responses} responses, {signups} sign-ups")
    return {"responses": responses, "signups": signups}


@lru_cache(maxsize=64)
def core_study(slug: str) -> CoreStudy | None:
    """The study folder behind a web study (report layout, breakdowns, codebooks), when there is one.

    Cached per process: study folders are data shipped with the server, and loading one parses its
    XLSForms with pyxform (tens of milliseconds), which the coding screens would otherwise repeat per answer."""
    from afstand.errors import StudyError

    try:
        core = find_study(slug)
    except StudyError:
        return None
    return core if core.id == slug else None


def _stored_csv(study_slug: str, name: str, folder: Path) -> Path:
    from afstand.services.exports import rows, write

    header, data = rows(study_slug, name)
    path = folder / f"{name}.csv"
    with path.open("wb") as handle:
        write(header, data, "csv", handle)
    return path


def analyze_stored(study_slug: str, name: str) -> tuple[dict, Instrument]:
    """The CLI's ``analyze`` on the responses stored for one instrument (via the canonical CSV export)."""
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses
    from afstand.services.exports import latest_instrument

    instrument = latest_instrument(study_slug, name)
    core = core_study(study_slug)
    with tempfile.TemporaryDirectory(prefix="afstand-analyze-") as tmp:
        responses = load_responses(_stored_csv(study_slug, name, Path(tmp)), instrument, lenient=True)
    result = analyze(responses, name=name, study=core if core and name in core.instrument_names else None)
    return result, instrument


def figures_stored(study_slug: str, name: str, result: dict, instrument: Instrument) -> list[tuple[object, bytes]]:
    """The study's report figures of this instrument, drawn from ``result``: (FigureData, SVG bytes)."""
    from afstand.figures.build import build_figures, close, figure_bytes
    from afstand.report.build import ReportSpec

    core = core_study(study_slug)
    if core is None or result["n_consented"] == 0:
        return []
    spec = ReportSpec.load(core)
    entries = [e for e in spec.config.get("figures", []) if e["instrument"] == name]
    figures = build_figures(entries, {name: result}, {name: instrument}, spec.groups, spec.text("footnote"))
    try:
        return [(f, figure_bytes(f, "svg")) for f in figures]
    finally:
        close(figures)


def report_stored(study_slug: str, fmt: str, document: str = "rapport", codings: Path | None = None) -> tuple[str, bytes]:
    """Build the study report (or factsheet) in one format from the stored responses: (file name, bytes)."""
    from afstand.errors import AfstandError
    from afstand.report.build import build_report

    core = core_study(study_slug)
    if core is None:
        raise AfstandError(gettext("This study has no report layout (study folder)."))
    with tempfile.TemporaryDirectory(prefix="afstand-report-") as tmp:
        folder = Path(tmp)
        empty = [n for n in core.instrument_names if not Response.objects.filter(instrument_version__study__slug=study_slug,
                                                                                  instrument_version__name=n).exists()]
        if empty:
            raise AfstandError(gettext("No answers yet for %(names)s: the report needs answers to every questionnaire.") % {"names": ", ".join(empty)})
        data = {n: _stored_csv(study_slug, n, folder) for n in core.instrument_names}
        written = build_report(core, data, folder / "out", formats=(fmt,), codings=codings, workers=1)
        target = next(p for p in written if p.is_file() and p.suffix == f".{fmt}" and p.stem == document)
        content = target.read_bytes()
        if fmt == "html":  # one download: the figures go inside the page
            content = _embed_figures(content, target.parent)
        return target.name, content


def _embed_figures(html: bytes, folder: Path) -> bytes:
    """Replace ``src="figures/<key>.svg"`` by data: URIs so the downloaded page stands alone."""

    def inline(match: re.Match) -> bytes:
        path = folder / "figures" / match.group(1).decode()
        if not path.is_file():
            return match.group(0)
        return b'src="data:image/svg+xml;base64,' + base64.b64encode(path.read_bytes()) + b'"'

    return re.sub(rb'src="figures/([A-Za-z0-9_.-]+\.svg)"', inline, html)


def codings_file(study_slug: str) -> Path | None:
    """The study's codings as JSONL for the report's themes section: one line per coded or
    reviewed answer, its codes the union over coders. None when nothing is coded yet."""
    from afstand.services import coding as coding_store

    lines = coding_store.answer_lines(study_slug)
    if not lines:
        return None
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", prefix="afstand-codings-", delete=False, encoding="utf-8")
    with handle:
        handle.write("\n".join(lines) + "\n")
    return Path(handle.name)
