"""Group comparisons by respondent characteristics, with small-group suppression.

Breakdowns (organisation, gender, role, experience band, …) are declared in the study's
``study.toml``. For every outcome item:

* ordinal items (every answer except "weet niet"-type choices has a score):
  two groups → Mann–Whitney U (normal approximation with tie and continuity correction)
  with the rank-biserial correlation r; more groups → Kruskal–Wallis H with
  ε² = H / (n − 1); both computed from counts (:mod:`afstand.analysis.ranktests`);
* nominal items → χ² test of independence (scipy ``chi2_contingency``, Yates' correction on
  2×2 tables as scipy applies it) with Cramér's V.

p-values are corrected over all tests of one instrument with Holm's method
(:func:`afstand.analysis.distributions.holm`, as statsmodels' ``multipletests``). Groups under the study's minimum size are hidden
(:mod:`afstand.analysis.suppression`: primary and solved complementary suppression) and left
out of the tests; so is an item on which a shown group has fewer answers than the minimum. Per group only n and the median (rank tests) are given: no means, so that
nothing about a hidden group follows from the overall totals. Effect sizes carry a seeded
percentile-bootstrap 95% interval (:mod:`afstand.analysis.intervals`). The alliance
dimensions' scale scores are tested too (outcome ``scale:<dimension>``).
"""

from __future__ import annotations

import fnmatch
import math
import threading

import numpy as np

from afstand.analysis import intervals
from afstand.analysis.dimension_answers import dimension_answers
from afstand.analysis.distributions import chi2_contingency, holm
from afstand.analysis.ranktests import kruskal_wallis, mann_whitney
from afstand.analysis.suppression import shown_groups, suppress
from afstand.instrument.model import Item
from afstand.responses.dataset import ResponseSet
from afstand.study import Breakdown


def group_codes(responses: ResponseSet, breakdown: Breakdown) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """Per respondent the index of their group (−1 = no group), group names and labels."""
    item = responses.instrument.items.get(breakdown.item)
    if item is None:
        raise KeyError(f"breakdown {breakdown.name!r}: item {breakdown.item!r} is not in the instrument")
    n = responses.n_consented
    if breakdown.contains:
        column = responses.multi[item.name]
        index = item.choice_list.names.index(breakdown.contains)
        codes = np.where(column.matrix[:, index], 0, np.where(column.answered, 1, -1))
        choice = item.choice_list.get(breakdown.contains)
        return codes, [breakdown.contains, "overig"], {breakdown.contains: choice.label(), "overig": "Overig"}
    if breakdown.bands:
        values = responses.numbers[item.name]
        edges = list(breakdown.bands)
        codes = np.full(n, -1)
        names, labels = [], {}
        for i, low in enumerate(edges):
            high = edges[i + 1] if i + 1 < len(edges) else math.inf
            name = f"{low:g}-{high:g}" if high != math.inf else f"{low:g}+"
            names.append(name)
            labels[name] = f"{low:g} tot {high:g}" if high != math.inf else f"{low:g} of meer"
            codes[(values >= low) & (values < high)] = i
        return codes, names, labels
    if item.kind != "select_one":
        raise KeyError(f"breakdown {breakdown.name!r}: item {item.name!r} needs 'contains' or 'bands'")
    names = list(item.choice_list.names)
    return responses.single[item.name].astype(int), names, {c.name: c.label() for c in item.choice_list.choices}


def is_ordinal(item: Item) -> bool:
    scored = [c for c in item.choice_list.choices if c.score is not None]
    return len(scored) >= 3


def outcome_items(responses: ResponseSet, patterns: list[str]) -> list[Item]:
    out = []
    for item in responses.instrument.items.values():
        if item.kind == "select_one" and item.name != responses.instrument.consent_item:
            if any(fnmatch.fnmatchcase(item.name, p) for p in patterns) and item.name not in responses.not_asked:
                out.append(item)
    return out


