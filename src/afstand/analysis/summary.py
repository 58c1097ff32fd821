"""One call that runs the whole analysis of an instrument's responses.

The result is the JSON contract of ``afstand analyze --json``:
``{"instrument", "n_total", "n_consented", "items": {name: ...}}`` followed by
``likert``, ``scales``, ``comparisons`` and ``data`` (provenance: source, instrument
version, columns not asked, identifying columns dropped, problems).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from afstand.analysis import frequencies, likert
from afstand.analysis.compare import compare
from afstand.analysis.scales import dimension_scores
from afstand.responses.dataset import ResponseSet
from afstand.study import Study


def analyze(
    responses: ResponseSet,
    *,
    name: str | None = None,
    study: Study | None = None,
    base: str = "consented",
    exclude_outliers: bool = False,
    min_group_size: int | None = None,
) -> dict:
    instrument = responses.instrument
    outlier_k = study.outlier_k if study else 3.0
    comparisons = None
    if study is not None and name in study.instrument_names:
        size = min_group_size if min_group_size is not None else study.min_group_size
        held = study.held_cells(name)  # the publication ledger: cells once hidden stay hidden
        arguments = (responses, study.breakdowns(name), study.comparison_patterns(name))
        if _in_parallel(responses):
            # the group comparisons on the second core while this thread does the rest: most of both is
            # numpy, which releases the GIL; each part computes what it would alone (same numbers)
            pool = ThreadPoolExecutor(1, thread_name_prefix="afstand-compare")
            comparisons = pool.submit(compare, *arguments, min_group_size=size, forced=held, threads=2)
            pool.shutdown(wait=False)
        else:
            comparisons = compare(*arguments, min_group_size=size, forced=held)
    items: dict[str, dict] = {}
    for item in instrument.items.values():
        if item.name == instrument.consent_item:
            continue
        if item.kind == "select_one":
            entry = frequencies.select_one(responses, item, base)
        elif item.kind == "select_multiple":
            entry = frequencies.select_multiple(responses, item, base)
        elif item.kind == "number":
            entry = frequencies.number(responses.numbers[item.name], outlier_k=outlier_k, exclude_outliers=exclude_outliers)
            if responses.n_not_asked(item.name):  # not asked of some (mixed versions): not missing
                entry["not_asked"] = responses.n_not_asked(item.name)
                entry["missing"] -= entry["not_asked"]
        elif item.kind == "text":
            entry = frequencies.text(responses, item)
        elif item.name in responses.texts:  # analysis-only types (date, geopoint, …): how many answered
            entry = dict(frequencies.text(responses, item), type=item.type)
        else:
            continue
        entry["asked"] = item.name not in responses.not_asked
        items[item.name] = entry

    result = {
        "instrument": name or instrument.form_id,
        "n_total": responses.n_total,
        "n_consented": responses.n_consented,
        "items": items,
        "likert": {
            item.name: likert.collapse(responses, item, base)
            for item in instrument.items.values()
            if likert.collapsible(item) and item.name not in responses.not_asked
        },
        "scales": dimension_scores(responses),
    }
    if comparisons is not None:
        result["comparisons"] = comparisons if isinstance(comparisons, dict) else comparisons.result()
    result["data"] = {
        "source": responses.source,
        "instrument_version": instrument.version_id,
        "base": base,
        "layout": responses.layout,
        "not_asked": list(responses.not_asked),
        "dropped_columns": list(responses.dropped_columns),
        "metadata_columns": list(responses.metadata_columns),
        "unused_columns": list(responses.unused_columns),
        "declared_missing": {k: dict(v) for k, v in responses.declared_missing.items()},
        "problems": [p.as_dict() for p in responses.problems],
        "notes": list(responses.notes),
    }
    return result


#: from this many consenting respondents on, the group comparisons run in a thread of their own
PARALLEL_FROM = 50_000


def _in_parallel(responses: ResponseSet) -> bool:
    if responses.n_consented < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return False
    from afstand.analysis.distributions import norm_sf

    norm_sf(0.0)  # scipy.special imported here first: two threads importing one package at once can deadlock
    return True


def pairs(results: dict[str, dict], instruments: dict) -> list[dict]:
    """Statement pairs of two instruments side by side (collapsed categories).

    ``results`` maps instrument name → :func:`analyze` result; ``instruments`` maps the same
    names → :class:`Instrument`. Pairs are read from the XLSForm's ``pair`` column
    (``<instrument>:<item>``); a pair whose other side was not analysed is skipped.
    """
    out = []
    for name, instrument in instruments.items():
        for item in instrument.items.values():
            if not item.pair or name not in results:
                continue
            other, other_item = item.pair.split(":", 1)
            left = results[name]["likert"].get(item.name)
            right = results.get(other, {}).get("likert", {}).get(other_item)
            if left is None or right is None:
                continue
            out.append(
                {
                    name: {"item": item.name, **{k: left[k] for k in ("base", "counts", "percent", "labels")}},
                    other: {"item": other_item, **{k: right[k] for k in ("base", "counts", "percent", "labels")}},
                }
            )
    return out
