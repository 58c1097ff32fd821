"""``afstand trend``: per-wave numbers equal ``analyze``; changes equal statsmodels/scipy."""

from __future__ import annotations

import csv
import io
import math

import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from afstand.analysis.summary import analyze
from afstand.analysis.trend import Wave, trend
from afstand.demo import generate, load_spec, write_csv, write_study
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.conftest import cli_json, run_cli


def _check_changes(result: dict, section: str, per_wave: dict[str, dict]) -> None:
    """Every change of ``section`` against an independent computation; Holm over the section."""
    before, after = result["waves"][-2], result["waves"][-1]
    ps, holms = [], []
    checked = 0
    for name, entry in result[section].items():
        if not entry["comparable"]:
            assert entry["change"] == {}
            continue
        a = per_wave[before][name]
        b = per_wave[after][name]
        for choice, change in entry["change"].items():
            assert (change["from"], change["to"]) == (before, after)
            x1, n1, x0, n0 = b["counts"][choice], b["base"], a["counts"][choice], a["base"]
            assert change["pp"] == pytest.approx(b["percent"][choice] - a["percent"][choice], abs=1e-9)
            low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff")
            assert change["ci"] == pytest.approx([100 * low, 100 * high], abs=1e-6)
            _, p = proportions_ztest([x1, x0], [n1, n0])
            if math.isnan(p):
                assert change["p"] is None
            else:
                assert change["p"] == pytest.approx(p, abs=1e-6)
                ps.append(change["p"])
                holms.append(change["p_holm"])
            checked += 1
    assert checked > 10
    assert holms == pytest.approx(list(multipletests(ps, method="holm")[1]), abs=1e-9)


def _check_waves(result: dict, analyses: dict[str, dict]) -> None:
    for name, entry in result["items"].items():
        for label, wave in entry["waves"].items():
            expected = analyses[label]["items"][name]
            assert wave["base"] == expected["base"] and wave["counts"] == expected["counts"]
            assert wave["percent"] == expected["percent"]  # exactly, not approximately
    for name, entry in result["likert"].items():
        for label, wave in entry["waves"].items():
            expected = analyses[label]["likert"][name]
            assert (wave["base"], wave["counts"], wave["percent"]) == (expected["base"], expected["counts"], expected["percent"])


def _check_scales(result: dict, analyses: dict[str, dict]) -> None:
    before, after = result["waves"][-2], result["waves"][-1]
    assert result["scales"]
    for dimension, entry in result["scales"].items():
        for label, wave in entry["waves"].items():
            expected = analyses[label]["scales"][dimension]
            assert wave["n"] == expected["n"] and wave["mean"] == pytest.approx(expected["mean"], abs=1e-12)
            assert wave["alpha"] == pytest.approx(expected["alpha"]["alpha"], abs=1e-12)
            half = stats.t.ppf(0.975, expected["n"] - 1) * expected["sd"] / math.sqrt(expected["n"])
            assert wave["ci"] == pytest.approx([expected["mean"] - half, expected["mean"] + half], abs=1e-9)
        a, b = analyses[before]["scales"][dimension], analyses[after]["scales"][dimension]
        change = entry["change"]
        test = stats.ttest_ind_from_stats(b["mean"], b["sd"], b["n"], a["mean"], a["sd"], a["n"], equal_var=False)
        assert change["diff"] == pytest.approx(b["mean"] - a["mean"], abs=1e-12)
        assert change["p"] == pytest.approx(test.pvalue, abs=1e-9)
        se = math.sqrt(a["sd"] ** 2 / a["n"] + b["sd"] ** 2 / b["n"])
        half = stats.t.ppf(0.975, change["df"]) * se
        assert change["ci"] == pytest.approx([change["diff"] - half, change["diff"] + half], abs=1e-9)


def test_study_2021_and_generated_2022_equal_independent_computation(study_files, study, tmp_path):
    """2021: the reference study's workers when ../shared is there, else the seeded demo study's; 2022: generated."""
    w21 = study_files["werkers"]
    write_study(study, tmp_path, {"werkers": 311}, seed=2022)
    w22 = tmp_path / "werkers.csv"
    result = cli_json("trend", "--instrument", "werkers", "--wave", f"2021={w21}", "--wave", f"2022={w22}", "--json")
    assert result["instrument"] == "werkers" and result["waves"] == ["2021", "2022"]
    analyses = {
        "2021": cli_json("analyze", "--instrument", "werkers", "--data", str(w21), "--json"),
        "2022": cli_json("analyze", "--instrument", "werkers", "--data", str(w22), "--json"),
    }
    assert result["items"]["w_gender"]["type"] == "select_one" and result["items"]["w_gender"]["comparable"] is True
    with w21.open(encoding="utf-8", newline="") as handle:
        consented = sum(row["consent"] == "ja" for row in csv.DictReader(handle))  # 228 in the reference study
    assert result["items"]["w_gender"]["waves"]["2021"]["base"] == consented > 0
    _check_waves(result, analyses)
    per_wave_items = {label: a["items"] for label, a in analyses.items()}
    per_wave_likert = {label: a["likert"] for label, a in analyses.items()}
    _check_changes(result, "items", per_wave_items)
    _check_changes(result, "likert", per_wave_likert)
    _check_scales(result, analyses)
    assert set(result["scales"]) == set(analyses["2021"]["scales"])


