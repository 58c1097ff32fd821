"""Studies and their instrument versions: create a study, add a version, list, look up.

Every uploaded XLSForm becomes an immutable :class:`InstrumentVersion`; the newest one of a
name is the one new respondents get. The upload page and ``afstand study …`` call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from afstand.bounded import check_zip, run_bounded
from afstand.errors import AfstandError, InstrumentError, StudyError
from afstand.instrument.form_logic import load_for_web
from afstand.instrument.loader import load_instrument
from afstand.instrument.model import Instrument
from afstand.instrument.workbook_files import FORM_SUFFIXES
from afstand.study import Study as CoreStudy
from afstand.study import find_study
from afstand.web.models import InstrumentVersion, Membership, Study

_INSTRUMENTS: dict[str, Instrument] = {}


def instrument_for(version: InstrumentVersion) -> Instrument:
    """The parsed instrument of a stored version (parsed once per process)."""
    instrument = _INSTRUMENTS.get(version.version_id)
    if instrument is None:
        instrument = load_instrument(bytes(version.xlsform), name=version.filename)
        _INSTRUMENTS[version.version_id] = instrument
    return instrument


def active_version(study_slug: str, name: str, wave: str | None = None) -> InstrumentVersion | None:
    """The version new respondents of ``wave`` (a label; default: the study's current, newest wave)
    get; None when there is none or the wave's fieldwork dates exclude today. Without the XLSForm's
    bytes (loaded when first read) and without the study (one query when read): this runs on every
    submission, and one prepared statement costs a fifth of the ORM query it replaces (bench/submission.py)."""
    import datetime as dt

    today = dt.date.today()
    sql = _active_sql(connection.vendor, wave is not None)
    params = [study_slug, name, True] + ([wave] if wave is not None else []) + [today, today]
    return next(iter(InstrumentVersion.objects.raw(sql, params)), None)


@lru_cache(maxsize=8)
def _active_sql(vendor: str, by_label: bool) -> str:
    from afstand.web.models import Wave

    quote = connection.ops.quote_name
    version, study, wave = InstrumentVersion._meta, Study._meta, Wave._meta
    columns = ", ".join(f"v.{quote(f.column)}" for f in version.concrete_fields if f.name != "xlsform")
    wave_table, wave_id = quote(wave.db_table), quote(wave.pk.column)
    label = f" AND w.{quote(wave.get_field('label').column)} = %s" if by_label else ""
    chosen = (
        f"(SELECT w.{wave_id} FROM {wave_table} w WHERE w.{quote(wave.get_field('study').column)} = s.{quote(study.pk.column)}"
        f"{label} ORDER BY w.{wave_id} DESC LIMIT 1)"
    )
    starts, ends = quote(wave.get_field("starts_on").column), quote(wave.get_field("ends_on").column)
    return (
        f"SELECT {columns} FROM {quote(version.db_table)} v JOIN {quote(study.db_table)} s "
        f"ON s.{quote(study.pk.column)} = v.{quote(version.get_field('study').column)} "
        f"JOIN {wave_table} cw ON cw.{wave_id} = v.{quote(version.get_field('wave').column)} "
        f"WHERE s.{quote(study.get_field('slug').column)} = %s AND v.{quote(version.get_field('name').column)} = %s "
        f"AND v.{quote(version.get_field('active').column)} = %s AND v.{quote(version.get_field('wave').column)} = {chosen} "
        f"AND (cw.{starts} IS NULL OR cw.{starts} <= %s) AND (cw.{ends} IS NULL OR cw.{ends} >= %s) "
        f"ORDER BY v.{quote(version.pk.column)} DESC LIMIT 1"
    )


def version_by_id(version_id: str | None, wave_id: int | None = None) -> InstrumentVersion | None:
    """A deployed version by content hash (in ``wave_id`` when given: the same form may be deployed in several waves)."""
    if not version_id:
        return None
    found = InstrumentVersion.objects.select_related("study", "wave").filter(version_id=version_id)
    if wave_id is not None:
        found = found.filter(wave_id=wave_id)
    return found.order_by("-id").first()


def versions_of(study_slug: str, name: str, wave: str | None = None) -> list[InstrumentVersion]:
    """Every version of an instrument, oldest first: of one wave (by label) or of all waves."""
    found = InstrumentVersion.objects.select_related("wave").filter(study__slug=study_slug, name=name)
    if wave:
        found = found.filter(wave__label=wave)
    return list(found.order_by("id"))


def latest_instrument(study_slug: str, name: str, wave: str | None = None) -> Instrument | None:
    versions = versions_of(study_slug, name, wave)
    return instrument_for(versions[-1]) if versions else None


def check_form(filename: str, content: bytes) -> Instrument:
    """Load an XLSForm the way an upload is checked; raises AfstandError with one line on a bad form
    (an expression the evaluator cannot compile is one too: a 400 on the web, never a 500).

    The check is the core's :func:`afstand.instrument.form_logic.load_for_web`, the one
    ``afstand instrument check`` applies: a form that uses a refused feature is refused with the
    list (support matrix); an expression the web survey cannot evaluate (a mistake, or a function
    it does not evaluate) is refused naming its sheet, row, column and value.
    """
    try:
        return load_for_web(content, name=filename)
    except AfstandError:
        raise
    except (ValueError, ArithmeticError, RecursionError, TypeError, KeyError, IndexError) as err:
        raise InstrumentError(f"{filename[:100]}: this form cannot be used: {type(err).__name__}: {str(err)[:300]}") from None


#: What may be stored as a study's form, on the web and by the CLI alike (the same checks, the same refusals).
MAX_FORM_BYTES = 5 * 1024 * 1024
MAX_SLUG = 50  # a study's and an instrument's name: part of every link (Django's <slug:…>)
MAX_TITLE = 200
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def check_slug(what: str, value: str) -> None:
    """A study's or an instrument's name: letters, digits, - and _ only, at most 50 characters."""
    shown = value if len(value) <= 60 else value[:57] + "…"
    if not _SLUG.fullmatch(value):
        raise AfstandError(f"{what} {shown!r}: use only letters, digits, '-' and '_' (it is part of the links)")
    if len(value) > MAX_SLUG:
        raise AfstandError(f"{what} {shown!r}: at most {MAX_SLUG} characters ({len(value)})")


def check_title(title: str) -> None:
    if not title.strip():
        raise AfstandError("the study's title is empty")
    if len(title) > MAX_TITLE:
        raise AfstandError(f"the study's title has {len(title)} characters; at most {MAX_TITLE}")


def check_form_file(filename: str, content: bytes) -> None:
    """What the upload page refuses before reading a form: another kind of file, an empty one, a too large one."""
    name = filename[:100]
    if not filename.lower().endswith(FORM_SUFFIXES):
        raise InstrumentError(f"{name}: not an XLSForm (expected {', '.join(FORM_SUFFIXES)})")
    if not content:
        raise InstrumentError(f"{name}: the file is empty")
    if len(content) > MAX_FORM_BYTES:
        raise InstrumentError(f"{name}: too large ({len(content)} bytes; at most {MAX_FORM_BYTES})")


def parse_upload(filename: str, content: bytes) -> Instrument:
    """An uploaded XLSForm checked with bounds: zip sizes first, then :func:`check_form` in a child
    process with CPU, memory and time limits (afstand.bounded). Call it before opening a transaction."""
    check_form_file(filename, content)
    check_zip(content, filename[:100])
    return run_bounded(check_form, filename, content, label=filename[:100], **parse_limits())


def parse_limits() -> dict:
    """The child-process limits for parsing uploads (AFSTAND_PARSE_SECONDS, AFSTAND_PARSE_MEMORY_MB)."""
    return {
        "timeout": settings.AFSTAND_PARSE_SECONDS,
        "cpu_seconds": max(1, int(settings.AFSTAND_PARSE_SECONDS)),
        "memory": settings.AFSTAND_PARSE_MEMORY_MB * 1024 * 1024,
    }


def add_version(
    study: Study, name: str, filename: str, content: bytes, target: int | None = None, instrument: Instrument | None = None, wave=None
) -> InstrumentVersion:
    """Store an uploaded XLSForm as a new immutable version of ``wave`` (default: the current wave).

    The same content twice in one wave is the same version; in another study or wave it is a new
    deployment, so each wave's responses stay apart. ``instrument``: the form parsed already by
    :func:`parse_upload`, outside any transaction."""
    from afstand.services.waves import ensure_wave

    check_slug("instrument", name)
    if instrument is None:
        check_form_file(filename, content)
        instrument = check_form(filename, content)
    filename = filename if len(filename) <= 200 else filename[:180] + "…" + Path(filename).suffix[-19:]
    wave = wave or ensure_wave(study)
    existing = InstrumentVersion.objects.select_related("study").filter(wave=wave, version_id=instrument.version_id).first()
    if existing is not None:
        if existing.name != name:  # a version id is unique within a wave (another study or wave: a new deployment)
            raise AfstandError(
                f"{filename}: this form is already version {existing.version_id} of {existing.name!r} in wave "
                f"{wave.label} of study {existing.study.slug!r}; change the form (e.g. its version or form_id) to use it here"
            )
        return existing
    with transaction.atomic():
        InstrumentVersion.objects.filter(wave=wave, name=name, active=True).update(active=False)
        version = InstrumentVersion.objects.create(
            study=study,
            wave=wave,
            name=name,
            version_id=instrument.version_id,
            filename=filename,
            xlsform=content,
            target=target,
            active=True,
        )
    _INSTRUMENTS[version.version_id] = instrument
    return version


@dataclass(frozen=True)
class Form:
    """One XLSForm to store: the instrument's name in the study, the file name and its bytes."""

    name: str
    filename: str
    content: bytes
    target: int | None = None
    instrument: Instrument | None = None  # parsed already (parse_upload), or None to parse when stored


def add_form(study: Study, form: Form) -> InstrumentVersion:
    return add_version(study, form.name, form.filename, form.content, form.target, instrument=form.instrument)


def create_study(slug: str, title: str, forms: list[Form], *, owner=None) -> tuple[Study, list[InstrumentVersion]]:
    """A new study with its first instrument versions, all or nothing (a bad form leaves no study behind)."""
    check_slug("study", slug)
    check_title(title)
    if Study.objects.filter(slug=slug).exists():
        raise AfstandError(f"there already is a study named {slug}")
    if not forms:
        raise AfstandError("a study needs at least one form")
    with transaction.atomic():
        study = Study.objects.create(slug=slug, title=title)
        if owner is not None:
            Membership.objects.create(user=owner, study=study, role="owner")
        versions = [add_form(study, f) for f in forms]
    return study, versions


def study_by_slug(slug: str) -> Study:
    study = Study.objects.filter(slug=slug).first()
    if study is None:
        raise AfstandError(f"no study {slug!r} in this database")
    return study


def list_studies() -> list[dict]:
    """Every study with its instruments: name, active version id, number of versions, stored responses."""
    out = []
    for study in Study.objects.order_by("slug"):
        instruments = []
        versions = list(InstrumentVersion.objects.filter(study=study).order_by("id"))
        for name in dict.fromkeys(v.name for v in versions):
            mine = [v for v in versions if v.name == name]
            active = next((v for v in reversed(mine) if v.active), mine[-1])
            responses = sum(v.responses.count() for v in mine)
            instruments.append({"name": name, "version": active.version_id, "versions": len(mine), "responses": responses})
        out.append({"slug": study.slug, "title": study.title, "instruments": instruments})
    return out


def load_study(core: CoreStudy) -> Study:
    """Create (or update) a study and its instrument versions from a study folder (into its current
    wave; a first wave is labelled with the study's ``year``)."""
    from afstand.services.waves import ensure_wave

    study, _ = Study.objects.get_or_create(slug=core.id, defaults={"title": core.title})
    year = core.config.get("study", {}).get("year")
    ensure_wave(study, str(year) if year else None)
    for name in core.instrument_names:
        for path in core.form_paths(name):  # the published form, then the next version (the one new respondents get)
            add_version(study, name, path.name, path.read_bytes(), core.instrument_config(name).get("target"))
    return study


def load_demo() -> Study:
    """The default study ($AFSTAND_STUDY) from its study folder, with its instruments."""
    return load_study(find_study())


def study_or_folder(slug: str) -> Study:
    """The study in the database; when it is not there yet but a study folder has that id, loaded from the folder."""
    study = Study.objects.filter(slug=slug).first()
    if study is not None:
        return study
    core = core_study(slug)
    if core is None:
        raise AfstandError(f"no study {slug!r} in this database (and no study folder with that id)")
    return load_study(core)


@lru_cache(maxsize=64)
def core_study(slug: str) -> CoreStudy | None:
    """The study folder behind a web study (report layout, breakdowns, codebooks), when there is one.

    Cached per process: study folders are data shipped with the server, and loading one parses its
    XLSForms with pyxform (tens of milliseconds), which the coding screens would otherwise repeat per answer."""
    from afstand.study import StudyDefinitionError

    try:
        core = find_study(slug)
    except StudyDefinitionError:
        raise  # a folder that is there but refused: never fall back to no disclosure control
    except StudyError:
        return None
    return core if core.id == slug else None


def has_coding(slug: str) -> bool:
    """Whether the study folder wires codebook questions to survey items, or a codebook was uploaded."""
    core = core_study(slug)
    if core is not None:
        return bool(core.config.get("coding", {}).get("questions"))
    from afstand.web.models import UploadedCodebook  # a study made in the web app: an uploaded codebook

    return UploadedCodebook.objects.filter(study__slug=slug).exists()
