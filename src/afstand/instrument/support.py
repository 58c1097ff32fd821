"""What afstand does with each XLSForm feature: the declared support matrix.

:data:`MATRIX` is the one table to edit when afstand learns a feature. Every XLSForm question
type (with pyxform's aliases), survey/choices/settings column and XPath function has one of
three statuses:

``web``       collected in afstand's web survey (and analysed)
``analysis``  accepted: data collected elsewhere (Kobo, ODK, …) is read and analysed or kept,
              but afstand's web survey does not collect it (or does not apply the column)
``refused``   a form that uses it is refused, with the list of what it uses

:func:`check_form` applies the table to a form, per question; ``afstand instrument check``
prints it and ``docs/xlsform.md`` is generated from it (:func:`render_markdown`), so the
documentation cannot drift from the code. A feature not in the table is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WEB = "web"
ANALYSIS = "analysis"
REFUSED = "refused"
STATUSES = (WEB, ANALYSIS, REFUSED)
_RANK = {WEB: 0, ANALYSIS: 1, REFUSED: 2}


@dataclass(frozen=True)
class Feature:
    kind: str  # type, column, choices column, setting, function, expression
    name: str
    status: str
    note: str = ""
    aliases: tuple[str, ...] = ()


_MEDIA = "media: the file name in an export is kept as an answer; afstand takes no files"
_META = "metadata: afstand never records devices, persons or precise times; an export's column is kept apart"
_NOT_WEB = "accepted; not applied by the web survey"
_NOT_EVALUATED = "not evaluated on the web: an export of a form that uses it is analysed; the web survey refuses the form"

#: The support matrix, one feature per line as a table. Edit it (and regenerate docs/xlsform.md) when support changes.
# fmt: off
MATRIX: tuple[Feature, ...] = (
    # ----- question types (pyxform's aliases listed, so every spelling pyxform knows is declared)
    Feature("type", "text", WEB, "text box; `multiline` appearance gives a text area", ("string", "q string", "add text prompt")),
    Feature("type", "integer", WEB, "number box, whole numbers checked on the server",
            ("int", "q int", "add integer prompt", "percentage", "number of days in last month",
             "number of days in last six months", "number of days in last year")),
    Feature("type", "decimal", WEB, "number box; decimal comma accepted", ("q decimal", "add decimal prompt")),
    Feature("type", "range", WEB, "number box; `parameters` (start, end, step) checked on the server"),
    Feature("type", "select_one", WEB, "radio buttons; `likert` appearance gives a scale",
            ("select one", "q select1", "select one using", "add select one prompt using")),
    Feature("type", "select_multiple", WEB, "check boxes",
            ("select all that apply", "select multiple using", "q select", "add select multiple prompt using",
             "select all that apply from", "select multiple from")),
    Feature("type", "select_one_from_file", REFUSED, "needs an external choices file, which afstand does not take",
            ("select one from file",)),
    Feature("type", "select_multiple_from_file", REFUSED, "needs an external choices file, which afstand does not take",
            ("select multiple from file",)),
    Feature("type", "select_one_external", REFUSED, "needs an external choices file, which afstand does not take",
            ("select one external",)),
    Feature("type", "rank", ANALYSIS, "ordered choices: read from exports, counted as answered"),
    Feature("type", "note", WEB, "text shown on the page", ("q note", "add note prompt")),
    Feature("type", "acknowledge", WEB, "a check box; stored as `OK`",
            ("trigger", "q acknowledge", "add acknowledge prompt")),
    Feature("type", "date", WEB, "date input, `YYYY-MM-DD` checked on the server", ("q date", "add date prompt")),
    Feature("type", "time", WEB, "time input, `HH:MM[:SS]` checked on the server"),
    Feature("type", "datetime", WEB, "date-time input, checked on the server",
            ("date time", "q date time", "q dateTime", "add date time prompt", "add dateTime prompt")),
    Feature("type", "geopoint", ANALYSIS, "read from exports, counted as answered",
            ("gps", "location", "q geopoint", "q location", "add location prompt")),
    Feature("type", "geotrace", ANALYSIS, "read from exports, counted as answered", ("q geotrace",)),
    Feature("type", "geoshape", ANALYSIS, "read from exports, counted as answered", ("q geoshape",)),
    Feature("type", "image", ANALYSIS, _MEDIA, ("photo", "q image", "q picture", "add image prompt")),
    Feature("type", "audio", ANALYSIS, _MEDIA, ("q audio", "add audio prompt")),
    Feature("type", "video", ANALYSIS, _MEDIA, ("q video", "add video prompt")),
    Feature("type", "file", ANALYSIS, _MEDIA, ("add file prompt",)),
    Feature("type", "barcode", ANALYSIS, "read from exports, counted as answered", ("q barcode", "add barcode prompt")),
    Feature("type", "phone number", ANALYSIS, "a text question for digits: read from exports, counted as answered"),
    Feature("type", "hidden", ANALYSIS, "read from exports, counted as answered"),
    Feature("type", "calculate", WEB, "computed on the server and stored with the answers (docs/form-engine.md)",
            ("q calculate", "add calculate prompt")),
    Feature("type", "osm", REFUSED, "OpenStreetMap widget"),
    Feature("type", "xml-external", REFUSED, "external data files are not taken"),
    Feature("type", "csv-external", REFUSED, "external data files are not taken"),
    Feature("type", "start", ANALYSIS, _META, ("start time", "get start time")),
    Feature("type", "end", ANALYSIS, _META, ("end time", "get end time")),
    Feature("type", "today", ANALYSIS, _META, ("get today",)),
    Feature("type", "deviceid", ANALYSIS, _META, ("device id", "get device id", "uri:deviceid", "imei")),
    Feature("type", "username", ANALYSIS, _META, ("uri:username",)),
    Feature("type", "phonenumber", ANALYSIS, _META, ("get phone number", "uri:phonenumber")),
    Feature("type", "email", ANALYSIS, _META, ("uri:email",)),
    Feature("type", "simserial", ANALYSIS, _META, ("sim id", "get sim id", "uri:simserial")),
    Feature("type", "subscriberid", ANALYSIS, _META, ("subscriber id", "get subscriber id", "uri:subscriberid")),
    Feature("type", "audit", ANALYSIS, _META),
    Feature("type", "start-geopoint", ANALYSIS, _META),
    Feature("type", "background-geopoint", ANALYSIS, _META),
    Feature("type", "background-audio", ANALYSIS, _META),
    Feature("type", "begin_group", WEB, "a page; nested groups stay on their outer group's page", ("begin group",)),
    Feature("type", "begin_repeat", WEB, "a page of its own with one block per instance; exported as a table per repeat",
            ("begin repeat",)),
    Feature("type", "begin_loop", WEB, "one group per choice of the list", ("begin loop", "loop")),
    # ----- survey sheet columns
    Feature("column", "type", WEB),
    Feature("column", "name", WEB),
    Feature("column", "label", WEB, "in every language column (`label::Nederlands (nl)`)"),
    Feature("column", "hint", WEB),
    Feature("column", "guidance_hint", ANALYSIS, _NOT_WEB),
    Feature("column", "required", WEB, "checked on the server"),
    Feature("column", "required (expression)", WEB, "a condition as `required` (`${werkt} = 'ja'`): the question is "
                                                     "required exactly while it holds (as ODK and Enketo do), checked on the "
                                                     "server and in the browser"),
    Feature("column", "required_message", ANALYSIS, "the web survey shows its own message"),
    Feature("column", "relevant", WEB, "evaluated on the server (and in the browser) when its expression uses only "
                                       "the functions marked web"),
    Feature("column", "constraint", WEB, "checked on the server when its expression uses only the functions marked web"),
    Feature("column", "constraint_message", WEB, "shown under the question and in the error summary, `${name}` filled in"),
    Feature("column", "appearance", WEB, "`field-list`, `multiline`, `likert` are applied; others are ignored"),
    Feature("column", "default", WEB, "the starting value of a question"),
    Feature("column", "read_only", WEB, "the question is shown, not answered"),
    Feature("column", "calculation", WEB, "computed on the server and stored"),
    Feature("column", "choice_filter", WEB, "applied to the choices shown; the server refuses a choice it does not allow"),
    Feature("column", "parameters", WEB, "range start, end and step checked on the server"),
    Feature("column", "repeat_count", WEB, "a fixed number of repeat instances"),
    Feature("column", "media", ANALYSIS, "images, audio and video with a question are not shown"),
    Feature("column", "trigger", ANALYSIS, _NOT_WEB),
    Feature("column", "save_to", ANALYSIS, "entities are not kept"),
    Feature("column", "consent_choice", WEB, "afstand: the choice of the first question that means taking part"),
    Feature("column", "dimension", WEB, "afstand: scale dimension of a statement"),
    Feature("column", "key", WEB, "afstand: 1 or -1, direction of a statement"),
    Feature("column", "pair", WEB, "afstand: the item of another instrument it is contrasted with"),
    Feature("column", "missing", WEB, "afstand: missing-value codes (e.g. `999`), never counted as answers"),
    # ----- choices sheet columns
    Feature("choices column", "list_name", WEB, aliases=("list name",)),
    Feature("choices column", "name", WEB, "unique within a list (duplicates are refused)"),
    Feature("choices column", "label", WEB),
    Feature("choices column", "media", ANALYSIS, "images with choices are not shown"),
    Feature("choices column", "score", WEB, "afstand: numeric value of a choice for scales"),
    Feature("choices column", "collapse", WEB, "afstand: category a choice falls into in figures"),
    # ----- settings
    Feature("setting", "form_title", WEB),
    Feature("setting", "form_id", WEB),
    Feature("setting", "version", WEB),
    Feature("setting", "default_language", WEB),
    Feature("setting", "instance_name", ANALYSIS, _NOT_WEB),
    Feature("setting", "style", WEB, "afstand shows one group per page (as `pages`); `theme-grid` is ignored"),
    Feature("setting", "submission_url", ANALYSIS, "answers go to afstand"),
    Feature("setting", "allow_choice_duplicates", WEB, "a name repeated in a list (told apart by a choice_filter) is one "
                                                       "answer value; with different labels it is refused"),
    Feature("setting", "public_key", ANALYSIS, "answers given on afstand are not encrypted with it; decrypted exports are read"),
    Feature("setting", "auto_send", ANALYSIS, _NOT_WEB),
    Feature("setting", "auto_delete", ANALYSIS, _NOT_WEB),
    Feature("setting", "namespaces", ANALYSIS, _NOT_WEB),
    Feature("setting", "clean_text_values", ANALYSIS, _NOT_WEB),
    Feature("setting", "prefix", ANALYSIS, _NOT_WEB),
    # ----- expressions
    Feature("expression", "${name} reference", WEB, "in relevant, constraint, calculation, choice_filter, repeat_count"),
    Feature("expression", ". (current answer)", WEB),
    Feature("expression", "relative path (../name)", WEB, "as pyxform writes for or_other"),
    Feature("expression", "${name} in a label or hint", WEB,
            "the answer is filled in on the page, as pyxform's `<output>` in ODK and Enketo; also in a group's label "
            "(the page title), a choice's label and a `constraint_message`"),
    # ----- XPath functions
    # the functions the server's evaluator implements (afstand.instrument.xpath_functions.FUNCTIONS)
    *(Feature("function", name, WEB) for name in (
        "selected", "count-selected", "selected-at", "string-length", "regex", "concat", "coalesce", "contains",
        "starts-with", "ends-with", "substr", "substring-before", "substring-after", "translate", "normalize-space",
        "string", "number", "boolean", "boolean-from-string", "not", "true", "false", "int", "round", "floor",
        "ceiling", "abs", "pow", "sqrt", "exp", "log", "log10", "pi", "sum", "count", "count-non-empty", "min", "max", "join",
        "today", "now", "date", "date-time", "decimal-date-time", "decimal-date", "format-date", "format-date-time",
        "position", "indexed-repeat", "jr:choice-name", "once", "uuid", "if")),
    *(Feature("function", name, ANALYSIS, _NOT_EVALUATED) for name in (
        "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp10", "random", "decimal-time",
        "digest", "base64-decode", "area", "distance", "checklist", "weighted-checklist", "jr:itext",
        "instance", "current", "last", "choice-name")),
    Feature("function", "pulldata", ANALYSIS, "needs an external file; " + _NOT_EVALUATED),
)
# fmt: on


def _index() -> dict[tuple[str, str], Feature]:
    out: dict[tuple[str, str], Feature] = {}
    for feature in MATRIX:
        for spelling in (feature.name,) + feature.aliases:
            out[(feature.kind, spelling.lower())] = feature
    return out


_BY_NAME = _index()


def lookup(kind: str, name: str) -> Feature:
    """The declared feature, or a refused placeholder for anything the table does not name."""
    found = _BY_NAME.get((kind, name.strip().lower()))
    if found is not None:
        return found
    return Feature(kind, name, REFUSED, "not a feature afstand knows")


def canonical_type(pyxform_type: str) -> str:
    """pyxform's spelling of a type (``int``, ``select one``, ``gps``) → the XLSForm name afstand uses."""
    found = _BY_NAME.get(("type", pyxform_type.strip().lower()))
    return found.name if found is not None else pyxform_type


