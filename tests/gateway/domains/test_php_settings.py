"""PHP settings per site and pool limits per account through the REST API, within the plan's
bounds: 400 outside what the document states, 422 above the plan, and nothing reaches the agent
either way."""

from __future__ import annotations

from typing import Any

import pytest
from jopanel.agent.web.v1 import web_pb2 as web_pb

from tests.gateway.conftest import Api

SETTINGS = "/api/v1/domains/shop.example.com/php-settings"
DEFAULTS = {
    "memory_limit_mb": 256,
    "upload_max_filesize_mb": 64,
    "post_max_size_mb": 64,
    "max_execution_time_seconds": 60,
    "max_input_vars": 1000,
    "display_errors": False,
}


async def php_site(api: Api, token: str, name: str = "shop.example.com") -> None:
    status, body = await api.call("POST", "/api/v1/domains", token, json={"name": name})
    assert status == 201, body


async def test_an_owner_raises_its_upload_limit_and_the_agent_gets_every_value(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    await php_site(api, alice)
    await php_site(api, alice, "blog.example.com")
    status, body = await api.call("GET", SETTINGS, alice)
    assert status == 200, body
    assert {k: v for k, v in body.items() if k != "bounds"} == DEFAULTS
    assert body["bounds"]["memory_limit_mb"] == 8192

    change = {"upload_max_filesize_mb": 32, "post_max_size_mb": 40, "display_errors": True}
    status, body = await api.call("PATCH", SETTINGS, alice, json=change)
    assert status == 200, body
    assert body["upload_max_filesize_mb"] == 32
    assert body["memory_limit_mb"] == 256
    sent = api.web.domains["shop.example.com"].php
    assert sent.version == "8.2"
    assert sent.settings == web_pb.PhpSettings(
        memory_limit_mb=256,
        upload_max_filesize_mb=32,
        post_max_size_mb=40,
        max_execution_time_seconds=60,
        max_input_vars=1000,
        display_errors=True,
    )
    # The other site keeps its own (defaults); a new PHP version keeps the settings.
    assert not api.web.domains["blog.example.com"].php.HasField("settings")
    status, _ = await api.call(
        "PATCH",
        "/api/v1/domains/shop.example.com",
        alice,
        json={"backend": {"type": "php", "version": "8.2"}},
    )
    assert status == 200
    assert api.web.domains["shop.example.com"].php.settings.post_max_size_mb == 40
    assert (await api.call("GET", SETTINGS, alice))[1]["post_max_size_mb"] == 40


@pytest.mark.parametrize(
    "body",
    [
        {"memory_limit_mb": "1G\nopen_basedir=/"},
        {"memory_limit_mb": "1G"},
        {"memory_limit_mb": "256M"},
        {"upload_max_filesize_mb": "1T"},
        {"memory_limit_mb": ";"},
        {"memory_limit_mb": '"'},
        {"memory_limit_mb": 8193},
        {"memory_limit_mb": 31},
        {"memory_limit_mb": 2**64},
        {"memory_limit_mb": 1.5},
        {"max_execution_time_seconds": 301},
        {"max_input_vars": 99},
        {"display_errors": "On"},
        {"open_basedir": "/"},
    ],
)
async def test_hostile_values_are_400_and_never_reach_the_agent(
    api: Api, admin: str, body: dict[str, Any]
) -> None:
    alice = await api.owner(admin)
    await php_site(api, alice)
    sent = api.web.domains["shop.example.com"].SerializeToString()
    status, problem = await api.call("PATCH", SETTINGS, alice, json=body)
    assert status == 400, problem
    assert api.web.domains["shop.example.com"].SerializeToString() == sent


async def test_above_the_plans_bound_is_422(api: Api, admin: str) -> None:
    status, _ = await api.call(
        "POST",
        "/api/v1/plans",
        admin,
        json={"name": "small", "max_php_memory_mb": 128, "max_php_upload_mb": 16},
    )
    assert status == 201
    alice = await api.owner(admin, plan="small")
    await php_site(api, alice)
    sent = api.web.domains["shop.example.com"].SerializeToString()
    # Its defaults are above this plan's bounds: they stay until changed, then must fit.
    for body, field in [
        ({"memory_limit_mb": 129, "upload_max_filesize_mb": 16, "post_max_size_mb": 16},
         "memory_limit_mb"),
        ({"memory_limit_mb": 128, "upload_max_filesize_mb": 17, "post_max_size_mb": 16},
         "upload_max_filesize_mb post_max_size_mb"),
        ({"memory_limit_mb": 128, "upload_max_filesize_mb": 16, "post_max_size_mb": 8},
         "post_max_size_mb"),
    ]:  # fmt: skip
        status, problem = await api.call("PATCH", SETTINGS, alice, json=body)
        assert status == 422, problem
        assert [e["field"] for e in problem["errors"]] == field.split()
        assert api.web.domains["shop.example.com"].SerializeToString() == sent
    fits = {"memory_limit_mb": 128, "upload_max_filesize_mb": 16, "post_max_size_mb": 16}
    status, body = await api.call("PATCH", SETTINGS, alice, json=fits)
    assert status == 200, body
    assert body["bounds"]["memory_limit_mb"] == 128


async def test_other_accounts_sites_and_non_php_sites(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    mallory = await api.owner(admin, "mallory")
    await php_site(api, alice)
    for name in ("shop.example.com", "example.com", "www.shop.example.com"):
        path = f"/api/v1/domains/{name}/php-settings"
        assert (await api.call("GET", path, mallory))[0] == 404
        status, _ = await api.call("PATCH", path, mallory, json={"memory_limit_mb": 512})
        assert status == 404
    status, _ = await api.call(
        "POST",
        "/api/v1/domains",
        alice,
        json={"name": "static.example.com", "backend": {"type": "static"}},
    )
    assert status == 201
    path = "/api/v1/domains/static.example.com/php-settings"
    assert (await api.call("PATCH", path, alice, json={"memory_limit_mb": 512}))[0] == 409


async def test_pool_limits_within_the_plan(api: Api, admin: str) -> None:
    status, _ = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "small", "max_php_children": 4}
    )
    assert status == 201
    alice = await api.owner(admin, plan="small")
    mallory = await api.owner(admin, "mallory")
    pool = "/api/v1/accounts/alice/php-pool"
    status, body = await api.call("GET", pool, alice)
    default = {
        "pm": "ondemand",
        "max_children": 8,
        "max_children_bound": 4,
        "open_basedir": True,
        "static_allowed": False,
    }
    assert (status, body) == (200, default)
    status, body = await api.call("PATCH", pool, alice, json={"pm": "dynamic", "max_children": 3})
    assert (status, body["pm"], body["max_children"]) == (200, "dynamic", 3)
    assert api.web.pool_limits["alice"] == (web_pb.PROCESS_MANAGER_DYNAMIC, 3)
    status, problem = await api.call("PATCH", pool, alice, json={"max_children": 5})
    assert status == 422, problem
    for body in ({"max_children": 0}, {"max_children": 65}, {"pm": "STATIC"}, {"x": 1}):
        assert (await api.call("PATCH", pool, alice, json=body))[0] == 400
    assert api.web.pool_limits["alice"] == (web_pb.PROCESS_MANAGER_DYNAMIC, 3)
    assert (await api.call("GET", pool, mallory))[0] == 404
    assert (await api.call("PATCH", pool, mallory, json={"max_children": 1}))[0] == 404
    assert (await api.call("GET", "/api/v1/accounts/alice/php-pool", admin))[1]["max_children"] == 3
