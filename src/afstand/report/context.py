"""The numbers a report template may print — each computed from the analysis results.

Templates call these functions (``{{ pct("werkers", "w_gender", "man") }}``); no number is
ever typed into a template. Percentages are rounded half up, as the report does, and
written with a decimal comma (Dutch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from afstand.analysis import intervals
from afstand.analysis.disclosure import MASK
from afstand.analysis.frequencies import number as number_summary
from afstand.analysis.frequencies import round_half_up
from afstand.analysis.scales import keyed_scores
from afstand.instrument.model import Instrument
from afstand.responses.dataset import ResponseSet


def nl(value: float | None, digits: int = 0) -> str:
    """A number the Dutch way: 10,4 — rounded half up."""
    if value is None:
        return "–"
    rounded = round_half_up(value, digits)
    text = f"{rounded:.{digits}f}" if digits else str(int(rounded))
    return text.replace(".", ",")


def span(low: float | None, high: float | None, digits: int = 0) -> str:
    """An interval the Dutch way: 58–89, −13 tot 21 (with "tot" when a bound is negative)."""
    if low is None or high is None:
        return "–"

    def text(value: float) -> str:
        shown = nl(value, digits)
        if value < 0 and shown.lstrip("-").strip("0,") == "":  # a negative bound that rounds to 0 keeps its sign
            shown = nl(value, digits + 1)
        return shown.replace("-", "−")

    a, b = text(low), text(high)
    return f"{a} tot {b}" if low < 0 or high < 0 else f"{a}–{b}"


@dataclass
class Verdict:
    """A word chosen from the numbers, with the numbers behind it (``{{ v }}`` prints the word)."""

    word: str
    detail: str
    direction: int  # 1: more / higher, 0: about the same, −1: less / lower

    def __str__(self) -> str:
        return self.word


def judged(words: tuple[str, str, str], detail: str, low: float, high: float, centre: float) -> Verdict:
    """``words[0]`` when the whole interval lies above ``centre``, ``words[2]`` when below it, else
    ``words[1]`` (about the same)."""
    if low > centre:
        return Verdict(words[0], detail, 1)
    if high < centre:
        return Verdict(words[2], detail, -1)
    return Verdict(words[1], detail, 0)


@dataclass
class Claim:
    text: str
    criterion: str
    holds: bool | None  # None: an interpretation the survey data cannot check (its source is the criterion)
    numbers: str


class Numbers:
    """Read-only access to analysis results for templates.

    ``results`` are the *published* results (after :func:`afstand.analysis.disclosure.publish`):
    a suppressed cell prints as "×". ``responses`` are only used for statistics that the
    published results summarise (number summaries without outliers, favourability shares).
    """

    def __init__(self, results: dict[str, dict], instruments: dict[str, Instrument], responses: dict[str, ResponseSet], study):
        self.results = results
        self.instruments = instruments
        self.responses = responses
        self.study = study
        self.claims: list[Claim] = []

    # --- respondents
    def n(self, inst: str) -> int:
        return self._result(inst)["n_consented"]

    def n_total(self, inst: str) -> int:
        return self._result(inst)["n_total"]

    def _result(self, inst: str) -> dict:
        try:
            return self.results[inst]
        except KeyError:
            raise KeyError(f"report template: no data for {inst!r} in this build (guard the text with has({inst!r}))") from None

    def has(self, inst: str) -> bool:
        return inst in self.results

    def target(self, inst: str) -> int | None:
        return self.study.instrument_config(inst).get("target")

    # --- choice items
    def shown(self, inst: str, item: str, *choices: str) -> bool:
        """False when a count of these choices is suppressed (disclosure control)."""
        counts = self._item(inst, item)["counts"]
        return all(counts[c] is not None for c in choices)

    def count(self, inst: str, item: str, *choices: str) -> int | str:
        counts = self._item(inst, item)["counts"]
        if not self.shown(inst, item, *choices):
            return MASK
        return sum(counts[c] for c in choices)

    def pct(self, inst: str, item: str, *choices: str) -> str:
        entry = self._item(inst, item)
        if not self.shown(inst, item, *choices):
            return MASK
        if not entry["base"]:
            return "–"
        return nl(100 * sum(entry["counts"][c] for c in choices) / entry["base"])

    def ci(self, inst: str, item: str, *choices: str) -> str:
        """The 95% Wilson interval of ``pct`` (same base), e.g. "58–89"."""
        entry = self._item(inst, item)
        if not self.shown(inst, item, *choices):
            return MASK
        bounds = intervals.wilson_percent(sum(entry["counts"][c] for c in choices), entry["base"])
        return span(*bounds) if bounds else "–"

    def share(self, inst: str, item: str, *choices: str) -> float | None:
        """The percentage as a number (for conditions in templates), or None when not shown."""
        count, base = self._count_base(inst, item, choices)
        return None if count is None or not base else 100 * count / base

    def likert(self, inst: str, item: str, category: str) -> str:
        return nl(self._likert(inst, item)["percent"][category])

    def likert_ci(self, inst: str, item: str, category: str) -> str:
        entry = self._likert(inst, item)
        bounds = intervals.wilson_percent(entry["counts"][category], entry["base"])
        return span(*bounds) if bounds else "–"

    def ranked(self, inst: str, item: str) -> list[tuple[str, str]]:
        """(label, percent) of an item's choices, most chosen first (suppressed choices left out)."""
        entry = self._item(inst, item)
        choices = [c for c in self.instruments[inst].items[item].choice_list.choices if entry["counts"][c.name] is not None]
        order = sorted(choices, key=lambda c: -entry["counts"][c.name])
        return [(c.label(), self.pct(inst, item, c.name)) for c in order]

    def most_chosen(self, inst: str, item: str) -> str:
        """The name of the item's most chosen shown choice (for majority() on it); "" when none is shown."""
        entry = self._item(inst, item)
        shown = [c.name for c in self.instruments[inst].items[item].choice_list.choices if entry["counts"][c.name] is not None]
        return max(shown, key=lambda c: entry["counts"][c], default="")

    # --- wording chosen from the numbers and their intervals
    def majority(self, inst: str, item: str, *choices: str) -> Verdict:
        """ "een meerderheid" / "ongeveer de helft" / "een minderheid": the Wilson interval against 50%."""
        count, base = self._count_base(inst, item, choices)
        if count is None or not base:
            return Verdict("een onbekend deel", "niet te berekenen", 0)
        low, high = intervals.wilson(count, base)
        detail = f"{nl(100 * count / base)}%, 95%-BI {span(100 * low, 100 * high)}"
        return judged(("een meerderheid", "ongeveer de helft", "een minderheid"), detail, low, high, 0.5)

    def compare(
        self,
        inst_a: str,
        item_a: str,
        choice_a: str,
        inst_b: str,
        item_b: str,
        choice_b: str,
        words: tuple[str, str, str] = ("meer", "ongeveer even veel", "minder"),
    ) -> Verdict:
        """Share A against share B (independent groups): the word follows Newcombe's interval of A − B.

        A choice may be a collapsed (Likert) category of the item, or a list of choices counted
        together (``["dagelijks", "meerdere_uren"]``). Two answers of the same group are paired
        (the same respondents): Newcombe's interval for paired data (:meth:`_paired`). ``words`` are the wording
        for A clearly higher, the interval containing 0, and A clearly lower.
        """
        a = self._count_base(inst_a, item_a, tuple(choice_a) if isinstance(choice_a, (list, tuple)) else (choice_a,))
        b = self._count_base(inst_b, item_b, tuple(choice_b) if isinstance(choice_b, (list, tuple)) else (choice_b,))
        if None in a or None in b or not a[1] or not b[1]:
            return Verdict(words[1], "niet te berekenen", 0)
        if inst_a == inst_b:  # the same respondents answered both: the interval for paired data
            found = self._paired(inst_a, item_a, choice_a, item_b, choice_b)
        else:
            found = intervals.newcombe(a[0], a[1], b[0], b[1])
        if found is None:
            return Verdict(words[1], "niet te berekenen", 0)
        d, low, high = found
        detail = f"verschil {nl(100 * d).replace('-', '−')} procentpunt, 95%-BI {span(100 * low, 100 * high)}"
        return judged(words, detail, low, high, 0)

    def balance(
        self,
        inst: str,
        item: str,
        choice_a: str,
        choice_b: str,
        words: tuple[str, str, str] = ("meer eens dan oneens", "ongeveer even vaak eens als oneens", "meer oneens dan eens"),
    ) -> Verdict:
        """Within one group: do more answer ``choice_a`` than ``choice_b`` (e.g. "eens" against
        "oneens", collapsed categories allowed)? Of those who gave either, the share giving A
        with its Wilson interval against 50% (the sign test's logic): ``words`` for A clearly more,
        about as often, B clearly more."""
        a, _ = self._count_base(inst, item, (choice_a,))
        b, _ = self._count_base(inst, item, (choice_b,))
        if a is None or b is None or not a + b:
            return Verdict(words[1], "niet te berekenen", 0)
        low, high = intervals.wilson(a, a + b)
        detail = f"{self._pct_of(inst, item, choice_a)}% tegen {self._pct_of(inst, item, choice_b)}%"
        return judged(words, detail, low, high, 0.5)

    def _pct_of(self, inst: str, item: str, choice: str) -> str:
        return self.likert(inst, item, choice) if self._collapsed(inst, item, (choice,)) else self.pct(inst, item, choice)

    def difference(self, *args) -> str:
        """The numbers behind :meth:`compare`: "verschil 7 procentpunt, 95%-BI −13 tot 21"."""
        return self.compare(*args).detail

    def favourable(
        self, inst_a: str, inst_b: str, words: tuple[str, str, str] = ("positiever dan", "ongeveer even positief als", "negatiever dan")
    ) -> Verdict:
        """Who judges online work more favourably over all alliance statements.

        Per respondent: the share of the answered dimension statements on the favourable side of
        the scale midpoint (after reversing keyed statements, so the scales' lengths do not
        matter); groups compared by the difference of the mean shares with a Welch interval.
        """
        a, b = self._favourable_shares(inst_a), self._favourable_shares(inst_b)
        if len(a) < 2 or len(b) < 2:
            return Verdict(words[1], "niet te berekenen", 0)
        d = a.mean() - b.mean()
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = float(np.sqrt(va + vb))
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1.0
        from scipy import stats

        half = float(stats.t.ppf(0.975, df)) * se
        low, high = d - half, d + half
        detail = (
            f"gemiddeld {nl(100 * a.mean())}% tegen {nl(100 * b.mean())}% van de stellingen in het voordeel van online werken; "
            f"verschil 95%-BI {span(100 * low, 100 * high)} procentpunt"
        )
        return judged(words, detail, low, high, 0)

    def claim(self, text: str, holds: bool, criterion: str) -> str:
        """Researchers' interpretation, printed as written and checked against the data.

        ``holds`` is a condition computed in the template (e.g. ``share(...) > 50``);
        ``criterion`` says in words what it checks. A claim the numbers contradict is listed in
        the appendix "Controle van uitspraken", logged as a warning by the build, and marked where
        it is printed, with the check it failed: a reader never meets it unmarked.
        """
        self.claims.append(Claim(text, criterion, bool(holds), ""))
        return text if holds else f"{text} [niet gesteund door de cijfers: {criterion}]"

    def interpretation(self, text: str, source: str) -> str:
        """Researchers' interpretation from sources the survey data do not hold (focus groups, the
        literature, the open answers): printed as written and listed in "Controle van uitspraken"
        as not checkable against the survey, with its source."""
        self.claims.append(Claim(text, source, None, ""))
        return text

    def favourable_share(self, inst: str) -> float | None:
        """The mean percentage of alliance statements a respondent answered in favour of online
        work (keyed statements reversed; see :meth:`favourable`), or None without answers."""
        shares = self._favourable_shares(inst)
        return float(100 * shares.mean()) if len(shares) else None

    def leaning(
        self, inst: str, words: tuple[str, str, str] = ("over het algemeen positief", "verdeeld", "over het algemeen negatief")
    ) -> Verdict:
        """How one group judges online work over all alliance statements: the t interval of the
        mean favourable share (see :meth:`favourable`) above, around or below 50%."""
        shares = self._favourable_shares(inst)
        if len(shares) < 2:
            return Verdict(words[1], "niet te berekenen", 0)
        from scipy import stats

        mean = float(shares.mean())
        half = float(stats.t.ppf(0.975, len(shares) - 1)) * float(shares.std(ddof=1)) / np.sqrt(len(shares))
        detail = f"gemiddeld {nl(100 * mean)}% van de stellingen in het voordeel van online werken, 95%-BI {span(100 * (mean - half), 100 * (mean + half))}"
        return judged(words, detail, mean - half, mean + half, 0.5)

    def share_any(self, inst: str, items: list[str], *choices: str) -> float | None:
        """The percentage of respondents who gave one of ``choices`` on at least one of ``items``
        (e.g. training wanted for at least one application), of all who gave consent; None when
        a count of these choices is hidden in the published results."""
        responses = self.responses[inst]
        if not responses.n_consented or not all(self.shown(inst, name, *choices) for name in items):
            return None  # a hidden count (disclosure control) is not shown through a union either
        hit = np.zeros(responses.n_consented, dtype=bool)
        for name in items:
            item = self.instruments[inst].items[name]
            wanted = [item.choice_list.names.index(c) for c in choices]
            if name in responses.multi:
                hit |= responses.multi[name].matrix[:, wanted].any(axis=1)
            elif name in responses.single:
                hit |= np.isin(responses.single[name], wanted)
        return float(100 * hit.mean())

    def wilson(self, count: int, base: int) -> str:
        """The 95% Wilson interval of ``count`` of ``base`` in percent, e.g. "31–69"."""
        bounds = intervals.wilson_percent(count, base)
        return span(*bounds) if bounds else "–"

    def statements(self, inst: str) -> dict[str, int]:
        """Alliance statements per dimension of the instrument (items outside a dimension left out)."""
        return {dim: len(items) for dim, items in self.instruments[inst].dimensions().items()}

    def extra_statements(self, inst: str) -> list[str]:
        """Labels of the statements asked beside the dimensions (``dimension = extra``)."""
        return [i.label() for i in self.instruments[inst].items.values() if i.dimension == "extra"]

    # --- internals for the wording
    def _count_base(self, inst: str, item: str, choices) -> tuple[int | None, int | None]:
        entry = self._item(inst, item)
        if not choices or not all(choices):  # most_chosen() of an item whose every choice is hidden: ""
            return None, None
        if self._collapsed(inst, item, choices):  # a Likert item: its collapsed categories, as likert() prints them
            likert = self._likert(inst, item)
            if any(likert["counts"][c] is None for c in choices):
                return None, None
            return sum(likert["counts"][c] for c in choices), likert["base"]
        if not self.shown(inst, item, *choices):
            return None, None
        return sum(entry["counts"][c] for c in choices), entry["base"]

    def _collapsed(self, inst: str, item: str, choices) -> bool:
        """True when ``choices`` are collapsed categories of a Likert item ("eens" of a five-point
        item means "eens" and "helemaal eens", as likert() counts it), also where a choice has the
        same name; else they are the item's own choices."""
        likert = self.results[inst].get("likert", {}).get(item)
        if likert is not None and all(c in likert["counts"] for c in choices):
            return True
        names = self.instruments[inst].items[item].choice_list.names
        if all(c in names for c in choices):
            return False
        self._likert(inst, item)  # neither: the error names the item
        return True

    def _paired(self, inst: str, item_a: str, choice_a, item_b: str, choice_b) -> tuple[float, float, float] | None:
        """Difference (share A − share B) and Newcombe's paired interval over the respondents of
        ``inst``: all who consented (base "consented"), or those who answered both (base "valid")."""
        hit_a, answered_a = self._hits(inst, item_a, choice_a)
        hit_b, answered_b = self._hits(inst, item_b, choice_b)
        rows = answered_a & answered_b if self.results[inst]["data"].get("base") == "valid" else np.ones_like(hit_a)
        hit_a, hit_b = hit_a[rows], hit_b[rows]
        both, first, second = int((hit_a & hit_b).sum()), int((hit_a & ~hit_b).sum()), int((~hit_a & hit_b).sum())
        return intervals.newcombe_paired(both, first, second, len(hit_a) - both - first - second)

    def _hits(self, inst: str, item: str, choices) -> tuple[np.ndarray, np.ndarray]:
        """Per consenting respondent: gave one of ``choices`` (choices or collapsed categories), answered the item."""
        responses, choice_list = self.responses[inst], self.instruments[inst].items[item].choice_list
        wanted = [choices] if isinstance(choices, str) else list(choices)
        if self._collapsed(inst, item, wanted):
            wanted = [c.name for c in choice_list.choices if c.collapse in wanted]
        columns = [choice_list.names.index(c) for c in wanted]
        if item in responses.multi:
            column = responses.multi[item]
            return column.matrix[:, columns].any(axis=1), column.answered
        codes = responses.single[item]
        return np.isin(codes, columns), codes >= 0

    def _likert(self, inst: str, item: str) -> dict:
        try:
            return self.results[inst]["likert"][item]
        except KeyError:
            raise KeyError(f"report template: no collapsed categories for {item!r} in the results of {inst!r}") from None

    def _favourable_shares(self, inst: str) -> np.ndarray:
        responses = self.responses[inst]
        items = [i for group in self.instruments[inst].dimensions().values() for i in group if i.name not in responses.not_asked]
        if not items:
            return np.array([])
        columns = []
        for item in items:
            scores = keyed_scores(responses, item)
            defined = [c.score for c in item.choice_list.choices if c.score is not None]
            mid = (min(defined) + max(defined)) / 2
            columns.append(np.where(np.isnan(scores), np.nan, (scores > mid).astype(float)))
        matrix = np.column_stack(columns)
        answered = ~np.isnan(matrix).all(axis=1)
        return np.nanmean(matrix[answered], axis=1)

    def label(self, inst: str, item: str, choice: str | None = None) -> str:
        item_obj = self.instruments[inst].items[item]
        return item_obj.choice_list.get(choice).label() if choice else item_obj.label()

    # --- numbers
    def mean(self, inst: str, item: str, digits: int = 0, exclude_outliers: bool = False) -> str:
        if exclude_outliers:
            return nl(
                number_summary(self.responses[inst].numbers[item], outlier_k=self.study.outlier_k, exclude_outliers=True)["mean"], digits
            )
        return nl(self._item(inst, item)["mean"], digits)

    def stat(self, inst: str, item: str, key: str, digits: int = 0, exclude_outliers: bool = False) -> str:
        values = self.responses[inst].numbers[item]
        summary = number_summary(values, outlier_k=self.study.outlier_k, exclude_outliers=exclude_outliers)
        if key in ("min", "max") and summary[key] is not None:  # one person's value: not if it lies in a hidden band
            from afstand.analysis.disclosure import band_name, hidden_bands

            for breakdown, hidden in hidden_bands(self.results[inst], self.study, inst):
                if breakdown.item == item and band_name(summary[key], breakdown.bands) in hidden:
                    return MASK
        return nl(summary[key], digits)

    def outliers(self, inst: str, item: str) -> list[str]:
        return [nl(v, 2).rstrip("0").rstrip(",") for v in self._item(inst, item)["outliers"]["values"]]

    def outlier_rule(self) -> str:
        return f"Tukey: meer dan {nl(self.study.outlier_k, 0)} × de interkwartielafstand buiten het eerste of derde kwartiel"

    # --- scales and comparisons
    def alpha(self, inst: str, dimension: str) -> str:
        return nl(self.results[inst]["scales"][dimension]["alpha"]["alpha"], 2)

    def min_group_size(self) -> int:
        return self.study.min_group_size

    def significant(self, inst: str) -> list[dict]:
        tests = self.results[inst].get("comparisons", {}).get("tests", [])
        return [t for t in tests if t.get("p_holm") is not None and t["p_holm"] < 0.05]

    def version(self, inst: str) -> str:
        return self.results[inst]["data"]["instrument_version"]

    def _item(self, inst: str, item: str) -> dict:
        try:
            return self._result(inst)["items"][item]
        except KeyError:
            raise KeyError(f"report template: no item {item!r} in the results of {inst!r}") from None

    def functions(self) -> dict:
        """What templates can call."""
        names = """
            n n_total has target count pct likert ranked most_chosen label mean stat outliers outlier_rule alpha
            min_group_size significant version shown ci share likert_ci majority compare balance difference favourable
            claim interpretation favourable_share leaning share_any wilson statements extra_statements base_label
            suppressed_breakdowns
        """.split()
        return {name: getattr(self, name) for name in names} | {"nl": nl, "span": span}

    def base_label(self) -> str:
        """How percentages are based in this build (``afstand report --base``)."""
        bases = {r["data"].get("base", "consented") for r in self.results.values()}
        if bases == {"valid"}:
            return "alle deelnemers die de vraag beantwoordden"
        return "alle deelnemers die toestemming gaven"

    def suppressed_breakdowns(self, inst: str) -> list[dict]:
        """Breakdowns with hidden groups or without tests, with the reason in Dutch."""
        out = []
        for name, entry in (self.results[inst].get("comparisons") or {}).get("breakdowns", {}).items():
            hidden = [g["label"] for g in entry["suppressed"]]
            if hidden or entry.get("not_tested"):
                out.append({"name": name, "hidden": hidden, "tested": not entry.get("not_tested")})
        return out
