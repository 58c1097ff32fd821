"""Answers as other tools write them → afstand's canonical values (choice names), for
:mod:`afstand.responses.layouts`: choice labels (in any of the form's languages) → names, a
select_multiple written as labels joined by a separator (segmented when the separator is a space
that labels may hold too), and one 0/1 column per choice → the chosen names. Every cell that
cannot be read is a problem naming file, row, column and value; nothing is guessed."""

from __future__ import annotations

import unicodedata

import numpy as np

from afstand.errors import Problem
from afstand.instrument.model import Item
from afstand.responses.readers import Column, Grid

MAX_LISTED = 50


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def choice_labels(item: Item) -> dict[str, str | None]:
    """Normalised label (any language) or name → choice name; ``None`` when two choices share it."""
    out: dict[str, str | None] = {}
    for choice in item.choice_list.choices:
        for text in dict.fromkeys(list(choice.labels.values())):
            key = norm(text)
            out[key] = choice.name if out.get(key, choice.name) == choice.name else None
    for choice in item.choice_list.choices:  # a choice without a label is exported by its name
        out.setdefault(norm(choice.name), choice.name)
    return out


def from_labels(
    definitions: list[Item | None],
    column: Column,
    separator: str,
    rows,
    file,
    where,
    problems,
    row_version: np.ndarray | None = None,
) -> Column:
    """Choice labels → choice names. ``definitions``: the question as each version of the form
    defines it (None: not in that version; the first is the analysis version's); ``row_version``:
    per row, the position of its version in ``definitions`` (−1: not known), so that a label is
    read as the row's own version has it. Without row versions every definition is one reading:
    a label that means different choices in two versions is refused."""
    present = [d for d in definitions if d is not None]
    lookups = [choice_labels(d) if d is not None else None for d in definitions]
    union: dict[str, str | None] = {}
    for lookup in lookups:
        for key, name in (lookup or {}).items():
            union[key] = name if union.get(key, name) == name else None
    kind = present[0].type
    label = present[0].name
    if row_version is None or len(present) == 1:
        pairs = np.arange(len(column.values), dtype=np.int64)
        readings = [(v, union) for v in range(len(column.values))]
        per_row = column.index
    else:  # each distinct (value, version) once
        version = np.where(column.index >= 0, row_version, -2)
        key = column.index.astype(np.int64) * (len(definitions) + 2) + (version + 2)
        pairs, per_row = np.unique(key, return_inverse=True)
        per_row = np.where(column.index >= 0, np.asarray(per_row).reshape(-1), -1).astype(np.int32)
        readings = []
        for pair in pairs:
            v, which = int(pair // (len(definitions) + 2)), int(pair % (len(definitions) + 2)) - 2
            readings.append((v, lookups[which] if which >= 0 and lookups[which] is not None else union))
    translated = np.empty(len(readings), dtype=object)
    bad: dict[int, str] = {}
    for r, (v, lookup) in enumerate(readings):
        if v < 0:
            translated[r] = None
            continue
        text = column.values[v]
        if kind in ("select_multiple", "rank"):  # a rank holds its choices in order, like a select_multiple
            names = split_labels(text, lookup, " " if kind == "rank" else separator)
            if names is None:
                bad[r] = "cannot be read as choice labels of this question"
            translated[r] = None if names is None else " ".join(names)
        else:
            name = lookup.get(norm(text))
            if name is None:
                bad[r] = f"not a choice label of item {label}"
            translated[r] = name
    for r, message in bad.items():
        hits = np.flatnonzero(per_row == r)
        value = column.values[readings[r][0]]
        for row in hits[:MAX_LISTED]:
            problems.append(Problem(file, message, row=int(rows[row]), column=where, value=value))
        if len(hits) > MAX_LISTED:
            problems.append(Problem(file, f"{len(hits) - MAX_LISTED} more cells with this value in this column", column=where))
    if not len(readings):
        return column
    return recode(Column(np.arange(len(readings), dtype=object), per_row.astype(np.int32)), translated)


def recode(column: Column, translated) -> Column:
    """The same column with each distinct value replaced (``None`` = empty), without touching rows one by one."""
    distinct = sorted({t for t in translated if t is not None})
    position = {text: i for i, text in enumerate(distinct)}
    per_value = np.array([position[t] if t is not None else -1 for t in translated] + [-1], dtype=np.int32)
    return Column(np.array(distinct, dtype=object), per_value[column.index])  # index −1 picks the last entry: −1


def split_labels(text: str, lookup: dict[str, str | None], separator: str) -> list[str] | None:
    """Choice labels joined by ``separator`` → choice names, or ``None`` when not exactly one reading.

    With ``;`` (forms services) the split is plain. With a space (Kobo's labels export) labels
    may hold spaces themselves, so the text is segmented into known labels; a text that can be
    read in two ways, or in none, is refused rather than guessed.
    """
    if separator != " ":
        names = []
        for part in text.split(separator):
            if not part.strip():
                continue
            name = lookup.get(norm(part))
            if name is None:
                return None
            names.append(name)
        return names
    words = norm(text).split(" ")
    n = len(words)
    # ways[i]: number of readings of words[i:] (capped at 2) and the first reading's next step
    ways = [0] * (n + 1)
    step: list[tuple[int, str] | None] = [None] * (n + 1)
    ways[n] = 1
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n + 1):
            name = lookup.get(" ".join(words[i:j]))
            if name is not None and ways[j]:
                if ways[i] == 0:
                    step[i] = (j, name)
                ways[i] = min(2, ways[i] + ways[j])
    if ways[0] != 1:
        return None
    names, i = [], 0
    while i < n:
        j, name = step[i]
        names.append(name)
        i = j
    return names


