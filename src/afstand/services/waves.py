"""Waves of a repeated study: create one from the previous (forms included), list, look up.

A wave has a label (``2021``), fieldwork dates, targets per instrument and channel, its own
links (``/s/<study>/m/<label>/<instrument>``) and its own instrument versions. Starting a new
wave copies the previous wave's active versions as new deployments: the same form content in
another wave is a row of its own, so the responses of the two waves stay apart. The newest
wave is the current one: the study's plain links (``/s/<study>/<instrument>``) lead to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from afstand.errors import AfstandError
from afstand.web.models import InstrumentVersion, Response, Study, Wave


def current_wave(study: Study) -> Wave | None:
    return Wave.objects.filter(study=study).order_by("-id").first()


def ensure_wave(study: Study, label: str | None = None) -> Wave:
    """The current wave, or a first one (labelled ``label`` or this year) when the study has none."""
    wave = current_wave(study)
    if wave is None:
        wave = Wave.objects.create(study=study, label=label or str(dt.date.today().year), targets={})
    return wave


def wave_by_label(study: Study, label: str | None) -> Wave | None:
    """A wave of the study by label; ``None`` or ``""`` → the current wave."""
    if not label:
        return current_wave(study)
    return Wave.objects.filter(study=study, label=label).first()


def waves_of(study: Study) -> list[Wave]:
    return list(Wave.objects.filter(study=study).order_by("id"))


def create_wave(
    study: Study,
    label: str,
    *,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    targets: dict | None = None,
    copy_from: Wave | None = None,
) -> Wave:
    """A new wave that copies ``copy_from`` (default: the current wave): its active versions as new
    deployments and, unless given, its targets. All or nothing."""
    from django.utils.text import slugify

    if not label or slugify(label) != label:
        raise AfstandError(f"wave label {label!r}: use letters, digits and hyphens only (e.g. 2022)")
    if Wave.objects.filter(study=study, label=label).exists():
        raise AfstandError(f"study {study.slug} already has a wave {label}")
    if starts_on and ends_on and ends_on < starts_on:
        from afstand.services.fieldwork import END_BEFORE_START, DateProblem

        raise DateProblem(END_BEFORE_START, wave=label, ends=ends_on, starts=starts_on)
    source = copy_from or current_wave(study)
    names = {v.name for v in _active_versions(source)} if source is not None else set()
    unknown = sorted(set(targets or {}) - names)
    if unknown:
        raise AfstandError(
            f"wave {label}: a target for {unknown[0]!r}, which is not a questionnaire of the wave (it has: {', '.join(sorted(names)) or 'none'})"
        )
    with transaction.atomic():
        wave = Wave.objects.create(
            study=study,
            label=label,
            starts_on=starts_on,
            ends_on=ends_on,
            targets=targets if targets is not None else dict(source.targets) if source else {},
        )
        if source is not None:
            for version in _active_versions(source):
                InstrumentVersion.objects.create(
                    study=study,
                    wave=wave,
                    name=version.name,
                    version_id=version.version_id,
                    filename=version.filename,
                    xlsform=version.xlsform,
                    target=version.target,
                    active=True,
                )
    return wave


def parse_targets(specs: list[str], option: str = "--target") -> dict[str, dict[str, int]]:
    """``werkers=150``, ``werkers:whatsapp=50`` → {"werkers": {"total": 150, "whatsapp": 50}} (the
    ``--target`` options of ``study wave create`` and the lines of the new-wave page)."""
    out: dict[str, dict[str, int]] = {}
    for spec in specs:
        head, sep, number = spec.partition("=")
        name, _, channel = head.partition(":")
        if not sep or not name.strip() or not number.strip().isdigit():
            raise AfstandError(f"{option} {spec!r}: expected INSTRUMENT=N or INSTRUMENT:CHANNEL=N with a whole number N")
        out.setdefault(name.strip(), {})[channel.strip() or "total"] = int(number)
    return out


def target_lines(targets: dict) -> list[str]:
    """The inverse of :func:`parse_targets`: one ``name=N`` or ``name:channel=N`` per target."""
    return [f"{name}={n}" if key == "total" else f"{name}:{key}={n}" for name, own in targets.items() for key, n in own.items()]


def _active_versions(wave: Wave) -> list[InstrumentVersion]:
    versions = list(InstrumentVersion.objects.filter(wave=wave).order_by("id"))
    out = {}
    for version in versions:
        if version.active or version.name not in out:
            out[version.name] = version
    return list(out.values())


def open_for_responses(wave: Wave, today: dt.date | None = None) -> bool:
    """Whether the wave's links take responses today (within its fieldwork dates, when set)."""
    today = today or dt.date.today()
    return not ((wave.starts_on and today < wave.starts_on) or (wave.ends_on and today > wave.ends_on))


