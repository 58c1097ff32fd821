"""Every form of ../shared/xlsform-corpus completed once through the respondent pages (Django's
test client, no JavaScript): the test reads each rendered page's fields, fills them from a
generated valid response (namespaced repeat fields included), sends the page and follows the
redirect (post/redirect/get), then sends the review page; the stored response must equal the
server's check of the generated one (calculations included)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from afstand.demo_form import generate_submissions
from afstand.responses.submission import check_submission, split_error_key
from afstand.services import studies
from afstand.web.models import Response, Study
from tests.helpers import EACH_FORM, action_of

pytestmark = pytest.mark.django_db
PAGE_FIELDS = {"instances", "action", "lang", "via", "i", "k"}


class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "textarea", "select") and a.get("name"):
            if a.get("type") == "hidden":
                self.hidden[a["name"]] = a.get("value", "")
            elif a["name"] not in self.names:
                self.names.append(a["name"])


def _value(instrument, answers: dict, field: str):
    scope, key = split_error_key(field[2:]) if field.startswith("q-") else ((), field)
    container = answers
    for repeat, index in scope:
        instances = container.get(repeat) or []
        if index >= len(instances):
            return None
        container = instances[index]
    value = container.get(key)
    if value is None or key not in instrument.items:
        return None
    return value.split() if instrument.items[key].type == "select_multiple" else [value]


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_corpus_form_completes_on_the_survey_pages(client, name):
    """Every form of the corpus; without ../shared, every XLSForm of the study folders."""
    study = Study.objects.create(slug="corpus", title="Corpus")
    slug = Path(name).stem.replace("_", "-").lower()
    version = studies.add_version(study, slug, name, EACH_FORM[name].read_bytes())
    instrument = studies.instrument_for(version)
    answers = generate_submissions(instrument, 1, seed=9)[0]
    url = f"/s/corpus/{slug}"
    page = client.get(url)
    for _ in range(60):
        html = page.content.decode()
        if "withdrawal-code" in html:
            break
        assert page.status_code == 200 and 'id="errors"' not in html, html[html.find("<h1") :][:3000]
        if 'value="send"' in html:  # the review page: send
            sent = client.post(re.search(r'<form method="post" action="([^"]+)"', html).group(1), {"action": "send"})
            assert sent.status_code == 303
            page = client.get(sent["Location"])
            continue
        fields = Fields()
        fields.feed(html)
        data: dict[str, list[str]] = {**{k: [v] for k, v in fields.hidden.items()}, "action": ["next"]}
        names = [n for n in fields.names if n not in PAGE_FIELDS]
        if "instances" in fields.hidden:  # a repeat page: every instance of the generated response
            repeat = split_error_key(names[0][2:])[0][0][0] if names else None
            count = len(answers.get(repeat) or []) if repeat else 0
            data["instances"] = [str(max(1, count))]
            first = [n for n in names if n.startswith(f"q-{repeat}[1]/")]
            names = [n.replace(f"q-{repeat}[1]/", f"q-{repeat}[{i + 1}]/", 1) for i in range(count) for n in first]
        for field in names:
            value = _value(instrument, answers, field)
            if value:
                data[field] = value
        posted = client.post(action_of(page), data)
        assert posted.status_code == 303, posted.content.decode()[:300]
        page = client.get(posted["Location"])
    else:
        pytest.fail("the survey did not end")
    assert Response.objects.get(instrument_version=version).answers == check_submission(instrument, answers).answers
