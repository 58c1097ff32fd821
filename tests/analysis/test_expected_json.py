"""`afstand analyze --json` against the expected files, checked by the shared tool, as CI does;
and against golden files of the seeded demo study (tests/analysis/golden/demo/), which run anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED, run_cli
from tests.helpers import assert_golden


@pytest.mark.parametrize("name", ["werkers", "clienten"])
@pytest.mark.parametrize("suffix", [".csv", "-formsexport.xlsx"])
def test_check_expected(reference, tmp_path, name, suffix):
    result = run_cli("analyze", "--instrument", name, "--data", str(reference / f"{name}{suffix}"), "--json")
    assert result.returncode == 0, result.stderr
    actual = tmp_path / "actual.json"
    actual.write_text(result.stdout, encoding="utf-8")
    check = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "check_expected.py"), str(reference / f"expected-{name}.json"), str(actual)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip().endswith(" 0 differences")


GOLDEN = Path(__file__).parent / "golden" / "demo"


@pytest.mark.parametrize("name", ["werkers", "clienten"])
def test_demo_analysis_matches_its_golden_json(demo_data, name):
    """``afstand analyze --json`` of the seeded demo study against a committed golden file: runs
    without ../shared. AFSTAND_UPDATE_GOLDEN=1 rewrites it (the test is then skipped)."""
    result = run_cli("analyze", "--instrument", name, "--data", str(demo_data[name]), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["data"].pop("source")  # the temporary path of this run, the only part that varies
    text = json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert_golden(text.encode("utf-8"), GOLDEN / f"analyze-{name}.json")
