"""Every form of ../shared/xlsform-corpus through the web: upload (add_version), the JSON API
accepts the demo answers (201), and the export (one table per repeat, Kobo's layout) analyses to
the counts that were sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afstand.analysis.summary import analyze
from afstand.demo_form import generate_submissions, submission_lines
from afstand.responses import load_responses
from afstand.responses.tables import MAIN, section, table_items
from afstand.services import exports, results, studies
from afstand.web.models import Response, Study
from tests.helpers import EACH_FORM, repeat_containers, sent_counts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_corpus_form_uploads_collects_exports_and_analyses(client, tmp_path, name):
    """Every form of the corpus; without ../shared, every XLSForm of the study folders."""
    study = Study.objects.create(slug="corpus", title="Corpus")
    slug = Path(name).stem.replace("_", "-").lower()
    version = studies.add_version(study, slug, name, EACH_FORM[name].read_bytes())
    instrument = studies.instrument_for(version)
    payloads = submission_lines(generate_submissions(instrument, 12, seed=4), seed=4)
    for payload in payloads:
        answer = client.post(f"/api/v1/studies/corpus/surveys/{slug}/responses", data=json.dumps(payload), content_type="application/json")
        assert answer.status_code == 201, answer.content
    assert Response.objects.filter(instrument_version=version).count() == len(payloads)
    stored, _ = results.analyze_stored("corpus", slug)  # the results page's analysis: the main table
    assert stored["n_consented"] == len(payloads)
    found = exports.tables("corpus", slug) if instrument.repeats else {MAIN: exports.rows("corpus", slug)}
    if instrument.repeats:  # the XLSX export: one sheet per table, as Kobo's
        import openpyxl

        assert exports.export("corpus", slug, "xlsx", tmp_path / "export.xlsx") == len(payloads)
        workbook = openpyxl.load_workbook(tmp_path / "export.xlsx", read_only=True)
        assert workbook.sheetnames == [slug] + [g.name for g in instrument.repeats]
        for table, (_, data) in found.items():
            sheet = workbook[slug if table == MAIN else table]
            assert sum(1 for _ in sheet.iter_rows()) == len(data) + 1
    for table, (header, data) in found.items():
        repeat = None if table == MAIN else table
        path = tmp_path / f"{table}.csv"
        with path.open("wb") as handle:
            exports.write(header, data, "csv", handle)
        result = analyze(load_responses(path, section(instrument, repeat)))
        # the database's order is not the order sent: compare totals over all responses
        containers = [c for p in payloads for c in repeat_containers(p["answers"], instrument, repeat)]
        assert result["n_consented"] == len(containers)
        for key in table_items(instrument, repeat):
            expected = sent_counts(instrument, containers, key)
            if key == instrument.consent_item:  # a form with a consent question: it is the base, not an item
                assert expected["counts"][instrument.consent_choice] == result["n_consented"], key
            elif expected:
                assert {k: result["items"][key][k] for k in expected} == expected, (table, key)
