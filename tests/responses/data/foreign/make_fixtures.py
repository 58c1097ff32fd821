"""Write the "foreign" fixtures: a multilingual XLSForm and its answers exported the way other tools
export them (KoboToolbox's formpack, ODK Central, Dutch Excel, SPSS through pyreadstat).

Nobody on afstand wrote these layouts: they follow the public behaviour of formpack (headers from
``get_labels``: ``group_sep`` between groups, question and choice label; geopoints as
``_<name>_latitude``…; repeat sheets with ``_index``/``_parent_index``/``_submission_*``), ODK
Central's briefcase CSV (``SubmissionDate`` first, paths joined by ``-``, geopoints as four
``-Latitude``… columns, split select_multiple ``q/choice`` defaulting to 0, repeats as
``<form>-<repeat>.csv`` with ``PARENT_KEY``/``KEY``) and Excel's "CSV UTF-8" in a Dutch locale.

``expected.json`` holds the counts computed here from the answers themselves, not by afstand.
Run from the repository root: ``python tests/responses/data/foreign/make_fixtures.py`` (the
``.xls`` copy of the form needs ``xlwt``; it is skipped without it).
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
NL, EN = "Dutch (nl)", "English (en)"
LANGS = (NL, EN)

# ---------------------------------------------------------------------------------------------
# the form: (type, name, nl, en, extra columns)
# fmt: off
SURVEY = [
    ("start", "start", "", "", {}),
    ("end", "end", "", "", {}),
    ("today", "today", "", "", {}),
    ("begin_group", "intro", "Over jou", "About you", {"appearance": "field-list"}),
    ("integer", "leeftijd", "Hoe oud ben je?", "How old are you?",
     {"required": "yes", "constraint": ". >= 16 and . <= 99",
      f"constraint_message::{NL}": "Tussen 16 en 99", f"constraint_message::{EN}": "Between 16 and 99",
      f"required_message::{NL}": "Vul je leeftijd in", f"required_message::{EN}": "Fill in your age",
      f"hint::{NL}": "In jaren", f"hint::{EN}": "In years"}),
    ("select_one provincie", "regio", "Provincie", "Province", {}),
    ("select_one gemeente", "gemeente", "Gemeente", "Municipality", {"choice_filter": "provincie=${regio}"}),
    ("end_group", "", "", "", {}),
    ("begin_group", "werk", "Je werk", "Your work", {}),
    ("begin_group", "thuis", "Thuiswerken", "Working from home", {}),
    ("select_multiple dag or_other", "dagen", "Op welke dagen werk je thuis?", "On which days do you work from home?", {}),
    ("select_multiple middel", "middelen", "Wat heb je thuis?", "What do you have at home?", {}),
    ("end_group", "", "", "", {}),
    ("decimal", "uren", "Uren per dag", "Hours per day", {}),
    ("calculate", "uren_week", "", "", {"calculation": "${uren} * 5"}),
    ("select_one tevreden", "tevreden", "Hoe tevreden ben je?", "How satisfied are you?", {"appearance": "likert"}),
    ("range", "cijfer", "Rapportcijfer", "Grade", {"parameters": "start=0 end=10 step=1"}),
    ("rank prio", "prio", "Wat is het belangrijkst?", "What matters most?", {}),
    ("text", "toelichting", "Toelichting", "Explanation", {"appearance": "multiline"}),
    ("text", "opmerking_uren", "Opmerking over je uren", "Remark on your hours", {"trigger": "${uren}"}),
    ("end_group", "", "", "", {}),
    ("begin_repeat", "kinderen", "Kinderen", "Children", {}),
    ("integer", "kind_leeftijd", "Leeftijd van het kind", "Age of the child", {}),
    ("select_one jn", "opvang", "Gaat het kind naar de opvang?", "Does the child go to day care?", {}),
    ("end_repeat", "", "", "", {}),
    ("begin_group", "slot", "Afsluiting", "Closing", {}),
    ("geopoint", "locatie", "Waar werk je thuis?", "Where do you work from home?", {}),
    ("image", "foto", "Foto van je werkplek", "Photo of your workplace", {}),
    ("audio", "opname", "Ingesproken toelichting", "Spoken explanation", {}),
    ("barcode", "code", "Scan je pas", "Scan your card", {}),
    ("acknowledge", "akkoord", "Ik heb dit gelezen", "I have read this", {}),
    ("text", "toelichting", "Toelichting", "Explanation", {}),
    ("note", "bedankt", "Bedankt! Je werkt ${uren_week} uur per week thuis.", "Thanks! You work ${uren_week} hours a week from home.", {}),
    ("end_group", "", "", "", {}),
]
CHOICES = {
    "jn": [("ja", "Ja", "Yes"), ("nee", "Nee", "No")],
    "provincie": [("ut", "Utrecht", "Utrecht"), ("nh", "Noord-Holland", "North Holland"), ("gl", "Gelderland", "Gelderland")],
    "gemeente": [("utrecht", "Utrecht", "Utrecht", "ut"), ("amersfoort", "Amersfoort", "Amersfoort", "ut"),
                 ("amsterdam", "Amsterdam", "Amsterdam", "nh"), ("haarlem", "Haarlem", "Haarlem", "nh"),
                 ("arnhem", "Arnhem", "Arnhem", "gl"), ("nijmegen", "Nijmegen", "Nijmegen", "gl")],
    "dag": [("ma", "Maandag", "Monday"), ("di", "Dinsdag", "Tuesday"), ("wo", "Woensdag", "Wednesday"),
            ("do", "Donderdag", "Thursday"), ("vr", "Vrijdag", "Friday")],
    "middel": [("laptop", "Laptop van het werk", "Work laptop"), ("scherm", "Extra scherm", "Extra screen"),
               ("werk", "Laptop", "Laptop"), ("stoel", "Bureaustoel", "Office chair")],
    "tevreden": [("1", "Zeer ontevreden", "Very dissatisfied"), ("2", "Ontevreden", "Dissatisfied"),
                 ("3", "Neutraal", "Neutral"), ("4", "Tevreden", "Satisfied"), ("5", "Zeer tevreden", "Very satisfied")],
    "prio": [("rust", "Rust", "Quiet"), ("tijd", "Tijd", "Time"), ("contact", "Contact met collega's", "Contact with colleagues")],
}
# fmt: on
SETTINGS = {
    "form_title": "Thuiswerken (extern)",
    "form_id": "thuiswerk_extern",
    "version": "2025011501",
    "default_language": NL,
    "instance_name": "concat('resp-', ${leeftijd})",
}
SURVEY_COLUMNS = ["type", "name", f"label::{NL}", f"label::{EN}", f"hint::{NL}", f"hint::{EN}", "required",
                  f"required_message::{NL}", f"required_message::{EN}", "relevant", "constraint",
                  f"constraint_message::{NL}", f"constraint_message::{EN}", "appearance", "choice_filter",
                  "calculation", "parameters", "trigger"]  # fmt: skip


def form_rows():
    """(sheet, rows) of the XLSForm: ``list name`` (with a space, as older forms write it), an empty
    row inside the survey, a sheet the form does not use."""
    survey = [SURVEY_COLUMNS]
    for n, (type_, name, nl, en, extra) in enumerate(SURVEY):
        cells = {"type": type_, "name": name, f"label::{NL}": nl, f"label::{EN}": en, **extra}
        survey.append([cells.get(c, "") for c in SURVEY_COLUMNS])
        if n == 8:
            survey.append([""] * len(SURVEY_COLUMNS))
    choices = [["list name", "name", f"label::{NL}", f"label::{EN}", "provincie"]]
    for list_name, rows in CHOICES.items():
        for row in rows:
            choices.append([list_name, row[0], row[1], row[2], row[3] if len(row) > 3 else ""])
    settings = [list(SETTINGS), list(SETTINGS.values())]
    notes = [["Aantekeningen"], ["Gemaakt om afstand te toetsen met formulieren van buiten."]]
    return [("survey", survey), ("choices", choices), ("settings", settings), ("aantekeningen", notes)]


def write_form() -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in form_rows():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([c if c != "" else None for c in row])
    book.save(HERE / "thuiswerk.xlsx")
    try:
        import xlwt
    except ImportError:
        return
    old = xlwt.Workbook()
    for title, rows in form_rows():
        sheet = old.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
    old.save(str(HERE / "thuiswerk.xls"))


# ---------------------------------------------------------------------------------------------
# the answers


def answers(n: int = 14):
    """One dict per respondent (choice names; select_multiple as a list) and its children."""
    rng = random.Random(16)
    people = []
    for i in range(n):
        regio = rng.choice(["ut", "nh", "gl", ""]) if i else "ut"
        towns = [t[0] for t in CHOICES["gemeente"] if t[3] == regio]
        dagen = sorted(rng.sample(["ma", "di", "wo", "do", "vr", "other"], rng.randint(0, 3)), key=_day_order)
        person = {
            "leeftijd": str(rng.randint(18, 66)),
            "regio": regio,
            "gemeente": rng.choice(towns) if towns else "",
            "dagen": dagen,
            "dagen_other": "zaterdag" if "other" in dagen else "",
            "middelen": [m for m in ("laptop", "scherm", "werk", "stoel") if rng.random() < 0.5],
            "uren": rng.choice(["4", "6.5", "7.5", "8", ""]),
            "tevreden": rng.choice(["1", "2", "3", "4", "5", ""]),
            "cijfer": str(rng.randint(0, 10)),
            "prio": " ".join(rng.sample(["rust", "tijd", "contact"], 3)),
            "werk/toelichting": rng.choice(["", "één dag, rustig", 'met "aanhalingstekens"; en puntkomma']),
            "opmerking_uren": "",
            "locatie": rng.choice(["52.09 5.12 3 4.5", ""]),
            "foto": f"foto-{i}.jpg" if rng.random() < 0.5 else "",
            "opname": "",
            "code": rng.choice(["8712345678906", ""]),
            "akkoord": "OK",
            "slot/toelichting": rng.choice(["", "tot ziens"]),
        }
        person["uren_week"] = _fmt(float(person["uren"]) * 5) if person["uren"] else ""
        kids = [{"kind_leeftijd": str(rng.randint(0, 17)), "opvang": rng.choice(["ja", "nee"])} for _ in range(rng.randint(0, 3))]
        people.append((person, kids))
    return people


def _day_order(name):
    return ["ma", "di", "wo", "do", "vr", "other"].index(name)


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def expected(people) -> dict:
    """Counts per item as afstand's analysis reports them, from the answers themselves."""
    out: dict = {"n_total": len(people), "items": {}}
    for key in ("regio", "gemeente", "tevreden"):
        values = [p[key] for p, _ in people if p[key]]
        out["items"][key] = {"counts": {v: values.count(v) for v in sorted(set(values))}}
    for key in ("dagen", "middelen"):
        chosen = [c for p, _ in people for c in p[key]]
        out["items"][key] = {"counts": {v: chosen.count(v) for v in sorted(set(chosen))}, "answered": sum(bool(p[key]) for p, _ in people)}
    for key in ("leeftijd", "uren", "cijfer"):
        values = [float(p[key]) for p, _ in people if p[key]]
        out["items"][key] = {"n": len(values), "mean": sum(values) / len(values)}
    for key in ("werk/toelichting", "slot/toelichting", "locatie", "foto", "code"):
        out["items"][key] = {"answered": sum(bool(p[key]) for p, _ in people)}
    spss_ages = [float(p["leeftijd"]) for i, (p, _) in enumerate(people) if i % 5]  # 999 (user-missing) in the others
    out["spss"] = {"leeftijd": {"n": len(spss_ages), "mean": sum(spss_ages) / len(spss_ages)}}
    kids = [k for _, ks in people for k in ks]
    ages = [float(k["kind_leeftijd"]) for k in kids]
    out["kinderen"] = {
        "n_total": len(kids),
        "opvang": {v: [k["opvang"] for k in kids].count(v) for v in ("ja", "nee") if any(k["opvang"] == v for k in kids)},
        "kind_leeftijd": {"n": len(ages), "mean": sum(ages) / len(ages)},
    }
    return out