def worst(statuses) -> str:
    statuses = list(statuses)
    return max(statuses, key=_RANK.__getitem__) if statuses else WEB


# ---------------------------------------------------------------------------------------------
# applying the matrix to a form

#: pyxform JSON → the survey column it came from
_BIND_COLUMNS = {
    "required": "required",
    "jr:requiredMsg": "required_message",
    "relevant": "relevant",
    "constraint": "constraint",
    "jr:constraintMsg": "constraint_message",
    "calculate": "calculation",
    "readonly": "read_only",
    "entities:saveto": "save_to",
}
_CONTROL_COLUMNS = {"appearance": "appearance", "jr:count": "repeat_count"}
_TOP_COLUMNS = ("hint", "guidance_hint", "default", "choice_filter", "trigger", "media")
_EXPRESSION_COLUMNS = {"relevant": "relevant", "constraint": "constraint", "calculate": "calculation", "required": "required"}
_FUNCTION = re.compile(r"(?<![\w$:.-])([A-Za-z][\w.-]*(?::[\w.-]+)?)\s*\(")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_CONSTANT_REQUIRED = ("yes", "true", "true()", "1", "no", "false", "false()", "0")  # as the loader reads `required`
_AFSTAND_COLUMNS = ("consent_choice", "dimension", "key", "pair", "missing")
_PYXFORM_TYPE_OF = {"group": "begin_group", "repeat": "begin_repeat", "loop": "begin_loop"}


