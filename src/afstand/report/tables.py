"""Tables the report's ``[[table …]]`` directives produce, computed from analysis results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from afstand.analysis.summary import pairs as find_pairs
from afstand.report.context import Numbers, nl


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    numeric: list[bool] = field(default_factory=list)  # right-align these columns
    widths: list[int] = field(default_factory=list)  # column widths in percent (empty: automatic)


def build_table(kind: str, args: tuple[str, ...], numbers: Numbers, groups: dict[str, str]) -> Table | None:
    """The table for a directive, or None when its data is absent (e.g. one instrument only)."""
    maker = _TABLES.get(kind)
    if maker is None:
        raise KeyError(f"unknown table {kind!r} (known: {', '.join(_TABLES)})")
    return maker(args, numbers, groups)


def _scales(args, numbers: Numbers, groups) -> Table | None:
    inst = args[0]
    if not numbers.has(inst):
        return None
    rows = []
    for dim, entry in numbers.results[inst]["scales"].items():
        alpha = entry["alpha"]
        ci = alpha["ci"]
        items = ", ".join(f"{i['name'].replace('_', '_​')}{' (−)' if i['key'] == -1 else ''}" for i in entry["items"])  # zero-width space: lets long names wrap
        rows.append([
            dim.replace("_", " en ").capitalize() if dim == "richting_kader" else dim.capitalize(),
            items,
            str(entry["n"]),
            f"{nl(entry['mean'], 2)} ({nl(entry['sd'], 2)})",
            f"{nl(alpha['alpha'], 2)} [{nl(ci[0], 2)}; {nl(ci[1], 2)}]",
            nl(entry["omega"]["omega"], 2),
        ])
    return Table(
        caption=f"Werkalliantie van {groups.get(inst, inst)}: schaalscores en betrouwbaarheid",
        columns=["Kenmerk", "Stellingen ((−) = omgescoord)", "n", "Gemiddelde (sd)", "α [95%-BI]", "ω"],
        rows=rows,
        note="Score per kenmerk: gemiddelde van de stellingen na omscoren, zo dat een hogere score betekent dat online "
        "net zo goed werkt als face to face. α: Cronbach's alfa met Feldt-betrouwbaarheidsinterval; ω: McDonald's omega "
        "(één factor). Alleen respondenten die alle stellingen van een kenmerk beantwoordden tellen mee in α en ω.",
        numeric=[False, False, True, True, True, True],
        widths=[14, 36, 7, 15, 19, 9],
    )


def _pairs(args, numbers: Numbers, groups) -> Table | None:
    names = [n for n in numbers.results if any(i.pair for i in numbers.instruments[n].items.values())]
    found = find_pairs(numbers.results, numbers.instruments)
    if not found or not names:
        return None
    left, right = list(found[0])
    rows = []
    for pair in found:
        a, b = pair[left], pair[right]
        rows.append([
            numbers.label(left, a["item"]),
            " / ".join(nl(v) for v in a["percent"].values()),
            numbers.label(right, b["item"]),
            " / ".join(nl(v) for v in b["percent"].values()),
        ])
    head_a = " / ".join(found[0][left]["labels"].values())
    head_b = " / ".join(found[0][right]["labels"].values())
    return Table(
        caption=f"Stellingen van {groups.get(left, left)} en {groups.get(right, right)} naast elkaar (%)",
        columns=[f"Stelling {groups.get(left, left)}", f"% {head_a}", f"Stelling {groups.get(right, right)}", f"% {head_b}"],
        rows=rows,
        numeric=[False, True, False, True],
        widths=[33, 15, 33, 19],
    )


def _methods(args, numbers: Numbers, groups) -> Table | None:
    rows = []
    for inst, result in numbers.results.items():
        target = numbers.target(inst)
        rows.append([
            groups.get(inst, inst).capitalize(),
            result["data"]["instrument_version"],
            str(result["n_total"]),
            str(result["n_consented"]),
            str(target) if target is not None else "–",
        ])
    return Table(
        caption="Respons per groep",
        columns=["Groep", "Vragenlijst (versie-id)", "Ingevuld", "Met toestemming", "Beoogd minimum"],
        rows=rows,
        numeric=[False, False, True, True, True],
        widths=[18, 38, 14, 16, 14],
    )


def _comparisons(args, numbers: Numbers, groups) -> Table | None:
    inst = args[0]
    if not numbers.has(inst) or "comparisons" not in numbers.results[inst]:
        return None
    comparisons = numbers.results[inst]["comparisons"]
    rows = []
    for test in numbers.significant(inst):
        breakdown = comparisons["breakdowns"][test["breakdown"]]
        labels = {g["name"]: g["label"] for g in breakdown["groups"]}
        by_group = "; ".join(f"{labels.get(g, g)}: {nl(v['mean'], 2)} (n = {v['n']})" if "mean" in v else f"{labels.get(g, g)} (n = {v['n']})"
                             for g, v in test["by_group"].items())
        rows.append([test["breakdown"], numbers.label(inst, test["item"]), _test_name(test), _p(test["p_holm"]),
                     f"{_effect_name(test['effect']['name'])} = {nl(test['effect']['value'], 2)}", by_group])
    hidden = []
    for name, breakdown in comparisons["breakdowns"].items():
        for group in breakdown["suppressed"]:
            hidden.append(f"{name}: {group['label']} ({group['reason']})")
    note = (f"{len(comparisons['tests'])} toetsen; getoond zijn de verschillen met p < 0,05 na Holm-correctie. "
            f"Groepen met minder dan {comparisons['min_group_size']} respondenten worden niet getoond en niet getoetst.")
    if hidden:
        note += " Niet getoond: " + "; ".join(hidden) + "."
    return Table(
        caption=f"Verschillen tussen groepen {groups.get(inst, inst)}",
        columns=["Uitsplitsing", "Vraag", "Toets", "p (Holm)", "Effect", "Groepen: gemiddelde score"],
        rows=rows,
        note=note,
        numeric=[False, False, False, True, True, False],
        widths=[12, 30, 13, 10, 10, 25],
    )


def _test_name(test: dict) -> str:
    return {"mann-whitney": "Mann–Whitney U", "kruskal-wallis": "Kruskal–Wallis H", "chi-square": "χ²"}[test["test"]]


def _effect_name(name: str) -> str:
    return {"rank_biserial_r": "r", "epsilon_squared": "ε²", "cramers_v": "V"}[name]


def _p(p: float) -> str:
    return "< 0,001" if p < 0.001 else nl(p, 3)


_TABLES = {"scales": _scales, "pairs": _pairs, "methods": _methods, "comparisons": _comparisons}


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"(?<!\d)(?:\+31|0)[\d\s-]{8,}\d")


def anonymise(text: str) -> str:
    """Quotes in reports: e-mail addresses and phone numbers are masked."""
    return _PHONE.sub("[telefoonnummer]", _EMAIL.sub("[e-mailadres]", text))
