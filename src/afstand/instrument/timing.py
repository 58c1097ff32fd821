"""How long a questionnaire takes: one place for every time estimate a respondent reads.

Seconds per question by kind (an answer read and given on a phone); the estimate of a set of
questions is their sum, rounded up to whole minutes. The intro, the progress line and the
"minutes left" all come from :func:`minutes`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from afstand.instrument.model import Item

SECONDS = {
    "select_one": 8,
    "likert": 6,  # one statement of a grid sharing its answer scale
    "select_multiple": 12,
    "number": 8,
    "text": 20,
    "multiline": 45,
}


def seconds(item: Item) -> int:
    if item.kind == "select_one" and item.appearance == "likert":
        return SECONDS["likert"]
    if item.kind == "text" and item.appearance == "multiline":
        return SECONDS["multiline"]
    return SECONDS.get(item.kind, SECONDS["text"])


def minutes(items: Iterable[Item]) -> int:
    """Whole minutes (at least 1) for answering ``items``."""
    return max(1, math.ceil(sum(seconds(i) for i in items) / 60))
