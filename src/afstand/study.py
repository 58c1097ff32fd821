"""A study folder: its ``study.toml``, its instruments and settings.

A study is data (``studies/<id>/``); a second study needs a new folder, not new code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from afstand import config as settings
from afstand.errors import StudyError
from afstand.instrument.loader import load_instrument
from afstand.instrument.model import Instrument
from afstand.instrument.workbook_files import FORM_SUFFIXES


class StudyDefinitionError(StudyError):
    """A study folder that exists but must not be used as it is (e.g. breakdowns that would let a small
    group be derived): unlike a missing folder, a web study must not fall back to "no study folder"."""


@dataclass(frozen=True)
class Breakdown:
    instrument: str
    name: str
    item: str
    contains: str | None = None
    bands: tuple[float, ...] | None = None


@dataclass
class Study:
    root: Path
    config: dict[str, Any] = field(repr=False)
    # the publication ledger (docs/disclosure-control.md): wave label ("" without waves) → instrument →
    # breakdown → groups hidden in an earlier publication of that wave, which stay hidden; ``wave`` is
    # the wave that an analysis with this study is of (see :meth:`held_cells`, :meth:`publishing`)
    ledger: dict[str, dict[str, dict[str, frozenset[str]]]] = field(default_factory=dict, repr=False)
    wave: str = ""

    @classmethod
    def load(cls, root: str | os.PathLike[str]) -> "Study":
        root = Path(root)
        path = root / "study.toml"
        if not path.is_file():
            raise StudyError(f"{root}: not a study folder (no study.toml)")
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise StudyError(f"{path}: {err}") from None
        if not config.get("instruments"):
            raise StudyError(f"{path}: no [instruments.<name>] table")
        _check_bands(path, config)
        return cls(root=root, config=config)

    def publishing(self, wave: str | None, ledger: dict | None = None) -> "Study":
        """A copy of the study for publishing ``wave`` under ``ledger`` (see the ``ledger`` field)."""
        copy = replace(self, ledger=self.ledger if ledger is None else ledger, wave=wave or "")
        for name, member in vars(type(self)).items():  # the parsed forms: not parsed again per copy
            if isinstance(member, cached_property) and name in self.__dict__:
                copy.__dict__[name] = self.__dict__[name]
        return copy

    def held_cells(self, instrument: str, wave: str | None = None) -> dict[str, frozenset[str]]:
        """breakdown → groups that must stay hidden in ``instrument``'s results of ``wave`` (default: :attr:`wave`)."""
        return dict(self.ledger.get(self.wave if wave is None else wave, {}).get(instrument, {}))

    @property
    def id(self) -> str:
        return self.config.get("study", {}).get("id", self.root.name)

    @property
    def title(self) -> str:
        return self.config.get("study", {}).get("title", self.id)

    @property
    def instrument_names(self) -> list[str]:
        return list(self.config["instruments"])

    def instrument_config(self, name: str) -> dict[str, Any]:
        try:
            return self.config["instruments"][name]
        except KeyError:
            known = ", ".join(self.instrument_names)
            raise StudyError(f"{self.root / 'study.toml'}: no instrument {name!r} (known: {known})") from None

    def form_path(self, name: str) -> Path:
        return self.root / self.instrument_config(name)["form"]

    def form_paths(self, name: str) -> list[Path]:
        """The published form (``form``) and, when there is one, the next version (``next``): in the
        order a survey server adds them, so the next version is what new respondents get."""
        config = self.instrument_config(name)
        return [self.root / config["form"]] + ([self.root / config["next"]] if config.get("next") else [])

    def instrument(self, name: str) -> Instrument:
        if name not in self._instruments:
            self._instruments[name] = load_instrument(self.form_path(name))
        return self._instruments[name]

    def versions(self, name: str) -> list[Instrument]:
        """The instrument's versions in this study folder (:meth:`form_paths`: the published form,
        then the next version), each parsed once. What a data file's version column may name: the
        commands that read an instrument's data (``analyze``, ``trend``, ``report``) read such a
        file row by row as each version asked (``load_responses(known_versions=…)``)."""
        if name not in self._versions:
            self._versions[name] = [self.instrument(name)] + [load_instrument(path) for path in self.form_paths(name)[1:]]
        return self._versions[name]

    @cached_property
    def _instruments(self) -> dict[str, Instrument]:
        return {}

    @cached_property
    def _versions(self) -> dict[str, list[Instrument]]:
        return {}

    @property
    def min_group_size(self) -> int:
        return int(self.config.get("privacy", {}).get("min_group_size", 10))

    @property
    def missing_codes(self) -> tuple[str, ...]:
        """Missing-value codes for every item of the study (``[missing] codes = ["999"]``);
        each item can add its own in the XLSForm's ``missing`` column."""
        codes = self.config.get("missing", {}).get("codes", [])
        if not isinstance(codes, list):
            raise StudyError(f'{self.root / "study.toml"}: [missing] codes must be a list, e.g. codes = ["999"]')
        return tuple(str(c).strip() for c in codes if str(c).strip())

    @property
    def outlier_k(self) -> float:
        return float(self.config.get("outliers", {}).get("k", 3.0))

    def breakdowns(self, instrument: str) -> list[Breakdown]:
        out = []
        for raw in self.config.get("breakdowns", []):
            if raw.get("instrument") != instrument:
                continue
            bands = raw.get("bands")
            out.append(
                Breakdown(
                    instrument=instrument,
                    name=raw["name"],
                    item=raw["item"],
                    contains=raw.get("contains"),
                    bands=tuple(float(b) for b in bands) if bands else None,
                )
            )
        return out

    def comparison_patterns(self, instrument: str) -> list[str]:
        return list(self.config.get("comparisons", {}).get(instrument, []))

    def codebook(self):
        """All codebooks of ``[coding] codebooks`` (default: every ``codebooks/*.csv``) as one."""
        from afstand.coding.codebook import read_codebooks

        names = self.config.get("coding", {}).get("codebooks")
        paths = [self.root / n for n in names] if names else sorted(self.path("codebooks").glob("*.csv"))
        for path in paths:
            if not path.is_file():
                raise StudyError(f"{self.root / 'study.toml'}: [coding] codebook {path.name}: no such file")
        return read_codebooks(paths)

    def coding_questions(self) -> dict[str, tuple[str, str]]:
        """Codebook question → (instrument, item) of the open survey question it codes."""
        out = {}
        for question, target in self.config.get("coding", {}).get("questions", {}).items():
            instrument, _, item = str(target).partition(":")
            if instrument not in self.instrument_names or item not in self.instrument(instrument).items:
                raise StudyError(f"{self.root / 'study.toml'}: [coding.questions] {question} = {target!r}: no such instrument item")
            out[question] = (instrument, item)
        return out

    def guide_paths(self) -> list[Path]:
        return [self.root / g for g in self.config.get("coding", {}).get("guides", [])]

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)


