"""Words in the report follow the data: flipping the answers flips the wording, and researchers'
claims that the data contradict are flagged (build log and the appendix "Controle van uitspraken")."""

from __future__ import annotations

import csv
import html
import re

import pytest

from afstand.analysis.frequencies import round_half_up
from afstand.report.build import build_report


def text_of(path) -> str:
    raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(raw))


def flipped_clients(source, study, folder, favourable: bool):
    """Every client answers every alliance statement on the unfavourable (or favourable) side of online work."""
    instrument = study.instrument("clienten")
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    for row in rows:
        if row["consent"] != "ja":
            continue
        for item in instrument.items.values():
            if item.name.startswith("c_wa_") and item.key in (1, -1):
                agree = (item.key == 1) == favourable
                row[item.name] = "eens" if agree else "oneens"
    contact = [c.name for c in instrument.items["c_contact_freq"].choice_list.choices]
    consented = [row for row in rows if row["consent"] == "ja"]
    for i, row in enumerate(consented):
        # favourable: the answers spread over all choices (the most chosen is a minority); otherwise everyone gives the first
        row["c_contact_freq"] = contact[i % len(contact)] if favourable else contact[0]
        # Instagram and Snapchat daily for everyone and WhatsApp never, or the other way round
        row["c_social_instagram"] = row["c_social_snapchat"] = "dagelijks" if favourable else "nooit"
        row["c_social_whatsapp"] = "nooit" if favourable else "dagelijks"
    return write_rows(folder / "clienten.csv", rows)


# statements of the workers whose agreement says online work is harder (or, for privacy, worrying)
HARDER = ("w_wa_enthousiasmeren", "w_wa_uitval", "w_wa_verschil_van_mening", "w_wa_privacy")


def flipped_workers(source, study, folder, favourable: bool):
    """Workers skilled with Jabbr and the client portal but not with WhatsApp and SMS, or the other way round;
    all (dis)agreeing that enthusing clients, preventing drop-out and settling disagreements are harder
    online and that they worry about privacy; all (not) naming flexibility as an advantage."""
    instrument = study.instrument("werkers")
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    first, last = ("nee", "ja") if favourable else ("ja", "nee")
    side = "oneens" if favourable else "eens"
    for row in rows:
        if row["consent"] == "ja":
            for item in ("w_skill_whatsapp_bericht", "w_skill_whatsapp_video", "w_skill_sms"):
                row[item] = first
            for item in ("w_skill_jabbr", "w_skill_clientportaal"):
                row[item] = last
            for item in HARDER:
                row[item] = next(c.name for c in instrument.items[item].choice_list.choices if c.collapse == side)
            chosen = [c for c in row["w_advantages"].split() if c != "flexibel"]
            row["w_advantages"] = " ".join(["flexibel", *chosen] if favourable else chosen)
    return write_rows(folder / "werkers.csv", rows)


def write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def flipped_reports(tmp_path_factory, study, study_files):
    """The study's answers (the reference study's when ../shared is there, else the demo study's), flipped both ways."""
    out = {}
    for favourable in (False, True):
        folder = tmp_path_factory.mktemp("flip")
        data = {
            "werkers": flipped_workers(study_files["werkers"], study, folder, favourable),
            "clienten": flipped_clients(study_files["clienten"], study, folder, favourable),
        }
        warnings: list[str] = []
        build_report(study, data, folder / "out", formats=("html",), workers=1, warnings=warnings)
        out[favourable] = (text_of(folder / "out" / "rapport.html"), warnings, text_of(folder / "out" / "factsheet.html"))
    return out


def consented(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["consent"] == "ja"]


def test_wording_follows_the_data(flipped_reports, study_files):
    from statsmodels.stats.proportion import proportion_confint

    negative, _, _ = flipped_reports[False]
    positive, _, _ = flipped_reports[True]
    assert "Cliënten waren over het algemeen negatiever dan de werkers" in negative
    assert "Cliënten waren over het algemeen positiever dan de werkers" in positive
    # c_wa_beveiligd is keyed +1: all "oneens" → 0%, a minority; all "eens" → 100%, a majority (each with its
    # Wilson interval: [0–13] and [87–100] for the reference study's 26 clients)
    n = len(consented(study_files["clienten"]))
    edge = round_half_up(100 * proportion_confint(0, n, method="wilson")[1])
    assert f"Een minderheid (0% [0–{edge:.0f}]) denkt dat de online gesprekken voldoende beveiligd zijn" in negative
    assert f"Een meerderheid (100% [{100 - edge:.0f}–100]) denkt dat de online gesprekken voldoende beveiligd zijn" in positive
    # c_wa_verkeerd_begrijpen is keyed −1: unfavourable = everyone agrees, so workers agree less often
    assert "werkers vinden dit minder vaak" in negative and "werkers vinden dit vaker" in positive
    # the most chosen contact frequency: everyone (a majority) or a quarter each (a minority)
    assert re.search(
        r"Het vaakst gekozen antwoord over het contact met de reclasseringswerker was '[^']+': een meerderheid van de cliënten \(100%",
        negative,
    )
    assert re.search(
        r"Het vaakst gekozen antwoord over het contact met de reclasseringswerker was '[^']+': een minderheid van de cliënten \(\d+%",
        positive,
    )
    # daily social media use of clients: Instagram and Snapchat against WhatsApp
    assert re.search(
        r"Instagram \(0% \[[^]]+\]\) wordt minder vaak dagelijks gebruikt dan WhatsApp .*?Snapchat \(0% \[[^]]+\]\) minder vaak", negative
    )
    assert re.search(
        r"Instagram \(100% \[[^]]+\]\) wordt vaker dagelijks gebruikt dan WhatsApp .*?Snapchat \(100% \[[^]]+\]\) vaker", positive
    )


