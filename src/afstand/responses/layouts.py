"""Export layouts: which column of a file holds which item, and how its answers are written.

One reader serves every layout. A :class:`Layout` is data: how headers name a question (by
name or by label, group paths joined by ``/`` or ``-``), how a select_multiple is written
(one column of names or labels, and/or one 0/1 column per choice), and which columns are
the exporting tool's own metadata. :func:`apply_layout` matches every header of a
:class:`~afstand.responses.readers.Grid` to the instrument by exact keys built from the
form (full path, name, or label), so nothing is guessed from the header's punctuation; the
best-matching layout is taken unless one is forced, and the result says which.

Layouts (after KoboToolbox's formpack and ODK Central's CSV export):

``afstand``      afstand's own CSV/XLSX export: ``response_id``, ``instrument_version``,
                 ``submission_date``, then one column per item named by the item
``kobo-xml``     Kobo "XML values and headers", with or without group names (``group/q``);
                 select_multiple as names and/or ``q/choice`` 0/1 columns; ``_id``,
                 ``_uuid``, ``_submission_time``, … as metadata
``kobo-labels``  Kobo "Labels": headers are question labels (``group label/label`` with
                 group headers), answers are choice labels, split columns ``label/choice label``
``odk-central``  ODK Central CSV: ``SubmissionDate``, group paths joined by ``-``,
                 ``meta-instanceID``, ``KEY``, ``ReviewState``, ``FormVersion``, …
``ms-forms``     Microsoft Forms: headers are labels, answers labels, several choices
                 joined by ``;``; ``Id``, start/end time, name and e-mail
``limesurvey``   LimeSurvey, "Answer codes": headings "Question code" (``code``, a multiple
                 choice's ``code[subquestion code]`` holding ``Y`` when chosen), "Full" or
                 "Abbreviated question text" or "Question code & question text"
                 (:mod:`afstand.responses.layout_limesurvey`); ``id``, ``lastpage``,
                 ``startlanguage``, ``seed`` as metadata; ``submitdate``, ``startdate``,
                 ``datestamp``, ``ipaddr``, ``refurl``, ``token`` never read
``limesurvey-labels`` the same with "Full answers": answer texts, ``Yes``/``No``/``N/A`` per option;
                 which of the two a file holds is read from its answers
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from afstand.errors import DataError, Problem
from afstand.instrument.model import Instrument, Item
from afstand.responses import layout_limesurvey as limesurvey
from afstand.responses.layout_keys import Target as _Target
from afstand.responses.layout_keys import keys_by_label, keys_by_name
from afstand.responses.layout_values import from_labels, from_parts, from_split, from_value_labels, recode
from afstand.responses.layout_values import norm as _norm
from afstand.responses.mixed import VERSION_COLUMN, read_versions
from afstand.responses.readers import ID_COLUMN, META_COLUMNS, Column, Grid, RawTable
from afstand.responses.row_filters import without_rows

#: the join columns of an afstand export with repeats (afstand.responses.tables)
REPEAT_META = ("_index", "_parent_table_name", "_parent_index", "_submission_response_id")

MAX_LISTED = 50


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    headers: str  # "names" or "labels"
    separators: tuple[str, ...]  # joining group path and name in headers ("" = bare name only)
    choice_separators: tuple[str, ...]  # between a question's header and a choice in split columns
    values: str  # "names" or "labels"
    multi_separator: str  # between choices in a one-column select_multiple
    id_headers: tuple[str, ...] = ()  # the first present becomes the response id
    metadata: tuple[str, ...] = ()  # the tool's own columns: kept apart, not analysed
    metadata_prefixes: tuple[str, ...] = ()
    identifying: tuple[str, ...] = ()  # a person or a precise time: never read in
    case_insensitive_meta: bool = False
    version_headers: tuple[str, ...] = ()  # the column naming each row's form version (the first present)
    fold_case: bool = False  # a name that matches no key exactly may match one ignoring case (SPSS names: LEEFTIJD)
    #: the group separators the tool lets a researcher choose: each is tried as ``separators``
    #: ``("", sep)`` and ``choice_separators`` ``(sep,)`` (Kobo's "group separator" is free text)
    group_separators: tuple[str, ...] = ()
    #: the heading styles the tool offers whose keys :mod:`afstand.responses.layout_limesurvey`
    #: builds: each is tried as ``key_style``
    heading_styles: tuple[str, ...] = ()
    key_style: str = ""
    #: the layout that reads the same headers with answers written the other way (codes, texts):
    #: which of the two a file is, is read from its answers (:func:`_by_answers`)
    twin: str | None = None
    typed_other: bool = False  # the column of a select_multiple's choice "other" holds typed text (q_other's answer)
    not_shown: frozenset[str] = frozenset()  # texts of a 0/1 column that mean "not shown" (empty)
    other_code: str = ""  # the code a select_one's "other" is written as

    def meta_kind(self, header: str) -> str | None:
        key = header.strip().lower() if self.case_insensitive_meta else header.strip()
        if key in self.identifying:
            return "dropped"
        if key in self.id_headers:
            return "id"
        if key in self.metadata:
            return "meta"
        return None

    def meta_prefixed(self, header: str) -> bool:
        key = header.strip().lower() if self.case_insensitive_meta else header.strip()
        return any(key.startswith(p) for p in self.metadata_prefixes)

    def variants(self, headers: Sequence[str] = ()) -> list["Layout"]:
        """The layout with each group separator the tool offers (itself when it offers none); a
        separator that no header holds reads like the first, so it is not tried again."""
        if self.heading_styles:
            return [replace(self, key_style=s, headers="names" if s == "code" else "labels") for s in self.heading_styles]
        if not self.group_separators:
            return [self]
        first, *others = self.group_separators
        used = [sep for sep in others if any(sep in h for h in headers)]
        return [replace(self, separators=("", sep), choice_separators=(sep,)) for sep in [first] + used]


# The known layouts, one per entry as a table.
# fmt: off
KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_version_", "_tags", "_index", "_parent_index", "_parent_table_name", "_attachments",
             "_geolocation", "_xform_id_string", "_submission__id", "_submission__uuid")
# a person or a precise time; a repeat's sheet copies the submission's columns as _submission_<column>
KOBO_IDENTIFYING = ("_submitted_by", "_submission_time", "_geolocation", "_submission__submitted_by",
                    "_submission__submission_time", "_submission__geolocation")
KOBO_SEPARATORS = ("/", ".", "-", ":", "|")  # formpack's group_sep is typed by the researcher; these are tried
CENTRAL_META = ("SubmissionDate", "meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "UserAgent",
                "instanceID", "PARENT_KEY")

LIME_META = tuple(code for code, (kind, _) in limesurvey.META.items() if kind == "meta")
LIME_IDENTIFYING = tuple(code for code, (kind, _) in limesurvey.META.items() if kind == "dropped")

LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("afstand", "afstand export (CSV or XLSX)", "names", ("", "/"), (), "names", " ",
               id_headers=(ID_COLUMN,), metadata=META_COLUMNS + REPEAT_META, version_headers=(VERSION_COLUMN,)),
        Layout("kobo-xml", "KoboToolbox, XML values and headers", "names", ("", "/"), ("/",), "names", " ",
               id_headers=("_uuid",), metadata=KOBO_META, metadata_prefixes=("_", "meta/", "formhub/"),
               identifying=KOBO_IDENTIFYING, version_headers=("__version__", "_version_"), group_separators=KOBO_SEPARATORS),
        Layout("odk-central", "ODK Central CSV", "names", ("-", ""), ("/", "-"), "names", " ",
               id_headers=("KEY", "meta-instanceID", "instanceID"), metadata=CENTRAL_META, metadata_prefixes=("meta-",),
               identifying=("SubmissionDate", "SubmitterID", "SubmitterName", "DeviceID", "UserAgent"),
               version_headers=("FormVersion",)),
        Layout("ms-forms", "Microsoft Forms export", "labels", ("",), (), "labels", ";",
               id_headers=("id", "nr", "nummer"), case_insensitive_meta=True,
               identifying=("begintijd", "tijd van voltooien", "e-mail", "email", "naam", "laatst gewijzigd",
                            "laatste wijzigingstijd", "start time", "completion time", "name", "last modified time")),
        Layout("kobo-labels", "KoboToolbox, labels", "labels", ("", "/"), ("/",), "labels", " ",
               id_headers=("_uuid",), metadata=KOBO_META, metadata_prefixes=("_", "meta/", "formhub/"),
               identifying=KOBO_IDENTIFYING, version_headers=("__version__", "_version_"), group_separators=KOBO_SEPARATORS),
        *(Layout(name, title, "names", ("",), ("[",), values, " ", id_headers=("id",), metadata=LIME_META,
                 identifying=LIME_IDENTIFYING, heading_styles=limesurvey.STYLES, twin=twin, typed_other=True,
                 not_shown=limesurvey.NOT_SHOWN, other_code=limesurvey.OTHER_CODE)
          for name, title, values, twin in (("limesurvey", "LimeSurvey, answer codes", "names", "limesurvey-labels"),
                                            ("limesurvey-labels", "LimeSurvey, full answers", "labels", "limesurvey"))),
        Layout("spss", "SPSS .sav or Stata .dta (variables named by item, codes with value labels)", "names", ("", "_"), ("_",),
               "names", " ", id_headers=(ID_COLUMN,), metadata=META_COLUMNS + REPEAT_META, version_headers=(VERSION_COLUMN,),
               fold_case=True),
    )
}
#: layouts only taken for a statistics file (and only they for it, unless one is forced)
STAT_LAYOUTS = ("spss",)
# fmt: on


def layout_names() -> list[str]:
    return list(LAYOUTS)


@dataclass
class _Match:
    layout: Layout
    targets: list[_Target] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the file as a whole (answers that read two ways)

    def score(self) -> tuple[int, int, int]:
        unknown = sum(t.kind in ("unknown", "twice", "ambiguous") for t in self.targets)
        items = sum(t.kind in ("item", "choice", "part") for t in self.targets)
        meta = sum(t.kind in ("id", "meta", "dropped") for t in self.targets)
        return (-unknown, items, meta)


def apply_layout(grid: Grid, instrument: Instrument, *, layout: str | None = None, versions: Sequence[Instrument] = ()) -> RawTable:
    """Match the grid's columns to the instrument and translate answers to choice names.

    ``layout`` forces one of :data:`LAYOUTS`; by default every layout is tried (in the order of
    :data:`LAYOUTS`, each with the group separators its tool offers) and the one that leaves
    fewest columns unmatched is taken (ties: the first); the first that reads every column ends
    the search.
    ``versions``: other versions of the instrument the rows may have answered; their questions are
    matched too, and a file whose version column names its rows' versions is read row by row as
    its version asks (:mod:`afstand.responses.mixed`).
    """
    if layout is not None and layout not in LAYOUTS:
        raise DataError([Problem(grid.file, f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")])
    forms = [instrument] + [v for v in versions if v.version_id != instrument.version_id]
    return _build(grid, forms, _best(grid, forms, layout))


def _candidates(grid: Grid, layout: str | None) -> list[Layout]:
    if layout:
        return LAYOUTS[layout].variants(grid.headers)
    stat = grid.value_labels is not None
    names = list(LAYOUTS)
    return [
        v
        for name, lay in LAYOUTS.items()
        if (name in STAT_LAYOUTS) == stat and not (lay.twin and names.index(lay.twin) < names.index(name))  # read via its twin
        for v in lay.variants(grid.headers)
    ]


def _best(grid: Grid, forms: list[Instrument], layout: str | None) -> _Match:
    best: _Match | None = None
    for candidate in _candidates(grid, layout):
        match = _match(grid, forms, candidate)
        if best is None or match.score() > best.score():
            best = match
        if best.score()[0] == 0 and not any(t.kind == "field" for t in best.targets):
            break  # every column read as a question or the tool's own: no later layout reads more
    return _by_answers(grid, forms, best) if layout is None and best.layout.twin else best


def _by_answers(grid: Grid, forms: list[Instrument], match: _Match) -> _Match:
    """Of a layout and its twin (the same headers, answers as codes or as texts), the one the
    file's answers are written in; answers that both read, as different choices, are refused."""
    style, clash = limesurvey.answer_style(grid, forms, match.targets)
    layout = match.layout
    if (style == "texts") != (layout.values == "labels"):
        layout = replace(LAYOUTS[layout.twin], key_style=layout.key_style, headers=layout.headers)
    out = _Match(layout, match.targets)
    if clash is not None:
        index, value = clash
        names = sorted((layout.name, layout.twin))
        message = (
            "the answers read as answer codes and as full answers, meaning other choices; "
            f"say which with --layout {names[0]} (codes) or --layout {names[1]} (texts)"
        )
        out.problems.append(Problem(grid.file, message, row=1, column=grid.where(index), value=value))
    return out