def _check_bands(path: Path, config: dict) -> None:
    """Two ``bands`` breakdowns of one number item cut it twice: their band counts subtract from each
    other into a group no suppression of either breakdown sees (7–9 years = [5, 10) − ([0, 7) − [0, 5))),
    so a study that declares them is refused (docs/disclosure-control.md)."""
    seen: dict[tuple[str, str], str] = {}
    for raw in config.get("breakdowns", []):
        if not raw.get("bands"):
            continue
        key = (raw.get("instrument"), raw.get("item"))
        if key in seen:
            raise StudyDefinitionError(
                f"{path}: breakdowns {seen[key]!r} and {raw.get('name')!r} both put item {key[1]!r} of instrument {key[0]!r} "
                "into bands; their counts would subtract from each other into a group smaller than the minimum. "
                "Declare one bands breakdown per number item."
            )
        seen[key] = raw.get("name")


def studies_dir() -> Path:
    """Where the bundled studies live: $AFSTAND_STUDIES, else the repository's ``studies/``."""
    configured = settings.get("AFSTAND_STUDIES")
    if configured:
        return configured
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "studies"
        if candidate.is_dir() and any(candidate.glob("*/study.toml")):
            return candidate
    return Path.cwd() / "studies"


def find_study(study: str | os.PathLike[str] | None = None) -> Study:
    """A study by folder path or by id under :func:`studies_dir`; default: ``AFSTAND_STUDY``."""
    if study is None:
        study = settings.get("AFSTAND_STUDY")
    path = Path(study)
    if (path / "study.toml").is_file():
        return Study.load(path)
    candidate = studies_dir() / str(study)
    if (candidate / "study.toml").is_file():
        return Study.load(candidate)
    raise StudyError(f"{study}: no such study (looked for {path}/study.toml and {candidate}/study.toml)")


def resolve_instrument(spec: str, study: Study | None = None) -> tuple[Instrument, str]:
    """``werkers`` (an instrument of the study: its published form), ``werkers@next`` or
    ``werkers@<version>`` (one of its versions, :meth:`Study.versions`: ``form``, ``next``, the
    content hash of ``instrument show`` or the form's ``version`` setting) or a path to an XLSForm
    (or a LimeSurvey .lss) → (instrument, name)."""
    path = Path(spec)
    if path.suffix.lower() in FORM_SUFFIXES or path.is_file():
        instrument = load_instrument(path)
        return instrument, instrument.form_id
    study = study or find_study()
    name, at, wanted = spec.partition("@")
    if not at:
        return study.instrument(spec), spec
    versions = study.versions(name)
    keys = {"form": 0, **({"next": 1} if len(versions) > 1 else {})}
    for index, version in enumerate(versions):
        keys.update({version.version_id: index, version.version_id.partition("@")[2]: index})
        if version.version:
            keys.setdefault(str(version.version).strip(), index)
    if wanted.strip() not in keys:
        known = ", ".join(f"{name}@{k}" for k in [*("form", "next")[: len(versions)], *(v.version_id.partition("@")[2] for v in versions)])
        raise StudyError(f"{spec}: {study.root / 'study.toml'} has no such version of {name} (known: {known})")
    return versions[keys[wanted.strip()]], name
