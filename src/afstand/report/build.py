"""Build the report, factsheet and figures of a study from its response data.

:func:`report_files` builds every output file in memory (name → bytes). :func:`build_report`
writes them into a temporary folder beside the output folder and moves them into place only
when all of it succeeded, so a failure never leaves half-written output.

A build with worker processes (the command line) starts two figure workers and the PDF's
process before it analyses the data: loading matplotlib and WeasyPrint overlaps the analysis;
the workers draw into the build's folder, every SVG first, and the PDF, started as soon as the
text is written, reads each figure when it lays it out (``docs/report.md``, "How a build runs").
A build without workers (the web app) draws and renders here, in memory, without touching the
disk: the PDF reads its figures from data: URIs.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import jinja2

from afstand.analysis.disclosure import for_json, publish
from afstand.analysis.summary import analyze
from afstand.coding.focus import load_guide
from afstand.errors import AfstandError, StudyError
from afstand.figures import render
from afstand.figures.build import Look, build_figures
from afstand.report import blocks as blockmod
from afstand.report import jobs as jobmod
from afstand.report import pdf as pdfmod
from afstand.report import trend_section, xref
from afstand.report.context import Numbers, nl
from afstand.report.docxdoc import write_docx
from afstand.report.htmlpage import css, environment, heading_numbers, page_blocks, render_factsheet, render_report
from afstand.report.staging import move_into_place as _move_into_place
from afstand.report.staging import staging_dir as _staging_dir
from afstand.report.tables import build_table
from afstand.report.themes import checked_codings, theme_sections
from afstand.responses import RawTable, load_responses
from afstand.study import Study

FORMATS = ("html", "pdf", "docx")
BASES = ("consented", "valid")
# which drawings a build makes: all (SVG for HTML and PDF, PNG for Word and figures/), vector
# (SVG only: the Word file gets each figure's caption and table without the picture), none (no
# drawings: text, tables and every number, for drafts and tests)
DRAWINGS = {"all": ("svg", "png"), "vector": ("svg",), "none": ()}
FACTSHEET_NICENESS = 15  # the factsheet's PDF (like the PNGs) yields to the report's, the longest step
Progress = Callable[[str], None]
log = logging.getLogger("afstand.report")


@dataclass
class ReportSpec:
    root: Path
    config: dict

    @classmethod
    def load(cls, study: Study) -> "ReportSpec":
        path = study.path("report", "report.toml")
        if not path.is_file():
            raise StudyError(f"{study.root}: no report/report.toml")
        try:
            return cls(path.parent, tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as err:
            raise StudyError(f"{path}: {err}") from None

    @property
    def groups(self) -> dict[str, str]:
        return dict(self.config.get("groups", {}))

    def text(self, key: str) -> str:
        return self.config.get("report", {}).get(key, "")

    def read(self, key: str) -> str:
        name = self.text(key)
        path = self.root / name
        if not name or not path.is_file():
            raise StudyError(f"{self.root / 'report.toml'}: [report] {key} = {name!r}: no such file")
        return path.read_text(encoding="utf-8")


def build_report(
    study: Study,
    data: dict[str, Path | RawTable],
    out_dir: Path,
    *,
    formats: tuple[str, ...] = FORMATS,
    codings: Path | list[dict] | None = None,
    progress: Progress | None = None,
    workers: int = 2,
    base: str = "consented",
    warnings: list[str] | None = None,
    waves: list[tuple[str, dict[str, Path | RawTable]]] | None = None,
    versions: dict | None = None,
    wave_instruments: dict | None = None,
    drawings: str = "all",
) -> list[Path]:
    """Write the report into ``out_dir`` (the files of :func:`report_files`, all or nothing): the
    paths written, one per file and one for the figures folder. The staging folder is also where
    the figure workers hand their drawings to the PDF."""
    step = progress or (lambda _message: None)
    spec = _check(study, formats, base, drawings)
    staging = _staging_dir(out_dir)  # an output folder that cannot be written fails before any work
    try:
        folder = staging if workers > 1 else None  # where figure workers hand their drawings to the PDF
        files = _build(
            study, spec, data, formats, codings, step, workers, base, warnings, waves, versions, wave_instruments, drawings, folder
        )
        step("uitvoer op zijn plaats zetten")
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (target.is_file() and target.read_bytes() == content):  # (a worker may have written it already)
                target.write_bytes(content)
        top = dict.fromkeys(staging / name.split("/", 1)[0] for name in files)  # each file, and the figures folder once
        return _move_into_place(staging, out_dir, list(top))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def report_files(
    study: Study,
    data: dict[str, Path | RawTable],
    *,
    formats: tuple[str, ...] = FORMATS,
    codings: Path | list[dict] | None = None,
    progress: Progress | None = None,
    workers: int = 2,
    base: str = "consented",
    warnings: list[str] | None = None,
    waves: list[tuple[str, dict[str, Path | RawTable]]] | None = None,
    versions: dict | None = None,
    wave_instruments: dict | None = None,
    drawings: str = "all",
) -> dict[str, bytes]:
    """The report, factsheet, figures and published numbers, built in memory: file name (``figures/…``
    for a figure) → bytes. ``data``: per instrument a response file or a table in memory
    (:func:`afstand.responses.table_from_columns`); ``codings``: a coded-answers JSONL file or its
    rows already read; ``base``: "consented" or "valid". Researchers' claims the data contradict are
    logged (``afstand.report``) and appended to ``warnings`` when a list is given. ``waves`` (oldest
    first, the last one being ``data``) adds the section on the development since the previous wave
    and the previous values on the factsheet tiles; ``versions`` (instrument → [Instrument]) are the
    versions the rows may mix (items a row's version lacks are not asked); ``wave_instruments``
    (wave → {instrument: Instrument}) the version each wave used; ``drawings``: "all", "vector" or
    "none" (:data:`DRAWINGS`). With ``workers <= 1`` nothing touches the disk; with more, the figure
    workers hand their drawings over in a temporary folder."""
    spec = _check(study, formats, base, drawings)
    step = progress or (lambda _message: None)
    if workers <= 1 or not DRAWINGS[drawings]:
        return _build(study, spec, data, formats, codings, step, workers, base, warnings, waves, versions, wave_instruments, drawings)
    with tempfile.TemporaryDirectory(prefix="afstand-report-") as scratch:
        return _build(
            study, spec, data, formats, codings, step, workers, base, warnings, waves, versions, wave_instruments, drawings, Path(scratch)
        )


def _check(study: Study, formats: tuple[str, ...], base: str, drawings: str = "all") -> "ReportSpec":
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise AfstandError(f"--format: unknown format {', '.join(unknown)} (known: {', '.join(FORMATS)})")
    if base not in BASES:
        raise AfstandError(f"--base: unknown base {base!r} (known: {', '.join(BASES)})")
    if drawings not in DRAWINGS:
        raise AfstandError(f"--figures: unknown choice {drawings!r} (known: {', '.join(DRAWINGS)})")
    return ReportSpec.load(study)


def embed_figures(html: str, files: Mapping[str, bytes]) -> str:
    """The page with each ``src="figures/<key>.svg"`` replaced by a data: URI of that figure, so it
    stands alone (a download, or WeasyPrint without a folder to read from)."""

    def inline(match: re.Match) -> str:
        svg = files.get(f"figures/{match.group(1)}")
        if svg is None:
            return match.group(0)
        return 'src="data:image/svg+xml;base64,' + base64.b64encode(svg).decode("ascii") + '"'

    return re.sub(r'src="figures/([A-Za-z0-9_.-]+\.svg)"', inline, html)


def _build(
    study,
    spec,
    data,
    formats,
    codings,
    step,
    workers,
    base,
    warnings,
    waves=None,
    versions=None,
    wave_instruments=None,
    drawings="all",
    folder: Path | None = None,
) -> dict[str, bytes]:
    """Every output file; with a ``folder`` (and workers) the figures are drawn by workers into
    ``folder/figures`` and the PDF reads them there, else everything happens here, in memory."""
    drawn = DRAWINGS[drawings]
    parallel = workers > 1 and folder is not None
    # started first, so that loading matplotlib and WeasyPrint overlaps the analysis
    painters = render.Painters(workers if parallel and drawn else 0)
    inline = not parallel or "pdf" not in formats
    jobs = {
        "report": jobmod.Job(pdfmod.prepare, inline=inline),
        "factsheet": jobmod.Job(inline=inline, nice=FACTSHEET_NICENESS),  # it yields to the report PDF
    }
    try:
        return _build_in(
            study, spec, data, formats, codings, step, base, warnings, waves, versions, wave_instruments, drawn, painters, jobs, folder
        )
    finally:
        painters.close()
        for job in jobs.values():
            job.cancel()


def _build_in(
    study, spec, data, formats, codings, step, base, warnings, waves, versions, wave_instruments, drawn, painters, jobs, folder
) -> dict[str, bytes]:
    results, instruments, responses = {}, {}, {}
    for name, path in data.items():
        step(f"analyse {name}")
        instruments[name] = study.instrument(name)
        # rows of several versions: the given ones (web app), else the study's forms (as analyze)
        responses[name] = load_responses(path, instruments[name], versions=(versions or {}).get(name), known_versions=study.versions(name))
        # one disclosure-control pass: everything below (text, tables, figures, factsheet, JSON) reads these
        results[name] = publish(analyze(responses[name], name=name, study=study, base=base), study, name)
    numbers = Numbers(results, instruments, responses, study)
    files = {"cijfers.json": json.dumps(for_json(results), ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")}
    groups = spec.groups
    trends, trend_config = {}, {}
    if waves:
        step("ontwikkeling sinds de vorige meting")
        trends = trend_section.wave_trends(study, waves, responses, versions=versions, wave_instruments=wave_instruments)
        trend_config = trend_section.load_config(spec.root / "trend.toml")

    step("figuren")
    figure_spec = spec.config.get("figures", [])
    look = Look(grey=tuple(spec.config.get("report", {}).get("non_substantive", [])))
    figures = build_figures(figure_spec, results, instruments, groups, spec.text("footnote"), draw=False, look=look)  # data only: fast
    by_number: dict[int, list] = {}
    for figure in figures:
        by_number.setdefault(figure.number, []).append(figure)
    keys_of = {number: [f.key for f in found] for number, found in by_number.items()}
    # SVGs first (the PDF needs them), then PNGs (only the Word file needs them) at a lower priority
    drawing = render.draw(
        str(study.root),
        figure_spec,
        results,
        groups,
        spec.text("footnote"),
        keys_of,
        folder / "figures" if folder is not None else None,
        painters=painters,
        look=look,
        formats=drawn,
        cached=folder is not None,  # a build in memory (the web app's) touches no disk, the figure cache neither
        trends=[job for _, job in trend_section.figure_jobs(trends, groups, trend_config)] if drawn else [],
    )
    env = environment(spec.root / "templates")
    step("factsheet")
    factsheet_html = _factsheet(spec, numbers, groups, _content_env(numbers, []), env, trends)
    if factsheet_html is not None and ("html" in formats or "pdf" in formats):
        files["factsheet.html"] = factsheet_html.encode("utf-8")
    step("tekst")
    themes = _themes(codings, study, spec)
    blocks, fig_for, tables, text = _text(spec, numbers, themes, groups, by_number, warnings, figure_spec)
    trend_figures = []
    if trends:
        trend_figures = trend_section.insert_section(
            blocks,
            fig_for,
            trends,
            groups,
            trend_config,
            first_number=max(by_number, default=0) + 1,
            draw=False,  # drawn with the others (above)
        )
    versions = [{"group": groups.get(n, n), "n": r["n_consented"], "version": r["data"]["instrument_version"]} for n, r in results.items()]
    first_chapter = int(spec.config.get("report", {}).get("first_chapter", 1))
    # cross-references: figures and tables numbered in the order they appear, every @fig:/@tab:/@sec: resolved (or an error)
    targets = xref.number_all(blocks, fig_for, tables, themes, heading_numbers(blocks, first_chapter))
    shown_tables = [*tables.values(), *(t.table for t in themes)]
    blocks = xref.resolve(blocks, targets, xref.locate(spec.root, spec.text("content"), text), shown_tables)
    page, toc = page_blocks(blocks, fig_for, tables, themes, first_chapter=first_chapter)
    cover = _cover(study, spec)
    page_args = dict(
        cover=cover, blocks=page, toc=toc, versions=versions, style=css("report.css", spec.root / "templates"), images="svg" in drawn
    )
    if "html" in formats:
        files["rapport.html"] = render_report(env, **page_args).encode("utf-8")
    made: dict[str, bytes] = {}  # PDFs made in this process
    if "pdf" in formats:
        step("pdf")
        # the report PDF is the longest step: with workers it reads the text now and each figure when it is drawn
        print_html = render_report(env, **page_args, for_print=True)
        if folder is not None and jobs["report"].forked:  # the figures are (or will be) files in the folder
            jobs["report"].run(_pdf_file, print_html, str(folder), "rapport.pdf", made)
        else:
            drawing.wait("svg")
            jobs["report"].run(
                _pdf_file, embed_figures(print_html, {**drawing.files(), **files}), _here(jobs["report"], folder), "rapport.pdf", made
            )
        if factsheet_html is not None:
            jobs["factsheet"].run(_pdf_file, factsheet_html, _here(jobs["factsheet"], folder), "factsheet.pdf", made)
    drawing.wait("svg")
    drawing.wait("png")
    files.update(drawing.files())
    drawing.prune()  # the figure cache stays within AFSTAND_FIGURE_CACHE_MB
    if "docx" in formats:
        step("docx")
        png = {f.key: files[f"figures/{f.key}.png"] for f in [*figures, *trend_figures] if f"figures/{f.key}.png" in files}
        buffer = io.BytesIO()
        write_docx(buffer, cover=cover, blocks=blocks, figures=fig_for, tables=tables, themes=themes, png=png, versions=versions)
        files["rapport.docx"] = buffer.getvalue()
    if "pdf" in formats:
        for name, job in (("rapport.pdf", jobs["report"]), ("factsheet.pdf", jobs["factsheet"])):
            job.wait()  # the PDFs (and their errors) before anything is returned
            if name in made:
                files[name] = made[name]
            elif folder is not None and (folder / name).is_file():
                files[name] = (folder / name).read_bytes()
    return files


def _here(job: jobmod.Job, folder: Path | None) -> str | None:
    """Where a PDF job puts its PDF: a job in its own process into the folder, else in memory."""
    return str(folder) if job.forked and folder is not None else None


def _text(spec, numbers, themes, groups, by_number, warnings, figure_spec=()) -> tuple[list, dict, dict, str]:
    """The report text (rapport.md and what it includes) as blocks, with its figures and tables, and
    the text after Jinja2; researchers' claims the data contradict are logged and added to ``warnings``."""
    content_env = _content_env(numbers, themes, spec.root)
    try:
        text = content_env.get_template(spec.text("content")).render(groups=groups, design=spec.config.get("design", {}))
    except jinja2.TemplateNotFound as err:
        raise StudyError(f"{spec.root / 'report.toml'}: [report] content: no such file: {err.name}") from None
    except jinja2.TemplateError as err:
        where = spec.root / (getattr(err, "name", None) or spec.text("content"))
        raise StudyError(f"{where}: line {getattr(err, 'lineno', '?')}: {err}") from None
    except KeyError as err:
        raise StudyError(f"{spec.root / spec.text('content')}: {err.args[0]}") from None
    for claim in numbers.claims:
        if claim.holds is False:
            message = f"{spec.text('content')}: uitspraak niet gesteund door de cijfers: {claim.text!r} ({claim.criterion})"
            log.warning(message)
            if warnings is not None:
                warnings.append(message)
    blocks = blockmod.parse(text, spec.text("content"))
    fig_for, tables = {}, {}
    numbered = {str(f.get("key", "")): f["number"] for f in figure_spec if f.get("key")}
    for block in blocks:
        if isinstance(block, blockmod.Directive):
            _resolve(block, by_number, fig_for, tables, numbers, groups, spec, numbered, text)
    return blocks, fig_for, tables, text


def _cover(study: Study, spec: ReportSpec) -> dict:
    """Cover and colophon: ``[study]`` of study.toml first, then ``[report]`` of report.toml."""
    keys = ("title", "subtitle", "short_title", "authors", "organisation", "publisher", "date", "version")
    found = {}
    for key in keys:
        value = study.config.get("study", {}).get(key, spec.config.get("report", {}).get(key, ""))
        found[key] = list(value) if key == "authors" and value else value
    if not found["date"] and study.config.get("study", {}).get("year"):
        found["date"] = str(study.config["study"]["year"])
    found["first_chapter"] = int(spec.config.get("report", {}).get("first_chapter", 1))
    return found


def _content_env(numbers: Numbers, themes: list, root: Path | None = None) -> jinja2.Environment:
    """The report text's Jinja2: the analysis functions as globals; ``{% include %}`` reads from the study's report folder."""
    loader = jinja2.FileSystemLoader(str(root)) if root is not None else None
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, loader=loader, keep_trailing_newline=True)
    env.globals.update(numbers.functions())
    env.globals["themes_available"] = bool(themes)
    env.globals["guides"] = lambda: [load_guide(p) for p in numbers.study.guide_paths()]  # focus-group guides (appendices)
    env.globals["coded"] = lambda *questions: any(t.question in questions for t in themes)  # coded answers for these questions?
    return env