@dataclass
class QuestionSupport:
    name: str
    path: str
    type: str
    status: str
    features: list[Feature] = field(default_factory=list)
    where: str | None = None  # "sheet survey, row 4", set by the loader when it has the sheets
    type_cell: str | None = None  # "sheet survey, row 4, column 'type' (cell A4), value 'rank lijst'", likewise
    #: function name -> (survey column, expression) it is first called in; with the sheets, its cell
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # "sheet survey, row 7, column 'relevant' (cell H7), value '…'"

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "type": self.type,
            "status": self.status,
            "where": self.where,
            "features": [{"kind": f.kind, "name": f.name, "status": f.status, "note": f.note} for f in self.features],
        }


@dataclass
class FormSupport:
    source: str
    status: str  # web, analysis or refused
    questions: list[QuestionSupport] = field(default_factory=list)
    settings: list[Feature] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the form could not be read, or afstand's own checks failed

    @property
    def accepted(self) -> bool:
        return self.status != REFUSED

    def refusals(self) -> list[str]:
        """One line per refused feature: where, what, why."""
        lines = list(self.errors)
        for q in self.questions:
            for f in q.features:
                if f.status == REFUSED:
                    where = q.type_cell if f.kind == "type" and q.type_cell else q.where
                    if f.kind == "function" and f.name in q.sources:  # the cell and the expression it is called in
                        column, expression = q.sources[f.name]
                        where = q.cells.get(f.name) or ", ".join(filter(None, [where, f"column {column!r}, value {expression!r}"]))
                    where = f"{where}: " if where else ""
                    lines.append(
                        f"{where}question {q.path} ({q.type}): {f.kind} {f.name!r} is not supported" + (f": {f.note}" if f.note else "")
                    )
        for f in self.settings:
            if f.status == REFUSED:
                lines.append(f"setting {f.name!r} is not supported" + (f": {f.note}" if f.note else ""))
        return lines

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "status": self.status,
            "accepted": self.accepted,
            "refused": self.refusals(),
            "errors": list(self.errors),
            "questions": [q.as_dict() for q in self.questions],
            "settings": [{"name": f.name, "status": f.status, "note": f.note} for f in self.settings],
        }


