"""Typed, immutable objects for an instrument read from an XLSForm.

The analysis metadata the study needs lives in the XLSForm itself, in extra columns
that pyxform passes through untouched:

survey sheet
    ``dimension``  the working-alliance dimension of a statement (``extra`` = none)
    ``key``        ``1`` or ``-1``: whether agreeing scores towards the high end
    ``pair``       ``<instrument>:<item>`` the item of the other instrument it is
                   contrasted with in the report
    ``missing``    missing-value codes of the item, separated by spaces or commas
                   (e.g. ``999 9999``): answers with these codes count as missing and
                   never enter means, percentages of valid answers or scales
choices sheet
    ``score``      the numeric value of a choice for scales (blank = no score, e.g.
                   "weet ik niet")
    ``collapse``   the collapsed category a choice falls into for figures
                   (e.g. ``helemaal_oneens`` and ``oneens`` both ``oneens``)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

SELECT_TYPES = ("select_one", "select_multiple")
NUMBER_TYPES = ("integer", "decimal")
#: How the analysis treats each kind of item.
KIND_OF_TYPE = {
    "select_one": "select_one",
    "select_multiple": "select_multiple",
    "integer": "number",
    "decimal": "number",
    "range": "number",
    "text": "text",
}
#: Types a respondent answers on afstand's own survey pages and through the JSON API (checked
#: on the server by :mod:`afstand.responses.submission`).
COLLECTED_TYPES = frozenset(
    {"select_one", "select_multiple", "integer", "decimal", "range", "text", "date", "time", "datetime", "acknowledge"}
)
#: Types whose value the server computes or the form fixes: never typed by a respondent.
COMPUTED_TYPES = frozenset({"calculate", "hidden"})


@dataclass(frozen=True, slots=True)
class Choice:
    name: str
    labels: Mapping[str, str]
    score: float | None = None
    collapse: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # other columns of the choices sheet (choice_filter reads them)

    def label(self, language: str | None = None) -> str:
        return _pick(self.labels, language) or self.name


@dataclass(frozen=True, slots=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.choices)

    def get(self, name: str) -> Choice | None:
        for choice in self.choices:
            if choice.name == name:
                return choice
        return None

    def collapsed(self) -> tuple[str, ...]:
        """The collapsed categories in the order they first appear."""
        seen: list[str] = []
        for c in self.choices:
            if c.collapse and c.collapse not in seen:
                seen.append(c.collapse)
        return tuple(seen)

    def collapsed_label(self, category: str, language: str | None = None) -> str:
        """Label of a collapsed category: the label of the choice of that name, if any."""
        choice = self.get(category)
        return choice.label(language) if choice else category.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Item:
    """A question: anything that holds an answer (notes and groups are not items)."""

    name: str
    type: str  # XLSForm type: select_one, select_multiple, integer, decimal, text, ...
    labels: Mapping[str, str]
    group: str | None = None  # name of the enclosing topic group
    choice_list: ChoiceList | None = None
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_messages: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[str, str] = field(default_factory=dict)
    appearance: str | None = None
    dimension: str | None = None
    key: int | None = None
    pair: str | None = None
    path: str = ""  # full path inside the form, e.g. "household/member/age" ("" = the name)
    repeat: str | None = None  # key of the innermost repeat holding this question
    calculation: str | None = None  # XLSForm calculation (type calculate, or a question with a calculation)
    choice_filter: str | None = None
    default: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)  # e.g. range start/end/step
    read_only: bool = False
    missing: tuple[str, ...] = ()  # declared missing-value codes (XLSForm column ``missing``)
    #: a condition as ``required`` (``${werkt} = 'ja'``; ``required`` is then False): the question is
    #: required while it holds (:meth:`afstand.instrument.engine.Engine.is_required`)
    required_if: str | None = None

    @property
    def kind(self) -> str:
        return KIND_OF_TYPE.get(self.type, "other")

    @property
    def collected(self) -> bool:
        """A respondent answers this question on the web and through the API."""
        return (
            self.type in COLLECTED_TYPES and not self.read_only and self.calculation is None and self.appearance != "label"
        )  # appearance label: the choice header row of a table-list

    @property
    def full_path(self) -> str:
        return self.path or self.name

    def label(self, language: str | None = None) -> str:
        return _pick(self.labels, language) or self.name


@dataclass(frozen=True, slots=True)
class Note:
    """A display-only row (type ``note``): text shown to the respondent."""

    name: str
    labels: Mapping[str, str]
    group: str | None = None
    relevant: str | None = None
    path: str = ""
    repeat: str | None = None
    hints: Mapping[str, str] = field(default_factory=dict)

    def label(self, language: str | None = None) -> str:
        return _pick(self.labels, language) or self.name


@dataclass(frozen=True, slots=True)
class Group:
    """A topic group: the web app shows one per page."""

    name: str
    labels: Mapping[str, str]
    relevant: str | None = None
    appearance: str | None = None
    elements: tuple[str, ...] = ()  # names of the items and notes inside, in order
    path: str = ""
    parent: str | None = None  # key of the enclosing group or repeat
    repeat: bool = False  # a repeat: its questions are answered once per instance
    repeat_count: str | None = None  # XLSForm repeat_count (fixed number of instances)
    children: tuple[str, ...] = ()  # direct children in order: item, note and group keys

    def label(self, language: str | None = None) -> str:
        return _pick(self.labels, language) or self.name


@dataclass(frozen=True, slots=True)
class Instrument:
    form_id: str
    title: str
    version: str  # the form's own version setting
    version_id: str  # immutable content hash, stamped on every response
    default_language: str
    languages: tuple[str, ...]
    items: Mapping[str, Item]
    groups: tuple[Group, ...]
    notes: Mapping[str, Note]
    choice_lists: Mapping[str, ChoiceList]
    source: str
    consent_item: str | None = None
    consent_choice: str | None = None  # the choice of consent_item that means "I take part"
    order: tuple[str, ...] = ()  # top-level items, notes and groups in document order
    #: every named field of the form (items, notes, calculate and metadata fields) → its path:
    #: the names of the enclosing groups, then its own name. Readers of other tools' exports
    #: match columns by these paths.
    field_paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # pyxform's warnings about the form (not errors: the form loads)
    paths: Mapping[str, str] = field(default_factory=dict)  # full path -> key of every item, note and group
    metadata: Mapping[str, str] = field(
        default_factory=dict
    )  # name -> type of metadata rows (start, end, today, deviceid, ...), not stored

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", MappingProxyType(dict(self.paths)))
        object.__setattr__(self, "field_paths", MappingProxyType(dict(self.field_paths)))
        object.__setattr__(self, "items", MappingProxyType(dict(self.items)))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))
        object.__setattr__(self, "choice_lists", MappingProxyType(dict(self.choice_lists)))

    def item(self, name: str) -> Item:
        return self.items[name]

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.name == key), None)

    @property
    def repeats(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.repeat)

    def dimensions(self) -> dict[str, list[Item]]:
        """Alliance dimensions and their statements (items marked ``extra`` excluded)."""
        dims: dict[str, list[Item]] = {}
        for item in self.items.values():
            if item.dimension and item.dimension != "extra":
                dims.setdefault(item.dimension, []).append(item)
        return dims

    def keyed_items(self) -> list[Item]:
        """Every item with a key, in form order (the alliance statements)."""
        return [i for i in self.items.values() if i.key is not None]


def _pick(labels: Mapping[str, str], language: str | None) -> str | None:
    if not labels:
        return None
    if language is not None:
        if language in labels:
            return labels[language]
        for lang, text in labels.items():  # accept "en" for "English (en)"
            if lang.endswith(f"({language})"):
                return text
    return next(iter(labels.values()))