def _resolve(block, by_number, fig_for, tables, numbers, groups, spec, keys, text="") -> None:
    where = f"{spec.text('content')}: line {block.line}"
    if block.name == "figure":
        if len(block.args) != 1 or not (block.args[0].isdigit() or block.args[0] in keys):
            known, where = (
                ", ".join(keys) or "none",
                xref.locate(spec.root, spec.text("content"), text)(f"[[{block.name} {' '.join(block.args)}]]"),
            )
            raise StudyError(f"{where}: [[figure KEY]] takes the key of one figure of report.toml (known: {known}) or its number")
        fig_for[block] = by_number.get(keys.get(block.args[0]) or int(block.args[0]), [])
    elif block.name == "table":
        if not block.args:
            raise StudyError(f"{where}: [[table KIND ...]] needs a kind")
        try:
            tables[block] = build_table(block.args[0], block.args[1:], numbers, groups)
        except KeyError as err:
            raise StudyError(f"{where}: {err.args[0]}") from None
    elif block.name not in ("themes", "trend"):
        raise StudyError(f"{where}: unknown directive [[{block.name}]] (known: figure, table, themes, trend)")


def _themes(codings: Path | list[dict] | None, study: Study, spec: ReportSpec):
    if codings is None:
        return []
    book = study.codebook()
    rows, source = checked_codings(codings, book)
    codebook: dict = {}
    for code in book.codes:
        codebook.setdefault(code.question, {})[code.id] = {"label_nl": code.label, "description_nl": code.description}
    return theme_sections(rows, codebook, spec.config.get("themes", []), source=source)


