"""The gateway serves the built SPA beside the API (make run; production's nginx serves it
itself): every client-side route gets index.html, but nothing under /api/ does."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.__main__ import ensure_admin
from gateway.app import create_app
from gateway.config import GatewayConfig
from tests.gateway.conftest import ADMIN_PASSWORD


@pytest.fixture
async def client(config: GatewayConfig, tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    (tmp_path / "index.html").write_text("<!doctype html><title>JoPanel</title>")
    await ensure_admin(config, "admin", ADMIN_PASSWORD)
    app = create_app(dataclasses.replace(config, static_dir=str(tmp_path)))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def test_a_client_side_route_gets_the_spa(client: TestClient[Any, Any]) -> None:
    response = await client.get("/panel/cron-jobs")
    assert response.status == 200
    assert "JoPanel" in await response.text()


async def test_an_unknown_api_path_is_the_api_s_404(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status in (401, 404)  # without a token, the API asks for one first
    assert response.content_type == "application/problem+json"


async def test_a_post_only_route_s_405_names_post_only(client: TestClient[Any, Any]) -> None:
    """RFC 9110: Allow lists the methods the resource has; the SPA's GET is not one of them."""
    login = {"username": "admin", "password": ADMIN_PASSWORD}
    token = (await (await client.post("/api/v1/auth/login", json=login)).json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    # /api/v1/invoices/run is a concrete path: GET /api/v1/invoices/{id} does not take it.
    for path in ("/api/v1/auth/login", "/api/v1/domains/a.test/move", "/api/v1/invoices/run"):
        response = await client.get(path, headers=headers)
        assert response.status == 405, path
        assert response.headers["Allow"] == "POST", path
        assert response.content_type == "application/problem+json"
        response = await client.options(path, headers=headers)
        assert (response.status, response.headers["Allow"]) == (405, "POST"), path
