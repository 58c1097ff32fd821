"""Which pages the survey shows is read by the form engine: a group's condition may read a
calculation of earlier answers or a relative path, as it reads them when the response is checked
(Django's test client, no script)."""

from __future__ import annotations

import pytest

from afstand.services import studies
from afstand.web.models import Response, Study
from tests.helpers import h1, review_and_send, step

pytestmark = pytest.mark.django_db

FORM = b"""| survey |
| | type | name | label | relevant | calculation | required |
| | begin_group | start | Begin | | | |
| | integer | kids | Hoeveel kinderen? | | | yes |
| | end_group | | | | | |
| | calculate | many | | | if(${kids} > 2, 'ja', 'nee') | |
| | begin_group | family | Groot gezin | ${many} = 'ja' | | |
| | text | help | Welke hulp? | | | yes |
| | end_group | | | | | |
| | begin_group | small | Klein gezin | ../many = 'nee' | | |
| | text | plans | Welke plannen? | | | yes |
| | end_group | | | | | |
| settings |
| | form_title | form_id | | | | |
| | Gezin | gezin | | | | |
"""


@pytest.mark.parametrize(
    ("kids", "title", "field", "other"), [("4", "Groot gezin", "help", "plans"), ("1", "Klein gezin", "plans", "help")]
)
def test_a_group_condition_on_a_calculation_or_a_relative_path_decides_the_page(client, kids, title, field, other):
    study = Study.objects.create(slug="gezin", title="Gezin")
    studies.add_version(study, "gezin", "gezin.md", FORM)
    page = step(client, client.get("/s/gezin/gezin"), kids=kids)
    assert h1(page) == title  # the page whose condition holds, the other one skipped
    page = step(client, page, **{field: "Ja"})
    sent, _ = review_and_send(client, page)
    assert sent.status_code == 200
    stored = Response.objects.get().answers
    assert stored[field] == "Ja" and other not in stored and stored["many"] == ("ja" if kids == "4" else "nee")
