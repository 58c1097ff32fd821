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
        raise AfstandError(f"wave {label}: the fieldwork ends ({ends_on}) before it starts ({starts_on})")
    source = copy_from or current_wave(study)
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


def summary(study: Study) -> list[dict]:
    """Per wave: label, dates, targets, and per instrument its versions and stored responses."""
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
                "targets": wave.targets,
                "instruments": instruments,
            }
        )
    return out
