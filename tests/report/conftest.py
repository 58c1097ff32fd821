from __future__ import annotations

from pathlib import Path

import pytest

from afstand.report.build import build_report


@pytest.fixture(scope="session")
def reference_data(reference) -> dict[str, Path]:
    return {"werkers": reference / "werkers.csv", "clienten": reference / "clienten.csv"}


@pytest.fixture(scope="session")
def full_report(tmp_path_factory, study, reference_data, reference) -> Path:
    """The reference study's report in every format, with coded open answers."""
    out = tmp_path_factory.mktemp("report") / "out"
    build_report(study, reference_data, out, codings=reference / "open-answers.jsonl")
    return out


@pytest.fixture(scope="session")
def html_report(tmp_path_factory, study, reference_data) -> Path:
    """HTML only, no coded answers: a second, independent build."""
    out = tmp_path_factory.mktemp("report-html") / "out"
    build_report(study, reference_data, out, formats=("html",))
    return out


@pytest.fixture(scope="session")
def demo_full_report(tmp_path_factory, study, demo_data, demo_codings) -> Path:
    """The seeded demo study's report in every format, with the labelled sample of coded open answers (runs without ../shared)."""
    out = tmp_path_factory.mktemp("demo-report-full") / "out"
    build_report(study, demo_data, out, codings=demo_codings)
    return out


@pytest.fixture(scope="session")
def study_full_report(request) -> Path:
    """The full report of the reference study when ../shared is there, else the demo study's (no extra build)."""
    from tests.conftest import REFERENCE

    return request.getfixturevalue("full_report" if (REFERENCE / "items.csv").is_file() else "demo_full_report")


@pytest.fixture(scope="session")
def demo_html_report(tmp_path_factory, study, demo_data) -> Path:
    """HTML only, a second, independent build of the demo study's report."""
    out = tmp_path_factory.mktemp("demo-report-html") / "out"
    build_report(study, demo_data, out, formats=("html",), workers=1)
    return out
