"""Small helpers for tests: inline markdown XLSForms, writing CSVs."""

from __future__ import annotations

import textwrap
from pathlib import Path


def md_form(tmp_path: Path, text: str, name: str = "form.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


MINI_FORM = """
| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | required | relevant | constraint | consent_choice | dimension | key |
| | select_one yn | consent | Doe je mee? | Do you take part? | yes | | | ja | | |
| | begin_group | g | Vragen | Questions | | ${consent} = 'ja' | | | | |
| | integer | age | Leeftijd | Age | | | . >= 16 and . <= 99 | | | |
| | decimal | years | Jaren | Years | | | | | | |
| | select_one agree | s1 | Stelling 1 | Statement 1 | | | | | d | 1 |
| | select_one agree | s2 | Stelling 2 | Statement 2 | | | | | d | -1 |
| | select_multiple fruit | fruit | Fruit | Fruit | | | | | | |
| | text | why | Waarom? | Why? | | | | | | |
| | end_group | | | | | | | | | |
| choices |
| | list_name | name | label::Nederlands (nl) | label::English (en) | score | collapse |
| | yn | ja | Ja | Yes | | |
| | yn | nee | Nee | No | | |
| | agree | oneens | Oneens | Disagree | 1 | oneens |
| | agree | neutraal | Neutraal | Neutral | 2 | neutraal |
| | agree | eens | Eens | Agree | 3 | eens |
| | fruit | appel | Appel | Apple | | |
| | fruit | peer | Peer | Pear | | |
| | fruit | kers | Kers | Cherry | | |
| settings |
| | form_title | form_id | version | default_language |
| | Mini | mini | 1 | Nederlands (nl) |
"""
