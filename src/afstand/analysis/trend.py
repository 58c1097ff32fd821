"""The same instrument measured in several waves: per-wave figures and their changes.

Input is loaded data: one :class:`~afstand.responses.dataset.ResponseSet` per wave (each with
the instrument version that wave used). Output is the JSON contract of
``afstand trend --json``::

    {"instrument", "waves": [labels],
     "items": {name: {"type", "label", "labels" (choice labels), "comparable",
                      "waves": {label: {"base", "missing", "counts", "percent", "ci"}},
                      "change": {choice: {"from", "to", "pp", "ci", "p", "p_holm"}},
                      "pairs": [{"from", "to", "comparable", "change"}], "flags": [...]}},
     "likert": {name: {... the same per collapsed category ...}},
     "scales": {dimension: {"waves": {label: {"n", "mean", "sd", "ci", "alpha", "alpha_ci"}},
                            "change": {"from", "to", "diff", "ci", "df", "p", "p_holm"}, ...}},
     "comparability": [{"from", "to", "diff": instrument diff}]}

* ``waves`` per item: ``counts``, ``base`` and ``percent`` are what ``afstand analyze`` gives
  for that wave (same functions, same base); ``ci`` is each percentage's Wilson 95% interval.
* ``change`` describes the latest pair of consecutive waves (previous → latest); ``pairs``
  lists every consecutive pair. ``pp`` = percent(to) − percent(from); ``ci`` = Newcombe's
  hybrid-score 95% interval of the difference, in percentage points; ``p`` = two-sided pooled
  two-proportion z-test without continuity correction (``null`` when undefined, e.g. 0% in both
  waves); ``p_holm`` = Holm's adjustment over every p reported under ``items`` for that wave
  pair (``likert`` and ``scales`` are families of their own).
* A change is only computed for a comparable item (:mod:`afstand.instrument.diff`); a change of
  the question or its categories is listed in ``flags`` with the wording of both waves.
* Scales: mean of the respondents' dimension scores with a t-interval, Cronbach's α per wave,
  and Welch's difference of means (interval with Welch–Satterthwaite df, two-sided p).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from afstand.analysis import frequencies, likert
from afstand.analysis.dimension_answers import dimension_answers
from afstand.analysis.distributions import t_isf, t_sf
from afstand.analysis.proportions import holm, newcombe_diff, wilson, ztest_pooled
from afstand.analysis.scales import alpha_from_cov
from afstand.errors import AfstandError
from afstand.instrument.diff import InstrumentDiff, diff_instruments
from afstand.instrument.model import Instrument
from afstand.responses.dataset import ResponseSet

PROPORTION_KINDS = ("select_one", "select_multiple")


@dataclass(frozen=True)
class Wave:
    label: str
    responses: ResponseSet

    @property
    def instrument(self) -> Instrument:
        return self.responses.instrument


def trend(waves: list[Wave], *, name: str | None = None, base: str = "consented", confidence: float = 0.95) -> dict:
    if len(waves) < 2:
        raise AfstandError("a trend needs at least two waves")
    labels = [w.label for w in waves]
    if len(set(labels)) != len(labels):
        raise AfstandError(f"wave labels must differ (got {', '.join(labels)})")
    pairs = list(zip(waves, waves[1:]))
    known: dict[tuple[int, int], InstrumentDiff] = {}  # waves of the same form: one diff per pair of forms
    for a, b in pairs:
        if (id(a.instrument), id(b.instrument)) not in known:
            known[id(a.instrument), id(b.instrument)] = _diff(a.instrument, b.instrument)
    diffs = [known[id(a.instrument), id(b.instrument)] for a, b in pairs]
    items = _items(waves, pairs, diffs, base, confidence)
    likert_items = _likert(waves, pairs, diffs, base, confidence)
    scales = _scales(waves, pairs, diffs, confidence)
    return {
        "instrument": name or waves[-1].instrument.form_id,
        "waves": labels,
        "base": base,
        "confidence": confidence,
        "items": items,
        "likert": likert_items,
        "scales": scales,
        "comparability": [{"from": a.label, "to": b.label, "diff": d.as_dict()} for (a, b), d in zip(pairs, diffs)],
        "data": {
            w.label: {
                "source": w.responses.source,
                "instrument_version": w.instrument.version_id,
                "n_total": w.responses.n_total,
                "n_consented": w.responses.n_consented,
            }
            for w in waves
        },
    }


def _diff(before: Instrument, after: Instrument) -> InstrumentDiff:
    return diff_instruments(before, after)


def _names(waves: list[Wave], keep) -> list[str]:
    """Item names in the latest version's order, then those only in earlier versions."""
    seen: dict[str, None] = {}
    for wave in reversed(waves):
        for item in wave.instrument.items.values():
            if keep(wave.instrument, item):
                seen.setdefault(item.name, None)
    return list(seen)