def _demo_wave(study, instrument, n, seed, label):
    spec = load_spec(study.path(study.config["demo"]["spec"]))
    buffer = io.StringIO()
    write_csv(generate(instrument, n, seed=seed, spec=spec, name="werkers"), buffer)
    path = f"{label}.csv"
    return buffer.getvalue(), path


def _load(tmp_path, text, name, instrument):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_responses(path, instrument)


def test_three_demo_waves_without_shared(study, tmp_path):
    instrument = study.instrument("werkers")
    waves = []
    for label, n, seed in (("2021", 228, 1), ("2022", 400, 2), ("2023", 350, 3)):
        text, name = _demo_wave(study, instrument, n, seed, label)
        waves.append(Wave(label, _load(tmp_path, text, name, instrument)))
    result = trend(waves, name="werkers")
    analyses = {w.label: analyze(w.responses, name="werkers") for w in waves}
    _check_waves(result, analyses)
    _check_changes(result, "items", {label: a["items"] for label, a in analyses.items()})
    _check_changes(result, "likert", {label: a["likert"] for label, a in analyses.items()})
    _check_scales(result, analyses)
    entry = result["items"]["w_org"]
    assert [(p["from"], p["to"]) for p in entry["pairs"]] == [("2021", "2022"), ("2022", "2023")]
    assert entry["change"] == entry["pairs"][-1]["change"]
    first = entry["pairs"][0]["change"]["rn"]
    a, b = analyses["2021"]["items"]["w_org"], analyses["2022"]["items"]["w_org"]
    low, high = confint_proportions_2indep(b["counts"]["rn"], b["base"], a["counts"]["rn"], a["base"], method="newcomb")
    assert first["ci"] == pytest.approx([100 * low, 100 * high], abs=1e-6)


def test_changed_items_are_flagged_with_both_wordings_and_not_compared(study, tmp_path):
    source = study.form_path("werkers").read_text(encoding="utf-8")
    changed = source.replace("| Wat is je geslacht? |", "| Met welk geslacht identificeer je je? |")
    changed = changed.replace(
        "|  | org | svg |", "|  | org | anders_org | Andere organisatie | Other organisation |  |  |\n|  | org | svg |", 1
    )
    assert changed.count("anders_org") == 1 and "identificeer" in changed
    form22 = tmp_path / "werkers-2022.md"
    form22.write_text(changed, encoding="utf-8")
    old, new = study.instrument("werkers"), load_instrument(form22)
    waves = []
    for label, instrument, seed in (("2021", old, 5), ("2022", new, 6)):
        text, name = _demo_wave(study, instrument, 300, seed, label)
        waves.append(Wave(label, _load(tmp_path, text, name, instrument)))
    result = trend(waves, name="werkers")
    gender = result["items"]["w_gender"]
    assert gender["comparable"] is False and gender["change"] == {}
    assert gender["waves"]["2021"]["base"] > 0 and gender["waves"]["2022"]["base"] > 0
    flag = next(f for f in gender["flags"] if f["kind"] == "relabelled")
    assert flag["wording"] == {"2021": "Wat is je geslacht?", "2022": "Met welk geslacht identificeer je je?"}
    assert flag["breaks_comparability"] is True
    org = result["items"]["w_org"]
    assert org["comparable"] is False and org["flags"][0]["kind"] == "rescaled"
    assert {"change": "added", "choice": "anders_org", "label": "Andere organisatie"} in org["flags"][0]["details"]
    assert result["items"]["w_form_now"]["comparable"] is True and result["items"]["w_form_now"]["change"]
    # the Holm family holds only the comparable items
    ps = [c["p"] for e in result["items"].values() for c in e["change"].values() if c["p"] is not None]
    holms = [c["p_holm"] for e in result["items"].values() for c in e["change"].values() if c["p"] is not None]
    assert holms == pytest.approx(list(multipletests(ps, method="holm")[1]))


