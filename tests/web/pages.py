"""Reading the researchers' analysis page as an attacker does: every number it prints (tests/attack.py
solves what they give away)."""

from __future__ import annotations

import re


def _number(text: str) -> float | None:
    """A printed number ("3.0", "3,0", "12"); "–" or "×" is unknown."""
    text = text.strip()
    return None if text in ("–", "×", "") else float(text.replace(",", "."))


def page_as_published(html: str) -> dict:
    """What a reader of the analysis page can write down: n consented, every item's printed counts and
    missing count (× = unknown), every breakdown's shown groups, hidden groups and respondents without a group."""
    n = int(re.search(r'id="n-consented">(\d+)<', html).group(1))
    items = {}
    for name, body in re.findall(r'<section class="item" id="item-([\w-]+)">(.*?)</section>', html, re.S):
        rows = re.findall(r'<tr data-choice="([^"]+)"><th scope="row">.*?</th><td>([^<]*)</td>', body, re.S)
        if rows:
            missing = int(re.search(r'<tr class="missing"><th scope="row">[^<]*</th><td>(\d+)</td>', body).group(1))
            kind = "select_multiple" if "meerdere antwoorden" in body or "several answers" in body else "select_one"
            items[name] = {"type": kind, "missing": missing, "counts": {c: None if v == "×" else int(v) for c, v in rows}}
        elif '<th scope="col">n</th>' in body:
            cells = re.search(r"<tbody><tr>((?:<td>[^<]*</td>){6})</tr>", body).group(1)
            n, _mean, median, _sd, low, high = (_number(v) for v in re.findall(r"<td>([^<]*)</td>", cells))
            listed = re.search(r"(?:Uitschieters|Outliers) \(Tukey, k = 3\): ([^<]*)<", body)
            outliers = {"values": [_number(v) for v in listed.group(1).split(", ")] if listed else []}
            if "verborgen klasse" in body or "hidden band" in body:
                outliers["withheld"] = True
            items[name] = {"type": "number", "n": int(n), "median": median, "min": low, "max": high, "outliers": outliers}
    breakdowns = {}
    for key, body in re.findall(r'<table class="likert" id="breakdown-([\w-]+)">(.*?)</table>', html, re.S):
        shown = [
            {"name": g, "n": int(v)} for g, v in re.findall(r'<tr data-group="([^"]+)"><th scope="row">[^<]*</th><td>(\d+)</td>', body)
        ]
        hidden = [{"name": g} for g in re.findall(r'<tr class="suppressed" data-group="([^"]+)">', body)]
        no_group = int(re.search(r'<tr class="no-group"><th scope="row">[^<]*</th><td>(\d+)</td>', body).group(1))
        breakdowns[key] = {"groups": shown, "suppressed": hidden, "no_group": no_group}
    return {"n_consented": n, "items": items, "comparisons": {"breakdowns": breakdowns}}