def check_pyxform(js: dict, source: str) -> FormSupport:
    """Apply the matrix to pyxform's JSON of a form."""
    questions: list[QuestionSupport] = []

    def walk(children: list[dict], prefix: tuple[str, ...]) -> None:
        for child in children:
            ctype = str(child.get("type", ""))
            name = str(child.get("name", ""))
            if ctype in ("group", "repeat", "loop"):
                if child.get("control", {}).get("bodyless") or (name == "meta" and not prefix):
                    continue  # written by pyxform (meta/instanceID), not by the form's author
                sources: dict[str, tuple[str, str]] = {}
                features = [lookup("type", _PYXFORM_TYPE_OF[ctype])] + _column_features(child, sources)
                path, kind = "/".join(prefix + (name,)), _PYXFORM_TYPE_OF[ctype]
                questions.append(QuestionSupport(name, path, kind, worst(f.status for f in features), features, sources=sources))
                walk(child.get("children", []), prefix + (name,))
                continue
            itemset = str(child.get("itemset") or "")
            if itemset.lower().endswith((".csv", ".xml", ".geojson")) and not child.get("list_name"):
                ctype = "select_multiple_from_file" if canonical_type(ctype) == "select_multiple" else "select_one_from_file"
            type_feature = lookup("type", ctype)
            sources = {}
            features = [type_feature] + _column_features(child, sources)
            path = "/".join(prefix + (name,))
            questions.append(QuestionSupport(name, path, type_feature.name, worst(f.status for f in features), features, sources=sources))

    walk(js.get("children", []), ())
    settings = [lookup("setting", key) for key in _settings_used(js)]
    status = worst([q.status for q in questions] + [f.status for f in settings])
    return FormSupport(source, status, questions, settings)


