"""Build the report, factsheet and figures of a study from its response data.

:func:`report_files` builds every output file in memory (name → bytes); nothing touches the disk.
:func:`build_report` writes them into a temporary folder beside the output folder and moves them
into place only when all of it succeeded, so a failure never leaves half-written output.
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

from afstand.analysis.disclosure import publish
from afstand.analysis.summary import analyze
from afstand.errors import AfstandError, StudyError
from afstand.figures.build import Look, build_figures, close, figure_bytes, render_figures
from afstand.report import blocks as blockmod
from afstand.report import trend_section
from afstand.report.context import Numbers, nl
from afstand.report.docxdoc import write_docx
from afstand.report.htmlpage import css, environment, page_blocks, render_factsheet, render_report
from afstand.report.pdf import write_pdf
from afstand.report.tables import build_table
from afstand.report.themes import load_codings, theme_sections
from afstand.responses import RawTable, load_responses
from afstand.study import Study

FORMATS = ("html", "pdf", "docx")
BASES = ("consented", "valid")
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
) -> list[Path]:
    """Write the report into ``out_dir`` (the files of :func:`report_files`, all or nothing): the
    paths written, one per file and one for the figures folder."""
    step = progress or (lambda _message: None)
    spec = _check(study, formats, base)
    staging = _staging_dir(out_dir)  # an output folder that cannot be written fails before any work
    try:
        files = _build(study, spec, data, formats, codings, step, workers, base, warnings, waves, versions, wave_instruments)
        step("uitvoer op zijn plaats zetten")
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
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
) -> dict[str, bytes]:
    """The report, factsheet, figures and published numbers, built in memory: file name (``figures/…``
    for a figure) → bytes. ``data``: per instrument a response file or a table in memory
    (:func:`afstand.responses.table_from_columns`); ``codings``: a coded-answers JSONL file or its
    rows already read; ``base``: "consented" or "valid". Researchers' claims the data contradict are
    logged (``afstand.report``) and appended to ``warnings`` when a list is given. ``waves`` (oldest
    first, the last one being ``data``) adds the section on the development since the previous wave
    and the previous values on the factsheet tiles; ``versions`` (instrument → [Instrument]) are the
    versions the rows may mix (items a row's version lacks are not asked); ``wave_instruments``
    (wave → {instrument: Instrument}) the version each wave used."""
    spec = _check(study, formats, base)
    step = progress or (lambda _message: None)
    return _build(study, spec, data, formats, codings, step, workers, base, warnings, waves, versions, wave_instruments)


def _check(study: Study, formats: tuple[str, ...], base: str) -> "ReportSpec":
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise AfstandError(f"--format: unknown format {', '.join(unknown)} (known: {', '.join(FORMATS)})")
    if base not in BASES:
        raise AfstandError(f"--base: unknown base {base!r} (known: {', '.join(BASES)})")
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
    study, spec, data, formats, codings, step, workers, base, warnings, waves=None, versions=None, wave_instruments=None
) -> dict[str, bytes]:
    results, instruments, responses = {}, {}, {}
    for name, path in data.items():
        step(f"analyse {name}")
        instruments[name] = study.instrument(name)
        responses[name] = load_responses(path, instruments[name], versions=(versions or {}).get(name))
        # one disclosure-control pass: everything below (text, tables, figures, factsheet, JSON) reads these
        results[name] = publish(analyze(responses[name], name=name, study=study, base=base), study, name)
    numbers = Numbers(results, instruments, responses, study)
    files = {"cijfers.json": json.dumps(results, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")}
    groups = spec.groups
    trends = {}
    if waves:
        step("ontwikkeling sinds de vorige meting")
        trends = trend_section.wave_trends(study, waves, responses, versions=versions, wave_instruments=wave_instruments)

    step("figuren")
    figure_spec = spec.config.get("figures", [])
    look = Look(grey=tuple(spec.config.get("report", {}).get("non_substantive", [])))
    figures = build_figures(figure_spec, results, instruments, groups, spec.text("footnote"), draw=False, look=look)  # data only: fast
    wait_for_drawings = render_figures(str(study.root), figure_spec, results, groups, spec.text("footnote"), workers=workers, look=look)
    by_number: dict[int, list] = {}
    for figure in figures:
        by_number.setdefault(figure.number, []).append(figure)
    env = environment(spec.root / "templates")
    try:  # everything that needs no drawing is made while the workers draw
        step("factsheet")
        files.update(_factsheet(spec, numbers, groups, _content_env(numbers, []), env, formats, trends))
        step("tekst")
        themes = _themes(codings, study, spec)
        content_env = _content_env(numbers, themes)
        try:
            text = content_env.from_string(spec.read("content")).render(groups=groups)
        except jinja2.TemplateError as err:
            raise StudyError(f"{spec.root / spec.text('content')}: line {getattr(err, 'lineno', '?')}: {err}") from None
        except KeyError as err:
            raise StudyError(f"{spec.root / spec.text('content')}: {err.args[0]}") from None
        for claim in numbers.claims:
            if not claim.holds:
                message = f"{spec.text('content')}: uitspraak niet gesteund door de cijfers: {claim.text!r} ({claim.criterion})"
                log.warning(message)
                if warnings is not None:
                    warnings.append(message)
        blocks = blockmod.parse(text, spec.text("content"))
        fig_for, tables = {}, {}
        for block in blocks:
            if isinstance(block, blockmod.Directive):
                _resolve(block, by_number, fig_for, tables, numbers, groups, spec)
        trend_figures = []
        if trends:
            trend_figures = trend_section.insert_section(
                blocks,
                fig_for,
                trends,
                groups,
                trend_section.load_config(spec.root / "trend.toml"),
                first_number=max(by_number, default=0) + 1,
            )
        versions = [
            {"group": groups.get(n, n), "n": r["n_consented"], "version": r["data"]["instrument_version"]} for n, r in results.items()
        ]
        page, toc = page_blocks(blocks, fig_for, tables, themes, first_chapter=int(spec.config.get("report", {}).get("first_chapter", 1)))
        cover = _cover(study, spec)
        html = render_report(env, cover=cover, blocks=page, toc=toc, versions=versions, style=css("report.css", spec.root / "templates"))
        if "html" in formats:
            files["rapport.html"] = html.encode("utf-8")
    finally:
        drawings = wait_for_drawings()
    png: dict[str, bytes] = {}
    for figure in figures:
        files[f"figures/{figure.key}.svg"] = drawings[figure.key]["svg"]
        files[f"figures/{figure.key}.png"] = png[figure.key] = drawings[figure.key]["png"]
    try:
        for figure in trend_figures:
            files[f"figures/{figure.key}.svg"] = figure_bytes(figure, "svg")
            files[f"figures/{figure.key}.png"] = png[figure.key] = figure_bytes(figure, "png")
    finally:
        close(trend_figures)
    pdf_job = None
    if "pdf" in formats:
        step("pdf")
        pdf_job = _start_pdf(embed_figures(html, files), workers)
    docx = None
    try:
        if "docx" in formats:
            step("docx")
            buffer = io.BytesIO()
            write_docx(buffer, cover=cover, blocks=blocks, figures=fig_for, tables=tables, themes=themes, png=png, versions=versions)
            docx = buffer.getvalue()
    finally:
        if pdf_job is not None:
            files["rapport.pdf"] = pdf_job()  # wait for the report PDF (and raise its error) before anything is returned
    if docx is not None:
        files["rapport.docx"] = docx
    return files


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


def _content_env(numbers: Numbers, themes: list) -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.globals.update(numbers.functions())
    env.globals["themes_available"] = bool(themes)
    env.globals["coded"] = lambda *questions: any(t.question in questions for t in themes)  # coded answers for these questions?
    return env


def _resolve(block, by_number, fig_for, tables, numbers, groups, spec) -> None:
    where = f"{spec.text('content')}: line {block.line}"
    if block.name == "figure":
        if len(block.args) != 1 or not block.args[0].isdigit():
            raise StudyError(f"{where}: [[figure N]] takes one figure number")
        fig_for[block] = by_number.get(int(block.args[0]), [])
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
    rows, source = (codings, "codings") if isinstance(codings, list) else (load_codings(codings), str(codings))
    codebook: dict = {}
    for code in study.codebook().codes:
        codebook.setdefault(code.question, {})[code.id] = {"label_nl": code.label, "description_nl": code.description}
    return theme_sections(rows, codebook, spec.config.get("themes", []), source=source)


def _factsheet(spec, numbers, groups, content_env, env, formats, trends=None) -> dict[str, bytes]:
    path = spec.root / spec.text("factsheet") if spec.text("factsheet") else None
    if path is None or not path.is_file():
        return {}
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    available = set(numbers.results)
    needed = {t["instrument"] for t in config.get("tiles", [])}
    if not needed <= available:
        return {}  # the factsheet contrasts both groups: it needs both

    focusgroups = config.get("focusgroups", {})

    def render(value):
        if isinstance(value, str):
            return content_env.from_string(value).render(groups=groups, focusgroups=focusgroups)
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
    html = render_factsheet(env, factsheet=text, tiles=tiles, style=css("factsheet.css", spec.root / "templates"))
    out = {}
    if "html" in formats or "pdf" in formats:
        out["factsheet.html"] = html.encode("utf-8")
    if "pdf" in formats:
        out["factsheet.pdf"] = _pdf_bytes(html)
    return out


def _start_pdf(html: str, workers: int) -> Callable[[], bytes]:
    """Render a PDF in a worker process (or here when workers == 1); call the result to wait for its bytes."""
    if workers <= 1:
        pdf = _pdf_bytes(html)
        return lambda: pdf
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context)
    future = pool.submit(_pdf_bytes, html)

    def wait() -> bytes:
        try:
            return future.result()
        finally:
            pool.shutdown()

    return wait


def _pdf_bytes(html: str) -> bytes:
    buffer = io.BytesIO()
    write_pdf(html, buffer)
    return buffer.getvalue()


def _staging_dir(out_dir: Path) -> Path:
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
        if out_dir.exists() and (not out_dir.is_dir() or not _writable(out_dir)):
            shutil.rmtree(staging, ignore_errors=True)
            raise AfstandError(f"{out_dir}: not a writable folder")
    except PermissionError:
        raise AfstandError(f"{out_dir}: cannot write here (permission denied)") from None
    except OSError as err:
        raise AfstandError(f"{out_dir}: cannot write here ({err.strerror})") from None
    return staging


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK | os.X_OK)


def _move_into_place(staging: Path, out_dir: Path, written: list[Path]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    final = []
    for path in written:
        target = out_dir / path.name
        if path.is_dir():
            if target.exists():
                old = out_dir / f".{path.name}.old"
                shutil.rmtree(old, ignore_errors=True)
                target.rename(old)
                path.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                path.rename(target)
        else:
            path.replace(target)
        final.append(target)
    return final