# ---------------------------------------------------------------------------------------------
# the exports

# (key, name, path of groups, type, list) in form order, as the tools see the fields
FIELDS = [
    ("start", "start", (), "start", None),
    ("end", "end", (), "end", None),
    ("today", "today", (), "today", None),
    ("leeftijd", "leeftijd", ("intro",), "integer", None),
    ("regio", "regio", ("intro",), "select_one", "provincie"),
    ("gemeente", "gemeente", ("intro",), "select_one", "gemeente"),
    ("dagen", "dagen", ("werk", "thuis"), "select_multiple", "dag"),
    ("dagen_other", "dagen_other", ("werk", "thuis"), "text", None),
    ("middelen", "middelen", ("werk", "thuis"), "select_multiple", "middel"),
    ("uren", "uren", ("werk",), "decimal", None),
    ("uren_week", "uren_week", ("werk",), "calculate", None),
    ("tevreden", "tevreden", ("werk",), "select_one", "tevreden"),
    ("cijfer", "cijfer", ("werk",), "range", None),
    ("prio", "prio", ("werk",), "rank", None),
    ("werk/toelichting", "toelichting", ("werk",), "text", None),
    ("opmerking_uren", "opmerking_uren", ("werk",), "text", None),
    ("locatie", "locatie", ("slot",), "geopoint", None),
    ("foto", "foto", ("slot",), "image", None),
    ("opname", "opname", ("slot",), "audio", None),
    ("code", "code", ("slot",), "barcode", None),
    ("akkoord", "akkoord", ("slot",), "acknowledge", None),
    ("slot/toelichting", "toelichting", ("slot",), "text", None),
    ("bedankt", "bedankt", ("slot",), "note", None),
]
KID_FIELDS = [("kind_leeftijd", "kind_leeftijd", ("kinderen",), "integer", None), ("opvang", "opvang", ("kinderen",), "select_one", "jn")]
LABELS = {row[1]: {NL: row[2], EN: row[3]} for row in SURVEY if row[1]}
LABELS["dagen_other"] = {}  # pyxform's "Specify other." has no translation: Kobo writes the name
GROUP_LABELS = {row[1]: {NL: row[2], EN: row[3]} for row in SURVEY if row[0] in ("begin_group", "begin_repeat")}
KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags"]


