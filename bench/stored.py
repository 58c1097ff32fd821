"""Benchmark: the analysis of N stored worker responses (issue 12), before and after the services split.

    .venv/bin/python bench/stored.py [--n 100000] [--db sqlite:///… | postgresql://…] [--repeat 2]

Stores N seeded demo worker responses in the database once (bulk insert; reused when the count
matches), then measures, best of --repeat:

* before: what ``adapter.analyze_stored`` did until issue 12 — export rows, write a temporary
  canonical CSV, read it back with ``load_responses(path)``, analyse;
* after: ``afstand.services.results.analyze_stored`` — the rows go to the core as in-memory
  columns (``table_from_columns``), no file;
* page_first, page: the whole analysis page (``GET /onderzoek/<study>/analyse/werkers/``: analysis, figures,
  template) through Django's test client as a logged-in analyst, first with the figures drawn, then
  (best of --repeat) with the figures from the cache keyed on the result. Target: under 5 s for 100,000.

CPU seconds (every thread of the process) are printed too: on a shared machine they say more than wall time.

Prints one JSON object. Not a test; numbers on a shared machine are rough.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


CPU: dict[str, float] = {}  # the lowest CPU seconds (all threads of this process) of each measurement


def best(fn, repeat: int, label: str = "") -> tuple[float, object]:
    """Best wall time of ``repeat`` runs; the lowest CPU time (process_time: every thread) goes into CPU[label]."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if label:
        CPU[label] = round(min(cpu), 2)
    return min(times), result


def profile(fn, top: int = 30) -> None:
    """cProfile of one call, the top functions by cumulative time, on stderr."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(fn)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(top)


def store(n: int, seed: int = 12) -> str:
    """Make sure the default study holds exactly n worker responses; returns the study's slug."""
    import secrets

    from afstand.demo import generate, load_spec
    from afstand.services import studies
    from afstand.web.models import Response, random_key

    study = studies.load_demo()
    version = studies.active_version(study.slug, "werkers")
    stored = Response.objects.filter(instrument_version__study=study, instrument_version__name="werkers")
    marker = OUT / f"stored-{n}.count"  # the consented share of n generated responses, as stored last time
    if marker.is_file() and stored.count() == int(marker.read_text()):
        return study.slug
    stored.delete()
    core = studies.core_study(study.slug)
    spec_path = core.config.get("demo", {}).get("spec")
    columns = generate(
        core.instrument("werkers"), n, seed=seed, spec=load_spec(core.path(spec_path) if spec_path else None), name="werkers"
    )
    items = [c for c in columns if c != "response_id"]
    today = __import__("datetime").date.today()
    batch = []
    for row in range(n):
        answers = {item: columns[item][row] for item in items if columns[item][row]}
        if answers.get("consent") != "ja":
            continue  # the server stores only consented responses
        batch.append(
            Response(
                id=random_key(),
                instrument_version=version,
                instance_id=uuid.uuid4(),
                public_id=secrets.token_hex(8),
                answers=answers,
                submitted_on=today,
                channel="",
                withdrawal_hash=secrets.token_hex(32),
            )
        )
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    marker.write_text(str(stored.count()))
    return study.slug


def before(slug: str):
    """The pre-issue-12 path: canonical CSV written to a temporary file and read back."""
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses
    from afstand.services.exports import META, write
    from afstand.services.studies import core_study, instrument_for, latest_instrument
    from afstand.web.models import InstrumentVersion, Response

    instrument = latest_instrument(slug, "werkers")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "werkers.csv"
        # the rows as the old exports.rows built them: a model object per response
        versions = list(InstrumentVersion.objects.filter(study__slug=slug, name="werkers").order_by("id"))
        items = list(dict.fromkeys(i for v in reversed(versions) for i in instrument_for(v).items))
        header = META + items
        data = [
            [r.public_id, r.instrument_version.version_id, r.submitted_on.isoformat()] + [r.answers.get(i, "") for i in items]
            for r in Response.objects.filter(instrument_version__in=versions).select_related("instrument_version").iterator()
        ]
        with path.open("wb") as handle:
            write(header, data, "csv", handle)
        responses = load_responses(path, instrument, lenient=True)
    return analyze(responses, name="werkers", study=core_study(slug))


def after(slug: str):
    from afstand.services.results import analyze_stored

    return analyze_stored(slug, "werkers")[0]


def page(slug: str):
    from django.contrib.auth.models import User
    from django.test import Client

    from afstand.web.models import Membership, Study

    user, _ = User.objects.get_or_create(username="bench-analyst")
    Membership.objects.get_or_create(user=user, study=Study.objects.get(slug=slug), defaults={"role": "analyst"})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    response = client.get(f"/onderzoek/{slug}/analyse/werkers/")
    assert response.status_code == 200, response.status_code
    return len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: SQLite in bench/out/)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one page request on stderr (CPU time)")
    parser.add_argument("--skip-before", action="store_true", help="skip the pre-issue-12 CSV path")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = args.db or f"sqlite:///{OUT / f'stored-{args.n}.sqlite3'}"
    os.environ.setdefault("AFSTAND_SECRET_KEY", "bench-only-not-secret")
    from afstand.web.config.server import configure, migrate

    configure(db, var_dir=OUT / "var")
    migrate()
    start = time.perf_counter()
    slug = store(args.n)
    setup = time.perf_counter() - start
    if args.profile:
        page(slug)  # warm: imports, compiled instrument
        profile(lambda: page(slug))
    t_after, r_after = best(lambda: after(slug), args.repeat, "after")
    if args.skip_before:
        t_before, same = None, None
    else:
        t_before, r_before = best(lambda: before(slug), args.repeat, "before")
        same = json.dumps({k: v for k, v in r_before.items() if k != "data"}, sort_keys=True) == json.dumps(
            {k: v for k, v in r_after.items() if k != "data"}, sort_keys=True
        )
    t_first, _ = best(lambda: page(slug), 1, "page_first")  # figures drawn (not yet cached in this process)
    t_page, size = best(lambda: page(slug), args.repeat, "page")  # figures from the per-process cache
    from django.db import connection

    print(
        json.dumps(
            {
                "n_stored": r_after["n_total"],
                "database": connection.vendor,
                "setup_seconds": round(setup, 1),
                "before_seconds": t_before and round(t_before, 2),
                "after_seconds": round(t_after, 2),
                "same_result": same,
                "page_first_seconds": round(t_first, 2),
                "page_seconds": round(t_page, 2),
                "page_bytes": size,
                "cpu_seconds": CPU,
            }
        )
    )
    return 0 if same in (True, None) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.exit(main())