def _frequency(responses: ResponseSet, item, base: str) -> dict:
    fn = frequencies.select_one if item.kind == "select_one" else frequencies.select_multiple
    out = fn(responses, item, base)
    keep = ("base", "missing", "not_asked", "counts", "percent")
    return _with_interval({k: out[k] for k in keep if k in out})


def _with_interval(wave: dict, confidence: float = 0.95) -> dict:
    """Each percentage's Wilson interval (in percent), for interval bars per wave."""
    names = list(wave["counts"])
    if not wave["base"]:
        wave["ci"] = {c: [None, None] for c in names}
        return wave
    low, high = wilson(np.array([wave["counts"][c] for c in names], dtype=float), float(wave["base"]), confidence)
    wave["ci"] = {c: [100.0 * float(lo), 100.0 * float(hi)] for c, lo, hi in zip(names, low, high)}
    return wave


def _items(waves, pairs, diffs, base, confidence) -> dict:
    def keep(instrument, item):
        return item.kind in PROPORTION_KINDS and item.name != instrument.consent_item

    names = _names(waves, keep)
    per_wave = {
        name: {
            w.label: _frequency(w.responses, w.instrument.items[name], base)
            for w in waves
            if name in w.instrument.items and keep(w.instrument, w.instrument.items[name])
        }
        for name in names
    }
    out = {}
    for name in names:
        latest = next(w.instrument.items[name] for w in reversed(waves) if name in w.instrument.items)
        entry = {
            "type": latest.kind,
            "label": latest.label(),
            "labels": {c.name: c.label() for c in latest.choice_list.choices},
            "comparable": False,
            "waves": per_wave[name],
            "change": {},
            "pairs": [],
            "flags": [],
        }
        for (a, b), diff in zip(pairs, diffs):
            comparable = (
                diff.comparable(name)
                and a.label in per_wave[name]
                and b.label in per_wave[name]
                and a.instrument.items[name].kind == b.instrument.items[name].kind
            )
            change = _proportion_changes(per_wave[name], a.label, b.label, confidence) if comparable else {}
            entry["pairs"].append({"from": a.label, "to": b.label, "comparable": comparable, "change": change})
            entry["flags"] += _flags(diff, name, a.label, b.label)
        entry["comparable"] = entry["pairs"][-1]["comparable"]
        entry["change"] = entry["pairs"][-1]["change"]
        out[name] = entry
    _holm_per_pair(out, pairs)
    return out


def _likert(waves, pairs, diffs, base, confidence) -> dict:
    names = _names(waves, lambda instrument, item: likert.collapsible(item))
    out = {}
    for name in names:
        present = {w.label: w for w in waves if name in w.instrument.items and likert.collapsible(w.instrument.items[name])}
        collapsed = {label: likert.collapse(w.responses, w.instrument.items[name], base) for label, w in present.items()}
        latest = list(present.values())[-1].instrument.items[name]
        entry = {
            "label": latest.label(),
            "comparable": False,
            "waves": {
                label: _with_interval(
                    {k: c[k] for k in ("categories", "labels", "base", "missing", "not_asked", "counts", "percent") if k in c}
                )
                for label, c in collapsed.items()
            },
            "change": {},
            "pairs": [],
            "flags": [],
        }
        for (a, b), diff in zip(pairs, diffs):
            comparable = (
                diff.likert_comparable(name)
                and a.label in collapsed
                and b.label in collapsed
                and collapsed[a.label]["categories"] == collapsed[b.label]["categories"]
            )
            change = _proportion_changes(entry["waves"], a.label, b.label, confidence) if comparable else {}
            entry["pairs"].append({"from": a.label, "to": b.label, "comparable": comparable, "change": change})
            entry["flags"] += _flags(diff, name, a.label, b.label, also=("recollapsed",))
        entry["comparable"] = entry["pairs"][-1]["comparable"]
        entry["change"] = entry["pairs"][-1]["change"]
        out[name] = entry
    _holm_per_pair(out, pairs)
    return out


def _proportion_changes(per_wave: dict, before: str, after: str, confidence: float) -> dict:
    a, b = per_wave[before], per_wave[after]
    choices = [c for c in b["counts"] if c in a["counts"]]
    if not choices or not a["base"] or not b["base"]:
        return {}
    x1 = np.array([b["counts"][c] for c in choices], dtype=float)
    x0 = np.array([a["counts"][c] for c in choices], dtype=float)
    n1, n0 = float(b["base"]), float(a["base"])
    _, low, high = newcombe_diff(x1, n1, x0, n0, confidence)
    p = ztest_pooled(x1, n1, x0, n0)
    out = {}
    for j, choice in enumerate(choices):
        out[choice] = {
            "from": before,
            "to": after,
            "pp": b["percent"][choice] - a["percent"][choice],
            "ci": [100.0 * float(low[j]), 100.0 * float(high[j])],
            "p": None if math.isnan(p[j]) else float(p[j]),
            "p_holm": None,
        }
    return out