def _choices(list_name):
    rows = list(CHOICES[list_name])
    if list_name == "dag":
        rows.append(("other", "", ""))  # or_other: formpack's split column is "<label>/other"
    return rows


def _choice_label(list_name, name, lang):
    for row in _choices(list_name):
        if row[0] == name:
            return ((row[1] if lang == NL else row[2]) or name) if lang else name  # formpack: the name without a label
    return name


def kobo_sheet(people, fields, *, lang, sep, groups, multi, truth=("1", "0"), typed=False, media_urls=False):
    """Header and rows as formpack writes them. ``lang``: None = XML values and headers."""
    header: list[str] = []
    getters = []

    def text(key, name):
        return (LABELS.get(name, {}).get(lang) or name) if lang else name

    def prefix(path):
        return [(GROUP_LABELS[g].get(lang) or g) if lang else g for g in path] if groups else []

    for key, name, path, kind, list_name in fields:
        own = text(key, name)
        title = sep.join(prefix(path) + [own])
        if kind == "select_multiple":
            if multi in ("both", "summary"):
                header.append(title)
                getters.append(lambda p, k=key, ln=list_name: " ".join(_choice_label(ln, c, lang) for c in p[k]))
            if multi in ("both", "details"):
                for row in _choices(list_name):
                    option = "other" if row[0] == "other" else ((row[1] if lang == NL else row[2]) if lang else row[0])
                    header.append(f"{title}/other" if row[0] == "other" else f"{title}{sep}{option}")
                    getters.append(lambda p, k=key, c=row[0]: "" if not p[k] else _cell(truth[0] if c in p[k] else truth[1], typed))
            continue
        header.append(title)
        if kind == "select_one":
            getters.append(lambda p, k=key, ln=list_name: _choice_label(ln, p[k], lang) if p[k] else "")
        elif kind in ("start", "end", "today"):
            getters.append(lambda p, k=kind: "2025-01-20" if k == "today" else f"2025-01-20T10:{'05' if k == 'end' else '00'}:00.000+01:00")
        elif typed and kind in ("integer", "decimal", "range"):
            getters.append(lambda p, k=key: _typed(p.get(k, "")))
        else:
            getters.append(lambda p, k=key: p.get(k, ""))
        if media_urls and kind in ("image", "audio"):  # formpack's include_media_url: "<label>_URL"
            header.append(f"{title}_URL")
            getters.append(lambda p, k=key: f"https://kf.example.org/media/original?media_file={p[k]}" if p[k] else "")
        if kind == "geopoint":
            for part, n in (("latitude", 0), ("longitude", 1), ("altitude", 2), ("precision", 3)):
                header.append(sep.join(prefix(path) + [f"_{own}_{part}"]) if groups and prefix(path) else f"_{own}_{part}")
                getters.append(lambda p, k=key, n=n: (p[k].split() + ["", "", "", ""])[n] if p[k] else "")
    return header, [[g(person) for g in getters] for person in people]