def _settings_used(js: dict) -> list[str]:
    used = []
    mapping = {
        "title": "form_title",
        "id_string": "form_id",
        "version": "version",
        "default_language": "default_language",
        "instance_name": "instance_name",
        "style": "style",
        "submission_url": "submission_url",
        "public_key": "public_key",
        "auto_send": "auto_send",
        "auto_delete": "auto_delete",
        "namespaces": "namespaces",
        "clean_text_values": "clean_text_values",
        "prefix": "prefix",
    }
    for key, setting in mapping.items():
        if js.get(key) not in (None, "", {}) and key not in ("title", "id_string"):
            used.append(setting)
    if js.get("allow_choice_duplicates") in ("yes", "true", True, "TRUE", "Yes"):
        used.append("allow_choice_duplicates")
    return used


def _column_features(child: dict, sources: dict[str, tuple[str, str]]) -> list[Feature]:
    """The features a question uses; ``sources`` gets, per function, the column and expression it is first called in."""
    features: list[Feature] = []
    seen: set[tuple[str, str]] = set()

    def add(feature: Feature) -> None:
        if (feature.kind, feature.name) not in seen:
            seen.add((feature.kind, feature.name))
            features.append(feature)

    bind = child.get("bind") or {}
    control = child.get("control") or {}
    for key, column in _BIND_COLUMNS.items():
        if bind.get(key) not in (None, ""):
            add(lookup("column", column))
    if bind.get("required") not in (None, "") and str(bind["required"]).strip().lower() not in _CONSTANT_REQUIRED:
        add(lookup("column", "required (expression)"))
    for key, column in _CONTROL_COLUMNS.items():
        if control.get(key) not in (None, ""):
            add(lookup("column", column))
    for key in _TOP_COLUMNS:
        if child.get(key) not in (None, "", {}):
            add(lookup("column", key))
    if child.get("parameters"):
        add(lookup("column", "parameters"))
    for key in _AFSTAND_COLUMNS:
        if child.get(key) not in (None, ""):
            add(lookup("column", key))
    for column, source in [(c, bind.get(k)) for k, c in _EXPRESSION_COLUMNS.items()] + [("choice_filter", child.get("choice_filter"))]:
        if not isinstance(source, str) or not source.strip():
            continue
        bare = _STRING.sub("''", source)
        if "${" in bare:
            add(lookup("expression", "${name} reference"))
        if re.search(r"(^|[^.\w])\.\.?/", bare) or "../" in bare:
            add(lookup("expression", "relative path (../name)"))
        for function in _FUNCTION.findall(bare):
            if function.lower() in ("and", "or", "div", "mod"):
                continue
            add(lookup("function", function))
            sources.setdefault(lookup("function", function).name, (column, source))
    for text in _texts(child.get("label")) + _texts(child.get("hint")):
        if "${" in text:
            add(lookup("expression", "${name} in a label or hint"))
    return features


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(value)] if value else []


