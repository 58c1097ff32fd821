"""Every AFSTAND_* setting is in one module (afstand.config) and documented for users."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from afstand import config
from afstand.errors import AfstandError

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\bAFSTAND_[A-Z][A-Z0-9_]*\b")


def _read_in_src() -> dict[str, str]:
    """Every AFSTAND_* name in the source, with one file that mentions it."""
    found = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def _documentation() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def test_every_setting_read_in_src_is_in_the_one_list():
    unlisted = {name: where for name, where in _read_in_src().items() if name not in config.SETTINGS}
    assert unlisted == {}, "add these to afstand.config.SETTINGS"


def test_every_setting_is_documented_with_its_default():
    docs = _documentation()
    undocumented = [name for name in list(config.SETTINGS) + list(_read_in_src()) if f"`{name}`" not in docs]
    assert undocumented == [], "document these in docs/configuration.md"
    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for setting in config.SETTINGS.values():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{setting.name}` |"))
        assert setting.doc in row, setting.name


def test_settings_are_read_only_through_the_config_module():
    """No os.environ lookups of AFSTAND_* settings outside afstand.config (the server sets a few for its children)."""
    offenders = []
    for path in (ROOT / "src").rglob("*.py"):
        if path.name == "config.py" and path.parent.name == "afstand":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"os\.environ(\.get)?\(\s*[\"']AFSTAND_|getenv\(\s*[\"']AFSTAND_", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_the_old_default_study_setting_is_gone():
    assert "AFSTAND_DEFAULT_STUDY" not in _read_in_src()


def test_values_are_typed_and_bad_ones_name_the_setting():
    assert config.get("AFSTAND_DRAFT_DAYS", {}) == 30
    assert config.get("AFSTAND_DRAFT_DAYS", {"AFSTAND_DRAFT_DAYS": "7"}) == 7
    assert config.get("AFSTAND_DRAFT_DAYS", {"AFSTAND_DRAFT_DAYS": " "}) == 30
    assert config.get("AFSTAND_HTTPS", {"AFSTAND_HTTPS": "1"}) is True
    assert config.get("AFSTAND_ALLOWED_HOSTS", {"AFSTAND_ALLOWED_HOSTS": "a.nl, b.nl,"}) == ["a.nl", "b.nl"]
    with pytest.raises(AfstandError, match="AFSTAND_DRAFT_DAYS='abc': expected a whole number"):
        config.get("AFSTAND_DRAFT_DAYS", {"AFSTAND_DRAFT_DAYS": "abc"})
    with pytest.raises(AfstandError, match="AFSTAND_HTTPS='yes': expected 0 or 1"):
        config.get("AFSTAND_HTTPS", {"AFSTAND_HTTPS": "yes"})


def test_the_default_study_name_is_written_once():
    """The bundled study's id appears in afstand's source only as the default of AFSTAND_STUDY."""
    study_id = config.SETTINGS["AFSTAND_STUDY"].default
    places = [str(p.relative_to(ROOT)) for p in (ROOT / "src").rglob("*.py") if f'"{study_id}"' in p.read_text(encoding="utf-8")]
    assert places == ["src/afstand/config.py"]
