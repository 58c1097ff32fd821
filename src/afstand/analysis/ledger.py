"""The publication ledger: which breakdown groups a publication of a wave hid, so that a later
publication of the same wave (a rebuild after a late response or a withdrawal, a final report after a
preliminary one) hides them too. Two builds one response apart would otherwise give a hidden group
back by subtraction (docs/disclosure-control.md, "Publications of one wave").

The ledger is data: wave label ("" for a build without waves) → instrument → breakdown → groups.
:meth:`afstand.study.Study.publishing` attaches it to a study; ``analyze()`` and ``publish_trend()``
hide its groups (with complementary cells) whatever their size now. The command line keeps it in a
small JSON file (``afstand report --ledger``); the web app in the database (``Wave.published_hidden``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from afstand.errors import AfstandError

Ledger = dict[str, dict[str, dict[str, frozenset[str]]]]


def hidden_of(results: dict) -> dict[str, dict[str, list[str]]]:
    """instrument → breakdown → the groups hidden in these published results (``cijfers.json``)."""
    out: dict[str, dict[str, list[str]]] = {}
    for name, result in results.items():
        for breakdown, entry in ((result.get("comparisons") or {}).get("breakdowns") or {}).items():
            hidden = sorted(g["name"] for g in entry.get("suppressed", ()))
            if hidden:
                out.setdefault(name, {})[breakdown] = hidden
    return out


def merged(wave: dict, new: dict) -> dict[str, dict[str, list[str]]]:
    """The union of two ledger entries of one wave (instrument → breakdown → groups), as plain lists."""
    out = {i: {b: sorted(set(g)) for b, g in bs.items()} for i, bs in wave.items()}
    for instrument, breakdowns in new.items():
        for breakdown, groups in breakdowns.items():
            known = out.setdefault(instrument, {}).setdefault(breakdown, [])
            out[instrument][breakdown] = sorted(set(known) | set(groups))
    return out


def as_ledger(raw: dict) -> Ledger:
    """wave → instrument → breakdown → groups as frozensets (what ``Study.ledger`` holds)."""
    return {w: {i: {b: frozenset(g) for b, g in bs.items()} for i, bs in insts.items()} for w, insts in raw.items()}


def read_ledger(path: Path, study_id: str) -> dict:
    """The waves of a ledger file (an absent file: an empty ledger)."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        waves = raw["waves"]
        if raw.get("study") != study_id:
            raise AfstandError(f"{path}: the ledger of study {raw.get('study')!r}, not of {study_id!r} (give another --ledger)")
        if not isinstance(waves, dict) or not all(
            isinstance(g, list) for insts in waves.values() for bs in insts.values() for g in bs.values()
        ):
            raise ValueError("'waves' is not wave → instrument → breakdown → [groups]")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as err:
        raise AfstandError(f"{path}: not a publication ledger ({err})") from None
    return waves


def write_ledger(path: Path, study_id: str, waves: dict) -> None:
    """Write the ledger whole or not at all (a temporary file renamed into place)."""
    body = {"study": study_id, "rule": "docs/disclosure-control.md", "waves": waves}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ledger-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