# ---------------------------------------------------------------------------------------------
# documentation

_KIND_TITLES = {
    "type": "Question types",
    "column": "Survey sheet columns",
    "choices column": "Choices sheet columns",
    "setting": "Settings",
    "expression": "Expressions",
    "function": "XPath functions",
}
_STATUS_TEXT = {WEB: "web", ANALYSIS: "analysis only", REFUSED: "refused"}


def render_markdown() -> str:
    """docs/xlsform.md, generated from :data:`MATRIX` (``python -m afstand.instrument.support``)."""
    lines = [
        "# XLSForm support",
        "",
        "<!-- Generated from src/afstand/instrument/support.py (MATRIX) by "
        "`python -m afstand.instrument.support > docs/xlsform.md`; a test checks that it is current. -->",
        "",
        "afstand reads XLSForms with [pyxform](https://github.com/XLSForm/pyxform). Every question type, column,",
        "setting and function has one of three statuses:",
        "",
        "- **web**: collected in afstand's web survey and analysed;",
        "- **analysis only**: the form is accepted and data collected with another tool (KoboToolbox, ODK)",
        "  is read and analysed, but afstand's web survey does not collect it or does not apply the column;",
        "- **refused**: a form that uses it is refused, with the list of what it uses.",
        "",
        "Anything not listed here is refused. `afstand instrument check FORM` (add `--json` for a machine-readable",
        "answer) says per question which of these a given form uses; it exits with status 2 when the form is refused,",
        "exactly when the upload page and `afstand study create` refuse it (the same check, the same message).",
        "",
    ]
    for kind, title in _KIND_TITLES.items():
        lines += [f"## {title}", "", "| name | status | notes |", "|---|---|---|"]
        for feature in MATRIX:
            if feature.kind != kind:
                continue
            note = feature.note
            if feature.aliases:
                note = (note + "; " if note else "") + "also written " + ", ".join(f"`{a}`" for a in feature.aliases)
            lines.append(f"| `{feature.name}` | {_STATUS_TEXT[feature.status]} | {note.replace('|', '/')} |")
        lines.append("")
    from afstand.instrument.limesurvey_types import markdown_section
    from afstand.instrument.refusal_docs import REFUSALS

    return "\n".join(lines + REFUSALS + [""] + markdown_section())


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(render_markdown())
