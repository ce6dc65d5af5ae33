"""The gateway's layers import downward only (docs/adding-a-resource.md):

    routes -> services -> store        models -> store (records, for the mappers)

A route that imports a route, or a service that reaches up into routes or wire models, is how
flows and cascades ended up spread over route modules; this test keeps them where they belong.

Across the trust boundary: the gateway (never root) never imports the agent's packages; a rule
both sides check lives in jopanel_rules, which imports neither side.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from aiohttp import web

from gateway.api import Access, Call, Operation, add_operations
from gateway.models.cron_jobs import CronJobCreate, CronJobUpdate

TOP = Path(__file__).resolve().parents[2]
GATEWAY = TOP / "gateway"
RULES = TOP / "jopanel_rules"

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


def _importing(folder: Path, packages: tuple[str, ...]) -> dict[str, list[str]]:
    """The modules under `folder` (recursively) that import any of `packages`, with what."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        bad = sorted(
            name
            for name in _imports(path)
            for package in packages
            if name == package or name.startswith(package + ".")
        )
        if bad:
            found[str(path.relative_to(folder.parent))] = bad
    return found


def test_the_gateway_never_imports_the_agent() -> None:
    """The rules it shares with the agent come from jopanel_rules; the agent itself only
    through its gRPC API (gen/)."""
    assert _importing(GATEWAY, ("agent",)) == {}


def test_the_shared_rules_import_neither_side() -> None:
    assert _importing(RULES, ("agent", "gateway")) == {}


def test_the_check_sees_an_import_across_the_boundary(tmp_path: Path) -> None:
    package = tmp_path / "gateway"
    (package / "routes").mkdir(parents=True)
    (package / "routes" / "m.py").write_text("from agent.validators.web import proxy_port\n")
    (package / "n.py").write_text("import agent.errors\nimport gateway.agent\n")
    (package / "ok.py").write_text("from gateway.agent import Agent\nimport agents\n")
    assert _importing(package, ("agent",)) == {
        "gateway/n.py": ["agent.errors"],
        "gateway/routes/m.py": ["agent.validators.web", "agent.validators.web.proxy_port"],
    }


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
