"""``afstand report`` keeps a publication ledger: two builds of one wave one response apart do not give a
hidden group back (the outside review's F-A1); a study with two band breakdowns of one item is refused
(F-C1). docs/disclosure-control.md."""

from __future__ import annotations

import csv
import json
import shutil

from tests.conftest import run_cli


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _report(tmp_path, werkers, clienten, out, *extra):
    done = run_cli(
        "report", "--data", f"werkers={werkers}", "--data", f"clienten={clienten}", "--format", "html",
        "--figures", "none", "--workers", "1", "--out", str(tmp_path / out), *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / out / "cijfers.json").read_text(encoding="utf-8"))["werkers"], done


def test_two_builds_one_response_apart(tmp_path, demo_data):
    with demo_data["werkers"].open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    consented = [r for r in rows if r["consent"] == "ja"]
    for i, r in enumerate(consented):
        r["w_org"] = "ljr" if i < 9 else ("rn" if i % 2 else "svg")
    base = _write(tmp_path / "base.csv", header, rows)
    extra = dict(consented[20], response_id="W9999", w_org="ljr")
    plus1 = _write(tmp_path / "plus1.csv", header, rows + [extra])

    first, done = _report(tmp_path, base, demo_data["clienten"], "v1")
    ledger = tmp_path / "afstand-ledger-werken-op-afstand.json"
    assert f"ledger {ledger}" in done.stdout and ledger.is_file()
    assert first["items"]["w_org"]["counts"]["ljr"] is None
    recorded = json.loads(ledger.read_text(encoding="utf-8"))["waves"][""]["werkers"]["organisatie"]
    assert "ljr" in recorded

    second, _ = _report(tmp_path, plus1, demo_data["clienten"], "v2")
    assert second["n_consented"] == first["n_consented"] + 1
    counts = second["items"]["w_org"]["counts"]
    assert counts["ljr"] is None and sum(v is None for v in counts.values()) >= 2  # held, with a complement
    assert "organisatie" in second["disclosure"]["held"]
    html = (tmp_path / "v2" / "rapport.html").read_text(encoding="utf-8")
    assert "blijft verborgen" in html

    # without the ledger (another one, empty) the same data shows the group of 10: the test can fail
    fresh, _ = _report(tmp_path, plus1, demo_data["clienten"], "v3", "--ledger", str(tmp_path / "other" / "ledger.json"))
    assert fresh["items"]["w_org"]["counts"]["ljr"] == 10


def test_a_broken_ledger_is_a_clear_error(tmp_path, demo_data):
    ledger = tmp_path / "kapot.json"
    ledger.write_text("{niet json", encoding="utf-8")
    done = run_cli(
        "report", "--data", f"werkers={demo_data['werkers']}", "--data", f"clienten={demo_data['clienten']}",
        "--format", "html", "--figures", "none", "--out", str(tmp_path / "out"), "--ledger", str(ledger),
    )  # fmt: skip
    assert done.returncode == 2 and str(ledger) in done.stderr and "ledger" in done.stderr
    assert not (tmp_path / "out").exists()


def test_two_band_breakdowns_of_one_item_are_refused(tmp_path, study, demo_data):
    root = tmp_path / "study"
    shutil.copytree(study.root, root)
    toml = root / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[[breakdowns]]\ninstrument = "werkers"\nname = "ervaring_grof"\nitem = "w_experience_years"\nbands = [0, 7, 20]\n',
        encoding="utf-8",
    )
    done = run_cli(
        "report", "--study", str(root), "--data", f"werkers={demo_data['werkers']}", "--data", f"clienten={demo_data['clienten']}",
        "--format", "html", "--figures", "none", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert str(toml) in done.stderr and "'ervaring'" in done.stderr and "'ervaring_grof'" in done.stderr
