"""Seeded, valid answers for any XLSForm: what a respondent could have sent.

The generator walks the form as a respondent does, in document order: a question is answered
only when it is relevant given the answers so far (calculations recomputed after each answer),
a select picks from the choices its ``choice_filter`` leaves, a value is drawn until it meets the
question's ``constraint``, repeats get one to three instances (or their ``repeat_count``).
Questions afstand cannot collect (media, GPS, barcode) are left out. Every generated response
is checked with :func:`~afstand.responses.submission.check_submission`; a form for which no
valid response can be found is an error naming the question, never a silently invalid file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from afstand.errors import AfstandError
from afstand.instrument.engine import Engine, Scope, engine_for
from afstand.instrument.model import Instrument, Item
from afstand.responses.submission import check_submission
from afstand.responses.values import typed

ATTEMPTS = 40  # draws per question before giving up on its constraint
WORDS = (
    "ja",
    "nee",
    "misschien",
    "thuis",
    "kantoor",
    "goed",
    "lastig",
    "video",
    "telefoon",
    "rustig",
    "12",
    "0612345678",
    "jan@example.org",
    "Utrecht",
    "overleg",
)


def generate_submissions(
    instrument: Instrument, n: int, *, seed: int, missing: float = 0.1, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """``n`` answer sets (nested, canonical text), each accepted by ``check_submission``."""
    engine = engine_for(instrument)
    rng = np.random.default_rng(seed)
    today = today or dt.date.today()
    out = []
    for _ in range(n):
        for _attempt in range(ATTEMPTS):
            answers = _respondent(engine, rng, missing, today)
            checked = check_submission(instrument, answers, today=today)
            if checked.ok:
                out.append(_without_calculations(engine, answers))
                break
        else:
            first = next(iter(checked.errors.items()))
            raise AfstandError(f"{instrument.source}: no valid response found for {first[0]} ({first[1]}) after {ATTEMPTS} attempts")
    return out


def _without_calculations(engine: Engine, answers: dict[str, Any]) -> dict[str, Any]:
    """What a client sends: the server computes the calculations itself."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        item = engine.instrument.items.get(key)
        if item is not None and (item.type in ("calculate", "hidden") or item.calculation is not None):
            continue
        out[key] = [_without_calculations(engine, v) for v in value] if isinstance(value, list) else value
    return out


def _respondent(engine: Engine, rng, missing: float, today: dt.date) -> dict[str, Any]:
    instrument = engine.instrument
    answers: dict[str, Any] = {}
    consent = instrument.consent_item
    engine.calculate(answers, today)  # calculations that need no answers (a repeat_count, a constant)
    for key in instrument.order:
        _fill(engine, key, answers, answers, (), rng, missing, today, consent)
    return answers


def _fill(engine: Engine, key: str, answers, container: dict[str, Any], scope: Scope, rng, missing, today, consent) -> None:
    group = engine.groups.get(key)
    if group is not None:
        if not engine.is_relevant(key, answers, scope, today):
            return
        if group.repeat:
            engine.calculate(answers, today)
            count = engine.instance_count(key, answers, scope)
            count = int(rng.integers(1, 4)) if count is None else count
            container[key] = []
            for index in range(count):
                instance: dict[str, Any] = {}
                container[key].append(instance)
                for child in group.children:
                    _fill(engine, child, answers, instance, scope + ((key, index),), rng, missing, today, consent)
            engine.calculate(answers, today)
            return
        for child in group.children:
            _fill(engine, child, answers, container, scope, rng, missing, today, consent)
        return
    item = engine.instrument.items.get(key)
    if item is None or not item.collected or not engine.is_relevant(key, answers, scope, today):
        return
    if key == consent:
        container[key] = engine.instrument.consent_choice
        engine.calculate(answers, today)
        return
    if not _required(engine, key, answers, scope, today) and rng.random() < missing:
        return
    for _ in range(ATTEMPTS):
        value = _draw(engine, item, answers, scope, rng, today)
        if value is None:
            return
        container[key] = value
        if engine.meets_constraint(key, answers, scope, typed(item, value), today):
            engine.calculate(answers, today)
            return
    container.pop(key, None)  # no value met the constraint: left unanswered (check_submission says why if required)
    engine.calculate(answers, today)