def _holm_per_pair(entries: dict, pairs) -> None:
    """Holm over every p of one wave pair (all items and choices of ``entries``)."""
    for index in range(len(pairs)):
        cells = [cell for e in entries.values() for cell in e["pairs"][index]["change"].values()]
        adjusted = holm([np.nan if c["p"] is None else c["p"] for c in cells])
        for cell, value in zip(cells, adjusted):
            cell["p_holm"] = None if math.isnan(value) else float(value)


def _flags(diff: InstrumentDiff, name: str, before: str, after: str, also: tuple[str, ...] = ()) -> list[dict]:
    return [
        {
            "from": before,
            "to": after,
            "kind": c.kind,
            "breaks_comparability": c.breaks or c.kind in also,
            "wording": {before: c.before, after: c.after},
            **({"details": [dict(d) for d in c.details]} if c.details else {}),
        }
        for c in diff.item_changes(name)
    ]


def _scales(waves, pairs, diffs, confidence) -> dict:
    names = list(dict.fromkeys(d for w in reversed(waves) for d in w.instrument.dimensions()))
    out = {}
    for dimension in names:
        members = {w.label: w.instrument.dimensions().get(dimension) for w in waves}
        summaries, scores = {}, {}
        for w in waves:
            items = members[w.label]
            if not items:
                continue
            answers = dimension_answers(w.responses, items)
            scores[w.label] = answers.scores[~np.isnan(answers.scores)]
            summaries[w.label] = _scale_summary(scores[w.label], answers.complete(), confidence)
        entry = {
            "items": {label: [i.name for i in items] for label, items in members.items() if items},
            "comparable": False,
            "waves": summaries,
            "change": {},
            "pairs": [],
            "flags": [],
        }
        for (a, b), diff in zip(pairs, diffs):
            names_a = [i.name for i in members[a.label] or []]
            names_b = [i.name for i in members[b.label] or []]
            keys_a = [(i.name, i.key) for i in members[a.label] or []]
            keys_b = [(i.name, i.key) for i in members[b.label] or []]
            comparable = bool(names_a) and sorted(keys_a) == sorted(keys_b) and diff.scale_comparable(names_b)
            change = _welch(scores[a.label], scores[b.label], a.label, b.label, confidence) if comparable else {}
            entry["pairs"].append({"from": a.label, "to": b.label, "comparable": comparable, "change": change})
            if sorted(keys_a) != sorted(keys_b):
                entry["flags"].append(
                    {
                        "from": a.label,
                        "to": b.label,
                        "kind": "items",
                        "breaks_comparability": True,
                        "wording": {a.label: ", ".join(names_a) or None, b.label: ", ".join(names_b) or None},
                    }
                )
            for item in dict.fromkeys(names_a + names_b):
                entry["flags"] += _flags(diff, item, a.label, b.label, also=("rescored",))
        entry["comparable"] = entry["pairs"][-1]["comparable"]
        entry["change"] = entry["pairs"][-1]["change"]
        out[dimension] = entry
    for index in range(len(pairs)):
        cells = [e["pairs"][index]["change"] for e in out.values() if e["pairs"][index]["change"]]
        adjusted = holm([np.nan if c["p"] is None else c["p"] for c in cells])
        for cell, value in zip(cells, adjusted):
            cell["p_holm"] = None if math.isnan(value) else float(value)
    return out


def _scale_summary(values: np.ndarray, complete: np.ndarray, confidence: float) -> dict:
    """``complete``: the keyed item scores of the respondents who answered every item."""
    n = len(values)
    mean = float(values.mean()) if n else None
    sd = float(values.std(ddof=1)) if n > 1 else None
    ci = [None, None]
    if n > 1:
        half = t_isf((1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
        ci = [mean - half, mean + half]
    k = complete.shape[1]
    cov = np.cov(complete, rowvar=False).reshape(k, k) if len(complete) > 1 else np.zeros((k, k))  # (one item: 1 × 1)
    alpha = alpha_from_cov(cov, len(complete), ci=confidence)
    return {"n": n, "mean": mean, "sd": sd, "ci": ci, "alpha": alpha["alpha"], "alpha_ci": alpha["ci"], "alpha_n": alpha["n"]}


def _welch(before: np.ndarray, after: np.ndarray, label_before: str, label_after: str, confidence: float) -> dict:
    n0, n1 = len(before), len(after)
    if n0 < 2 or n1 < 2:
        return {}
    v0, v1 = before.var(ddof=1) / n0, after.var(ddof=1) / n1
    diff = float(after.mean() - before.mean())
    se = math.sqrt(v0 + v1)
    if se == 0:
        return {"from": label_before, "to": label_after, "diff": diff, "ci": [diff, diff], "df": None, "p": None, "p_holm": None}
    df = (v0 + v1) ** 2 / (v0**2 / (n0 - 1) + v1**2 / (n1 - 1))
    half = t_isf((1 - confidence) / 2, df) * se
    p = 2 * t_sf(abs(diff / se), df)
    return {
        "from": label_before,
        "to": label_after,
        "diff": diff,
        "ci": [diff - half, diff + half],
        "df": float(df),
        "p": float(p),
        "p_holm": None,
    }