def compare(
    responses: ResponseSet,
    breakdowns: list[Breakdown],
    patterns: list[str],
    *,
    min_group_size: int,
    forced: dict | None = None,
    threads: int = 1,
) -> dict:
    """``forced``: breakdown name → groups to hide whatever their size (see ``suppression.suppress_cells``).
    ``threads``: 2 runs half of the outcomes' tests on a second thread (same results, same order)."""
    result = {"min_group_size": min_group_size, "correction": "holm", "breakdowns": {}, "tests": []}
    items = outcome_items(responses, patterns)
    # per outcome its values now, and its column per respondent when first tested (by the one thread that tests it)
    outcomes: dict[tuple, tuple[np.ndarray | None, np.ndarray]] = {("item", item.name): (None, _outcome_values(item)) for item in items}
    scales = _scale_outcomes(responses)
    for dimension, (levels, level) in scales.items():
        outcomes["scale", dimension] = (level + 1, np.array(levels))
    tested: list[tuple[Breakdown, np.ndarray, dict[str, int]]] = []  # breakdown, its cross-table rows, shown groups
    for breakdown in breakdowns:
        if breakdown.item in responses.not_asked:
            result["breakdowns"][breakdown.name] = {
                "item": breakdown.item,
                "groups": [],
                "suppressed": [],
                "no_group": None,
                "not_tested": "not asked in this version of the questionnaire",
            }
            continue
        codes, names, labels = group_codes(responses, breakdown)
        tally = np.bincount(codes + 1, minlength=len(names) + 1)  # [0] = no group
        sizes = {name: int(tally[i + 1]) for i, name in enumerate(names)}
        unassigned = int(tally[0])
        reasons = suppress(sizes, min_group_size, forced=(forced or {}).get(breakdown.name, ()))
        shown = [g for g in shown_groups(reasons) if sizes[g] > 0]
        entry = {
            "item": breakdown.item,
            "groups": [{"name": g, "label": labels[g], "n": sizes[g]} for g in shown_groups(reasons)],
            "suppressed": [{"name": g, "label": labels[g], "reason": r} for g, r in reasons.items() if r],
            "no_group": unassigned,
            "not_tested": None,
        }
        result["breakdowns"][breakdown.name] = entry
        if len(shown) < 2:
            entry["not_tested"] = "fewer than two groups can be shown"
            continue
        index = {g: names.index(g) for g in shown}
        codes = _positions(codes, index)  # from here on: position among the shown groups, −1 = none
        tested.append((breakdown, codes + 1, {g: i for i, g in enumerate(index)}))  # row 0 of every cross table: no group
    tables = CrossTables(
        [(group_row, len(index)) for _, group_row, index in tested], max((len(v) for _, v in outcomes.values()), default=0)
    )
    jobs = []  # (breakdown's position, breakdown, shown groups, outcome, item or None for a scale), in the order listed
    for position, (breakdown, _, index) in enumerate(tested):
        jobs += [(position, breakdown, index, ("item", item.name), item) for item in items if item.name != breakdown.item]
        jobs += [(position, breakdown, index, ("scale", dimension), None) for dimension in scales]

    def test(job) -> dict | None:
        position, breakdown, index, outcome, item = job
        answer_column, values = outcomes[outcome]
        if answer_column is None:
            answer_column = _outcome_column(responses, item)
            outcomes[outcome] = (answer_column, values)
        table = tables.table(position, outcome, answer_column, len(values))
        found = _ordinal_table_test(table, values, index) if item is None or is_ordinal(item) else _nominal_table_test(table, index)
        if found is None or not _large_enough(found, min_group_size):
            return None
        return {"breakdown": breakdown.name, "item": item.name if item is not None else f"scale:{outcome[1]}", **found}

    result["tests"] = [found for found in _by_outcome(jobs, test, threads) if found is not None]
    for family in ("item", "scale"):  # Holm within each family: the statements, and the scale scores
        members = [i for i, t in enumerate(result["tests"]) if t["item"].startswith("scale:") == (family == "scale")]
        finite = [i for i in members if result["tests"][i]["p"] is not None and np.isfinite(result["tests"][i]["p"])]
        if finite:
            corrected = holm([result["tests"][i]["p"] for i in finite])
            for i, p in zip(finite, corrected):
                result["tests"][i]["p_holm"] = float(p)
    return result


