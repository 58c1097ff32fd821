"""`afstand analyze --json` against the expected files, checked by the shared tool, as CI does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import SHARED, run_cli


@pytest.mark.parametrize("name", ["werkers", "clienten"])
@pytest.mark.parametrize("suffix", [".csv", "-formsexport.xlsx"])
def test_check_expected(reference, tmp_path, name, suffix):
    result = run_cli("analyze", "--instrument", name, "--data", str(reference / f"{name}{suffix}"), "--json")
    assert result.returncode == 0, result.stderr
    actual = tmp_path / "actual.json"
    actual.write_text(result.stdout, encoding="utf-8")
    check = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "check_expected.py"), str(reference / f"expected-{name}.json"), str(actual)],
        capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip().endswith(" 0 differences")
