"""Every number of ../shared/reference-study/published.md, reproduced from the data.

Each published figure is ``100 × count / base`` rounded half up, base = consented respondents.
The expected values below are the report's printed numbers; the actual ones come from
``analyze()`` on the reference CSV files.
"""

from __future__ import annotations

import pytest

from afstand.analysis.frequencies import number, round_half_up
from afstand.analysis.summary import pairs
from afstand.responses import load_responses
from tests.helpers import FIGURE_13


def pct(result, item, *choices):
    entry = result["items"][item]
    return round_half_up(100 * sum(entry["counts"][c] for c in choices) / entry["base"])


def collapsed(result, item, category):
    return round_half_up(result["likert"][item]["percent"][category])


@pytest.fixture(scope="module")
def W(reference_results):
    return reference_results["werkers"]


@pytest.fixture(scope="module")
def C(reference_results):
    return reference_results["clienten"]


def test_respondents(W, C, reference, study):
    assert W["n_consented"] == 228 and C["n_consented"] == 26
    assert W["items"]["w_gender"]["counts"]["man"] == 59 and pct(W, "w_gender", "man") == 26
    assert W["items"]["w_gender"]["counts"]["vrouw"] == 169 and pct(W, "w_gender", "vrouw") == 74
    assert round_half_up(W["items"]["w_age"]["mean"]) == 40
    assert round_half_up(W["items"]["w_experience_years"]["mean"], 1) == 10.4
    for org, n, p in (("ljr", 31, 14), ("rn", 110, 48), ("svg", 87, 38)):
        assert W["items"]["w_org"]["counts"][org] == n and pct(W, "w_org", org) == p
    for function, p in (("toezichthouder", 68), ("adviseur", 36), ("werkstraf", 9), ("trainer", 12), ("anders", 11)):
        assert pct(W, "w_function", function) == p
    assert pct(C, "c_gender", "man") == 77
    assert round_half_up(C["items"]["c_age"]["mean"]) == 41
    assert C["items"]["c_contact_type"]["counts"]["toezicht"] == 25
    # "1.3 years on average, from weeks to 2.5 years, plus one client who said 32"
    years = C["items"]["c_contact_years"]
    assert years["max"] == 32 and years["outliers"]["values"] == [32.0]
    responses = load_responses(reference / "clienten.csv", study.instrument("clienten"))
    trimmed = number(responses.numbers["c_contact_years"], exclude_outliers=True)
    assert round_half_up(trimmed["mean"], 1) == 1.3 and trimmed["max"] <= 2.5


def test_social_media(W, C):
    daily = ("dagelijks", "meerdere_uren")
    assert [pct(W, f"w_social_{a}", *daily) for a in ("whatsapp", "facebook", "instagram")] == [97, 38, 42]
    assert [pct(C, f"c_social_{a}", *daily) for a in ("whatsapp", "facebook", "instagram", "snapchat")] == [81, 50, 15, 12]
    attitude = C["items"]["c_social_attitude"]["counts"]
    assert attitude["negatief"] + attitude["erg_negatief"] == 2 and pct(C, "c_social_attitude", "negatief", "erg_negatief") == 8
    assert attitude["positief"] + attitude["erg_positief"] == 10 and pct(C, "c_social_attitude", "positief", "erg_positief") == 38
    assert attitude["neutraal"] == 14 and pct(C, "c_social_attitude", "neutraal") == 54


def test_before_covid_and_now(W):
    assert [pct(W, "w_apps_before", c) for c in ("clientportaal", "webex", "anders")] == [15, 1, 7]
    assert [pct(W, "w_form_before", c) for c in ("alleen_f2f", "vooral_f2f")] == [36, 59]
    assert [pct(W, "w_form_now", c) for c in ("vooral_online", "vooral_f2f", "gelijk", "alleen_online", "alleen_f2f")] == [
        55,
        20,
        13,
        11,
        2,
    ]
    assert [pct(W, "w_form_future", c) for c in ("vooral_f2f", "gelijk")] == [64, 28]


