"""Disclosure control in tests: skewed data for a small study (tests/studies/mini) and an attacker
that solves, as an integer program, what a published result or a report's text prints.
Tests import these from tests/helpers.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# --- disclosure control: skewed data for a small study (tests/studies/mini), and an attacker ---
MINI_STUDY = Path(__file__).parent / "studies" / "mini"
MINI_BANDS = [(0, 5), (5, 10), (10, 20), (20, 40)]


def mini_datasets():
    """Hypothesis strategy: (n, seed, shares) — cell shares from a few very small to dominant, some missing answers."""
    from hypothesis import strategies as st

    weights = st.sampled_from([0.0, 0.01, 0.03, 0.06, 0.1, 0.3, 1.0, 3.0])

    @st.composite
    def datasets(draw):
        n = draw(st.integers(8, 140))
        seed = draw(st.integers(0, 2**31 - 1))
        shares = {
            name: draw(st.lists(weights, min_size=k + 1, max_size=k + 1)) for name, k in (("org", 4), ("sex", 3), ("role", 3), ("years", 4))
        }
        return n, seed, shares

    return datasets()


def write_mini_csv(path: Path, n: int, seed: int, shares: dict) -> Path:
    """Responses of the mini study: the characteristics drawn with ``shares`` (last share: no answer)."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def draw(weights):
        w = np.asarray(weights, dtype=float)
        w = np.ones_like(w) if w.sum() == 0 else w
        return rng.choice(len(w), size=n, p=w / w.sum())

    org, sex, role, years = (draw(shares[k]) for k in ("org", "sex", "role", "years"))
    lines = ["response_id,consent,org,sex,role,years,q1,q2,q3"]
    answers = ["oneens", "neutraal", "eens", "weet_niet", ""]
    for i in range(n):
        roles = "" if role[i] == 3 else " ".join(sorted({f"r{role[i] + 1}", *(["r2"] if rng.random() < 0.3 else [])}))
        year = "" if years[i] == 4 else str(int(rng.integers(*MINI_BANDS[years[i]])))
        q = [answers[int(v)] for v in rng.choice(5, size=3, p=[0.3, 0.2, 0.3, 0.1, 0.1])]
        lines.append(
            ",".join([f"R{i}", "ja", "" if org[i] == 4 else f"o{org[i] + 1}", "" if sex[i] == 3 else "mvx"[sex[i]], roles, year, *q])
        )
    lines.append(f"R{n},nee,,,,,,,")  # one refusal: n_total differs from n_consented
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def true_cells(responses, breakdown) -> tuple[dict[str, int], dict[str, str]]:
    """The true size of every group of a breakdown, and the groups' labels."""
    import numpy as np

    from afstand.analysis.compare import group_codes

    codes, names, labels = group_codes(responses, breakdown)
    tally = np.bincount(codes + 1, minlength=len(names) + 1)
    return {g: int(tally[i + 1]) for i, g in enumerate(names)}, labels


