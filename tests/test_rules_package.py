"""jopanel_rules, the rules both sides import, stays dependency-free (no sandbox needed): the
gateway (never root) and the agent (root) must both be able to import it alone."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "jopanel_rules"


def imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_rules_import_only_the_standard_library() -> None:
    modules = {path.name: imported_modules(path.read_text()) for path in RULES.glob("*.py")}
    assert len(modules) >= 5
    outside = {
        name: sorted(found - set(sys.stdlib_module_names) - {"__future__", "jopanel_rules"})
        for name, found in modules.items()
    }
    assert outside == {name: [] for name in modules}
