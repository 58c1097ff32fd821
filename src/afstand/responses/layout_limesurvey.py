"""LimeSurvey's response exports, for :mod:`afstand.responses.layouts`: the header keys of a form
as LimeSurvey writes each heading style, and which of its two answer styles a file holds.

LimeSurvey (``application/helpers/admin/export``) offers four headings and two answer styles:

headings
    ``code``      "Question code": ``q``; a subquestion ``q[sub]`` (a multiple choice's options,
                  an array's rows); ``q[other]`` the text typed for "Other"; ``q[comment]``,
                  ``q[subcomment]`` the comments of the "with comment" question types; a
                  ranking's ``q[1]``, ``q[2]``, … (texts ``… [Rank 1]``)
    ``text``      "Full question text": ``Question text``, ``Question text [Subquestion text]``,
                  ``… [Other]``, ``… [Comment]``; "Abbreviated question text": each part cut after
                  its first 15 characters (or the number the researcher chose) and ``.. `` added.
                  "Convert spaces in question text to underscores" is read too.
    ``codetext``  "Question code & question text": the code, the separator the researcher typed
                  (``. `` by default; found from the headers) and the text
answers
    codes         "Answer codes": answer codes (= choice names); a multiple choice's option ``Y``
                  when chosen, empty when not; ``-oth-`` for "Other" of a list
    texts         "Full answers": answer texts (= choice labels, any language of the form); an
                  option ``Yes`` / ``No``, ``N/A`` when the question was not shown; ``Other``

How an afstand form is a LimeSurvey survey: each question's code is its name and its text its
label; a select_multiple is a multiple choice whose subquestion codes are the choice names
(texts: choice labels), with or_other its "Other" option (``q[other]`` holds the typed text: the
choice ``other`` is chosen when it is not empty, and the text is ``q_other``'s answer); the
questions of a group may be the rows of an array whose code is the group's name and text the
group's label (``group[q]``, ``Group label [Question label]``).

LimeSurvey's own columns (``id``, ``submitdate``, …) are recognised by their code in any
heading style that has one, and by their English heading text; a date, the IP address, the
referrer, the access code (token) and a participant's name or e-mail are never read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from afstand.instrument.model import Instrument
from afstand.responses.layout_keys import Target, add, paths
from afstand.responses.layout_keys import _other_kind as other_kind
from afstand.responses.layout_values import choice_labels, norm

#: LimeSurvey's own columns: code → (kind, heading text as LimeSurvey writes it in English).
#: ``dropped``: a precise time, the IP address, the referrer URL, the access code or a participant's
#: name or e-mail (never read in); ``meta``: kept apart; ``id``: the response id.
META = {
    "id": ("id", ("Response ID",)),
    "submitdate": ("dropped", ("Date submitted",)),
    "lastpage": ("meta", ("Last page",)),
    "startlanguage": ("meta", ("Start language",)),
    "seed": ("meta", ("Seed",)),
    "token": ("dropped", ("Access code", "Token")),
    "startdate": ("dropped", ("Date started",)),
    "datestamp": ("dropped", ("Date last action",)),
    "ipaddr": ("dropped", ("IP address",)),
    "refurl": ("dropped", ("Referrer URL",)),
    "firstname": ("dropped", ("First name",)),
    "lastname": ("dropped", ("Last name",)),
    "email": ("dropped", ("Email address", "Email")),
    "interviewtime": ("meta", ("Total time",)),
}
#: columns named by a prefix: participant attributes (``attribute_1``: may identify a person) and
#: the time spent per group (a duration, not a time of day)
META_PREFIXES = {"attribute_": "dropped", "groupTime": "meta", "Group time: ": "meta"}
OTHER = "Other"  # LimeSurvey's heading of the "Other" column and its full answer for "-oth-"
OTHER_CODE = "-oth-"
COMMENT, OTHER_COMMENT = "Comment", "Other comment"
NOT_SHOWN = frozenset({"n/a"})  # a multiple choice's option in full answers when not shown
ABBREVIATED = 15  # LimeSurvey's default length of abbreviated heading texts
ELLIPSIS = ".. "
DUAL_SCALE = re.compile(r"(.+)_([12])")  # a dual-scale array's row as an afstand question: <subquestion>_<scale>
STYLES = ("code", "text", "codetext")


def abbreviate(text: str, length: int | None) -> str:
    """A heading text cut as LimeSurvey abbreviates it: its first ``length`` characters and ``.. ``."""
    text = text.strip()
    return text if length is None or len(text) <= length else text[:length] + ELLIPSIS


def heading(question: str, sub: str | None, length: int | None = None) -> str:
    """The text heading of a column: ``Question text`` or ``Question text [Subquestion text]``."""
    text = abbreviate(question, length)
    return text + (" [" + abbreviate(sub, length) + "]" if sub is not None else "")


@dataclass
class _Entry:
    target: Target
    codes: list[str]  # the "Question code" headings
    texts: list[tuple[str, str | None]]  # (question text, subquestion text), one per language


def _texts(element, languages, fallback: str) -> list[str]:
    """An element's text in each language (the default language's where it has none; its name without any)."""
    if element is None or not element.labels:
        return [fallback]
    return list(dict.fromkeys(norm(element.label(lang)) for lang in languages))


def _entries(forms: list[Instrument]) -> list[_Entry]:
    """Every column a LimeSurvey port of the forms can have, in form order."""
    out: list[_Entry] = []
    for instrument in forms:
        languages = list(dict.fromkeys(instrument.languages)) or [None]
        for name, path in paths(instrument).items():
            own = path[-1]
            item = instrument.items.get(name)
            element = item or instrument.notes.get(name)
            target = Target("item", name) if item is not None else Target(other_kind(instrument, name), name)
            texts = _texts(element, languages, own)
            group = instrument.group(instrument.paths.get("/".join(path[:-1]), "")) if len(path) > 1 else None
            codes = [own] + ([f"{path[-2]}[{own}]"] if len(path) > 1 else [])
            scale = DUAL_SCALE.fullmatch(own) if len(path) > 1 and item is not None and item.type == "select_one" else None
            if scale:  # a row of a dual-scale array: q[sub][1], q[sub][2]
                codes.append(f"{path[-2]}[{scale.group(1)}][{scale.group(2)}]")
            pairs = [(t, None) for t in texts]
            if group is not None:  # a row of an array whose question is the group
                pairs += [(g, t) for g in _texts(group, languages, path[-2]) for t in texts]
            out.append(_Entry(target, codes, pairs))
            if item is None:
                continue
            out.append(_Entry(Target("meta"), [f"{own}Time"], [(f"Question time: {own}", None)]))
            if item.type == "rank" and item.choice_list is not None:  # ranking: q[1], q[2], … the choice at each rank
                for n in range(1, len(item.choice_list.choices) + 1):
                    out.append(_Entry(Target("part", name, str(n - 1)), [f"{own}[{n}]"], [(t, f"Rank {n}") for t in texts]))
            if item.type not in ("select_one", "select_multiple") or item.choice_list is None:
                continue
            if item.type == "select_one":
                written = instrument.items.get(f"{name}_other")  # or_other's text: LimeSurvey's q[other]
                if written is not None and item.choice_list.get("other") is not None:
                    out.append(_Entry(Target("item", f"{name}_other"), [f"{own}[other]"], [(t, OTHER) for t in texts]))
                out.append(_Entry(_comment(instrument, name, "comment", "comment"), [f"{own}[comment]"], [(t, COMMENT) for t in texts]))
                continue
            for choice in item.choice_list.choices:
                labels = _texts(choice, languages, choice.name)
                pairs = [(t, c) for t in texts for c in labels + ([OTHER] if choice.name == "other" else [])]
                out.append(_Entry(Target("choice", name, choice.name), [f"{own}[{choice.name}]"], pairs))
                comment = _comment(instrument, name, f"{choice.name}comment", f"comment:{choice.name}")
                out.append(
                    _Entry(
                        comment,
                        [f"{own}[{choice.name}comment]"],
                        [(t, OTHER_COMMENT if choice.name == "other" else COMMENT) for t in texts],
                    )
                )
    for code, (kind, english) in META.items():
        out.append(_Entry(Target(kind, code), [code], [(text, None) for text in english]))
    return out


def _comment(instrument: Instrument, name: str, part: str, field: str) -> Target:
    """A comment column (``q[comment]``, ``q[SQ001comment]``): the question ``q_comment`` /
    ``q_SQ001comment`` when the form has one (a form converted from a .lss), else an unused field."""
    own = f"{name}_{part}"
    return Target("item", own) if own in instrument.items else Target("field", name, field)


def _lengths(headers) -> list[int | None]:
    """The abbreviation lengths to try: none, and when a header is cut (``..``) LimeSurvey's
    default and the length most cut headers show."""
    seen = Counter(len(h.split("..")[0]) for h in headers if ".." in h)
    return [None] + ([ABBREVIATED] + [n for n, _ in seen.most_common(1) if n != ABBREVIATED] if seen else [])


def _spellings(entry: _Entry, lengths, underscores: bool | None) -> list[str]:
    """The text headings of an entry: full and abbreviated, with spaces or with underscores (None: both)."""
    out = []
    for question, sub in entry.texts:
        for length in lengths:
            raw = heading(question, sub, length)
            out += [raw.replace(" ", "_")] if underscores else [norm(raw)] + ([raw.replace(" ", "_")] if underscores is None else [])
    return list(dict.fromkeys(out))


#: the entries of the last forms asked for (the three heading styles of one detection share them)
_CACHE: list[tuple[tuple[Instrument, ...], list[_Entry]]] = []


def _entries_of(forms: list[Instrument]) -> list[_Entry]:
    for known, entries in _CACHE:
        if len(known) == len(forms) and all(a is b for a, b in zip(known, forms)):
            return entries
    entries = _entries(forms)
    _CACHE[:] = [(tuple(forms), entries)]
    return entries


def _code_and_text(entries: list[_Entry], headers, lengths, underscores: bool | None) -> tuple[str, list[list[_Entry]]]:
    """Headings "Question code & question text": the separator typed between code and text (the
    one most headers show; LimeSurvey's ``. `` when none does) and, per header, the entries whose
    code, that separator and text it is. Only the codes that begin a header are looked at."""
    by_code: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        for code in entry.codes:
            by_code[code].append(entry)
    spelled: dict[int, list[str]] = {}
    hits: list[list[tuple[_Entry, str]]] = []
    for header in headers:
        text = norm(header)
        found = []
        for cut in range(1, len(text)):
            for entry in by_code.get(text[:cut], ()):
                rest = text[cut:]
                for spelling in spelled.setdefault(id(entry), _spellings(entry, lengths, underscores)):
                    if spelling and rest.endswith(spelling) and len(rest) > len(spelling):
                        found.append((entry, rest[: len(rest) - len(spelling)]))
        hits.append(found)
    seen = Counter(sep for found in hits for sep in {sep for _, sep in found})  # each header counts once
    separator = seen.most_common(1)[0][0] if seen else ". "
    return separator, [list({id(e): e for e, sep in found if sep == separator}.values()) for found in hits]


def keys(forms: list[Instrument], style: str, headers) -> dict[str, list[Target]]:
    """The header keys of the forms in one heading style (:data:`STYLES`); ``headers`` (the file's)
    give the separator of ``codetext``, the abbreviation length, spaces or underscores and
    LimeSurvey's prefixed columns."""
    out: dict[str, list[Target]] = defaultdict(list)
    entries = _entries_of(forms)
    lengths = _lengths(headers)
    underscores = bool(headers) and not any(" " in h.strip() for h in headers)  # "Convert spaces … to underscores"
    separator = ""
    if style == "codetext":
        separator, matched = _code_and_text(entries, headers, lengths, None)  # the separator may hold a space
        for header, found in zip(headers, matched):
            for entry in found:
                add(out, norm(header), Target(entry.target.kind, entry.target.name, entry.target.choice))
    else:
        for entry in entries:
            for key in entry.codes if style == "code" else _spellings(entry, lengths, underscores):
                add(out, key, Target(entry.target.kind, entry.target.name, entry.target.choice))
    for header in headers:  # LimeSurvey's columns named by a prefix, or by code and any text
        text = norm(header) if style != "code" else header.strip()
        kind = next((k for prefix, k in META_PREFIXES.items() if text.startswith(prefix)), None)
        name = None
        if kind is None and style == "codetext":
            kind, name = next(((k, code) for code, (k, _) in META.items() if text.startswith(code + separator)), (None, None))
        if kind is not None and text not in out:
            add(out, text, Target(kind, name))
    return out


def answer_style(grid, forms: list[Instrument], targets: list[Target]) -> tuple[str, tuple[int, str] | None]:
    """Which answers the file holds: ``"codes"`` or ``"texts"``, by its select_one columns: the
    style that reads more of their distinct values (ties: codes). The second value names a column
    and value that both styles read, as different choices (then the file cannot be told apart)."""
    bad = {"codes": 0, "texts": 0}
    clash: tuple[int, str] | None = None
    for index, target in enumerate(targets):
        if target.kind != "item":
            continue
        item = next((f.items[target.name] for f in forms if target.name in f.items), None)
        if item is None or item.type != "select_one" or item.choice_list is None:
            continue
        names = set(item.choice_list.names)
        labels = choice_labels(item)
        for value in grid.columns[index].values:
            as_code = value if value in names else ("other" if value == OTHER_CODE and "other" in names else None)
            as_text = labels.get(norm(value)) or ("other" if norm(value) == OTHER and "other" in names else None)
            bad["codes"] += as_code is None
            bad["texts"] += as_text is None
            if as_code is not None and as_text is not None and as_code != as_text and clash is None:
                clash = (index, value)
    style = "codes" if bad["codes"] <= bad["texts"] else "texts"
    return style, clash if bad["codes"] == bad["texts"] == 0 else None


def other_as_written(item, values: list[str]) -> list[str]:
    """A list's full answers with LimeSurvey's ``Other`` (written for "-oth-" whatever the survey calls
    the option, e.g. its other_replace_text) as the choice ``other``, unless another choice is labelled so."""
    if item.choice_list is None or item.choice_list.get("other") is None or choice_labels(item).get(OTHER, "other") != "other":
        return values
    return ["other" if norm(v) == OTHER else v for v in values]


def unknown_message(form_id: str) -> str:
    return (
        f"no question of instrument {form_id!r} has this heading (LimeSurvey's own columns are known by their "
        "code and their English heading, and a participant attribute only by its code: export with headings "
        "'Question code' or 'Question code & question text', or leave the participant attributes out of the export)"
    )