def _ilp_bounds(size: int, equal: list, within: list, lower, upper, subsets: list[list[int]]) -> list[tuple[int, int]]:
    """Integer programming (scipy's milp): the smallest and largest sum of each subset of the
    ``size`` integer unknowns, under ``equal`` ((coefficients, value)), ``within`` ((coefficients,
    low, high)) and the bounds ``lower``/``upper``."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    rows, low, high = [], [], []
    for coefficients, *limits in [(c, v, v) for c, v in equal] + list(within):
        row = np.zeros(size)
        for index, value in coefficients.items():
            row[index] += value
        rows.append(row)
        low.append(limits[0])
        high.append(limits[1])
    constraints = [LinearConstraint(np.array(rows), np.array(low), np.array(high))] if rows else []
    out = []
    for subset in subsets:
        c = np.zeros(size)
        c[subset] = 1
        found = []
        for sign in (1, -1):
            res = milp(sign * c, constraints=constraints, integrality=np.ones(size), bounds=Bounds(lower, upper))
            assert res.status == 0, res.message  # the true data are always feasible
            found.append(round(sign * res.fun))
        out.append((found[0], found[1]))
    return out


def attack(published: dict, breakdowns: list) -> list[tuple[str, dict[str, tuple[int, int]]]]:
    """Per characteristic: the attacker's integer bounds for every hidden cell and union of hidden cells
    (integer programming with scipy's milp on everything the published result shows)."""
    import itertools

    import numpy as np

    out = []
    n = published["n_consented"]
    for b in breakdowns:
        entry = published["comparisons"]["breakdowns"][b.name]
        names = [g["name"] for g in entry["groups"]] + [g["name"] for g in entry["suppressed"]]
        index = {g: i for i, g in enumerate(names)}
        equal = [({index[g["name"]]: 1}, g["n"]) for g in entry["groups"]]
        everyone = dict.fromkeys(range(len(names)), 1)
        equal.append((everyone, n - entry["no_group"]))
        item = published["items"][b.item]
        if item["type"] == "select_one":
            equal += [({index[choice]: 1}, count) for choice, count in item["counts"].items() if count is not None]
            equal.append((everyone, n - item["missing"]))
        elif item["type"] == "select_multiple":
            if item["counts"].get(b.contains) is not None:
                equal.append(({index[b.contains]: 1}, item["counts"][b.contains]))
            equal.append((everyone, n - item["missing"]))
        else:
            equal.append((everyone, item["n"]))
        hidden = [g["name"] for g in entry["suppressed"]]
        if not hidden:
            continue
        lower = np.zeros(len(names))
        if entry["groups"]:  # zeros are printed as 0 unless everything is hidden: a hidden cell is then ≥ 1
            lower[[index[g] for g in hidden]] = 1
        within = _order_statistics(item, b, index, n) if b.bands else []
        subsets = [list(s) for size in range(1, len(hidden) + 1) for s in itertools.combinations(hidden, size)]
        found = _ilp_bounds(len(names), equal, within, lower, np.full(len(names), n), [[index[g] for g in s] for s in subsets])
        out.append((b.name, {"|".join(s): bounds for s, bounds in zip(subsets, found)}))
    return out


def _order_statistics(item: dict, breakdown, index: dict[str, int], n: int) -> list:
    """What a number item's individual values say about its bands: every listed outlier is one person in
    its band, a min or max is one person in its band, and when the outlier list is complete (nothing
    withheld) every band that starts above the smallest listed upper outlier holds exactly its listed values."""
    from afstand.analysis.disclosure import band_name

    edges = breakdown.bands
    listed = [v for v in (item.get("outliers") or {}).get("values", []) if v is not None]
    within = []
    per_band: dict[str, int] = {}
    for value in listed:
        band = band_name(value, edges)
        if band is not None:
            per_band[band] = per_band.get(band, 0) + 1
    for key in ("min", "max"):
        band = band_name(item[key], edges) if item.get(key) is not None else None
        if band is not None:
            per_band.setdefault(band, 1)
    for band, count in per_band.items():
        within.append(({index[band]: 1}, count, n))
    upper = [v for v in listed if item.get("median") is not None and v > item["median"]]
    if upper and not (item.get("outliers") or {}).get("withheld"):
        start = min(upper)
        for low in edges:
            if low > start:
                band = band_name(low, edges)
                count = sum(1 for v in upper if band_name(v, edges) == band)
                within.append(({index[band]: 1}, count, count))
    return within


def printed(out: Path, formats=("html", "docx")) -> dict[str, tuple[list[list[str]], str]]:
    """What each format of a built report prints: its table rows (cells as text; for the PDF, each
    line of its text split at runs of spaces, as columns are laid out) and all its text."""
    import subprocess

    found = {}
    if "html" in formats:
        parser = _Printed()
        parser.feed((out / "rapport.html").read_text(encoding="utf-8"))
        found["html"] = (parser.rows, " ".join(parser.text))
    if "docx" in formats:
        import docx

        document = docx.Document(str(out / "rapport.docx"))
        rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
        found["docx"] = (rows, " ".join([p.text for p in document.paragraphs] + [" ".join(r) for r in rows]))
    if "pdf" in formats:
        text = subprocess.run(["pdftotext", "-layout", str(out / "rapport.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        found["pdf"] = ([re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()], text)
    return found


class _Printed(HTMLParser):
    """Table rows (cells' text) and all text of an HTML page (styles left out)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._row = self._cell = None
        self._skip = False

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def attack_text(
    shown: tuple[list[list[str]], str], n: int, labels: dict[str, str], item_labels: dict[str, str], subsets
) -> list[tuple[int, int]]:
    """The attacker's integer bounds on each subset of a breakdown's groups from what a format prints.

    It knows the questionnaire (the groups' labels, ``labels``; the labels of the characteristic's
    other answers, ``item_labels``) and the number who gave consent, ``n``, and reads: counts
    ("Label: 12 (20%"), sums ("A of B: 30 (50%)"), percentages of ``n`` with or without their Wilson
    interval (tables: "Label | 20 [12–31]"; text: "Label: 20%"; the PDF's figures: "Label 20%"),
    the "Geen antwoord" share of the characteristic's figure, and group sizes of tests ("Label (n = 12)",
    "Label: 2,00 (n = 12)": a lower bound, as a test counts only who answered the question too).
    """
    import numpy as np

    from afstand.analysis.intervals import wilson_percent

    rows, text = shown
    names = list(labels)  # unknowns: the groups, then "no answer / no group"
    index = {labels[g]: i for i, g in enumerate(names)}
    size = len(names) + 1
    none = len(names)
    lower, upper = np.zeros(size), np.full(size, n)
    equal = [(dict.fromkeys(range(size), 1), n)]
    within = []

    def half_up(x: float) -> int:
        return int(np.floor(x + 0.5 + 1e-9))

    def percent_of(columns: dict, p: int, ci: tuple[int, int] | None) -> None:
        fits = [c for c in range(n + 1) if half_up(100 * c / n) == p]
        if ci is not None:
            fits = [c for c in fits if (lambda b: b and (half_up(b[0]), half_up(b[1])) == ci)(wilson_percent(c, n))]
        if fits:
            within.append((columns, min(fits), max(fits)))

    label_re = "|".join(re.escape(label) for label in sorted(index, key=len, reverse=True))
    item_table = False
    for row in rows:
        if not row:
            continue
        head = row[0].strip()
        if head in index or (head == "Geen antwoord" and item_table):
            item_table = head in index or item_table
            target = {index[head]: 1} if head in index else {none: 1}
            for cell in row[1:2]:
                match = re.fullmatch(r"(\d+)\s*(?:\[(\d+)–(\d+)\])?%?", cell.strip())
                if match:
                    percent_of(target, int(match.group(1)), (int(match.group(2)), int(match.group(3))) if match.group(2) else None)
        elif head not in item_labels.values():
            item_table = False
    both = rf"(?<![\w-])({label_re}) of ({label_re}): (\d+) \((\d+)%"
    for match in re.finditer(both, text):
        equal.append(({index[match.group(1)]: 1, index[match.group(2)]: 1}, int(match.group(3))))
    text = re.sub(both, " ", text)  # "A of B: 30" says nothing about B alone
    for match in re.finditer(rf"(?<![\w-])({label_re}): (\d+) \((\d+)%", text):
        equal.append(({index[match.group(1)]: 1}, int(match.group(2))))
    for match in re.finditer(rf"(?<![\w-])({label_re})(?::|\s+)\s*(\d+)%", text):
        percent_of({index[match.group(1)]: 1}, int(match.group(2)), None)
    for match in re.finditer(rf"(?<![\w-])({label_re})(?:: [\d,–-]+)? \(n = (\d+)\)", text):
        lower[index[match.group(1)]] = max(lower[index[match.group(1)]], int(match.group(2)))
    groups = [[names.index(g) for g in subset] for subset in subsets]
    return _ilp_bounds(size, equal, within, lower, upper, groups)