def _by_outcome(jobs: list[tuple], run, threads: int) -> list:
    """``[run(job) for job in jobs]``; with two threads each takes the next outcome not yet taken and
    runs its jobs (an outcome's cross tables are counted once, by one thread), the results in the
    jobs' order."""
    if threads < 2 or len(jobs) < 2:
        return [run(job) for job in jobs]
    groups: dict = {}
    for i, job in enumerate(jobs):
        groups.setdefault(job[3], []).append(i)
    pending = iter(list(groups.values()))
    lock = threading.Lock()
    results: list = [None] * len(jobs)

    def work() -> None:
        while True:
            with lock:
                group = next(pending, None)
            if group is None:
                return
            for i in group:
                results[i] = run(jobs[i])

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="afstand-compare") as pool:
        other = pool.submit(work)
        work()
        other.result()
    return results


def _large_enough(test: dict, min_group_size: int) -> bool:
    """A test is run only when every group has at least the minimum number of answers on the item."""
    return all(g["n"] >= min_group_size for g in test["by_group"].values())


def _scale_outcomes(responses: ResponseSet) -> dict[str, tuple[list[float], np.ndarray]]:
    """Per alliance dimension: the distinct scale scores and each respondent's level (−1 = none);
    a score of 10/3 and one of 3.3333333333 are one level (rounded to 9 decimals)."""
    out = {}
    for dimension, items in responses.instrument.dimensions().items():
        if any(i.name in responses.not_asked for i in items):
            continue
        out[dimension] = dimension_answers(responses, items).levels(9)
    return out


def _outcome_column(responses: ResponseSet, item: Item) -> np.ndarray:
    """An outcome's cross-table column per respondent (0 = no answer; see :func:`_outcome_values`)."""
    answers = responses.single[item.name]
    if not is_ordinal(item):
        return answers + 1
    levels = sorted({c.score for c in item.choice_list.choices if c.score is not None})
    column_of = np.array([0] + [levels.index(c.score) + 1 if c.score is not None else 0 for c in item.choice_list.choices], dtype=np.int16)
    return column_of[answers + 1]


def _outcome_values(item: Item) -> np.ndarray:
    """The value of each of an outcome's cross-table columns, from the form alone: the distinct
    scores of an ordinal item (choices sharing a score are one level), else the choices."""
    choices = item.choice_list.choices
    if not is_ordinal(item):
        return np.arange(len(choices), dtype=float)
    return np.array(sorted({c.score for c in choices if c.score is not None}), dtype=float)


def _ordinal_table_test(table: np.ndarray, values: np.ndarray, index: dict[str, int]) -> dict | None:
    if (table.sum(axis=1) == 0).any() or (table.sum(axis=0) > 0).sum() < 2:
        return None
    used = table.sum(axis=0) > 0  # levels nobody chose carry no rank
    table, values = table[:, used], np.asarray(values, dtype=float)[used]
    by_group = {g: _group_summary(row, values) for g, row in zip(index, table)}
    n = int(table.sum())
    if len(index) == 2:
        u1, p = mann_whitney(table)
        r = 2 * u1 / (table[0].sum() * table[1].sum()) - 1  # rank-biserial: > 0 when the first group scores higher
        return {
            "test": "mann-whitney",
            "statistic": float(u1),
            "df": None,
            "p": p,
            "effect": {"name": "rank_biserial_r", "value": float(r), "ci": intervals.bootstrap_effect(table, intervals.rank_biserial_many)},
            "n": n,
            "by_group": by_group,
        }
    h, p, df = kruskal_wallis(table)
    return {
        "test": "kruskal-wallis",
        "statistic": h,
        "df": df,
        "p": p,
        "effect": {
            "name": "epsilon_squared",
            "value": h / (n - 1),
            "ci": intervals.bootstrap_effect(table, intervals.epsilon_squared_many),
        },
        "n": n,
        "by_group": by_group,
    }


