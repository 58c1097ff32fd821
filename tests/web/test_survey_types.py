"""The survey pages with the form engine's types: native date/time inputs, acknowledge, decimal
comma, calculations kept off the page and stored, choice_filter and ${} in labels."""

from __future__ import annotations

import re

import pytest

from afstand.services import adapter
from afstand.web.models import Response, Study
from tests.web.test_survey import step

pytestmark = pytest.mark.django_db

FORM = b"""| survey |
| | type | name | label | choice_filter | calculation |
| | text | name | Your name? | | |
| | select_one states | state_of | State | | |
| | select_one counties | county | County of ${name} | ${state_of}=cf | |
| | date | day | Day | | |
| | time | at | Time | | |
| | datetime | moment | Moment | | |
| | decimal | share | Share | | |
| | acknowledge | ok | I have read this, ${name} | | |
| | calculate | greeting | | | concat('Hi ', ${name}) |
| choices |
| | list_name | name | label | cf |
| | states | texas | Texas | |
| | states | washington | Washington | |
| | counties | king | King | washington |
| | counties | cameron | Cameron | texas |
| settings |
| | form_title | form_id |
| | Types | types |
"""


def test_new_types_on_the_survey_page(client):
    study = Study.objects.create(slug="types", title="Types")
    adapter.add_version(study, "types", "types.md", FORM)
    url = "/s/types/types"
    page = client.get(url)
    html = page.content.decode()
    assert 'type="date"' in html and 'type="time"' in html and 'type="datetime-local"' in html
    assert 'name="greeting"' not in html  # a calculation is the server's
    assert 'value="OK"' in html
    again = step(client, url, page, name="Ann", state_of="texas", county="king", day="2024-02-30", share="0,5", ok="OK")
    text = again.content.decode()
    assert again.status_code == 400
    shown = re.sub(r"\s+", " ", text)
    assert "County of Ann" in shown and "I have read this, Ann" in shown  # ${} interpolated
    assert 'value="king"' not in text and 'value="cameron"' in text  # only the counties of Texas are offered
    done = step(client, url, again, name="Ann", state_of="texas", county="cameron", day="2024-02-29", at="09:30",
                moment="2024-02-29T09:30", share="0,5", ok="OK")
    assert done.status_code == 200 and "withdrawal-code" in done.content.decode(), done.content.decode()[:800]
    assert Response.objects.get().answers == {"name": "Ann", "state_of": "texas", "county": "cameron", "day": "2024-02-29", "at": "09:30",
                                              "moment": "2024-02-29T09:30", "share": "0.5", "ok": "OK", "greeting": "Hi Ann"}
