"""Tables the report's ``[[table …]]`` directives produce, computed from analysis results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from afstand.analysis.intervals import newcombe
from afstand.analysis.summary import pairs as find_pairs
from afstand.report.context import Numbers, nl, span


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    numeric: list[bool] = field(default_factory=list)  # right-align these columns
    widths: list[int] = field(default_factory=list)  # column widths in percent (empty: automatic)
    anchor: str = ""  # its id in the page (a numbered table; cross-references link to it)


def build_table(kind: str, args: tuple[str, ...], numbers: Numbers, groups: dict[str, str]) -> Table | None:
    """The table for a directive, or None when its data is absent (e.g. one instrument only)."""
    maker = _TABLES.get(kind)
    if maker is None:
        raise KeyError(f"unknown table {kind!r} (known: {', '.join(_TABLES)})")
    return maker(args, numbers, groups)


def _dimension_name(dim: str) -> str:
    return dim.replace("_", " en ").capitalize()


def _scales(args, numbers: Numbers, groups) -> Table | None:
    inst = args[0]
    if not numbers.has(inst):
        return None
    rows, warnings = [], []
    for dim, entry in numbers.results[inst]["scales"].items():
        alpha = entry["alpha"]
        statements = "; ".join(f"{numbers.label(inst, i['name'])}{' (−)' if i['key'] == -1 else ''}" for i in entry["items"])
        low, high = entry.get("range") or (None, None)
        mean_ci = entry.get("mean_ci") or (None, None)
        two = entry.get("spearman_brown") is not None
        if two:
            sb = entry["spearman_brown"]
            value, ci, what = sb["value"], sb["ci"], "Spearman–Brown"
        else:
            value, ci, what = alpha["alpha"], alpha["ci"], "α"
        reliability = f"{what} {nl(value, 2)} [{span(ci[0], ci[1], 2)}]"
        if value is not None and (value < 0.6 or (ci[0] is not None and ci[0] < 0)):
            reliability += " *"
            warnings.append(_dimension_name(dim))
        omega = entry["omega"]["omega"]
        rows.append(
            [
                _dimension_name(dim),
                statements,
                f"{nl(low)}–{nl(high)}" if low is not None else "–",
                f"{entry['n']} / {alpha['n']}",
                f"{nl(entry['mean'], 2)} [{span(mean_ci[0], mean_ci[1], 2)}]",
                reliability,
                nl(entry.get("ordinal_alpha"), 2),
                nl(omega, 2) if omega is not None else "n.b.",
            ]
        )
    note = (
        "Score per kenmerk: gemiddelde van de stellingen na omscoren ((−): omgescoord), zo dat een hogere score betekent "
        "dat online net zo goed werkt als face to face; het bereik staat in de kolom Schaal. n: respondenten met een score / "
        "respondenten die alle stellingen beantwoordden (alleen zij tellen mee in de betrouwbaarheid). Gemiddelde met "
        "95%-betrouwbaarheidsinterval (t). Betrouwbaarheid: Cronbach's α met Feldt-interval; bij twee stellingen de "
        "Spearman–Brown-coëfficiënt met een interval via Fisher's z, omdat α dan geen goede schatting is. Ordinale α: α "
        "uit polychorische correlaties. ω: McDonald's omega (één factor); n.b. = niet te berekenen met minder dan drie "
        "stellingen. De indeling van de stellingen in kenmerken volgt Menger (2018) en is een aanname van dit onderzoek."
    )
    if warnings:
        note += (
            " * Betrouwbaarheid onder 0,60 of een interval dat onder 0 komt ("
            + ", ".join(warnings)
            + "): de score van dit kenmerk is onzeker; lees de stellingen liever afzonderlijk."
        )
    return Table(
        caption=f"Werkalliantie van {groups.get(inst, inst)}: schaalscores en betrouwbaarheid",
        columns=["Kenmerk", "Stellingen", "Schaal", "n", "Gemiddelde [95%-BI]", "Betrouwbaarheid [95%-BI]", "Ordinale α", "ω"],
        rows=rows,
        note=note,
        numeric=[False, False, True, True, True, True, True, True],
        widths=[11, 33, 7, 8, 12, 15, 7, 7],
    )


def _pairs(args, numbers: Numbers, groups) -> Table | None:
    names = [n for n in numbers.results if any(i.pair for i in numbers.instruments[n].items.values())]
    found = find_pairs(numbers.results, numbers.instruments)
    if not found or not names:
        return None
    left, right = list(found[0])
    rows = []
    agree = _agree_category(numbers.instruments[left].items[found[0][left]["item"]])
    for pair in found:
        a, b = pair[left], pair[right]
        top_b = _agree_category(numbers.instruments[right].items[b["item"]])
        d = newcombe(a["counts"][agree], a["base"], b["counts"][top_b], b["base"]) if agree and top_b else None
        rows.append(
            [
                numbers.label(left, a["item"]),
                " / ".join(nl(v) for v in a["percent"].values()),
                numbers.label(right, b["item"]),
                " / ".join(nl(v) for v in b["percent"].values()),
                f"{nl(100 * d[0]).replace('-', '−')} [{span(100 * d[1], 100 * d[2])}]" if d else "–",
            ]
        )
    head_a = " / ".join(found[0][left]["labels"].values())
    head_b = " / ".join(found[0][right]["labels"].values())
    return Table(
        caption=f"Stellingen van {groups.get(left, left)} en {groups.get(right, right)} naast elkaar (%)",
        columns=[
            f"Stelling {groups.get(left, left)}",
            f"% {head_a}",
            f"Stelling {groups.get(right, right)}",
            f"% {head_b}",
            f"Verschil % {found[0][left]['labels'].get(agree, '').lower()} [95%-BI]",
        ],
        rows=rows,
        note=(
            f"Verschil: procentpunten {groups.get(left, left)} min {groups.get(right, right)} die het eens zijn, met het "
            "Newcombe-interval (hybrid score). Een interval dat 0 bevat, betekent: geen duidelijk verschil. De stellingen "
            "zijn niet woordelijk gelijk."
        ),
        numeric=[False, True, False, True, True],
        widths=[28, 13, 28, 15, 16],
    )


def _agree_category(item) -> str | None:
    """The collapsed category holding the highest-scored choice (for agreement scales: "agree")."""
    scored = [c for c in item.choice_list.choices if c.score is not None and c.collapse]
    return max(scored, key=lambda c: c.score).collapse if scored else None


def _methods(args, numbers: Numbers, groups) -> Table | None:
    rows = []
    for inst, result in numbers.results.items():
        target = numbers.target(inst)
        rows.append(
            [
                groups.get(inst, inst).capitalize(),
                result["data"]["instrument_version"],
                str(result["n_total"]),
                str(result["n_consented"]),
                str(target) if target is not None else "–",
            ]
        )
    return Table(
        caption="Respons per groep",
        columns=["Groep", "Vragenlijst (versie-id)", "Ingevuld", "Met toestemming", "Beoogd minimum"],
        rows=rows,
        numeric=[False, False, True, True, True],
        widths=[18, 38, 14, 16, 14],
    )


def _outcome_label(numbers: Numbers, inst: str, item: str) -> str:
    if item.startswith("scale:"):
        return f"Schaalscore {_dimension_name(item.split(':', 1)[1]).lower()}"
    return numbers.label(inst, item)


def _effect(test: dict) -> str:
    effect = test["effect"]
    ci = effect.get("ci") or (None, None)
    return f"{_effect_name(effect['name'])} = {nl(effect['value'], 2)} [{span(ci[0], ci[1], 2)}]"


def _groups_text(test: dict, labels: dict[str, str]) -> str:
    return "; ".join(
        f"{labels.get(g, g)}: {nl(v['median'], 2)} (n = {v['n']})" if "median" in v else f"{labels.get(g, g)} (n = {v['n']})"
        for g, v in test["by_group"].items()
    )


def _comparison_rows(numbers: Numbers, inst: str, tests: list[dict], full: bool) -> list[list[str]]:
    comparisons = numbers.results[inst]["comparisons"]
    rows = []
    for test in tests:
        breakdown = comparisons["breakdowns"][test["breakdown"]]
        labels = {g["name"]: g["label"] for g in breakdown["groups"]}
        statistic = f"{_test_name(test)} = {nl(test['statistic'], 1)}" + (f" (df {test['df']})" if test.get("df") else "")
        p_holm = test.get("p_holm")
        row = [test["breakdown"], _outcome_label(numbers, inst, test["item"]), statistic]
        if full:
            row.append(_p(test["p"]) if test["p"] is not None else "–")
        row += [_p(p_holm) if p_holm is not None else "–", _effect(test), _groups_text(test, labels)]
        rows.append(row)
    return rows


def suppression_sentences(numbers: Numbers, inst: str) -> list[str]:
    """Per breakdown with hidden groups or without tests: a sentence saying so and why."""
    comparisons = numbers.results[inst].get("comparisons") or {}
    size = comparisons.get("min_group_size")
    out = []
    for name, entry in comparisons.get("breakdowns", {}).items():
        hidden = [g["label"] for g in entry["suppressed"]]
        sentence = ""
        if hidden:
            sentence = (
                f"{name.capitalize()}: niet getoond: {', '.join(hidden)} (minder dan {size} respondenten, of verborgen "
                "zodat zo'n kleine groep niet uit de andere cijfers is af te leiden)."
            )
        if hidden and name in numbers.results[inst].get("disclosure", {}).get("held", ()):
            sentence += " Wat in een eerdere publicatie van deze meting verborgen was, blijft verborgen."
        if entry.get("not_tested"):
            why = (
                "deze vraag is niet gesteld in deze versie van de vragenlijst"
                if "not asked" in entry["not_tested"]
                else "er blijven minder dan twee groepen over om te vergelijken"
            )
            sentence += f" {name.capitalize()}: niet getoetst, want {why}."
        if sentence:
            out.append(sentence.strip())
    return out


def _comparisons(args, numbers: Numbers, groups) -> Table | None:
    inst = args[0]
    if not numbers.has(inst) or "comparisons" not in numbers.results[inst]:
        return None
    comparisons = numbers.results[inst]["comparisons"]
    significant = numbers.significant(inst)
    note = (
        f"{len(comparisons['tests'])} toetsen (alle staan in de bijlage); getoond zijn de verschillen met p < 0,05 na "
        "Holm-correctie. Groepen: mediaan van de antwoordscore (n). Effect: r = rang-biseriële correlatie, ε² = epsilon-kwadraat "
        "(Kruskal–Wallis), V = Cramérs V, met 95%-bootstrapinterval. "
        f"Groepen met minder dan {comparisons['min_group_size']} respondenten worden niet getoond en niet getoetst."
    )
    hidden = suppression_sentences(numbers, inst)
    if hidden:
        note += " " + " ".join(hidden)
    return Table(
        caption=f"Verschillen tussen groepen {groups.get(inst, inst)}",
        columns=["Uitsplitsing", "Vraag", "Toets", "p (Holm)", "Effect [95%-BI]", "Groepen: mediaan (n)"],
        rows=_comparison_rows(numbers, inst, significant, full=False),
        note=note,
        numeric=[False, False, False, True, True, False],
        widths=[12, 27, 12, 9, 14, 26],
    )


def _tests(args, numbers: Numbers, groups) -> Table | None:
    """Every test of one instrument (appendix), statements first, then the scale scores."""
    inst = args[0]
    if not numbers.has(inst) or "comparisons" not in numbers.results[inst]:
        return None
    comparisons = numbers.results[inst]["comparisons"]
    tests = sorted(comparisons["tests"], key=lambda t: (t["item"].startswith("scale:"), t["breakdown"]))
    note = (
        "Alle toetsen. p: ongecorrigeerd; p (Holm): gecorrigeerd voor het aantal toetsen, apart voor de stellingen en voor de "
        "schaalscores. Rangtoetsen (Mann–Whitney U, Kruskal–Wallis H) vergelijken de verdeling van de antwoorden; daarom staan "
        "bij de groepen medianen, geen gemiddelden. Stellingen zonder volgorde (zoals de gewenste werkvorm met 'weet niet') "
        "zijn met χ² getoetst."
    )
    hidden = suppression_sentences(numbers, inst)
    if hidden:
        note += " " + " ".join(hidden)
    return Table(
        caption=f"Alle groepsvergelijkingen van {groups.get(inst, inst)}",
        columns=["Uitsplitsing", "Vraag of schaal", "Toets", "p", "p (Holm)", "Effect [95%-BI]", "Groepen: mediaan (n)"],
        rows=_comparison_rows(numbers, inst, tests, full=True),
        note=note,
        numeric=[False, False, False, True, True, True, False],
        widths=[12, 23, 11, 8, 8, 14, 24],
    )


def _claims(args, numbers: Numbers, groups) -> Table | None:
    outcome = {True: "klopt", False: "NIET GESTEUND door de cijfers", None: "interpretatie: niet met de enquête te controleren"}
    rows = [[_shortened(c.text) if c.holds is None else c.text, c.criterion, outcome[c.holds]] for c in numbers.claims]
    if not rows:
        return None
    contradicted = sum(c.holds is False for c in numbers.claims)
    unchecked = sum(c.holds is None for c in numbers.claims)
    return Table(
        caption="Controle van uitspraken",
        columns=["Uitspraak van de onderzoekers", "Gecontroleerd (of: bron)", "Uitkomst"],
        rows=rows,
        note=(
            f"Interpretaties van de onderzoekers, bij elke bouw van het rapport gecontroleerd aan de cijfers; "
            f"{contradicted} van de {len(rows) - unchecked} gecontroleerde uitspraken niet gesteund. {unchecked} uitspraken "
            "komen uit bronnen buiten de enquête (literatuur, focusgroepen, open antwoorden, de werving); de kolom "
            "'Gecontroleerd' noemt dan de bron."
        ),
        widths=[45, 38, 17],
    )


def _shortened(text: str, words: int = 30) -> str:
    """An interpretation's first words (it stands in full in the text)."""
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def _test_name(test: dict) -> str:
    return {"mann-whitney": "U", "kruskal-wallis": "H", "chi-square": "χ²"}[test["test"]]


def _effect_name(name: str) -> str:
    return {"rank_biserial_r": "r", "epsilon_squared": "ε²", "cramers_v": "V"}[name]


def _p(p: float) -> str:
    return "< 0,001" if p < 0.001 else nl(p, 3)


_TABLES = {"scales": _scales, "pairs": _pairs, "methods": _methods, "comparisons": _comparisons, "tests": _tests, "claims": _claims}


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"(?<!\d)(?:\+31|0)[\d\s-]{8,}\d")


def anonymise(text: str) -> str:
    """Quotes in reports: e-mail addresses and phone numbers are masked."""
    return _PHONE.sub("[telefoonnummer]", _EMAIL.sub("[e-mailadres]", text))
