"""Generate plausible, seeded response data for any instrument.

What the data looks like is data too: a study's ``demo/spec.toml`` gives per item choice
weights, per-choice probabilities (select_multiple), number distributions and example
texts. Items without an entry get uniform answers. Statements with a ``key`` follow a
one-factor model (``[<instrument>.alliance] loading``), so scale reliability is realistic.
The same seed always gives the same files.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from scipy import stats

from afstand.fileio import atomic_write_text
from afstand.instrument.model import Instrument, Item


def load_spec(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def generate(
    instrument: Instrument, n: int, *, seed: int, spec: dict[str, Any] | None = None, name: str | None = None
) -> dict[str, np.ndarray]:
    """Columns (response_id first) as arrays of strings; empty string = missing."""
    spec = spec or {}
    name = name or instrument.form_id
    own = spec.get(name, {})
    defaults = spec.get("defaults", {})
    missing_rate = float(own.get("missing", defaults.get("missing", 0.03)))
    no_consent = float(own.get("no_consent", defaults.get("no_consent", 0.02)))
    loading = float(own.get("alliance", {}).get("loading", 0.6))
    rng = np.random.default_rng(seed)
    prefix = own.get("id_prefix", name[:1].upper())
    width = max(4, len(str(n)))
    columns: dict[str, np.ndarray] = {"response_id": np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)}
    latent = rng.standard_normal(n)
    consented = rng.random(n) >= no_consent
    for item in instrument.items.values():
        rules = own.get(item.name, {})
        if item.name == instrument.consent_item:
            values = np.where(consented, instrument.consent_choice, _other_choice(item, instrument.consent_choice))
            columns[item.name] = values.astype(object)
            continue
        if item.kind == "select_one":
            values = _select_one(item, rules, rng, n, latent if item.key else None, loading)
        elif item.kind == "select_multiple":
            values = _select_multiple(item, rules, rng, n)
        elif item.kind == "number":
            values = _number(item, rules, rng, n)
        elif item.kind == "text":
            values = _text(rules, rng, n)
        else:
            continue
        rate = float(rules.get("missing", missing_rate))
        values = np.where(rng.random(n) < rate, "", values).astype(object)
        columns[item.name] = np.where(consented, values, "").astype(object)
    return columns


def write_csv(columns: dict[str, np.ndarray], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    names = list(columns)
    writer.writerow(names)
    writer.writerows(zip(*(columns[c] for c in names)))


def write_study(study, out_dir: Path, sizes: dict[str, int], *, seed: int) -> dict[str, Path]:
    """Write ``<instrument>.csv`` for each instrument of ``study`` into ``out_dir``."""
    spec_path = study.config.get("demo", {}).get("spec")
    spec = load_spec(study.path(spec_path) if spec_path else None)
    written = {}
    for offset, (name, n) in enumerate(sizes.items()):
        columns = generate(study.instrument(name), n, seed=seed + offset, spec=spec, name=name)
        buffer = io.StringIO()
        write_csv(columns, buffer)
        target = out_dir / f"{name}.csv"
        atomic_write_text(target, buffer.getvalue())
        written[name] = target
    return written


def _other_choice(item: Item, choice: str) -> str:
    return next((c for c in item.choice_list.names if c != choice), "")


def _weights(item: Item, rules: dict) -> np.ndarray:
    names = item.choice_list.names
    given = rules.get("weights", {})
    weights = np.array([float(given.get(c, 0 if given else 1)) for c in names])
    if weights.sum() <= 0:
        weights = np.ones(len(names))
    return weights / weights.sum()


def _select_one(item, rules, rng, n, latent, loading) -> np.ndarray:
    names = np.array(item.choice_list.names, dtype=object)
    p = _weights(item, rules)
    scored = [i for i, c in enumerate(item.choice_list.choices) if c.score is not None]
    if latent is None or len(scored) < 3:
        return names[rng.choice(len(names), size=n, p=p)]
    # ordered-probit draw over the scored choices; unscored ones ("weet niet") drawn apart
    order = sorted(scored, key=lambda i: item.choice_list.choices[i].score)
    unscored = [i for i in range(len(names)) if i not in scored]
    p_unscored = p[unscored].sum() if unscored else 0.0
    p_scored = p[order] / p[order].sum()
    cuts = stats.norm.ppf(np.cumsum(p_scored)[:-1])
    y = loading * item.key * latent + math.sqrt(1 - loading**2) * rng.standard_normal(n)
    values = names[np.array(order)[np.searchsorted(cuts, y)]]
    if unscored:
        dont_know = rng.random(n) < p_unscored
        picks = rng.choice(unscored, size=n, p=p[unscored] / p[unscored].sum())
        values = np.where(dont_know, names[picks], values)
    return values


def _select_multiple(item, rules, rng, n) -> np.ndarray:
    names = item.choice_list.names
    given = rules.get("probabilities", {})
    probs = np.array([float(given.get(c, 0.0 if given else 0.3)) for c in names])
    chosen = rng.random((n, len(names))) < probs
    empty = ~chosen.any(axis=1)
    if empty.any():  # everyone who answers picks at least one choice
        chosen[np.flatnonzero(empty), rng.choice(len(names), size=int(empty.sum()), p=probs / probs.sum())] = True
    out = np.full(n, "", dtype=object)
    for j, name in enumerate(names):
        out = out + np.where(chosen[:, j], name + " ", "").astype(object)
    return np.array([v.rstrip() for v in out], dtype=object)


def _number(item, rules, rng, n) -> np.ndarray:
    low, high = _bounds(item.constraint)
    low = float(rules.get("min", low if low is not None else 0))
    high = float(rules.get("max", high if high is not None else low + 10))
    if "lognormal" in rules:
        params = rules["lognormal"]
        values = rng.lognormal(math.log(float(params["median"])), float(params["sigma"]), n)
    elif "normal" in rules:
        values = rng.normal(float(rules["normal"]["mean"]), float(rules["normal"]["sd"]), n)
    else:
        values = rng.uniform(low, high, n)
    values = np.clip(values, low, high)
    if item.type == "integer":
        return np.array([str(int(v)) for v in np.round(values)], dtype=object)
    digits = int(rules.get("decimals", 2))
    return np.array([f"{v:.{digits}f}" for v in values], dtype=object)


def _text(rules, rng, n) -> np.ndarray:
    texts = rules.get("texts", [])
    if not texts:
        return np.full(n, "", dtype=object)
    return np.array(texts, dtype=object)[rng.integers(0, len(texts), n)]


def _bounds(constraint: str | None) -> tuple[float | None, float | None]:
    if not constraint:
        return None, None
    low = re.search(r"\.\s*>=?\s*(-?\d+(?:\.\d+)?)", constraint)
    high = re.search(r"\.\s*<=?\s*(-?\d+(?:\.\d+)?)", constraint)
    return (float(low.group(1)) if low else None, float(high.group(1)) if high else None)