def _typed(value):
    """A number cell as formpack's XLSX writes it without "store as text": a number."""
    if not value:
        return value
    number = float(value)
    return int(number) if number == int(number) and "." not in value else number


def _cell(value, typed):
    return int(value) if typed and value in ("0", "1") else value


def kobo_export(people, *, lang, sep, groups, multi, truth=("1", "0"), typed=False, media_urls=False):
    persons = [p for p, _ in people]
    header, rows = kobo_sheet(
        persons, FIELDS, lang=lang, sep=sep, groups=groups, multi=multi, truth=truth, typed=typed, media_urls=media_urls
    )
    header += KOBO_META + ["_index"]
    for i, row in enumerate(rows):
        row += [
            1000 + i if typed else str(1000 + i),
            f"b1c2-{i:04d}",
            "2025-01-20T09:10:11",
            "",
            "",
            "submitted_via_web",
            "",
            "vK7x2025",
            "",
            i + 1 if typed else str(i + 1),
        ]
    return header, rows


def kobo_repeat_sheet(people, *, lang, sep, groups):
    kids = [(k, i) for i, (_, ks) in enumerate(people) for k in ks]
    header, rows = kobo_sheet([k for k, _ in kids], KID_FIELDS, lang=lang, sep=sep, groups=groups, multi="both", typed=True)
    copy = ["_submission_" + m for m in KOBO_META]
    header += ["_index", "_parent_table_name", "_parent_index"] + copy
    for n, (row, (_, parent)) in enumerate(zip(rows, kids), start=1):
        row += [
            n,
            "Thuiswerken (extern)",
            parent + 1,
            1000 + parent,
            f"b1c2-{parent:04d}",
            "2025-01-20T09:10:11",
            "",
            "",
            "submitted_via_web",
            "",
            "vK7x2025",
            "",
        ]
    return header, rows


