"""Helpers that tests share (tests import helpers only from here and from conftest.py, never
from another test module): inline markdown XLSForms, survey page steps, sample coding projects,
published figures, golden files, fuzzing settings."""

from __future__ import annotations

import difflib
import io
import os
import re
import textwrap
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings


def md_form(tmp_path: Path, text: str, name: str = "form.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


MINI_FORM = """
| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | required | relevant | constraint | consent_choice | dimension | key |
| | select_one yn | consent | Doe je mee? | Do you take part? | yes | | | ja | | |
| | begin_group | g | Vragen | Questions | | ${consent} = 'ja' | | | | |
| | integer | age | Leeftijd | Age | | | . >= 16 and . <= 99 | | | |
| | decimal | years | Jaren | Years | | | | | | |
| | select_one agree | s1 | Stelling 1 | Statement 1 | | | | | d | 1 |
| | select_one agree | s2 | Stelling 2 | Statement 2 | | | | | d | -1 |
| | select_multiple fruit | fruit | Fruit | Fruit | | | | | | |
| | text | why | Waarom? | Why? | | | | | | |
| | end_group | | | | | | | | | |
| choices |
| | list_name | name | label::Nederlands (nl) | label::English (en) | score | collapse |
| | yn | ja | Ja | Yes | | |
| | yn | nee | Nee | No | | |
| | agree | oneens | Oneens | Disagree | 1 | oneens |
| | agree | neutraal | Neutraal | Neutral | 2 | neutraal |
| | agree | eens | Eens | Agree | 3 | eens |
| | fruit | appel | Appel | Apple | | |
| | fruit | peer | Peer | Pear | | |
| | fruit | kers | Kers | Cherry | | |
| settings |
| | form_title | form_id | version | default_language |
| | Mini | mini | 1 | Nederlands (nl) |
"""


# --- fuzzing (Hypothesis), derandomised so CI runs are repeatable; every input that once broke a
# parser stays as an @example beside its test ---
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FUZZ_SLOW = settings(FUZZ, max_examples=40)


# --- the respondent's survey pages ---
def action_of(page) -> str:
    return re.search(r'<form class="survey" method="post" action="([^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")


class _Form(HTMLParser):
    """The values a browser would send for the survey form as it is shown (checked boxes, typed text)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.inside = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = "survey" in (a.get("class") or "")
        elif self.inside and tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.values.setdefault(a["name"], []).append(a.get("value") or "")
        elif self.inside and tag == "textarea":
            self.textarea = a["name"]
            self.values.setdefault(a["name"], []).append("")

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


PAGE_FIELDS = {"action", "lang", "via", "i", "k", "instances"}


def step(client, page, **fields):
    """Post the page's form as a browser does (what is shown, with ``fields`` changed); every
    answer is answered with a 303 to a GET, which this follows."""
    parser = _Form()
    parser.feed(page.content.decode())
    data = {**parser.values, "action": fields.pop("action", "next")}
    for key, value in fields.items():  # a question's answer goes to its namespaced field (q-<key>)
        data[key if key in PAGE_FIELDS or key.startswith("q-") else f"q-{key}"] = value
    posted = client.post(action_of(page), data)
    assert posted.status_code == 303, posted.content.decode()[:300]
    return client.get(posted["Location"])


def shown_code(html: str) -> str:
    """The withdrawal code as the thank-you page shows it (its groups are marked up so that a line
    breaks only at a dash: the tags go, the text stays)."""
    shown = re.search(r'id="withdrawal-code">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", shown)


def h1(page) -> str:
    return re.search(r"<h1>(.*?)</h1>", page.content.decode()).group(1)


def review_and_send(client, page):
    """Next until the review page, then Send: the thank-you page."""
    for _ in range(30):
        if h1(page) == "Controleer je antwoorden":
            break
        assert page.status_code == 200 and 'id="errors"' not in page.content.decode(), page.content.decode()[:800]
        page = step(client, page)
    html = page.content.decode()
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    sent = client.post(action, {"action": "send"})
    assert sent.status_code == 303 and "/bedankt/" in sent["Location"]
    return client.get(sent["Location"]), page


# --- the XLSForm corpus (../shared/xlsform-corpus: pyxform's example forms) ---
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "xlsform-corpus"
FORMS = sorted(p.name for p in CORPUS.glob("*.xls*")) if CORPUS.is_dir() else []
# the forms that "every form" tests run on: the corpus when ../shared is there, else the study folders' own XLSForms
OWN_FORMS = {p.name: p for p in sorted((Path(__file__).resolve().parents[1] / "studies").glob("*/instruments/*.md"))}
EACH_FORM = {name: CORPUS / name for name in FORMS} or OWN_FORMS


def repeat_containers(payload: dict, instrument, repeat: str | None) -> list[dict]:
    """The answer dictionaries of one table, found by walking the payload (not the export code)."""
    if repeat is None:
        return [payload]
    path = []
    group = instrument.group(repeat)
    while group is not None:
        if group.repeat:
            path.append(group.name)
        group = instrument.group(group.parent) if group.parent else None
    found = [payload]
    for name in reversed(path):
        found = [inst for container in found for inst in container.get(name, [])]
    return found


def sent_counts(instrument, containers: list[dict], key: str) -> dict:
    item = instrument.items[key]
    values = [c[key] for c in containers if key in c]
    if item.kind == "select_one":
        counted = Counter(values)
        return {
            "counts": {name: counted.get(name, 0) for name in dict.fromkeys(item.choice_list.names)},
            "missing": len(containers) - len(values),
        }
    if item.kind == "select_multiple":
        counted = Counter(choice for v in values for choice in v.split())
        return {
            "counts": {name: counted.get(name, 0) for name in dict.fromkeys(item.choice_list.names)},
            "missing": len(containers) - len(values),
        }
    if item.kind == "number":
        return {"n": len(values)}
    if item.kind == "text":
        return {"answered": len(values)}
    return {}


# --- qualitative coding ---
def sample_project():
    from afstand.coding.codebook import Code, Codebook
    from afstand.coding.project import Coding, Memo, Project, Source

    book = Codebook(
        "t",
        [
            Code("W1", "angst", "Angst en spanning", "Angstige cliënten.", "#E69F00", "", ("angst",)),
            Code("W1", "autisme", "Autisme", "", "#56B4E9", "angst"),
            Code("W2", "geen_middelen", "Geen middelen", "Zonder telefoon.", "#009E73"),
        ],
    )
    project = Project("test", book)
    project.add_source(
        Source(
            "W1-1",
            "W1",
            "Cliënten met angst 😟 voelen zich thuis veiliger.\r\nEn autisme ook.",
            instrument="werkers",
            item="w_open_types_good",
        )
    )
    project.add_source(Source("W2-1", "W2", "Geen beltegoed."))
    project.add_source(Source("fg/s1/typen", "W2", "Notities van de focusgroep.", kind="note", title="Focusgroep, s1: typen"))
    project.add_coding(Coding("W1-1", 0, 18, "angst", "ann", "2026-11-28T10:00:00Z"))
    project.add_coding(Coding("W1-1", 0, 18, "angst", "bob", "2026-11-28T10:05:00Z"))
    project.add_coding(Coding("W1-1", 54, 61, "autisme", "bob", "2026-11-28T10:06:00Z"))
    project.add_coding(Coding("W2-1", 0, 15, "geen_middelen", "ann", "2026-11-28T10:07:00Z"))
    project.memos.append(Memo("code:W1/angst", "Ook sociale angst.", "ann", "2026-11-28T11:00:00Z"))
    project.memos.append(Memo("coding:W1-1:0:18", "Twijfel: ook weerstand?", "bob", "2026-11-28T11:01:00Z"))
    return project


def make_qdpx(xml: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", xml.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


NOTES = """Verslag focusgroep 10 maart
Thema 1: Werkalliantie
Deelnemers vinden het contact zakelijker. Vertrouwen opbouwen kost meer tijd.
Stelling S1: 5 omhoog, 2 omlaag
## Risicomanagement
Hoog-risico cliënten willen ze face to face zien.
Thema 4: Typen cliënten en zaken
Bij lvb-cliënten werkt beeldbellen slecht; ze zeggen snel ja.
"""


# --- the published report (../shared/reference-study/published.md) ---
FIGURE_13 = {
    "w_wa_openhartiger": (45, 45, 10),
    "w_wa_verschil_van_mening": (22, 25, 53),
    "w_wa_enthousiasmeren": (29, 25, 45),
    "w_wa_doelen_uitleggen": (57, 25, 17),
    "w_wa_luisteren": (79, 17, 4),
    "w_wa_aanspreken": (74, 18, 8),
    "w_wa_kader_regels": (78, 19, 3),
    "w_wa_inschatten_gevoel": (14, 12, 73),
    "w_wa_inschatten_eerlijk": (15, 14, 71),
    "w_wa_uitval": (29, 31, 36),
    "w_wa_privacy": (47, 25, 26),
    "w_wa_vertrouw_f2f": (26, 29, 43),
    "w_wa_doelen_f2f": (39, 29, 30),
    "w_wa_miscommunicatie": (25, 29, 46),
}


# --- golden files ---
def assert_golden(actual: bytes, golden: Path) -> None:
    """``actual`` equals the golden file; a mismatch fails with a unified diff. With
    AFSTAND_UPDATE_GOLDEN=1 a differing (or missing) golden file is rewritten and the test is
    skipped, saying so: an update never compares a file with itself."""
    old = golden.read_bytes() if golden.is_file() else None
    if old == actual:
        return
    if os.environ.get("AFSTAND_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
        pytest.skip(f"rewrote {golden} (AFSTAND_UPDATE_GOLDEN=1): review the change with git diff")
    if old is None:
        pytest.fail(f"no golden file {golden}: run once with AFSTAND_UPDATE_GOLDEN=1 and commit it")
    diff = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{golden} (golden)",
        tofile="built now",
        n=2,
    )
    lines = list(diff)
    shown = "".join(lines[:120]) + (f"\n… {len(lines) - 120} more diff lines" if len(lines) > 120 else "")
    pytest.fail(f"{golden.name} differs from its golden file (if intended: AFSTAND_UPDATE_GOLDEN=1):\n{shown}", pytrace=False)


# --- response files ---
def formsexport_from_csv(csv_path: Path, instrument, out: Path) -> Path:
    """A canonical CSV written in a hosted forms service's export layout (Microsoft Forms style):
    Id and the service's identifying columns first, question labels as headers, choice labels as
    answers, several choices joined by ';'. Lets the forms-export reader be tested on the seeded
    demo study, without ../shared."""
    import csv

    import openpyxl

    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    language = instrument.default_language
    labels = [instrument.items[name].label(language) for name in reader.fieldnames if name in instrument.items]
    # a question whose label another question shares cannot be told apart in this layout: left out, as a form would
    items = [name for name in reader.fieldnames if name in instrument.items and labels.count(instrument.items[name].label(language)) == 1]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Form1"
    sheet.append(["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam"] + [instrument.items[i].label(language) for i in items])
    for number, row in enumerate(rows, start=1):
        cells = []
        for name in items:
            value, item = row[name], instrument.items[name]
            if not value:
                cells.append(None)
            elif item.choice_list is not None:
                labels = [item.choice_list.get(choice).label(language) for choice in value.split()]
                cells.append(";".join(labels) + (";" if item.type == "select_multiple" else ""))
            elif item.kind == "number":
                cells.append(float(value) if "." in value else int(value))
            else:
                cells.append(value)
        sheet.append([number, "3-1-2021 10:00:00", "3-1-2021 10:12:00", "anoniem", ""] + cells)
    workbook.save(out)
    return out


def csv_with_cell(
    header: list[str], body: list[list[str]], row: int | None = None, column: str | None = None, raw: bytes = b"", eol="\n"
) -> bytes:
    """A CSV file as csv.writer writes it, with the cell at ``row`` (0: the first response) and
    ``column`` replaced by ``raw`` exactly as given (an unclosed quote, a bare line break, a NUL)."""
    import csv

    mark = "MARKEER-DEZE-CEL"
    body = [list(r) for r in body]
    if row is not None:
        body[row][header.index(column)] = mark
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=eol).writerows([header] + body)
    return out.getvalue().encode("utf-8").replace(mark.encode(), raw)


# --- disclosure control (tests/attack.py) ---
from tests.attack import (  # noqa: E402, F401
    MINI_STUDY,
    attack,
    attack_text,
    mini_datasets,
    printed,
    true_cells,
    write_mini_csv,
)


# --- the printed page ---
def empty_shares(pdf: Path, dpi: int = 40) -> list[tuple[float, str]]:
    """Per page of ``pdf``: the share of its text area (A4 less 2 cm margins, 2.2 cm at the foot)
    taken by blank bands of 1.2 cm or more — the space a figure that did not fit left empty, not
    the space between lines and paragraphs — and the page's first line of text."""
    import subprocess
    import tempfile

    import numpy as np
    from PIL import Image

    cm = dpi / 2.54
    texts = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True)
        for number, page in enumerate(sorted(Path(tmp).glob("p-*.png"))):
            pixels = np.asarray(Image.open(page).convert("L"))
            area = pixels[int(2 * cm) : pixels.shape[0] - int(2.2 * cm), int(2 * cm) : pixels.shape[1] - int(2 * cm)]
            inked = (area < 200).any(axis=1)
            blank, run = 0, 0
            for row in [*inked, True]:
                if row:
                    blank += run if run >= 1.2 * cm else 0
                    run = 0
                else:
                    run += 1
            first = next((line.strip() for line in texts[number].splitlines() if line.strip()), "")
            out.append((blank / len(area), first))
    return out


#: A form with a repeat group, calculations over it and a relevant inside it (survey and wave tests).
REPEAT_FORM = b"""| survey |
| | type | name | label | relevant | required | calculation |
| | begin_repeat | member | Member | | | |
| | text | name | Name | | yes | |
| | integer | age | Age of ${name} | | | |
| | select_one yn | works | Does ${name} work? | ${age} >= 16 | | |
| | end_repeat | | | | | |
| | calculate | members | | | | count(${member}) |
| | text | remark | Any remark? | | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_title | form_id |
| | Household | household |
"""


# --- coded open answers: a labelled sample that runs anywhere (the reference's open-answers.jsonl needs ../shared) ---
OPEN_ANSWER_PHRASES = Path(__file__).parent / "coding" / "data" / "open-answer-phrases.toml"


def demo_open_answers(n: int = 220, seed: int = 2021) -> list[dict]:
    """``n`` coded answers to each of W1 and W2 in the coded-answers layout (id, question, text,
    codes), made from the hand-labelled phrases of tests/coding/data/open-answer-phrases.toml:
    one to three phrases of different codes (their codes are the answer's), or a short uncodable
    answer. Seeded, so the same sample every run."""
    import random
    import tomllib

    bank = tomllib.loads(OPEN_ANSWER_PHRASES.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    rows = []
    for question, entry in bank.items():
        codes = list(entry["phrases"])
        for number in range(1, n + 1):
            draw = rng.random()
            chosen = [] if draw < 0.06 else rng.sample(codes, 1 if draw < 0.72 else 2 if draw < 0.97 else 3)
            text = " ".join(rng.choice(entry["phrases"][c]) for c in chosen) if chosen else rng.choice(entry["uncoded"])
            rows.append({"id": f"{question}-{number:04d}", "question": question, "text": text, "codes": chosen})
    return rows


# --- other tools' export layouts (KoboToolbox, ODK Central) of a canonical response file ---
KOBO_META = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]
CENTRAL_META = [
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]


def form_fields(instrument) -> list:
    """The questions and notes of a form without repeats in form order (as the tools export them)."""
    groups = {g.path or g.name: g for g in instrument.groups} | {g.name: g for g in instrument.groups}
    elements = {**{n.path or n.name: n for n in instrument.notes.values()}, **instrument.notes, **instrument.items}
    found: list = []

    def walk(keys):
        for key in keys:
            if key in elements:
                found.append(elements[key])
            elif key in groups:
                walk(groups[key].children)

    walk(instrument.order)
    return found


def tool_export(csv_path: Path, instrument, layout: str) -> tuple[list[str], list[list[str]]]:
    """The rows of a canonical CSV as a collection tool exports them (header, rows), the way
    ../shared/interop-exports/README.md describes the layouts: "kobo-xml" (group/question headers,
    choice names, a 0/1 column per choice of a select_multiple), "kobo-labels" (question and choice
    labels, no group names) or "odk-central" (group-question headers, Central's metadata columns)."""
    import csv

    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = layout == "kobo-labels"
    header: list[str] = []
    columns: list[list[str]] = []
    for element in form_fields(instrument):
        path = element.path or element.name
        title = element.label() if labels else path.replace("/", "-" if layout == "odk-central" else "/")
        item = instrument.items.get(element.name) if element.name in instrument.items else None
        values = [row.get(element.name, "") if item is not None else "" for row in rows]
        if labels and item is not None and item.choice_list is not None:
            values = [" ".join(item.choice_list.get(v).label() for v in value.split()) for value in values]
        header.append(title)
        columns.append(values)
        if item is not None and item.type == "select_multiple" and layout != "odk-central":
            for choice in item.choice_list.choices:
                header.append(f"{title}/{choice.label() if labels else choice.name}")
                columns.append(["" if not row.get(item.name) else str(int(choice.name in row[item.name].split())) for row in rows])
    out = [list(cells) for cells in zip(*columns)] if columns else [[] for _ in rows]
    if layout == "odk-central":
        header = ["SubmissionDate", *header, *CENTRAL_META]
        out = [
            ["2021-03-01T10:00:00.000Z", *cells, f"uuid:{i}", f"uuid:{i}", "5", "enqueteur", "0", "0", "", "approved", "", "0", "1"]
            for i, cells in enumerate(out)
        ]
    else:
        header = [*header, *KOBO_META]
        out = [
            [*cells, str(i + 1), f"uuid-{i}", "2021-03-01T10:00:00", "", "", "submitted_via_web", "", "v1", "", str(i + 1)]
            for i, cells in enumerate(out)
        ]
    return header, out


def write_table(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",", sheet: str = "data") -> Path:
    """A CSV (``delimiter``) or, for a .xlsx path, a workbook (one sheet) with numbers stored as numbers, as the tools write them."""
    import csv

    if path.suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        worksheet = workbook.active
        worksheet.title = sheet
        worksheet.append(header)
        for row in rows:
            worksheet.append([int(v) if v.isdigit() and len(v) < 6 else (v or None) for v in row])
        workbook.save(path)
        return path
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def assert_reads_as_canonical(result, name: str, study_files: dict, tmp_path: Path) -> None:
    """``afstand analyze --json`` of an export (``result``: the finished process) against the
    reference study's expected output (``tools/check_expected.py``) when the study files are the
    reference study's, else against the analysis of the canonical CSV (all but ``data``)."""
    import json
    import subprocess
    import sys

    from tests.conftest import REFERENCE, run_cli

    if study_files[name].parent == REFERENCE:
        actual = tmp_path / "actual.json"
        actual.write_text(result.stdout, encoding="utf-8")
        check = subprocess.run(
            [sys.executable, str(REFERENCE.parent / "tools" / "check_expected.py"), str(REFERENCE / f"expected-{name}.json"), str(actual)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout
        return
    canonical = run_cli("analyze", "--instrument", name, "--data", str(study_files[name]), "--json")
    assert canonical.returncode == 0, canonical.stderr
    got, expected = json.loads(result.stdout), json.loads(canonical.stdout)
    assert expected["n_consented"] > 0
    assert {k: v for k, v in got.items() if k != "data"} == {k: v for k, v in expected.items() if k != "data"}


def page_text(html: str) -> str:
    """What a page shows as text: no tags, attributes, scripts or styles. For checks that a name
    is not on a page: a random CSP nonce or CSRF token may hold any three letters ("9tXEva9G")."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]*>", " ", html)