_TRUE = {"1", "true", "yes", "ja", "x", "y"}  # y: LimeSurvey's multiple choice
_FALSE = {"0", "false", "no", "nee", "n"}
CHOSEN_OR_NOT = (
    "expected 1 (chosen) or 0 (not chosen), or Y/yes/ja and N/no/nee "
    "(an export option that turns these into other codes, such as LimeSurvey's 'Convert Y to' and 'Convert N to', must be off)"
)


def from_split(
    names: list[str],
    indices: dict[str, int],
    grid: Grid,
    rows,
    problems,
    *,
    typed: frozenset[str] = frozenset(),
    not_shown: frozenset[str] = frozenset(),
) -> Column:
    """One 0/1 column per choice (``indices``: choice name → column) → space-separated choice names
    in the order of ``names`` (empty when no cell is filled).

    ``typed``: choices whose column holds the text a respondent typed (LimeSurvey's "Other"
    column ``q[other]``): chosen when not empty. ``not_shown``: cell texts (lower case) that say
    the question was not shown (LimeSurvey's full answer "N/A"): read as empty cells."""
    n = grid.n_rows
    order = [name for name in names if name in indices]
    chosen = np.zeros((n, len(order)), dtype=bool)
    answered = np.zeros(n, dtype=bool)
    for j, name in enumerate(order):
        index = indices[name]
        column = grid.columns[index]
        truth = np.zeros(len(column.values), dtype=bool)
        hidden = np.zeros(len(column.values), dtype=bool)
        for v, text in enumerate(column.values):
            key = text.strip().lower()
            if key.endswith(".0"):
                key = key[:-2]
            if key in not_shown:
                hidden[v] = True
            elif name in typed or key in _TRUE:
                truth[v] = True
            elif key not in _FALSE:
                hits = np.flatnonzero(column.index == v)
                for row in hits[:MAX_LISTED]:
                    problems.append(Problem(grid.file, CHOSEN_OR_NOT, row=int(rows[row]), column=grid.where(index), value=text))
        chosen[:, j] = column.map(truth, False).astype(bool)
        answered |= column.present & ~column.map(hidden, False).astype(bool) if hidden.any() else column.present
    labels = np.array(order, dtype=object)
    patterns, inverse = np.unique(chosen, axis=0, return_inverse=True)
    texts = [" ".join(labels[p]) or None for p in patterns]
    index = np.where(answered, np.asarray(inverse).reshape(-1), -1).astype(np.int32)
    pattern_column = Column(np.array(texts, dtype=object), index)
    return recode(pattern_column, texts)  # drops the pattern "nothing chosen" (no choice = missing)


def from_parts(parts: list[Column | None]) -> Column:
    """A geopoint from its parts (latitude, longitude, altitude, accuracy columns, as ODK Central
    writes it) → one text ``"lat lon alt accuracy"`` per row, as XForms store it; empty when the
    latitude is empty."""
    present = [p for p in parts if p is not None]
    n = len(present[0]) if present else 0
    cells = [p.to_pylist() if p is not None else [None] * n for p in parts]
    texts = []
    for row in range(n):
        values = [c[row] for c in cells]
        texts.append(" ".join(v for v in values if v) if values[0] else None)
    return Column.from_list(texts)


def from_value_labels(definitions: list[Item | None], column: Column, labels: dict[str, str]) -> Column:
    """A select_one of a statistics file (SPSS, Stata): numeric codes with value labels → choice
    names. A code whose value label is the label of exactly one choice (any language, any version)
    is that choice; otherwise the code is kept as written, so a code that is itself a choice name
    (afstand's own ``.sav``: whole-number names are their own code) stays, and any other is refused
    by the validator naming file, row, column and value."""
    lookup: dict[str, str | None] = {}
    for definition in definitions:
        if definition is None or definition.choice_list is None:
            continue
        for key, name in choice_labels(definition).items():
            lookup[key] = name if lookup.get(key, name) == name else None
    translated = []
    for value in column.values:
        label = labels.get(str(value))
        name = lookup.get(norm(label)) if label is not None else None
        translated.append(name if name is not None else value)
    return recode(column, translated)