@dataclass(frozen=True)
class Closure:
    """Why a wave's link takes no responses today: its fieldwork ``ended`` or has ``not_started``."""

    version: InstrumentVersion  # the version the link would give (for a researcher's preview)
    wave: Wave
    reason: str  # "ended" | "not_started"

    @property
    def date(self) -> dt.date:
        """The last day of fieldwork (ended) or the first (not started)."""
        return self.wave.ends_on if self.reason == "ended" else self.wave.starts_on


def closure(study_slug: str, name: str, label: str | None = None, today: dt.date | None = None) -> Closure | None:
    """Why ``/s/<study>/[m/<label>/]<name>`` takes no responses when its wave's fieldwork dates
    exclude today; None when the link does not exist at all (no such study, wave or questionnaire)
    or is open. Only asked after :func:`afstand.services.studies.active_version` found nothing:
    the submission path pays nothing for it."""
    study = Study.objects.filter(slug=study_slug).first()
    wave = wave_by_label(study, label) if study is not None else None
    if wave is None:
        return None
    version = InstrumentVersion.objects.select_related("study", "wave").filter(wave=wave, name=name, active=True).order_by("-id").first()
    if version is None:
        return None
    today = today or dt.date.today()
    if wave.starts_on and today < wave.starts_on:
        return Closure(version, wave, "not_started")
    if wave.ends_on and today > wave.ends_on:
        return Closure(version, wave, "ended")
    return None


def stored_instrument(study: Study, spec: str):
    """An instrument version stored for ``study`` (for ``afstand instrument diff --db``):

    * ``2021:werkers`` — the version wave 2021 gives new respondents (its active version);
    * ``werkers@3666cb6308de0910`` — that version (its content hash, as ``study wave list`` shows it);
    * ``werkers`` — the version the current wave gives new respondents.

    Raises AfstandError naming what the study has when nothing matches."""
    from afstand.services.studies import instrument_for

    label, _, name = spec.rpartition(":")
    name = name.strip()
    if "@" in name:
        found = InstrumentVersion.objects.filter(study=study, version_id=name).order_by("-id").first()
        if found is None:
            known = ", ".join(
                dict.fromkeys(InstrumentVersion.objects.filter(study=study).order_by("id").values_list("version_id", flat=True))
            )
            raise AfstandError(f"{spec}: study {study.slug} has no such version (its versions: {known or 'none'})")
        return instrument_for(found)
    wave = wave_by_label(study, label.strip() or None)
    if wave is None:
        known = ", ".join(w.label for w in waves_of(study))
        raise AfstandError(f"{spec}: study {study.slug} has no wave {label.strip()!r} (its waves: {known or 'none'})")
    versions = [v for v in _active_versions(wave) if v.name == name]
    if not versions:
        known = ", ".join(sorted(v.name for v in _active_versions(wave)))
        raise AfstandError(f"{spec}: wave {wave.label} of study {study.slug} has no questionnaire {name!r} (it has: {known or 'none'})")
    return instrument_for(versions[0])


def summary(study: Study) -> list[dict]:
    """Per wave: label, dates, its state today, targets, and per instrument its versions and stored responses."""
    from afstand.services.fieldwork import state

    out = []
    for wave in waves_of(study):
        instruments = {}
        for version in InstrumentVersion.objects.filter(wave=wave).order_by("id"):
            entry = instruments.setdefault(version.name, {"versions": [], "responses": 0})
            entry["versions"].append(version.version_id)
            entry["responses"] += Response.objects.filter(instrument_version=version).count()
        out.append(
            {
                "label": wave.label,
                "starts_on": wave.starts_on.isoformat() if wave.starts_on else None,
                "ends_on": wave.ends_on.isoformat() if wave.ends_on else None,
                "state": state(wave),  # "not_started" | "open" | "ended" (today)
                "targets": wave.targets,
                "instruments": instruments,
            }
        )
    return out