def central_export(people, *, group_paths=True, split=True):
    header = ["SubmissionDate"]
    getters = []
    for key, name, path, kind, list_name in FIELDS:
        base = "-".join(path + (name,)) if group_paths else name
        if kind == "geopoint":
            for n, part in enumerate(("Latitude", "Longitude", "Altitude", "Accuracy")):
                header.append(f"{base}-{part}")
                getters.append(lambda p, k=key, n=n: (p[k].split() + ["", "", "", ""])[n] if p[k] else "")
            continue
        header.append(base)
        if kind == "select_multiple":
            getters.append(lambda p, k=key: " ".join(p[k]))
            if split:
                for row in _choices(list_name):
                    header.append(f"{base}/{row[0]}")
                    getters.append(lambda p, k=key, c=row[0]: "1" if c in p[k] else "0")  # Central: 0 unless chosen
        elif kind in ("start", "end", "today"):
            getters.append(lambda p, k=kind: "2025-01-20" if k == "today" else "2025-01-20T10:00:00.000+01:00")
        else:
            getters.append(lambda p, k=key: p.get(k, ""))
    meta = ["meta-instanceID", "meta-instanceName"] if group_paths else ["instanceID", "instanceName"]
    header += meta + ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                      "ReviewState", "DeviceID", "Edits", "FormVersion"]  # fmt: skip
    rows = []
    for i, (person, _) in enumerate(people):
        uuid = f"uuid:7f3e{i:04d}-0000-4000-8000-000000000000"
        row = ["2025-01-20T09:10:11.123Z"] + [g(person) for g in getters]
        row += [uuid, f"resp-{person['leeftijd']}", uuid, "7", "veldwerker", "1" if person["foto"] else "0", "2", "",
                "approved" if i % 3 else "", "collect:abc123", "0", SETTINGS["version"]]  # fmt: skip
        rows.append(row)
    return header, rows


