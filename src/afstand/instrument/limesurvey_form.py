"""A LimeSurvey survey structure (``.lss``) as an XLSForm workbook, which the loader then reads
like any other form (pyxform, version id, web survey): this module owns the ``.lss`` format.

A ``.lss`` is LimeSurvey's XML export of a survey (``<document>`` with
``<LimeSurveyDocType>Survey``): tables of rows (``<groups>``, ``<questions>``,
``<subquestions>``, ``<answers>``, ``<question_attributes>``, ``<conditions>``,
``<surveys_languagesettings>``). LimeSurvey 3.x writes each text in its row, one row per
language (``<language>``); 4.x and later keep the texts apart (``<group_l10ns>``,
``<question_l10ns>``, ``<answer_l10ns>``). Both are read.

Names are LimeSurvey's codes, so a LimeSurvey response export of the survey reads without
renaming (:mod:`afstand.responses.layout_limesurvey`): a question's code is its name; an array's
rows (``Q5[SQ001]``) are questions named by the subquestion code in a group named by the
question's code; the extra fields of a question get ``_`` and the bracketed part
(``Q1[other]`` → ``Q1_other``, ``Q1[comment]`` → ``Q1_comment``): LimeSurvey codes never
hold ``_``, so these never collide with a code. Relevance equations in the simple forms
(:mod:`afstand.instrument.limesurvey_logic`) become XPath; every other one is listed in the
instrument's warnings and the question is always shown. What is converted, per question
type, is :data:`afstand.instrument.limesurvey_types.TYPES` (docs/xlsform.md is generated from it).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from afstand.errors import InstrumentError
from afstand.instrument import limesurvey_logic as logic
from afstand.instrument.limesurvey_types import GENERATED, NOT_CONVERTED, REFUSED_TYPES, TYPES, WORDS
from afstand.instrument.xlsform_workbook import xlsx_bytes

LSS_SUFFIX = ".lss"

_SINGLE = {"L", "!", "O", "Y", "G", "5"}
_ARRAYS = {"F", "H", "A", "B", "C", "E", "1"}


@dataclass
class Conversion:
    """The XLSForm workbook (``.xlsx`` bytes, the same bytes for the same ``.lss``) and the warnings
    about what it could not carry over."""

    xlsx: bytes
    warnings: list[str] = field(default_factory=list)


def is_limesurvey(raw: bytes, file_type: str | None) -> bool:
    """A file named ``.lss``, or unnamed bytes that begin as LimeSurvey's XML does."""
    if file_type == LSS_SUFFIX:
        return True
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return file_type is None and head.startswith((b"<?xml", b"<document")) and b"<LimeSurveyDocType>" in head


def as_xlsform(raw: bytes, file_type: str | None, label: str) -> tuple[bytes, str | None, list[str]]:
    """For the loader: a ``.lss`` as XLSForm bytes, ``.xlsx`` and the warnings; any other form unchanged."""
    if not is_limesurvey(raw, file_type):
        return raw, file_type, []
    conversion = convert(raw, label)
    return conversion.xlsx, ".xlsx", conversion.warnings


def convert(raw: bytes, label: str) -> Conversion:
    """The ``.lss`` in ``raw`` as an XLSForm; :class:`InstrumentError` naming the question (code
    and type) when it cannot be one, or saying what the file is when it is no LimeSurvey survey."""
    survey = _Survey(_document(raw, label), label)
    rows, choices, warnings = survey.xlsform()
    return Conversion(_workbook(rows, choices, survey.settings(), survey.languages), warnings)


# ---------------------------------------------------------------------------------------------
# reading the XML


def _document(raw: bytes, label: str) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(raw)
    except ParseError as err:
        raise InstrumentError(f"{label}: not a LimeSurvey survey structure file (.lss): the XML cannot be read ({err})") from None
    except DefusedXmlException as err:
        raise InstrumentError(f"{label}: refused: the XML declares entities or a DTD ({type(err).__name__})") from None
    kind = (root.findtext("LimeSurveyDocType") or "").strip()
    if root.tag != "document" or not kind:
        raise InstrumentError(f"{label}: an XML file, but not a LimeSurvey export (no <document> with <LimeSurveyDocType>)")
    if kind != "Survey":
        raise InstrumentError(
            f"{label}: a LimeSurvey export of type {kind!r}, not a survey: export the whole survey structure "
            "(Display/Export → Survey structure (.lss))"
        )
    return root


