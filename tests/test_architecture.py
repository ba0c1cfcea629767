"""The module layout docs/architecture.md describes: imports run downward only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assess_rules import kinds
from assess_rules.kinds import KINDS
from assess_rules.pack import Rule

KINDS_DIR = Path(kinds.__file__).parent
ABOVE_KINDS = {
    "evaluation",
    "loading",
    "reporting",
    "cli",
    "scenarios",
    "caseload",
    "testing",
    "site",
}
SRC = KINDS_DIR.parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted(KINDS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_kinds_import_only_what_is_below_them(path: Path) -> None:
    for module in _imports(path):
        parts = module.split(".")
        if parts[0] == "assess_rules" and len(parts) > 1:
            assert parts[1] not in ABOVE_KINDS, f"{path.name} imports {module}"


def test_every_rule_model_has_one_kind() -> None:
    models = {kind.model for kind in KINDS.values()}
    union = set(Rule.__origin__.__args__)  # type: ignore[attr-defined]
    assert models == union
    assert len(models) == len(KINDS)


def test_the_svg_charts_know_nothing_of_packs() -> None:
    """``svg`` draws plain data: it imports nothing of the library."""
    assert not any(m.startswith("assess_rules") for m in _imports(SRC / "svg.py"))


def test_only_the_cli_imports_the_site() -> None:
    """The docs site is at the top, beside the CLI: nothing else imports it."""
    for path in SRC.rglob("*.py"):
        if path.name not in ("cli.py", "site.py"):
            assert "assess_rules.site" not in _imports(path), path