def central_repeat(people):
    header = ["kind_leeftijd", "opvang", "PARENT_KEY", "KEY"]
    rows = []
    for i, (_, kids) in enumerate(people):
        uuid = f"uuid:7f3e{i:04d}-0000-4000-8000-000000000000"
        for n, kid in enumerate(kids, start=1):
            rows.append([kid["kind_leeftijd"], kid["opvang"], uuid, f"{uuid}/kinderen[{n}]"])
    return header, rows


def limesurvey_export(people):
    """LimeSurvey's CSV with headings "question code" and "answer codes", the form's names as
    question codes and its choice names as answer and subquestion codes: ``id``, ``submitdate``,
    ``lastpage``, ``startlanguage``, ``seed`` first; a multiple choice as ``code[sub]`` with ``Y``;
    numbers as LimeSurvey stores them (``6.5000000000``). Codes are unique in LimeSurvey, so the
    two ``toelichting`` questions and the media questions (no LimeSurvey type) are left out."""
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
    getters = []
    for key, name, _path, kind, list_name in FIELDS:
        if kind in ("start", "end", "today", "note", "image", "audio") or name == "toelichting":
            continue
        if kind == "select_multiple":
            for row in _choices(list_name):
                header.append(f"{name}[{row[0]}]")
                getters.append(lambda p, k=key, c=row[0]: "Y" if c in p[k] else "")
        elif kind in ("integer", "decimal", "range"):
            header.append(name)
            getters.append(lambda p, k=key: f"{float(p[k]):.10f}" if p[k] else "")
        else:
            header.append(name)
            getters.append(lambda p, k=key: p.get(k, ""))
    rows = []
    for i, (person, _) in enumerate(people):
        rows.append([str(i + 1), "2025-01-20 09:10:11", "6", "nl", str(1000 + i)] + [g(person) for g in getters])
    return header, rows


def csv_text(header, rows, *, sep=",", quote_all=False, newline="\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def xlsx(path: Path, sheets) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    book.save(path)


def dutch_excel(header, rows) -> bytes:
    """Excel "CSV UTF-8" in a Dutch locale: BOM, ``;``, CRLF, decimal commas, quotes only where needed."""
    decimal = {"uren", "uren_week"}
    out_rows = [[v.replace(".", ",") if h in decimal else v for h, v in zip(header, row)] for row in rows]
    return b"\xef\xbb\xbf" + csv_text(header, out_rows, sep=";", newline="\r\n").encode("utf-8")


def spss(path: Path, people) -> None:
    """An SPSS file as a researcher makes one with pyreadstat: numeric codes with value labels
    (codes are positions in the list, not the choice names), a user-missing code, 0/1 dummies."""
    import pandas as pd
    import pyreadstat

    persons = [p for p, _ in people]
    data, labels, names = {}, {}, {}
    data["leeftijd"] = [float(p["leeftijd"]) if i % 5 else 999.0 for i, p in enumerate(persons)]
    names["leeftijd"] = "Hoe oud ben je?"
    for key, list_name in (("regio", "provincie"), ("gemeente", "gemeente"), ("tevreden", "tevreden")):
        codes = {row[0]: n for n, row in enumerate(CHOICES[list_name], start=1)}
        data[key] = [float(codes[p[key]]) if p[key] else float("nan") for p in persons]
        labels[key] = {float(n): row[1] for n, row in enumerate(CHOICES[list_name], start=1)}
        names[key] = LABELS[key][NL]
    for row in CHOICES["middel"]:
        data[f"middelen_{row[0]}"] = [float(row[0] in p["middelen"]) if p["middelen"] else float("nan") for p in persons]
        names[f"middelen_{row[0]}"] = f"{LABELS['middelen'][NL]}: {row[1]}"
    data["uren"] = [float(p["uren"]) if p["uren"] else float("nan") for p in persons]
    names["uren"] = LABELS["uren"][NL]
    # SPSS users often write names in capitals (SPSS ignores case): LEEFTIJD, Uren
    for old, new in (("leeftijd", "LEEFTIJD"), ("uren", "Uren")):
        data[new], names[new] = data.pop(old), names.pop(old)
    frame = pd.DataFrame(data)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=names,
        variable_value_labels=labels,
        missing_ranges={"LEEFTIJD": [999.0]},
        variable_measure={"LEEFTIJD": "scale", "regio": "nominal", "gemeente": "nominal", "tevreden": "ordinal", "Uren": "scale"},
    )


