"""The gateway's layers import downward only (docs/adding-a-resource.md):

    routes -> services -> store        models -> store (records, for the mappers)

A route that imports a route, or a service that reaches up into routes or wire models, is how
flows and cascades ended up spread over route modules; this test keeps them where they belong.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GATEWAY = Path(__file__).resolve().parents[2] / "gateway"

# layer -> the gateway packages it must not import
FORBIDDEN = {
    "routes": ("gateway.routes",),
    "services": ("gateway.routes", "gateway.models"),
    "models": ("gateway.routes", "gateway.services"),
    "store": ("gateway.routes", "gateway.services", "gateway.models"),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


# Route modules still in the old shape (issue 15); each leaves this list as it moves, and
# strict xfail makes that removal due the moment it moves.
STILL_TO_MOVE = {
    "accounts.py", "auth.py", "me.py",
}  # fmt: skip


def _modules() -> list[object]:
    return [
        pytest.param(
            layer,
            path,
            id=f"{layer}/{path.name}",
            marks=[pytest.mark.xfail(strict=True)]
            if layer == "routes" and path.name in STILL_TO_MOVE
            else [],
        )
        for layer in FORBIDDEN
        for path in sorted((GATEWAY / layer).glob("*.py"))
        if path.name != "__init__.py"
    ]


@pytest.mark.parametrize(("layer", "path"), _modules())
def test_layers_import_downward(layer: str, path: Path) -> None:
    bad = sorted(
        name
        for name in _imports(path)
        for banned in FORBIDDEN[layer]
        if name == banned or name.startswith(banned + ".")
    )
    assert not bad, f"gateway/{layer}/{path.name} imports {bad}"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from gateway.routes.plans import PlanName\n")
    assert "gateway.routes.plans" in _imports(module)
