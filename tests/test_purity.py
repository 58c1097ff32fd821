"""Import rules between the layers, checked on the source (every import, also inside functions):

* the core (everything in ``afstand`` except ``web``, ``services`` and the CLI) imports neither
  Django nor ``afstand.services``, ``afstand.web`` or ``afstand.cli``;
* ``afstand.web`` (views, settings, template tags) imports services, never the core;
* ``afstand.services`` imports from ``afstand.web`` only the models, never a view;
* the CLI never imports a view;
* ``afstand.config`` (the list of AFSTAND_* settings) may be read by every layer.

And the core runs without loading Django at all.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "afstand"
FRONT_ENDS = {"web", "services", "cli", "cli_code"}  # everything else in afstand is the core


def _layer(relative: Path) -> str:
    top = relative.parts[0].removesuffix(".py")
    if top == "web":
        return "web"
    if top == "services":
        return "services"
    if top in ("cli", "cli_code"):
        return "cli"
    return "core"


def _module_of(target: str) -> str:
    """The layer an imported module belongs to (``other`` for anything outside afstand)."""
    parts = target.split(".")
    if parts[0] == "django":
        return "django"
    if parts[0] != "afstand" or len(parts) == 1:
        return "other"
    if parts[1] == "config":
        return "config"  # the AFSTAND_* settings: read by every layer (Django's settings too)
    if parts[1] == "web":
        return "web.models" if parts[2:3] == ["models"] else "web"
    return {"services": "services", "cli": "cli", "cli_code": "cli"}.get(parts[1], "core")


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file; relative imports resolved against ``package``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.append((node.lineno, base))
            # ``from afstand import analysis`` imports the module named by the alias
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if base == "afstand"]
    return found


FORBIDDEN = {
    "core": {"django", "services", "web", "web.models", "cli"},
    "web": {"core", "cli"},
    "services": {"web", "cli"},  # web.models is allowed
    "cli": {"web"},  # the CLI starts the server through web.config only
}


def rule_violations(root: Path) -> list[str]:
    """Every import in the package at ``root`` that breaks a rule, as ``path:line: layer imports module``."""
    out = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "__init__.py" or "migrations" in relative.parts:
            continue
        layer = _layer(relative)
        package = ".".join(("afstand",) + relative.parts[:-1])
        for line, target in _imports(path, package):
            kind = _module_of(target)
            if layer == "cli" and target.startswith("afstand.web.config"):
                continue  # configure, migrate and serve
            if kind in FORBIDDEN[layer]:
                out.append(f"{relative}:{line}: {layer} imports {target}")
    return out


def test_import_rules_hold():
    assert rule_violations(SRC) == []


def test_a_view_importing_the_core_is_caught(tmp_path):
    root = tmp_path / "afstand"
    shutil.copytree(SRC, root, ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"))
    (root / "web" / "research" / "sneaky.py").write_text("def view(request):\n    from afstand.analysis.summary import analyze\n")
    (root / "services" / "backdoor.py").write_text("from afstand.web.research import monitor\n")
    (root / "analysis" / "leak.py").write_text("from ..services import studies\nimport django.db\n")
    assert rule_violations(root) == [
        "analysis/leak.py:1: core imports afstand.services",
        "analysis/leak.py:2: core imports django.db",
        "services/backdoor.py:1: services imports afstand.web.research",
        "web/research/sneaky.py:2: web imports afstand.analysis.summary",
    ]


def test_core_runs_without_loading_django():
    code = (
        "import sys, afstand.instrument.loader, afstand.responses, afstand.analysis.summary, afstand.study, afstand.demo,"
        " afstand.coding.suggest, afstand.report.build;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_modules_stay_small():
    too_long = {p.name: n for p in SRC.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert too_long == {}


def test_tests_never_import_from_another_test_module():
    """Shared test code lives in tests/helpers.py, conftest.py or a helper module (tests/web/live.py), not in a test module."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for line, target in _imports(path, "tests"):
            if target.startswith("tests.") and target.split(".")[-1].startswith("test_"):
                offenders.append(f"{path.relative_to(tests)}:{line}: {target}")
    assert offenders == []