def _required(engine: Engine, key: str, answers, scope: Scope, today: dt.date) -> bool:
    """``required`` yes, or its condition true for the answers drawn so far (a condition that cannot
    be evaluated leaves the question optional: check_submission says why)."""
    try:
        return engine.is_required(key, answers, scope, today)
    except AfstandError:
        return False


def _draw(engine: Engine, item: Item, answers, scope: Scope, rng, today: dt.date) -> str | None:
    kind = item.type
    if kind in ("select_one", "select_multiple"):
        names = [c.name for c in engine.choices(item.name, answers, scope, today)]
        if not names:
            return None
        if kind == "select_one":
            return names[int(rng.integers(len(names)))]
        chosen = [c for c in names if rng.random() < 0.4] or [names[int(rng.integers(len(names)))]]
        return " ".join(chosen)
    if kind in ("integer", "decimal"):
        low, high = _bounds(item.constraint)
        low = low if low is not None else (high - 50 if high is not None else 0)
        high = high if high is not None else low + 100
        value = rng.uniform(low, high)
        return str(round(value)) if kind == "integer" else f"{value:.2f}"
    if kind == "range":
        start = float(item.parameters.get("start", 1))
        end = float(item.parameters.get("end", 10))
        step = float(item.parameters.get("step", 1)) or 1.0
        steps = int(abs(end - start) // abs(step))
        value = start + np.sign(end - start) * abs(step) * int(rng.integers(0, steps + 1))
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if kind == "date":
        return (today + dt.timedelta(days=int(rng.integers(-3000, 3000)))).isoformat()
    if kind == "time":
        return f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"
    if kind == "datetime":
        day = today + dt.timedelta(days=int(rng.integers(-3000, 3000)))
        return f"{day.isoformat()}T{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"
    if kind == "acknowledge":
        return "OK"
    if kind == "text":
        return WORDS[int(rng.integers(len(WORDS)))]
    return None


def _bounds(constraint: str | None) -> tuple[float | None, float | None]:
    if not constraint:
        return None, None
    low = re.search(r"\.\s*>=?\s*(-?\d+(?:\.\d+)?)", constraint)
    high = re.search(r"\.\s*<=?\s*(-?\d+(?:\.\d+)?)", constraint)
    return (float(low.group(1)) if low else None, float(high.group(1)) if high else None)


def submission_lines(answer_sets: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """JSON API payloads (``{"instance_id", "answers"}``) with seeded version-4 UUIDs."""
    import uuid

    rng = np.random.default_rng(seed + 7919)
    return [{"instance_id": str(uuid.UUID(bytes=rng.bytes(16), version=4)), "answers": a} for a in answer_sets]


def write_form_demo(instrument: Instrument, n: int, out_dir, *, seed: int, today: dt.date | None = None, stem: str | None = None) -> list:
    """Write ``<form>.jsonl`` (what clients send to the JSON API) and the export the server makes of
    it: ``<form>.csv`` and ``<form>-<repeat>.csv`` per repeat (Kobo's layout). Returns the paths."""
    import csv
    import io
    import json
    from pathlib import Path

    from afstand.fileio import atomic_write_text
    from afstand.responses.tables import MAIN, response_tables

    today = today or dt.date.today()
    out_dir = Path(out_dir)
    stem = _safe(stem or instrument.form_id) or "form"
    answer_sets = generate_submissions(instrument, n, seed=seed, today=today)
    payloads = submission_lines(answer_sets, seed)
    stored = []
    for number, payload in enumerate(payloads, start=1):
        checked = check_submission(instrument, payload["answers"], today=today)
        if not checked.ok:  # generate_submissions checked them already: a second look must agree
            raise AfstandError(f"{instrument.source}: generated response {number} is not valid: {next(iter(checked.errors.values()))}")
        if checked.consented:
            stored.append(([f"R{number:05d}", instrument.version_id, today.isoformat()], checked.answers))
    tables = response_tables(instrument, stored, ["response_id", "instrument_version", "submission_date"])
    written = []
    target = out_dir / f"{stem}.jsonl"
    atomic_write_text(target, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads))
    written.append(target)
    for name, (header, rows) in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        target = out_dir / (f"{stem}.csv" if name == MAIN else f"{stem}-{_safe(name)}.csv")
        atomic_write_text(target, buffer.getvalue())
        written.append(target)
    return written


def _safe(name: str) -> str:
    """A file-name part: letters, digits, '.', '-' and '_' (a path key's '/' becomes '_')."""
    return re.sub(r"[^\w.-]+", "_", name).strip("_")