def test_cli_with_a_form_per_wave_and_text_output(study, tmp_path):
    source = study.form_path("werkers").read_text(encoding="utf-8")
    form22 = tmp_path / "werkers-2022.md"
    form22.write_text(source.replace("| Wat is je geslacht? |", "| Met welk geslacht identificeer je je? |"), encoding="utf-8")
    for label, form, seed in (("2021", study.form_path("werkers"), 1), ("2022", form22, 2)):
        text, _ = _demo_wave(study, load_instrument(form), 150, seed, label)
        (tmp_path / f"{label}.csv").write_text(text, encoding="utf-8")
    args = [
        "trend",
        "--instrument",
        "werkers",
        "--wave",
        f"2021={tmp_path / '2021.csv'}",
        "--wave",
        f"2022={tmp_path / '2022.csv'}",
        "--form",
        f"2022={form22}",
    ]
    out = cli_json(*args, "--json")
    assert out["items"]["w_gender"]["comparable"] is False
    assert out["comparability"][0]["diff"]["changed"]["w_gender"]["comparable"] is False
    text = run_cli(*args)
    assert text.returncode == 0, text.stderr
    assert "Met welk geslacht identificeer je je?" in text.stdout and "Wat is je geslacht?" in text.stdout
    assert "niet vergelijkbaar" in text.stdout


def test_cli_uses_the_studys_missing_codes_as_analyze_does_and_cache_changes_nothing(study, tmp_path, monkeypatch):
    """A study's missing-value code counts as missing in the trend exactly as in analyze (not as a
    wrong answer); ``--cache`` (columnar copies) gives the same JSON, cold and warm."""
    import csv
    import shutil

    folder = tmp_path / "studie"
    shutil.copytree(study.root, folder)
    config = folder / "study.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[missing]\ncodes = ["999"]\n', encoding="utf-8")
    paths = {}
    for label, seed in (("2021", 1), ("2022", 2)):
        text, _ = _demo_wave(study, study.instrument("werkers"), 120, seed, label)
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows[:7]:
            row["w_gender"] = "999"
        paths[label] = tmp_path / f"{label}.csv"
        with paths[label].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    args = ["trend", "--instrument", "werkers", "--study", str(folder), "--json"]
    args += [a for label, path in paths.items() for a in ("--wave", f"{label}={path}")]
    plain = cli_json(*args)
    for label, path in paths.items():
        analysed = cli_json("analyze", "--instrument", "werkers", "--study", str(folder), "--data", str(path), "--json")["items"][
            "w_gender"
        ]
        wave = plain["items"]["w_gender"]["waves"][label]
        assert analysed["missing"] == wave["missing"] >= 7 and "999" not in wave["counts"]
        assert (wave["base"], wave["counts"], wave["percent"]) == (analysed["base"], analysed["counts"], analysed["percent"])
    monkeypatch.setenv("AFSTAND_CACHE_DIR", str(tmp_path / "cache"))
    cold, warm = cli_json(*args, "--cache"), cli_json(*args, "--cache")
    assert any((tmp_path / "cache").rglob("*.arrow"))  # the columnar copies were made, and read by the warm run
    assert cold == warm == plain


def test_cli_errors_exit_2(tmp_path):
    data = tmp_path / "w.csv"
    data.write_text("response_id,consent\nW1,ja\n", encoding="utf-8")
    cases = [
        (["--wave", f"2021={data}"], "at least two waves"),
        (["--wave", f"2021={data}", "--wave", str(data)], "expected LABEL=PATH"),
        (["--wave", f"2021={data}", "--wave", f"2021={data}"], "given twice"),
        (["--wave", f"2021={data}", "--wave", f"2022={tmp_path / 'nope.csv'}"], "nope.csv: no such file (--wave 2022)"),
        (["--wave", f"2021={data}", "--wave", f"2022={data}", "--form", f"2023={data}"], "--form 2023: no --wave"),
    ]
    for extra, message in cases:
        result = run_cli("trend", "--instrument", "werkers", *extra, "--json")
        assert result.returncode == 2, (extra, result.stderr)
        assert result.stdout == "" and message in result.stderr, result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("response_id,consent,w_gender\nW1,ja,robot\n", encoding="utf-8")
    result = run_cli("trend", "--instrument", "werkers", "--wave", f"2021={data}", "--wave", f"2022={bad}", "--json")
    assert result.returncode == 2 and "row 2, column 'w_gender'" in result.stderr and "robot" in result.stderr
