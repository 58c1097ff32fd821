"""Drawing the report's figures: in worker processes, vector first, each drawing cached.

The report PDF needs only the SVGs, the Word document only the PNGs. Workers ("painters")
therefore draw every SVG of their share first and only then the PNGs, at a lower priority: the
PDF (the longest step of a report) can start while the rasters are still being drawn. Painters
are started before the analysis, so that loading matplotlib happens while the analysis runs,
and they write their files themselves (whole files only: written aside and renamed), so that
the PDF can pick each one up as soon as it is there.

Every drawing is cached on disk (:mod:`afstand.cache`, kind ``figures``) under a key of
everything that determines it — the figure's specification, the published numbers it shows,
the instrument version (labels), the group name, footnote and look, afstand's figure code and
the matplotlib version — so a rebuild after a change of text redraws nothing, and a change of
data or code redraws what it touches. Each entry carries the SHA-256 of its drawing: an entry that
does not match (damaged, cut short) is removed and drawn again, never shown. After a build that
added drawings the cache is cut back to ``AFSTAND_FIGURE_CACHE_MB``, least recently used first.
The report's trend figures (two or more waves) are drawn here too, by the same workers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
import traceback
from importlib import resources
from pathlib import Path

from afstand import cache
from afstand.figures.build import Look, build_figures, close, figure_bytes

FORMATS = ("svg", "png")
PNG_NICENESS = 15  # rasters are only needed for the Word file: they yield to the PDF


@functools.cache
def _code_version() -> str:
    """A digest of the figure code and matplotlib's version: new code, new drawings."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("matplotlib").encode())
    for name in ("build.py", "charts.py", "style.py", "render.py", "trendchart.py"):
        digest.update(resources.files("afstand.figures").joinpath(name).read_bytes())
    return digest.hexdigest()


def entry_key(entry: dict, result: dict, group: str, footnote: str, look: Look) -> str:
    """The cache key of one ``[[figures]]`` entry: everything its drawings depend on."""
    items = entry.get("items", [])
    shown = {
        "items": {i: result["items"].get(i) for i in items},
        "likert": {i: result.get("likert", {}).get(i) for i in items},
        "n_consented": result["n_consented"],
        "base": result["data"].get("base"),
        "instrument_version": result["data"].get("instrument_version"),
    }
    parts = [entry, shown, group, footnote, list(look.grey)]
    return cache.key(_code_version(), json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str))