def _rows(root: Element, section: str) -> list[dict[str, str]]:
    """A table of the export as dicts (column → text; an empty cell is '')."""
    table = root.find(section)
    if table is None:
        return []
    return [{cell.tag: (cell.text or "").strip() for cell in row} for row in table.iterfind("rows/row")]


@dataclass
class _Question:
    qid: str
    code: str
    type: str
    gid: str
    order: float
    mandatory: bool
    other: bool
    relevance: str
    row: dict[str, str]
    texts: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)


def _order(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


class _Survey:
    def __init__(self, root: Element, label: str) -> None:
        self.label = label
        settings = (_rows(root, "surveys") or [{}])[0]
        base = settings.get("language") or root.findtext("languages/language") or "en"
        found = [base] + settings.get("additional_languages", "").split() + [e.text or "" for e in root.iterfind("languages/language")]
        self.codes = [c.strip() for c in dict.fromkeys(found) if c and c.strip()]
        self.languages = {code: logic.language_label(code) for code in self.codes}
        self.sid = settings.get("sid") or next((r.get("sid", "") for r in _rows(root, "questions")), "")
        self.titles = {
            r.get("surveyls_language", ""): logic.plain(r.get("surveyls_title", "")) for r in _rows(root, "surveys_languagesettings")
        }
        self.groups: dict[str, dict] = {}
        for row in _rows(root, "groups") + _rows(root, "group_l10ns"):
            group = self.groups.setdefault(row["gid"], {"order": 0.0, "relevance": "", "names": {}})
            if "group_order" in row and "id" not in row:
                group["order"], group["relevance"] = _order(row["group_order"]), row.get("grelevance", "")
            if row.get("language") and row.get("group_name") is not None:
                group["names"][row["language"]] = logic.plain(row.get("group_name", ""))
        self.questions: dict[str, _Question] = {}
        self.children: dict[str, list[_Question]] = {}
        texts = _rows(root, "question_l10ns")
        for row in _rows(root, "questions") + _rows(root, "subquestions"):
            question = self.questions.get(row["qid"])
            if question is None:
                question = _Question(
                    row["qid"], row.get("title", ""), row.get("type", ""), row.get("gid", ""), _order(row.get("question_order", "")),
                    row.get("mandatory") == "Y", row.get("other") == "Y", row.get("relevance", ""), row,
                )  # fmt: skip
                self.questions[row["qid"]] = question
                if row.get("parent_qid", "0") not in ("", "0"):
                    self.children.setdefault(row["parent_qid"], []).append(question)
            if row.get("language"):
                texts.append(row)
        for row in texts:
            question = self.questions.get(row.get("qid", ""))
            if question is not None and row.get("language"):
                question.texts[row["language"]] = logic.plain(row.get("question", ""))
                question.helps[row["language"]] = logic.plain(row.get("help", ""))
        self.answers: dict[tuple[str, str], list[tuple[float, str, dict[str, str]]]] = {}
        by_aid: dict[str, dict[str, str]] = {}
        for row in _rows(root, "answers"):
            key = (row.get("qid", ""), row.get("scale_id") or "0")
            known = next((t for _, c, t in self.answers.get(key, []) if c == row.get("code")), None)
            if known is None:
                known = {}
                self.answers.setdefault(key, []).append((_order(row.get("sortorder", "")), row.get("code", ""), known))
            if row.get("language"):
                known[row["language"]] = logic.plain(row.get("answer", ""))
            by_aid[row.get("aid", "")] = known
        for row in _rows(root, "answer_l10ns"):
            if row.get("aid") in by_aid and row.get("language"):
                by_aid[row["aid"]][row["language"]] = logic.plain(row.get("answer", ""))
        self.attributes: dict[str, dict[str, str]] = {}
        self.attribute_texts: dict[tuple[str, str], dict[str, str]] = {}
        for row in _rows(root, "question_attributes"):
            if row.get("language"):
                self.attribute_texts.setdefault((row.get("qid", ""), row.get("attribute", "")), {})[row["language"]] = row.get("value", "")
            else:
                self.attributes.setdefault(row.get("qid", ""), {})[row.get("attribute", "")] = row.get("value", "")
        self.conditions = _rows(root, "conditions")

    # -----------------------------------------------------------------------------------------
    # the XLSForm

    def settings(self) -> dict[str, str]:
        base = self.codes[0] if self.codes else "en"
        title = self.titles.get(base) or next(iter(self.titles.values()), "") or f"LimeSurvey {self.sid}".strip()
        return {"form_title": title, "form_id": f"limesurvey_{self.sid or 'survey'}", "default_language": self.languages.get(base, base)}

    def xlsform(self) -> tuple[list[dict], list[dict], list[str]]:
        top = [q for q in self.questions.values() if q.row.get("parent_qid", "0") in ("", "0")]
        if not top:
            raise InstrumentError(f"{self.label}: this LimeSurvey survey has no questions")
        for q in top:
            if q.type in REFUSED_TYPES or q.type not in TYPES:
                name, why = REFUSED_TYPES.get(q.type, ("unknown type", "afstand does not know this LimeSurvey question type"))
                raise InstrumentError(f"{self.label}: question {q.code} has type {q.type!r} ({name}): {why}")
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", q.code):
                raise InstrumentError(
                    f"{self.label}: question code {q.code!r} (qid {q.qid}) is not a LimeSurvey code (a letter, then letters and digits): rename it in LimeSurvey"
                )
        self.rows: list[dict] = []
        self.choices: list[dict] = []
        self.lists: set[str] = set()
        self.warnings: list[str] = []
        self.vars: dict[str, tuple] = {}
        groups = sorted(self.groups.items(), key=lambda g: g[1]["order"])
        groups += [(gid, {"names": {}, "relevance": ""}) for gid in dict.fromkeys(q.gid for q in top) if gid not in self.groups]
        for number, (gid, group) in enumerate(groups, start=1):
            members = sorted((q for q in top if q.gid == gid), key=lambda q: q.order)
            if not members:
                continue
            self._row("begin_group", f"group_{number}", group["names"], relevant=("group", group["relevance"], f"group {number}"))
            for question in members:
                self._question(question)
            self._row("end_group", "")
        relevance = logic.conditions_relevance(self.conditions, {q.qid: q.code for q in self.questions.values()})
        for q in top:
            if q.relevance.strip() in ("", "1") and q.qid in relevance:
                self._first(q.code)["relevant"] = ("em", relevance[q.qid], f"question {q.code}")
        counts = Counter(r["name"] for r in self.rows if r["type"] not in ("begin_group", "end_group"))
        names = {k: v for k, v in self.vars.items() if counts[v[1]] == 1}  # a name twice cannot be referred to
        for row in self.rows:
            self._logic(row, names)
        return self.rows, self.choices, list(dict.fromkeys(self.warnings))

    def _first(self, name: str) -> dict:
        return next(r for r in self.rows if r["name"] == name)

    def _logic(self, row: dict, names: dict[str, tuple]) -> None:
        value = row.get("relevant")
        if isinstance(value, tuple):
            _, source, who = value
            xpath = logic.relevance(source, names) if source.strip() not in ("", "1") else ""
            row["relevant"] = xpath or ""
            if xpath is None:
                self.warnings.append(
                    f"{who}: relevance equation {source.strip()!r} was not converted; the {who.split()[0]} is always shown"
                )
        for key in [k for k in row if k.startswith(("label", "hint"))]:
            text, left = logic.pipe(row[key], names)
            row[key] = text
            for expression in left if row["type"] != "hidden" else ():
                self.warnings.append(f"question {row['name']}: its text holds LimeSurvey's {expression}, shown as typed")

    def _row(self, type_: str, name: str, labels: dict[str, str] | None = None, **columns) -> dict:
        row = {"type": type_, "name": name, **{f"label::{self.languages[c]}": t for c, t in (labels or {}).items() if c in self.languages}}
        row.update({k: v for k, v in columns.items() if v not in (None, "")})
        self.rows.append(row)
        return row

    def _word(self, key: str) -> dict[str, str]:
        return {c: WORDS[key][1 if c.split("-")[0] == "nl" else 0] for c in self.codes}

    def _list(self, name: str, options: list[tuple[str, dict[str, str]]]) -> str:
        if name not in self.lists:
            self.lists.add(name)
            for code, labels in options:
                self.choices.append(
                    {
                        "list_name": name,
                        "name": code,
                        **{f"label::{self.languages[c]}": t for c, t in labels.items() if c in self.languages},
                    }
                )
        return name

    def _answers(self, q: _Question, scale: str = "0") -> list[tuple[str, dict[str, str]]]:
        found = sorted(self.answers.get((q.qid, scale), []), key=lambda a: a[0])
        if not found:
            raise InstrumentError(f"{self.label}: question {q.code} (type {q.type!r}, {TYPES[q.type][0]}) has no answer options")
        return [(code, texts) for _, code, texts in found]

    def _generated(self, type_: str) -> str:
        name, options = GENERATED[type_]
        return self._list(name, [(code, {c: (nl if c.split("-")[0] == "nl" else en) for c in self.codes}) for code, en, nl in options])

    def _subs(self, q: _Question, scale: str | None = "0") -> list[_Question]:
        subs = sorted(
            (s for s in self.children.get(q.qid, []) if scale is None or (s.row.get("scale_id") or "0") == scale), key=lambda s: s.order
        )
        if not subs:
            raise InstrumentError(f"{self.label}: question {q.code} (type {q.type!r}, {TYPES[q.type][0]}) has no subquestions")
        return subs

    def _item_name(self, q: _Question, code: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", code):
            raise InstrumentError(
                f"{self.label}: question {q.code} (type {q.type!r}, {TYPES[q.type][0]}): subquestion code {code!r} does not begin "
                "with a letter, so it cannot name a question of the XLSForm; give it a code such as SQ001 in LimeSurvey"
            )
        return code

    def _question(self, q: _Question) -> None:
        attrs = self.attributes.get(q.qid, {})
        set_ = [f"{a}={attrs[a]!r}" for a in NOT_CONVERTED if attrs.get(a, "").strip() not in ("", "0", "N")]
        set_ += [f"preg={q.row['preg']!r}"] if q.row.get("preg") else []
        if set_:
            self.warnings.append(f"question {q.code}: LimeSurvey settings not converted: {', '.join(set_)}")
        required = "yes" if q.mandatory else None
        relevant = ("em", q.relevance, f"question {q.code}")
        text, hint = dict(q.texts), q.helps
        hints = {f"hint::{self.languages[c]}": h for c, h in hint.items() if h and c in self.languages}
        t = q.type
        if t in _SINGLE:
            options = self._answers(q) if t in ("L", "!", "O") else None
            name = self._generated(t) if options is None else self._list(q.code, options + ([("other", self._other(q))] if q.other else []))
            self._row("select_one " + name, q.code, text, required=required, relevant=relevant, **hints)
            self.vars[q.code] = ("one", q.code)
            if q.other and options is not None:
                self._extra(q, "other", "specify", f"selected(${{{q.code}}}, 'other')")
            if t == "O":
                self._extra(q, "comment", "comment", None)
        elif t in ("M", "P"):
            subs = self._subs(q)
            options = [(s.code, dict(s.texts)) for s in subs] + ([("other", self._other(q))] if q.other else [])
            self._row("select_multiple " + self._list(q.code, options), q.code, text, required=required, relevant=relevant, **hints)
            self.vars[q.code] = ("multi", q.code)
            for s in subs:
                self.vars[f"{q.code}_{s.code}"] = ("option", q.code, s.code)
            if q.other:
                self._extra(q, "other", "specify", f"selected(${{{q.code}}}, 'other')")
            if t == "P":  # a comment per option, shown when it is chosen
                for code, labels in options:
                    own = {c: f"{labels.get(c, code)} – {w}" for c, w in self._word("comment").items()}
                    self._extra(q, f"{code}comment", own, f"selected(${{{q.code}}}, '{code}')")
        elif t in _ARRAYS or t in (":", ";", "K", "Q"):
            self._row("begin_group", q.code, text, relevant=relevant, **hints)
            self._array(q, required)
            self._row("end_group", "")
        elif t == "R":
            self._row("rank " + self._list(q.code, self._answers(q)), q.code, text, required=required, relevant=relevant, **hints)
        elif t in ("X", "I"):
            self._row("note", q.code, text, relevant=relevant if t == "X" else "false()", **hints)
            if t == "I":
                self.warnings.append(
                    f"question {q.code}: LimeSurvey's language switch is left out (afstand's survey asks the language itself)"
                )
        elif t == "*":
            self._row("hidden", q.code, text)
            self.warnings.append(
                f"question {q.code}: an equation: its value is read from LimeSurvey's exports, afstand does not compute it"
            )
        else:
            xtype = {"S": "text", "T": "text", "U": "text", "N": self._number(attrs), "D": self._date(attrs)}[t]
            appearance = "multiline" if t in ("T", "U") else None
            self._row(xtype, q.code, text, required=required, relevant=relevant, appearance=appearance, **hints)
            self.vars[q.code] = ("value", q.code)

    def _array(self, q: _Question, required: str | None) -> None:
        t, attrs = q.type, self.attributes.get(q.qid, {})
        if t in (":", ";"):
            xtype = "integer" if t == ":" else "text"
            for row in self._subs(q, "0"):
                for column in self._subs(q, "1"):
                    name = f"{self._item_name(q, row.code)}_{column.code}"
                    labels = {c: f"{row.texts.get(c, '')} – {column.texts.get(c, '')}" for c in self.codes}
                    self._row(xtype, name, labels, required=required, relevant=None)
                    self.vars[f"{q.code}_{name}"] = ("value", name)
            return
        if t in ("K", "Q"):
            xtype = "text" if t == "Q" else self._number(attrs)
            for sub in self._subs(q):
                self._row(
                    xtype,
                    self._item_name(q, sub.code),
                    dict(sub.texts),
                    required=required,
                    relevant=("em", sub.relevance, f"subquestion {q.code}[{sub.code}]"),
                )
                self.vars[f"{q.code}_{sub.code}"] = ("value", sub.code)
            return
        scales = ("0", "1") if t == "1" else ("0",)
        lists = [
            self._generated(t) if t in GENERATED else self._list(q.code if s == "0" else f"{q.code}_{int(s) + 1}", self._answers(q, s))
            for s in scales
        ]
        heads = [self.attribute_texts.get((q.qid, f"dualscale_header{'AB'[int(s)]}"), {}) for s in scales]
        for sub in self._subs(q):
            for scale, list_name, head in zip(scales, lists, heads):
                name = self._item_name(q, sub.code) + (f"_{int(scale) + 1}" if t == "1" else "")
                labels = {c: f"{text} – {head.get(c) or int(scale) + 1}" for c, text in sub.texts.items()} if t == "1" else sub.texts
                self._row(
                    "select_one " + list_name,
                    name,
                    dict(labels),
                    required=required,
                    relevant=("em", sub.relevance, f"subquestion {q.code}[{sub.code}]"),
                )
                self.vars[f"{q.code}_{sub.code}" + (f"_{scale}" if t == "1" else "")] = ("one", name)  # EM: Q_SQ001_0

    def _other(self, q: _Question) -> dict[str, str]:
        own = {c: logic.plain(t) for c, t in self.attribute_texts.get((q.qid, "other_replace_text"), {}).items() if logic.plain(t)}
        return {**self._word("other"), **own}

    def _extra(self, q: _Question, part: str, word: str | dict[str, str], relevant: str | None) -> None:
        name = f"{q.code}_{part}"
        self._row("text", name, self._word(word) if isinstance(word, str) else word, relevant=relevant)
        self.vars[name] = ("value", name)

    @staticmethod
    def _number(attrs: dict[str, str]) -> str:
        return "integer" if attrs.get("num_value_int_only", "").strip() in ("1", "Y") else "decimal"

    @staticmethod
    def _date(attrs: dict[str, str]) -> str:
        return "datetime" if re.search(r"[Hh]", attrs.get("date_format", "")) else "date"


# ---------------------------------------------------------------------------------------------
# writing the workbook


def _workbook(rows: list[dict], choices: list[dict], settings: dict[str, str], languages: dict[str, str]) -> bytes:
    labels = [f"label::{name}" for name in languages.values()]
    survey = ["type", "name", *labels, *(f"hint::{name}" for name in languages.values()), "required", "relevant", "appearance"]
    return xlsx_bytes(
        [("survey", survey, rows), ("choices", ["list_name", "name", *labels], choices), ("settings", list(settings), [settings])]
    )
