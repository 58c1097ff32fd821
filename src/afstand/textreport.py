"""Readable terminal tables (rich) for the CLI's non-JSON output."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from afstand.instrument.model import Instrument


def _console() -> Console:
    return Console(highlight=False)


def _pct(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def print_analysis(result: dict, instrument: Instrument) -> None:
    console = _console()
    console.print(f"[bold]{instrument.title}[/bold]  ({result['data']['instrument_version']})")
    console.print(
        f"Respondenten: {result['n_total']} totaal, {result['n_consented']} met toestemming; "
        f"basis percentages: {'alle deelnemers met toestemming' if result['data']['base'] == 'consented' else 'beantwoorde vragen'}"
    )
    if result["data"].get("layout"):
        console.print(f"Gelezen als: {result['data']['layout']}")
    for note in result["data"]["notes"]:
        console.print(f"[yellow]Let op:[/yellow] {note}")
    for name, codes in result["data"].get("declared_missing", {}).items():
        console.print(f"Ontbrekend gecodeerd bij {name}: " + ", ".join(f"{code} ({n}x)" for code, n in codes.items()))
    if result["data"]["dropped_columns"]:
        console.print("Niet ingelezen (identificerend): " + ", ".join(result["data"]["dropped_columns"]))
    for name, entry in result["items"].items():
        item = instrument.items[name]
        if not entry.get("asked", True):
            continue
        if entry["type"] in ("select_one", "select_multiple"):
            table = Table(title=f"{name}: {item.label()}", title_justify="left", show_edge=False)
            table.add_column("antwoord")
            table.add_column("n", justify="right")
            table.add_column("%", justify="right")
            for choice in item.choice_list.choices:
                table.add_row(choice.label(), str(entry["counts"][choice.name]), _pct(entry["percent"][choice.name]))
            table.add_row("[dim]geen antwoord[/dim]", str(entry["missing"]), "")
            console.print(table)
        elif entry["type"] == "number":
            stats = ", ".join(
                f"{k} {entry[k]:.2f}" if isinstance(entry[k], float) else f"{k} {entry[k]}"
                for k in ("n", "mean", "median", "sd", "min", "max")
            )
            flagged = entry["outliers"]["values"]
            console.print(
                f"[bold]{name}[/bold]: {item.label()}\n  {stats}"
                + (f"\n  uitschieters ({entry['outliers']['rule']}): {flagged}" if flagged else "")
            )
        elif entry["type"] == "text":
            console.print(f"[bold]{name}[/bold]: {item.label()}\n  {entry['answered']} antwoorden")
    if result["scales"]:
        table = Table(title="Werkalliantie: dimensies", title_justify="left", show_edge=False)
        for column in ("dimensie", "items", "n", "gemiddelde", "α", "95%-BI", "ω"):
            table.add_column(column, justify="right" if column not in ("dimensie",) else "left")
        for dim, entry in result["scales"].items():
            alpha = entry["alpha"]
            ci = alpha["ci"]
            table.add_row(
                dim,
                str(len(entry["items"])),
                str(entry["n"]),
                _fmt(entry["mean"]),
                _fmt(alpha["alpha"]),
                f"{_fmt(ci[0])} – {_fmt(ci[1])}",
                _fmt(entry["omega"]["omega"]),
            )
        console.print(table)
    comparisons = result.get("comparisons")
    if comparisons:
        for name, breakdown in comparisons["breakdowns"].items():
            groups = ", ".join(f"{g['label']} ({g['n']})" for g in breakdown["groups"])
            hidden = "; ".join(f"{g['label']}: {g['reason']}" for g in breakdown["suppressed"])
            console.print(f"Uitsplitsing [bold]{name}[/bold]: {groups}" + (f"  [dim]verborgen: {hidden}[/dim]" if hidden else ""))
        significant = [t for t in comparisons["tests"] if t.get("p_holm") is not None and t["p_holm"] < 0.05]
        console.print(f"{len(comparisons['tests'])} toetsen, {len(significant)} significant na Holm-correctie (p < 0,05)")
        for t in significant:
            console.print(
                f"  {t['breakdown']} × {t['item']}: {t['test']} p_holm={t['p_holm']:.4f} {t['effect']['name']}={t['effect']['value']:.2f}"
            )
    if result["data"]["problems"]:
        console.print(f"[red]{len(result['data']['problems'])} problemen in de data[/red] (zie --json)")


def print_pairs(pairs: list[dict], instruments: dict) -> None:
    console = _console()
    table = Table(title="Stellingen van werkers en cliënten naast elkaar (%)", title_justify="left", show_edge=False)
    table.add_column("werker: stelling")
    table.add_column("oneens/neutraal/eens", justify="right")
    table.add_column("cliënt: stelling")
    table.add_column("oneens/deels/eens/weet niet", justify="right")
    for pair in pairs:
        (left_name, left), (right_name, right) = list(pair.items())
        table.add_row(
            instruments[left_name].items[left["item"]].label(),
            " / ".join(_pct(v) for v in left["percent"].values()),
            instruments[right_name].items[right["item"]].label(),
            " / ".join(_pct(v) for v in right["percent"].values()),
        )
    console.print(table)


def print_instrument(instrument: Instrument) -> None:
    console = _console()
    console.print(f"[bold]{instrument.title}[/bold]  form_id={instrument.form_id}  version_id={instrument.version_id}")
    console.print(f"talen: {', '.join(instrument.languages)}; {len(instrument.items)} vragen in {len(instrument.groups)} onderwerpen")
    for group in instrument.groups:
        console.print(f"[bold]{group.label()}[/bold]")
        for name in group.elements:
            item = instrument.items.get(name)
            if item is not None:
                console.print(f"  {name} [dim]({item.type})[/dim] {item.label()}")


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.2f}"