class Painters:
    """Worker processes that load matplotlib now and draw when :func:`draw` gives them work.

    Without ``fork`` (or with fewer than two workers) there are none and :func:`draw` draws in
    this process. :meth:`close` stops whatever is still running (after an error: nothing is
    left behind).
    """

    def __init__(self, workers: int):
        self._idle: list = []
        self.busy: list = []  # (process, connection, finished formats)
        if workers <= 1:
            return
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        for _ in range(workers):
            mine, theirs = context.Pipe(duplex=True)
            process = context.Process(target=_painter, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            self._idle.append((process, mine))

    def __len__(self) -> int:
        return len(self._idle)

    def give(self, jobs: list[tuple]) -> None:
        """One job per painter (as many as there are jobs); the others are let go."""
        for (process, connection), job in zip(self._idle, jobs):
            connection.send(job)
            self.busy.append((process, connection, set()))
        for process, connection in self._idle[len(jobs) :]:
            connection.send(None)
            connection.close()
            process.join()
        self._idle = []

    def wait(self, fmt: str) -> None:
        for process, connection, finished in self.busy:
            while fmt not in finished:
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    raise RuntimeError(
                        f"a figure worker stopped (exit code {process.exitcode}) before the {fmt} drawings were done"
                    ) from None
                if message[0] == "error":
                    raise message[1]
                finished.add(message[1])

    def close(self) -> None:
        for process, connection in self._idle:
            connection.close()
            process.terminate()
            process.join()
        for process, connection, _ in self.busy:
            connection.close()
            if process.is_alive():
                process.terminate()
            process.join()
        self._idle, self.busy = [], []


class Drawings:
    """The figures being drawn: :meth:`wait` returns when every drawing of a format is there,
    :meth:`files` gives them (``figures/<key>.<fmt>`` → bytes)."""

    def __init__(
        self, formats: tuple[str, ...], out_dir: Path | None, done: dict[str, bytes], painters: Painters | None = None, stored: bool = False
    ):
        self._formats = formats
        self._out_dir = out_dir
        self._done = done  # drawn or found here: name → bytes
        self._painters = painters
        self._stored = stored  # new drawings went into the cache

    def prune(self) -> None:
        """After the drawings are done: keep the figure cache within its bound (when this build added to it)."""
        if self._stored:
            prune()

    @property
    def parallel(self) -> bool:
        """True when workers draw into the folder (a reader waits for each file there)."""
        return self._painters is not None and bool(self._painters.busy)

    def wait(self, fmt: str) -> None:
        if fmt in self._formats and self._painters is not None:
            self._painters.wait(fmt)

    def files(self) -> dict[str, bytes]:
        """Every drawing there is now (call after :meth:`wait`)."""
        found = dict(self._done)
        if self._out_dir is not None and self._out_dir.is_dir():
            for path in sorted(self._out_dir.iterdir()):
                if path.suffix[1:] in self._formats and not path.name.startswith("."):
                    found.setdefault(f"figures/{path.name}", path.read_bytes())
        return found


def draw(
    study_root: str,
    spec: list[dict],
    results: dict[str, dict],
    groups: dict[str, str],
    footnote: str,
    keys_of: dict[int, list[str]],
    out_dir: Path | None,
    *,
    painters: Painters | None = None,
    look: Look | None = None,
    formats: tuple[str, ...] = FORMATS,
    cached: bool = True,
    trends: list[dict] = (),
) -> Drawings:
    """Draw the figures of ``spec``: into ``out_dir`` (``<key>.svg``, ``<key>.png``), or with
    ``out_dir`` None in memory, here (nothing touches the disk but the cache).

    ``keys_of``: per figure number the keys of its drawings (from ``build_figures(draw=False)``),
    so that cached drawings are found without drawing. With ``painters`` (and a folder) the rest
    is shared among them and this returns at once (wait with :meth:`Drawings.wait`); without,
    everything is drawn here before this returns. Painters get the study folder and reload the
    instruments (a loaded instrument is not picklable); results are plain dicts. ``cached=False``:
    the figure cache is neither read nor written (a build that must not touch the disk).
    ``trends``: the trend figures (keyword arguments of :func:`afstand.figures.trendchart.trend_figure`),
    drawn bare (their caption is the page's) with the others.
    """
    look = look or Look()
    spec = [e for e in spec if e["instrument"] in results]
    missing, digests, done = [], {}, {}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    for entry in spec:
        name = entry["instrument"]
        digest = digests[entry["number"]] = entry_key(entry, results[name], groups.get(name, name), footnote, look)
        found = {
            (key, fmt): _cached(f"{digest}.{key}.{fmt}") if cached else None for key in keys_of.get(entry["number"], []) for fmt in formats
        }
        if found and all(data is not None for data in found.values()):
            for (key, fmt), data in found.items():
                done[f"figures/{key}.{fmt}"] = data
                if out_dir is not None:
                    write_whole(out_dir / f"{key}.{fmt}", data)
        else:
            missing.append(entry)
    for job in trends:
        digest = digests[job["key"]] = cache.key(
            _code_version(), json.dumps(["trend", job], sort_keys=True, ensure_ascii=False, default=str)
        )
        found = {fmt: _cached(f"{digest}.{job['key']}.{fmt}") if cached else None for fmt in formats}
        if found and all(data is not None for data in found.values()):
            for fmt, data in found.items():
                done[f"figures/{job['key']}.{fmt}"] = data
                if out_dir is not None:
                    write_whole(out_dir / f"{job['key']}.{fmt}", data)
        else:
            missing.append({"trend": job})
    if not missing or not formats:
        if painters is not None:
            painters.give([])
        return Drawings(formats, out_dir, done)
    if painters is None or len(painters) < 2 or out_dir is None:
        if painters is not None:
            painters.give([])
        for _ in _drawn(
            study_root, missing, results, groups, footnote, look, formats, out_dir, digests if cached else None, nice=False, into=done
        ):
            pass
        return Drawings(formats, out_dir, done, stored=cached)
    chunks = [c for c in _shares(missing, len(painters)) if c]
    painters.give([(study_root, chunk, results, groups, footnote, look, formats, out_dir, digests if cached else None) for chunk in chunks])
    return Drawings(formats, out_dir, done, painters, stored=cached)


def _shares(spec: list[dict], n: int) -> list[list[dict]]:
    """Figures divided over ``n`` painters, the biggest first to the least loaded one."""
    cost = {id(e): len(e.get("items", [])) * (2 if e.get("diverging") else 1) + 2 for e in spec}
    shares: list[list[dict]] = [[] for _ in range(n)]
    load = [0] * n
    for entry in sorted(spec, key=lambda e: -cost[id(e)]):
        least = load.index(min(load))
        shares[least].append(entry)
        load[least] += cost[id(entry)]
    return shares


MAGIC = b"afstand-figure-1\n"  # an entry: MAGIC, the SHA-256 of the drawing, the drawing
STALE_PARTS = 3600  # seconds: a temporary file this old is left over from a write that died


def _cached(name: str) -> bytes | None:
    """The drawing stored under ``name``, or None: absent, unreadable, or not whole (its checksum
    does not match: a damaged or truncated entry is removed, so it is drawn and stored again)."""
    target = cache.path("figures", name)
    if target is None:
        return None
    try:
        stored = target.read_bytes()
    except OSError:
        return None
    head, digest, data = stored[: len(MAGIC)], stored[len(MAGIC) : len(MAGIC) + 32], stored[len(MAGIC) + 32 :]
    if head != MAGIC or hashlib.sha256(data).digest() != digest:
        target.unlink(missing_ok=True)
        return None
    try:
        os.utime(target)  # used now: the least recently used entries are removed first
    except OSError:
        pass
    return data


def _store(name: str, data: bytes) -> None:
    cache.write_bytes("figures", name, MAGIC + hashlib.sha256(data).digest() + data)


def prune(limit: int | None = None) -> int:
    """Keep the figure cache under ``limit`` bytes (default ``AFSTAND_FIGURE_CACHE_MB``): remove the
    least recently used entries (and temporary files of writes that died) until it fits. Returns
    how many bytes were removed; never an error."""
    from afstand import config

    folder = cache.path("figures", "")
    if folder is None or not folder.is_dir():
        return 0
    limit = config.get("AFSTAND_FIGURE_CACHE_MB") * 1024 * 1024 if limit is None else limit
    entries, now, removed = [], time.time(), 0
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in listing:
        try:
            info = entry.stat()
        except OSError:
            continue
        if entry.name.startswith("."):  # a write under way (or one that died long ago)
            if now - info.st_mtime > STALE_PARTS:
                Path(entry.path).unlink(missing_ok=True)
            continue
        entries.append((info.st_mtime, info.st_size, entry.path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            continue
        total -= size
        removed += size
    return removed


def write_whole(path: Path, data: bytes) -> None:
    """A whole file or none: a reader waiting for ``path`` (the PDF) never sees half of it."""
    aside = path.with_name(f".{path.name}.part")
    aside.write_bytes(data)
    os.replace(aside, path)


def _drawn(
    study_root, spec, results, groups, footnote, look, formats, out_dir: Path | None, digests: dict | None, *, nice: bool, into=None
):
    """Draw every figure of ``spec`` into ``out_dir`` (or the dict ``into``) and the cache (under
    ``digests``; None: no cache), all of one format before the next; yields each format when all
    of its drawings are there."""
    from afstand.study import Study

    plain = [e for e in spec if "trend" not in e]
    study = Study.load(study_root)
    instruments = {name: study.instrument(name) for name in {e["instrument"] for e in plain}}
    figures = build_figures(plain, results, instruments, groups, footnote, look=look)
    if len(plain) < len(spec):
        from afstand.figures.trendchart import trend_figure

        figures += [trend_figure(**e["trend"], number=0, bare=True) for e in spec if "trend" in e]
    try:
        for fmt in formats:
            if fmt == "png" and nice and hasattr(os, "nice"):
                os.nice(PNG_NICENESS)
            for figure in figures:
                data = figure_bytes(figure, fmt)
                if into is not None:
                    into[f"figures/{figure.key}.{fmt}"] = data
                if out_dir is not None:
                    write_whole(out_dir / f"{figure.key}.{fmt}", data)
                if digests is not None:
                    digest = digests[figure.key] if figure.key in digests else digests[figure.number]
                    _store(f"{digest}.{figure.key}.{fmt}", data)
            yield fmt
    finally:
        close(figures)


def _painter(connection) -> None:
    """A worker: load matplotlib, then draw the one job it is given (or stop when given None)."""
    try:
        from afstand.figures import charts  # noqa: F401  (loads matplotlib while the analysis runs)
        from afstand.figures.style import pyplot

        pyplot()
        job = connection.recv()
        if job is None:
            return
        for fmt in _drawn(*job, nice=True):
            connection.send(("done", fmt))
    except EOFError:
        return  # the build stopped before giving work
    except BaseException as err:  # handed to the waiting process, which raises it
        try:
            connection.send(("error", err))
        except Exception:
            connection.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        connection.close()
