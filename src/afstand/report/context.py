"""The numbers a report template may print — each computed from the analysis results.

Templates call these functions (``{{ pct("werkers", "w_gender", "man") }}``); no number is
ever typed into a template. Percentages are rounded half up, as the report does, and
written with a decimal comma (Dutch).
"""

from __future__ import annotations

from afstand.analysis.frequencies import number as number_summary
from afstand.analysis.frequencies import round_half_up
from afstand.instrument.model import Instrument
from afstand.responses.dataset import ResponseSet


def nl(value: float | None, digits: int = 0) -> str:
    """A number the Dutch way: 10,4 — rounded half up."""
    if value is None:
        return "–"
    rounded = round_half_up(value, digits)
    text = f"{rounded:.{digits}f}" if digits else str(int(rounded))
    return text.replace(".", ",")


class Numbers:
    """Read-only access to analysis results for templates."""

    def __init__(self, results: dict[str, dict], instruments: dict[str, Instrument], responses: dict[str, ResponseSet], study):
        self.results = results
        self.instruments = instruments
        self.responses = responses
        self.study = study

    # --- respondents
    def n(self, inst: str) -> int:
        return self.results[inst]["n_consented"]

    def n_total(self, inst: str) -> int:
        return self.results[inst]["n_total"]

    def has(self, inst: str) -> bool:
        return inst in self.results

    def target(self, inst: str) -> int | None:
        return self.study.instrument_config(inst).get("target")

    # --- choice items
    def count(self, inst: str, item: str, *choices: str) -> int:
        counts = self._item(inst, item)["counts"]
        return sum(counts[c] for c in choices)

    def pct(self, inst: str, item: str, *choices: str) -> str:
        entry = self._item(inst, item)
        if not entry["base"]:
            return "–"
        return nl(100 * sum(entry["counts"][c] for c in choices) / entry["base"])

    def likert(self, inst: str, item: str, category: str) -> str:
        return nl(self.results[inst]["likert"][item]["percent"][category])

    def ranked(self, inst: str, item: str) -> list[tuple[str, str]]:
        """(label, percent) of an item's choices, most chosen first."""
        entry = self._item(inst, item)
        choices = self.instruments[inst].items[item].choice_list.choices
        order = sorted(choices, key=lambda c: -entry["counts"][c.name])
        return [(c.label(), self.pct(inst, item, c.name)) for c in order]

    def label(self, inst: str, item: str, choice: str | None = None) -> str:
        item_obj = self.instruments[inst].items[item]
        return item_obj.choice_list.get(choice).label() if choice else item_obj.label()

    # --- numbers
    def mean(self, inst: str, item: str, digits: int = 0, exclude_outliers: bool = False) -> str:
        if exclude_outliers:
            return nl(number_summary(self.responses[inst].numbers[item], outlier_k=self.study.outlier_k, exclude_outliers=True)["mean"], digits)
        return nl(self._item(inst, item)["mean"], digits)

    def stat(self, inst: str, item: str, key: str, digits: int = 0, exclude_outliers: bool = False) -> str:
        values = self.responses[inst].numbers[item]
        summary = number_summary(values, outlier_k=self.study.outlier_k, exclude_outliers=exclude_outliers)
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
            return self.results[inst]["items"][item]
        except KeyError:
            raise KeyError(f"report template: no item {item!r} in the results of {inst!r}") from None

    def functions(self) -> dict:
        """What templates can call."""
        names = ["n", "n_total", "has", "target", "count", "pct", "likert", "ranked", "label", "mean", "stat", "outliers",
                 "outlier_rule", "alpha", "min_group_size", "significant", "version"]
        return {name: getattr(self, name) for name in names} | {"nl": nl}