def test_the_statements_the_2021_text_typed_follow_the_data(flipped_reports, study_files):
    """Privacy, enthusing, drop-out and disagreements (claims the reference data did not support, now
    computed) and the factsheet's words turn around with the answers."""
    from statsmodels.stats.proportion import proportion_confint

    negative, _, factsheet_negative = flipped_reports[False]
    positive, _, factsheet_positive = flipped_reports[True]

    def edge(n: int) -> str:
        return f"{round_half_up(100 * proportion_confint(0, n, method='wilson')[1]):.0f}"

    c, w = edge(len(consented(study_files["clienten"]))), edge(len(consented(study_files["werkers"])))
    assert (
        f"Over privacy: een minderheid van de cliënten (0% [0–{c}]) vindt de gesprekken voldoende beveiligd, "
        f"en een minderheid van de werkers (0% [0–{w}]) maakt zich geen zorgen over privacy." in negative
    )
    assert (
        f"Over privacy: een meerderheid van de cliënten (100% [{100 - int(c)}–100]) vindt de gesprekken voldoende beveiligd, "
        f"en een meerderheid van de werkers (100% [{100 - int(w)}–100]) maakt zich geen zorgen over privacy." in positive
    )
    for text, words, shares in (
        (negative, "vinden meer werkers het online moeilijker dan niet", "100% tegen 0%"),
        (positive, "vinden meer werkers het online niet moeilijker dan wel", "0% tegen 100%"),
    ):
        assert f"De cliënt enthousiasmeren: daarbij {words} ({shares}, eens tegen oneens)" in text
        assert f"Voorkomen dat de cliënt uitvalt: daarbij {words} ({shares})" in text
    assert "vindt een meerderheid van de werkers (100% [" in negative and "vindt een minderheid van de werkers (0% [" in positive
    assert re.search(r"van de cliënten vindt een meerderheid \(100% \[[^]]+\]\) dat zij het online niet net zo makkelijk eens", negative)
    assert re.search(r"van de cliënten vindt een minderheid \(0% \[[^]]+\]\) dat zij het online niet net zo makkelijk eens", positive)
    # the factsheet
    assert "volgens een minderheid van de reclasseringswerkers (0%) flexibel" in factsheet_negative
    assert "volgens een meerderheid van de reclasseringswerkers (100%) flexibel" in factsheet_positive
    assert "Cliënten zijn over het algemeen negatief over de werkalliantie online" in factsheet_negative
    assert "Cliënten zijn over het algemeen positief over de werkalliantie online" in factsheet_positive
    # none of them is a claim any more: nothing about them is flagged
    for _, warnings, _ in flipped_reports.values():
        assert not any("privacy" in w or "enthousiasmeren" in w or "meningsverschil" in w for w in warnings)


def test_claims_checked_against_the_data(flipped_reports, study_files, study):
    negative, warnings_negative, _ = flipped_reports[False]
    positive, warnings_positive, _ = flipped_reports[True]
    blended = "een duidelijke behoefte aan een 'blended' vorm van werken"
    assert not any(blended in w for w in warnings_negative)
    assert "Controle van uitspraken" in negative
    # the workers' technical skills: the claim holds when WhatsApp and SMS lead, and is flagged when Jabbr leads
    skills = "Technisch vaardig vinden werkers zich vooral met WhatsApp-berichten"
    assert skills in negative and skills in positive  # the researchers' text is printed as written either way
    assert not any(skills in w for w in warnings_negative)
    assert any(skills in w for w in warnings_positive)
    # where it is printed, a contradicted claim carries the check it failed; a supported one does not
    flag = "[niet gesteund door de cijfers: elk van de drie eerstgenoemde applicaties"
    assert flag in positive.replace("\n", " ") and flag not in negative.replace("\n", " ")