def _positions(codes: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Group codes → position among the shown groups (−1 for hidden groups and no group)."""
    position = np.full(max(int(codes.max(initial=-1)), max(index.values())) + 2, -1)  # last entry: no group
    position[list(index.values())] = np.arange(len(index))
    return position[np.where(codes >= 0, codes, -1)]


def _crosstab(group_row: np.ndarray, g: int, answer_column: np.ndarray, m: int) -> np.ndarray:
    """Counts of the g shown groups × m answer categories in one pass. Rows and columns count from 1;
    row 0 (no group) and column 0 (no answer) are left out."""
    flat = np.bincount(group_row * (m + 1) + answer_column, minlength=(g + 1) * (m + 1))
    return flat.reshape(g + 1, m + 1)[1:, 1:]


class CrossTables:
    """The cross tables of every tested breakdown with an outcome, from one pass over the rows per outcome.

    The breakdowns' rows (0 = no group, 1… = shown groups) combine into one key per respondent
    (mixed radix: a cell of all breakdowns at once); one ``bincount`` of key × answer counts
    every combination, and each breakdown's table is that count summed over the other breakdowns.
    The counts are the same integers :func:`_crosstab` gives, for a quarter of the passes over
    300,000 rows with four breakdowns. With too many combinations (more cells than rows) each
    breakdown is counted on its own, as :func:`_crosstab` does.
    """

    def __init__(self, groups: list[tuple[np.ndarray, int]], widest: int) -> None:
        self.groups = groups
        self.shape = [g + 1 for _, g in groups]
        self.key: np.ndarray | None = None
        self.memo: dict = {}  # outcome -> counts of every combination of groups × answer
        self.scaled: dict[int, np.ndarray] = {}  # m -> key × (m + 1)
        n = len(groups[0][0]) if groups else 0
        if len(groups) > 1 and math.prod(self.shape) * (widest + 1) <= max(n, 1 << 12):
            key = np.zeros(n, dtype=np.intp)
            for group_row, g in groups:
                key *= g + 1
                key += group_row
            self.key = key

    def table(self, position: int, outcome, answer_column: np.ndarray, m: int) -> np.ndarray:
        """Counts of breakdown ``position``'s shown groups × the outcome's m answer categories."""
        if self.key is None:
            group_row, g = self.groups[position]
            return _crosstab(group_row, g, answer_column, m)
        if outcome not in self.memo:
            if m not in self.scaled:
                self.scaled[m] = self.key * (m + 1)
            joint = np.bincount(self.scaled[m] + answer_column, minlength=math.prod(self.shape) * (m + 1))
            self.memo[outcome] = joint.reshape(*self.shape, m + 1)
        joint = self.memo[outcome]
        others = tuple(axis for axis in range(len(self.shape)) if axis != position)
        return joint.sum(axis=others)[1:, 1:]


def _group_summary(counts: np.ndarray, values: np.ndarray) -> dict:
    n = int(counts.sum())
    cumulative = np.cumsum(counts)
    lower = values[np.searchsorted(cumulative, (n + 1) // 2)]  # median of the scores
    upper = values[np.searchsorted(cumulative, n // 2 + 1)]
    return {"n": n, "median": float((lower + upper) / 2)}  # no mean: see the module docstring


def _nominal_table_test(table: np.ndarray, index: dict[str, int]) -> dict | None:
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return None
    res = chi2_contingency(table)
    n = int(table.sum())
    v = math.sqrt(res.statistic / (n * (min(table.shape) - 1)))
    low_expected = float((res.expected_freq < 5).mean())
    by_group = {g: {"n": int(row.sum())} for g, row in zip(index, table)}
    return {
        "test": "chi-square",
        "statistic": float(res.statistic),
        "df": int(res.dof),
        "p": float(res.pvalue),
        "effect": {"name": "cramers_v", "value": v, "ci": intervals.bootstrap_effect(table, intervals.cramers_v_many)},
        "n": n,
        "by_group": by_group,
        "expected_below_5": low_expected,
    }
