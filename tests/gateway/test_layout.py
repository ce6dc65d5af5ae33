"""The gateway's layers import downward only (docs/adding-a-resource.md):

    routes -> services -> store        models -> store (records, for the mappers)

A route that imports a route, or a service that reaches up into routes or wire models, is how
flows and cascades ended up spread over route modules; this test keeps them where they belong.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from aiohttp import web

from gateway.api import Access, Call, Operation, add_operations
from gateway.models.cron_jobs import CronJobCreate, CronJobUpdate

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


def _modules() -> list[object]:
    return [
        pytest.param(layer, path, id=f"{layer}/{path.name}")
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


def test_a_handler_must_take_the_body_its_operation_validates() -> None:
    """add_operations refuses, at start-up, a handler typed for another body than the one its
    operation validates: `call.body` is then what mypy says it is."""

    async def handler(call: Call[CronJobUpdate]) -> web.StreamResponse:
        return web.Response()

    wrong = Operation("POST", "/x", handler, "x", "x", "x", Access.ADMIN, body=CronJobCreate)
    with pytest.raises(TypeError, match="CronJobUpdate"):
        add_operations(web.Application(), [wrong])
    right = Operation("POST", "/x", handler, "x", "x", "x", Access.ADMIN, body=CronJobUpdate)
    add_operations(web.Application(), [right])