def test_applications_now(W):
    assert pct(W, "w_use_whatsapp_bericht", "regelmatig") == 82
    assert [pct(W, f"w_use_{a}", "soms", "regelmatig") for a in ("whatsapp_video", "sms", "webex", "clientportaal")] == [51, 80, 25, 20]
    assert [pct(W, f"w_usable_{a}", "ja") for a in ("whatsapp_bericht", "whatsapp_video", "webex", "clientportaal")] == [91, 69, 36, 11]
    assert [pct(W, f"w_usable_{a}", "weet_niet") for a in ("skype", "clientportaal")] == [44, 53]
    assert [pct(W, "w_training_clientportaal", c) for c in ("gewenst", "gehad")] == [18, 9]
    assert [pct(W, "w_training_webex", c) for c in ("gewenst", "gehad")] == [15, 7]


FIGURE_8 = {  # ja / nee / een_beetje; None = no label in the figure
    "whatsapp_bericht": (96, None, 2),
    "whatsapp_video": (93, None, 5),
    "skype": (52, 16, 26),
    "zoom": (42, 29, 24),
    "webex": (51, 18, 29),
    "clientportaal": (18, 49, 25),
    "facetime": (51, 33, 9),
    "sms": (89, 3, 2),
    "jabbr": (13, 74, 6),
}


def test_figure_8_technical_skill(W):
    got = {
        app: tuple(pct(W, f"w_skill_{app}", c) if p is not None else None for c, p in zip(("ja", "nee", "een_beetje"), published))
        for app, published in FIGURE_8.items()
    }
    assert got == FIGURE_8


def test_figure_13_workers_alliance(W):
    assert {item: tuple(collapsed(W, item, c) for c in ("oneens", "neutraal", "eens")) for item in FIGURE_13} == FIGURE_13
    for item in FIGURE_13:
        assert W["likert"][item]["labels"] == {"oneens": "Oneens", "neutraal": "Neutraal", "eens": "Eens"}, item


def test_figure_14_clients_alliance(C):
    agree = {
        "c_wa_beveiligd": 65,
        "c_wa_voorwaarden": 69,
        "c_wa_eens_worden": 77,
        "c_wa_f2f_nodig": 23,
        "c_wa_verkeerd_begrijpen": 12,
        "c_wa_begrijpt_minder": 12,
    }
    assert {item: collapsed(C, item, "eens") for item in agree} == agree
    assert collapsed(C, "c_wa_eens_worden", "oneens") == 12


def test_factsheet_tiles(W, C):
    tiles = [
        collapsed(W, "w_wa_inschatten_gevoel", "eens"),
        collapsed(W, "w_wa_verschil_van_mening", "eens"),
        collapsed(C, "c_wa_eens_worden", "eens"),
        collapsed(C, "c_wa_f2f_nodig", "eens"),
        collapsed(C, "c_wa_begrijpt_minder", "eens"),
        collapsed(W, "w_wa_miscommunicatie", "eens"),
    ]
    assert tiles == [73, 53, 77, 23, 12, 46]


def test_worker_client_pairs(W, C, study):
    found = pairs({"werkers": W, "clienten": C}, {"werkers": study.instrument("werkers"), "clienten": study.instrument("clienten")})
    by_item = {p["werkers"]["item"]: p for p in found}
    assert len(by_item) == 6

    def side(item, who, category):
        return round_half_up(by_item[item][who]["percent"][category])

    assert (side("w_wa_miscommunicatie", "werkers", "eens"), side("w_wa_miscommunicatie", "clienten", "eens")) == (46, 12)
    assert (side("w_wa_inschatten_gevoel", "werkers", "eens"), side("w_wa_inschatten_gevoel", "clienten", "eens")) == (73, 12)
    assert (side("w_wa_verschil_van_mening", "werkers", "eens"), side("w_wa_verschil_van_mening", "clienten", "oneens")) == (53, 12)
    assert (side("w_wa_kader_regels", "werkers", "oneens"), side("w_wa_kader_regels", "clienten", "eens")) == (78, 69)
    assert (side("w_wa_doelen_f2f", "werkers", "eens"), side("w_wa_doelen_f2f", "clienten", "eens")) == (30, 23)
    assert (side("w_wa_privacy", "werkers", "oneens"), side("w_wa_privacy", "clienten", "eens")) == (47, 65)
