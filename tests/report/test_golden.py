"""Golden files of the report built from the seeded demo study: they run anywhere (no ../shared).

HTML and SVG output is byte-identical between runs, so any change shows as a unified diff.
After an intended change: ``AFSTAND_UPDATE_GOLDEN=1`` rewrites the files (those tests are then
skipped, never compared with themselves); review with ``git diff tests/report/golden``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import assert_golden

GOLDEN = Path(__file__).parent / "golden" / "demo"


@pytest.mark.parametrize("name", ["rapport.html", "factsheet.html", "figures/figuur-13.svg", "figures/figuur-05.svg"])
def test_demo_report_matches_its_golden_file(demo_html_report, name):
    assert_golden((demo_html_report / name).read_bytes(), GOLDEN / Path(name).name)


def test_a_changed_file_fails_with_a_diff(tmp_path, monkeypatch):
    monkeypatch.delenv("AFSTAND_UPDATE_GOLDEN", raising=False)
    golden = tmp_path / "page.html"
    golden.write_bytes(b"<p>one</p>\n<p>two</p>\n")
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_golden(b"<p>one</p>\n<p>three</p>\n", golden)
    message = str(failed.value)
    assert "-<p>two</p>" in message and "+<p>three</p>" in message and "AFSTAND_UPDATE_GOLDEN=1" in message


def test_update_mode_rewrites_and_skips_instead_of_comparing_with_itself(tmp_path, monkeypatch):
    monkeypatch.setenv("AFSTAND_UPDATE_GOLDEN", "1")
    golden = tmp_path / "page.html"
    golden.write_bytes(b"old\n")
    with pytest.raises(pytest.skip.Exception, match="rewrote"):
        assert_golden(b"new\n", golden)
    assert golden.read_bytes() == b"new\n"
    assert_golden(b"new\n", golden)  # equal: a real comparison, passes without rewriting