def _factsheet(spec, numbers, groups, content_env, env, trends=None) -> str | None:
    """The factsheet's HTML, or None when the study has none or its data are not all given."""
    path = spec.root / spec.text("factsheet") if spec.text("factsheet") else None
    if path is None or not path.is_file():
        return None
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    available = set(numbers.results)
    needed = {t["instrument"] for t in config.get("tiles", [])}
    if not needed <= available:
        return None  # the factsheet contrasts both groups: it needs both

    design = spec.config.get("design", {})
    focusgroups = config.get("focusgroups") or design.get("focusgroups", {})  # [focusgroups] of factsheet.toml: older studies

    def render(value):
        if isinstance(value, str):
            return content_env.from_string(value).render(groups=groups, focusgroups=focusgroups, design=design)
        if isinstance(value, list):
            return [render(v) for v in value]
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        return value

    text = render({k: v for k, v in config.items() if k not in ("tiles", "who", "focusgroups")})
    tiles = []
    for tile in config.get("tiles", []):
        likert = numbers.results[tile["instrument"]]["likert"][tile["item"]]
        tiles.append(
            {
                "text": tile["text"],
                "who": config.get("who", {}).get(tile["instrument"], tile["instrument"]),
                "what": likert["labels"][tile["category"]],
                "pct": nl(likert["percent"][tile["category"]]),
                "ci": numbers.likert_ci(tile["instrument"], tile["item"], tile["category"]),
                "n": likert["base"],
                "group_key": tile["instrument"],
                "item": tile["item"],
                "previous": trend_section.tile_trend(trends[tile["instrument"]], tile["item"], tile["category"])
                if trends and tile["instrument"] in trends
                else None,
            }
        )
    return render_factsheet(env, factsheet=text, tiles=tiles, style=css("factsheet.css", spec.root / "templates"))


def _pdf_file(html: str, folder: str | None, name: str, made: dict[str, bytes]) -> None:
    """A PDF of ``html`` (the report's figures floated): written into ``folder`` (a job in its own
    process; the report's figures are read from its ``figures/`` as they are drawn), or, without a
    folder, put in ``made`` (the page then holds its figures as data: URIs)."""
    buffer = io.BytesIO()
    report = name == "rapport.pdf"
    base = Path(folder) if folder is not None else None
    wait_for = base / "figures" if base is not None and report else None
    pdfmod.write_pdf(html, buffer, base, wait_for=wait_for, floats=report)
    if base is not None:
        (base / name).write_bytes(buffer.getvalue())
    else:
        made[name] = buffer.getvalue()