def main() -> None:
    write_form()
    people = answers()
    (HERE / "expected.json").write_text(json.dumps(expected(people), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    # KoboToolbox: "XML values and headers", groups "/", CSV (formpack: ';', every cell quoted)
    (HERE / "kobo-xml-groups.csv").write_text(
        csv_text(*kobo_export(people, lang=None, sep="/", groups=True, multi="both"), sep=";", quote_all=True), encoding="utf-8"
    )
    # group separator "." and split columns only, XLSX with typed cells
    xlsx(
        HERE / "kobo-xml-dots.xlsx",
        [("Thuiswerken (extern)", kobo_export(people, lang=None, sep=".", groups=True, multi="details", typed=True, media_urls=True))],
    )
    # "Labels" in English with group names and media URLs; split columns as TRUE/FALSE (as a spreadsheet re-saves them)
    xlsx(
        HERE / "kobo-labels-en-groups.xlsx",
        [
            (
                "Thuiswerken (extern)",
                kobo_export(people, lang=EN, sep="/", groups=True, multi="both", truth=("TRUE", "FALSE"), media_urls=True),
            )
        ],
    )
    # "Labels" in Dutch, no group names, one column only
    (HERE / "kobo-labels-nl.csv").write_text(
        csv_text(*kobo_export(people, lang=NL, sep="/", groups=False, multi="summary"), sep=";", quote_all=True), encoding="utf-8"
    )
    # "Labels" in Dutch, group separator ".", both
    xlsx(
        HERE / "kobo-labels-nl-dots.xlsx",
        [("Thuiswerken (extern)", kobo_export(people, lang=NL, sep=".", groups=True, multi="both", typed=True))],
    )
    # XLSX with the repeat's sheet (joined by _index / _parent_index)
    xlsx(
        HERE / "kobo-xml-repeat.xlsx",
        [
            ("Thuiswerken (extern)", kobo_export(people, lang=None, sep="/", groups=True, multi="both", typed=True)),
            ("kinderen", kobo_repeat_sheet(people, lang=None, sep="/", groups=True)),
        ],
    )
    # ODK Central: CSV with group paths and split select_multiple, without group paths, and its zip with the repeat
    (HERE / "odk-central.csv").write_text(csv_text(*central_export(people)), encoding="utf-8")
    (HERE / "odk-central-nopaths.csv").write_text(csv_text(*central_export(people, group_paths=False, split=False)), encoding="utf-8")
    with zipfile.ZipFile(HERE / "odk-central.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{SETTINGS['form_id']}.csv", csv_text(*central_export(people)))
        archive.writestr(f"{SETTINGS['form_id']}-kinderen.csv", csv_text(*central_repeat(people)))
    # a researcher's sheet saved by Dutch Excel
    header, rows = kobo_export(people, lang=None, sep="/", groups=False, multi="summary")
    (HERE / "excel-nl.csv").write_bytes(dutch_excel(header, rows))
    # the same saved as Excel's default "CSV (puntkomma)": Windows-1252, refused with a clear message
    (HERE / "excel-nl-ansi.csv").write_bytes(dutch_excel(header, rows)[3:].decode("utf-8").encode("cp1252"))
    spss(HERE / "spss.sav", people)
    (HERE / "limesurvey.csv").write_text(csv_text(*limesurvey_export(people)), encoding="utf-8")


if __name__ == "__main__":
    main()
