"""A site's logs through the REST API: the last lines, a search, the follow as server-sent
events; only the domain's owner (and administrators) reach them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jopanel.agent.web.v1 import web_pb2 as web_pb

from tests.gateway.conftest import Api

PHP = web_pb.SITE_LOG_PHP_ERROR
ACCESS = web_pb.SITE_LOG_ACCESS


async def site(api: Api, token: str, name: str) -> None:
    status, body = await api.call("POST", "/api/v1/domains", token, json={"name": name})
    assert status == 201, body


async def test_an_owner_reads_and_searches_its_sites_logs(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await site(api, alice, "shop.example.com")
    api.web.append_log("shop.example.com", PHP, "PHP Warning: one", "PHP Notice: two")
    api.web.append_log("shop.example.com", ACCESS, '1.2.3.4 - - "GET / HTTP/1.1" 200')

    status, body = await api.call("GET", "/api/v1/domains/shop.example.com/logs/php-error", alice)
    assert status == 200, body
    assert body == {
        "log": "php-error",
        "lines": ["PHP Warning: one", "PHP Notice: two"],
        "truncated": False,
    }
    path = "/api/v1/domains/shop.example.com/logs/php-error?contains=Notice&lines=5"
    assert (await api.call("GET", path, alice))[1]["lines"] == ["PHP Notice: two"]
    status, body = await api.call("GET", "/api/v1/domains/shop.example.com/logs/access", admin)
    assert (status, body["lines"]) == (200, ['1.2.3.4 - - "GET / HTTP/1.1" 200'])


async def test_another_accounts_domain_and_unknown_logs_are_404(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    mallory = await api.owner(admin, "mallory")
    await site(api, alice, "shop.example.com")
    api.web.append_log("shop.example.com", PHP, "alice's secret")
    await site(api, mallory, "evil.example.com")
    for name in ("shop.example.com", "example.com", "www.shop.example.com", "xshop.example.com"):
        for suffix in ("", "/follow"):
            path = f"/api/v1/domains/{name}/logs/php-error{suffix}"
            status, body = await api.call("GET", path, mallory)
            assert status == 404, (path, body)
            assert "secret" not in json.dumps(body)
    for log in ("error", "php-error.log", "..", "access%2F..%2Fshadow"):
        path = f"/api/v1/domains/shop.example.com/logs/{log}"
        assert (await api.call("GET", path, alice))[0] == 404, log
    assert (await api.call("GET", "/api/v1/domains/shop.example.com/logs/access"))[0] == 401


@pytest.mark.parametrize(
    "query",
    [
        "lines=0",
        "lines=1001",
        "lines=x",
        "contains=" + "a" * 201,
        "contains=a%0Ab",
        "contains=%00",
        "contains=%1B%5B31m",
        "other=1",
    ],
)
async def test_hostile_queries_are_400_and_never_reach_the_agent(
    api: Api, admin: str, query: str
) -> None:
    alice = await api.owner(admin)
    await site(api, alice, "shop.example.com")
    calls = len(api.web.calls)
    path = f"/api/v1/domains/shop.example.com/logs/php-error?{query}"
    status, body = await api.call("GET", path, alice)
    assert status == 400, body
    assert len(api.web.calls) == calls


async def test_a_log_the_account_replaced_is_409(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await site(api, alice, "shop.example.com")
    api.web.plant_in_log("shop.example.com", PHP)
    for suffix in ("", "/follow"):
        path = f"/api/v1/domains/shop.example.com/logs/php-error{suffix}"
        status, body = await api.call("GET", path, alice)
        assert status == 409, body


async def events(api: Api, path: str, token: str, wanted: int) -> list[tuple[str, Any]]:
    """The first `wanted` events of a server-sent event stream, (event, data)."""
    response = await api.client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "text/event-stream"
    found: list[tuple[str, Any]] = []
    event = ""
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            found.append((event, json.loads(line.removeprefix("data: "))))
            if len(found) == wanted:
                break
        elif line.startswith(":") and not found:
            # The stream is open: lines written from now on are followed.
            api.web.append_log("shop.example.com", PHP, "first new", "second new")
    response.close()
    return found


async def test_following_a_log_streams_new_lines(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await site(api, alice, "shop.example.com")
    api.web.append_log("shop.example.com", PHP, "written before")
    path = "/api/v1/domains/shop.example.com/logs/php-error/follow"
    assert await events(api, path, alice, 1) == [("lines", {"lines": ["first new", "second new"]})]


async def test_sites_keep_their_logs_as_long_as_the_plan_says(api: Api, admin: str) -> None:
    status, _ = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "long", "log_retention_days": 30}
    )
    assert status == 201
    alice = await api.owner(admin, plan="long")
    await site(api, alice, "shop.example.com")
    assert api.web.domains["shop.example.com"].log_retention_days == 30
    # A plan changed later reaches its sites at the next reconcile.
    status, _ = await api.call("PATCH", "/api/v1/plans/long", admin, json={"log_retention_days": 7})
    assert status == 200
    status, report = await api.call("POST", "/api/v1/reconcile", admin)
    assert status == 200, report
    assert api.web.domains["shop.example.com"].log_retention_days == 7
    for days in (0, 366, "14", None):
        body = {"log_retention_days": days}
        assert (await api.call("PATCH", "/api/v1/plans/long", admin, json=body))[0] == 400