def pick_table(
    headers: Sequence[Sequence[str]], instrument: Instrument, *, layout: str | None = None, versions: Sequence[Instrument] = ()
) -> int:
    """Of several tables (a workbook's sheets, the CSV files of a zip), the one that holds this
    instrument's questions: most columns matched to items, then fewest unmatched (ties: the first).
    A repeat's instrument (:func:`afstand.responses.tables.section`) so finds the repeat's sheet."""
    if layout is not None and layout not in LAYOUTS:
        raise DataError([Problem("<data>", f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")])
    forms = [instrument] + [v for v in versions if v.version_id != instrument.version_id]
    scores = []
    for names in headers:
        grid = Grid(file="", headers=list(names), columns=[Column.empty(0) for _ in names], n_rows=0)
        score = _best(grid, forms, layout).score()
        scores.append((score[1], score[0]))
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


# ---------------------------------------------------------------------------------------------
# matching headers


def _match(grid: Grid, forms: list[Instrument], layout: Layout) -> _Match:
    if layout.key_style:
        keys = limesurvey.keys(forms, layout.key_style, grid.headers)
    else:
        build = keys_by_label if layout.headers == "labels" else keys_by_name
        keys = build(forms, layout.separators, layout.choice_separators)
    used: set[tuple[str, str | None, int | None]] = set()
    match = _Match(layout)
    last_item: str | None = None
    texts = [_norm(h) if layout.headers == "labels" else h.strip() for h in grid.headers]
    times = defaultdict(int)
    for text in texts:
        times[text] += 1
    by_label = None  # a statistics file's variable labels, for names that match no question or several
    folded = None
    for index, (header, text) in enumerate(zip(grid.headers, texts)):
        if not text:
            match.targets.append(_Target("empty"))
            continue
        meta = layout.meta_kind(header)
        if meta is not None:
            match.targets.append(_Target(meta, header.strip()))  # named by its header (LimeSurvey: its code)
            continue
        candidates = keys.get(text, [])
        if not candidates and layout.fold_case:
            folded = folded if folded is not None else _folded(keys)
            candidates = folded.get(text.lower(), [])
        label = grid.column_labels[index] if grid.column_labels is not None and layout.headers == "names" else None
        if label and len({(t.kind, t.name, t.choice) for t in candidates}) != 1:
            by_label = by_label if by_label is not None else keys_by_label(forms, ("",), (": ",))
            named = {(t.kind, t.name, t.choice) for t in candidates}
            labelled = [t for t in by_label.get(_norm(label), []) if not named or (t.kind, t.name, t.choice) in named]
            if len({(t.kind, t.name, t.choice) for t in labelled}) == 1:
                candidates = labelled[:1]
        if not candidates:
            match.targets.append(_Target("meta" if layout.meta_prefixed(header) else "unknown"))
            continue
        # the same label can belong to several questions: take them in form order (a label before
        # a name); a split column belongs to the question whose column came just before it
        free = sorted((t for t in candidates if (t.kind, t.name, t.choice) not in used), key=lambda t: t.fallback)
        distinct = {(t.kind, t.name, t.choice) for t in candidates}
        # a name shared by several questions is read in form order only when the file has a column
        # for each of them (Kobo without group names); else it cannot be told which is meant
        if layout.headers == "names" and len(distinct) > 1 and times[text] < len(distinct):
            match.targets.append(_Target("ambiguous"))
            continue
        chosen = next((t for t in free if t.kind in ("choice", "part") and t.name == last_item), None) or (free[0] if free else None)
        if chosen is None:
            match.targets.append(_Target("twice", candidates[0].name))
            continue
        if not layout.key_style or chosen.kind in ("item", "choice", "part"):  # LimeSurvey: "[Comment]" for every option
            used.add((chosen.kind, chosen.name, chosen.choice))
        if chosen.kind in ("item", "field"):
            last_item = chosen.name
        match.targets.append(chosen)
    return match


def _folded(keys: dict[str, list[_Target]]) -> dict[str, list[_Target]]:
    """The keys ignoring case; a key that two spellings share holds every target (so it is ambiguous)."""
    out: dict[str, list[_Target]] = defaultdict(list)
    for key, targets in keys.items():
        for target in targets:
            if all((t.kind, t.name, t.choice) != (target.kind, target.name, target.choice) for t in out[key.lower()]):
                out[key.lower()].append(target)
    return out


# ---------------------------------------------------------------------------------------------
# building the canonical table


def _build(grid: Grid, forms: list[Instrument], match: _Match) -> RawTable:
    instrument = forms[0]
    layout = match.layout
    problems: list[Problem] = list(match.problems)
    whole: dict[str, int] = {}
    split: dict[str, dict[str, int]] = defaultdict(dict)
    parts: dict[str, dict[int, int]] = defaultdict(dict)
    meta: dict[str, Column] = {}
    dropped: list[str] = []
    unused: list[str] = []
    id_index: int | None = None
    unsent: Column | None = None
    for index, target in enumerate(match.targets):
        where = grid.where(index)
        header = grid.headers[index]
        if target.kind == "item":
            whole[target.name] = index
        elif target.kind == "choice":
            split[target.name][target.choice] = index
        elif target.kind == "part":
            parts[target.name][int(target.choice)] = index
        elif target.kind == "field":
            unused.append(header)
        elif target.kind == "id":
            if id_index is None:
                id_index = index
            meta[header] = grid.columns[index]
        elif target.kind == "meta":
            meta[header] = grid.columns[index]
        elif target.kind == "dropped":
            dropped.append(header)
            if layout.key_style and target.name == "submitdate":  # LimeSurvey: empty for an unfinished response
                unsent = grid.columns[index]
        elif target.kind == "empty":
            if grid.columns[index].present.any():
                problems.append(Problem(grid.file, "a column without a header holds values", row=1, column=where))
        elif target.kind == "twice":
            why = "the question appears twice" if layout.headers == "labels" else "the column appears twice"
            problems.append(Problem(grid.file, why, row=1, column=where))
        elif target.kind == "ambiguous":
            problems.append(
                Problem(
                    grid.file, "this header matches several questions of the form; use an export with full group paths", row=1, column=where
                )
            )
        elif layout.key_style:
            problems.append(Problem(grid.file, limesurvey.unknown_message(instrument.form_id), row=1, column=where))
        else:
            what = "question" if layout.headers == "labels" else "item"
            how = "label" if layout.headers == "labels" else "name"
            problems.append(Problem(grid.file, f"no {what} of instrument {instrument.form_id!r} has this {how}", row=1, column=where))

    rows = grid.rows if grid.rows is not None else np.arange(grid.n_rows, dtype=np.int64) + 2
    columns: dict[str, Column] = {}
    headers: dict[str, str] = {}
    version = read_versions(grid, match.targets, layout.version_headers, forms)
    if version is not None:  # each row's version, as version ids (afstand.responses.versions reads them)
        columns[VERSION_COLUMN], headers[VERSION_COLUMN] = version.column, version.header
    items = _items(forms)
    typed: dict[str, frozenset[str]] = {}
    if layout.typed_other:  # LimeSurvey's q[other]: the text typed for or_other, also q_other's answer
        for name, found in split.items():
            if "other" in found and f"{name}_other" in items:
                typed[name] = frozenset({"other"})
                whole.setdefault(f"{name}_other", found["other"])
    for name, item in items.items():
        definitions = [form.items.get(name) for form in forms]
        if name in whole and (item.type != "select_multiple" or layout.values == "names" or name not in split):
            index = whole[name]
            column = grid.columns[index]
            headers[name] = grid.where(index)
            if layout.values == "labels" and item.choice_list is not None:
                if layout.other_code and item.type == "select_one":  # LimeSurvey's full answer "Other"
                    column = recode(column, limesurvey.other_as_written(item, list(column.values)))
                row_version = version.per_row if version is not None else None
                column = from_labels(definitions, column, layout.multi_separator, rows, grid.file, headers[name], problems, row_version)
            elif grid.value_labels is not None and grid.value_labels[index] and item.type == "select_one":
                column = from_value_labels(definitions, column, grid.value_labels[index])
            elif layout.other_code and item.type == "select_one" and item.choice_list.get("other") is not None:
                column = recode(column, ["other" if v == layout.other_code else v for v in column.values])
            columns[name] = column
        elif name in split:
            first = min(split[name].values())
            headers[name] = grid.where(first)
            names = list(dict.fromkeys(c.name for d in definitions if d is not None for c in d.choice_list.choices))
            columns[name] = from_split(
                names, split[name], grid, rows, problems, typed=typed.get(name, frozenset()), not_shown=layout.not_shown
            )
        elif name in parts:  # a geopoint as its parts (ODK Central): "lat lon alt accuracy"; a ranking (LimeSurvey): q[1], q[2], …
            headers[name] = grid.where(min(parts[name].values()))
            count = max(parts[name]) + 1 if item.type == "rank" else 4
            pieces = [grid.columns[parts[name][n]] if n in parts[name] else None for n in range(count)]
            if item.type == "rank" and layout.values == "labels":  # each rank's label → its choice's name
                one = [replace(d, type="select_one") if d is not None else None for d in definitions]
                where_part = {n: grid.where(i) for n, i in parts[name].items()}
                pieces = [
                    from_labels(one, p, " ", rows, grid.file, where_part[n], problems) if p is not None else None
                    for n, p in enumerate(pieces)
                ]
            columns[name] = from_parts(pieces)
    for name, found in parts.items():  # a geopoint's parts beside its own column (Kobo): the column is read
        if name in columns and name in whole:
            unused.extend(grid.headers[i] for i in sorted(found.values()))
    if id_index is not None:
        columns[ID_COLUMN] = grid.columns[id_index]
        headers[ID_COLUMN] = grid.where(id_index)
    raw = RawTable(
        file=grid.file,
        n_rows=grid.n_rows,
        columns=columns,
        headers=headers,
        id_column=ID_COLUMN if id_index is not None else None,
        dropped=dropped,
        problems=problems,
        sheet=grid.sheet,
        layout=layout.name,
        metadata={k: v for k, v in meta.items() if k != ID_COLUMN},
        unused=unused,
        rows=grid.rows,
    )
    if unsent is not None:  # only whether it is empty is read, never the time it holds
        unfinished = np.flatnonzero(~unsent.present)
        what = "response was" if len(unfinished) == 1 else "responses were"
        raw = without_rows(raw, unfinished, f"{len(unfinished)} unfinished {what} left out (no date submitted: never sent)")
    return raw


def _items(forms: list[Instrument]) -> dict[str, Item]:
    """The questions of every version, each as the first version that has it defines it (the analysis version first)."""
    items: dict[str, Item] = {}
    for form in forms:
        for name, item in form.items.items():
            items.setdefault(name, item)
    return items
