"""Proxy backends through the REST API: the account's own socket, or an allowed port (issue 11,
hole 4). The fake agent refuses socket paths outside the account's folder as the real one does
(tests/agent/test_web_backends.py shows the real agent, nginx and the attacks)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.conftest import Api

SITES = "/api/v1/domains"


def on_socket(path: str) -> dict[str, Any]:
    return {"type": "proxy", "socket_path": path}


def on_port(port: int) -> dict[str, Any]:
    return {"type": "proxy", "port": port}


async def test_an_owner_proxies_to_its_own_socket(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    path = "/home/.apps/alice/shop.sock"
    status, domain = await api.call(
        "POST", SITES, alice, json={"name": "shop.com", "backend": on_socket(path)}
    )
    assert status == 201, domain
    assert domain["backend"] == {"type": "proxy", "socket_path": path, "port": None}
    assert api.web.domains["shop.com"].proxy.socket_path == path
    status, again = await api.call("GET", f"{SITES}/shop.com", alice)
    assert (status, again["backend"]) == (200, domain["backend"])
    # And back to a port the server allows.
    status, domain = await api.call(
        "PATCH", f"{SITES}/shop.com", alice, json={"backend": on_port(20001)}
    )
    assert (status, domain["backend"]["port"]) == (200, 20001)
    assert api.web.domains["shop.com"].proxy.WhichOneof("target") == "port"


@pytest.mark.parametrize(
    ("backend", "field"),
    [
        (on_socket("/home/.apps/bob/app.sock"), "backend.socket_path"),
        (on_socket("/home/.apps/alice/../bob/app.sock"), "backend.socket_path"),
        (on_socket("/home/.apps/alice/sub/app.sock"), "backend.socket_path"),
        (on_socket("/home/bob/web/bob.com/app.sock"), "backend.socket_path"),
        (on_socket("/run/jopanel/agent.sock"), "backend.socket_path"),
        (on_socket("/home/.apps/alice/App.sock"), "backend.socket_path"),
        (on_socket("/home/.apps/alice/app"), "backend.socket_path"),
        (on_socket("/home/.apps/alice/a b.sock"), "backend.socket_path"),
        (on_socket("/home/.apps/alice/" + "a" * 200 + ".sock"), "backend.socket_path"),
        (on_port(80), "backend.port"),
        (on_port(1023), "backend.port"),
        (on_port(3306), "backend.port"),
        (on_port(3307), "backend.port"),
        (on_port(8080), "backend.port"),
        (on_port(3001), "backend.port"),
        (on_port(21000), "backend.port"),
        (on_port(65536), "backend.port"),
        ({"type": "proxy"}, "backend"),
        ({"type": "proxy", "port": 3000, "socket_path": "/home/.apps/alice/a.sock"}, "backend"),
    ],
)
async def test_foreign_sockets_and_server_ports_are_refused_and_nothing_changes(
    api: Api, admin: str, backend: dict[str, Any], field: str
) -> None:
    alice = await api.owner(admin)
    await api.create_account(admin, "bob")
    status, answer = await api.call(
        "POST", SITES, alice, json={"name": "a.com", "backend": backend}
    )
    assert status in (400, 422), answer  # 422: a rule the document cannot state
    assert answer["errors"][0]["field"] == field
    assert api.web.domains == {}
    assert (await api.call("GET", SITES, alice))[1]["items"] == []

    await api.call("POST", SITES, alice, json={"name": "b.com", "backend": {"type": "static"}})
    status, answer = await api.call("PATCH", f"{SITES}/b.com", alice, json={"backend": backend})
    assert status in (400, 422), answer
    assert answer["errors"][0]["field"] == field
    assert (await api.call("GET", f"{SITES}/b.com", alice))[1]["backend"] == {"type": "static"}
    assert api.web.domains["b.com"].WhichOneof("backend") == "static"


async def test_an_administrator_sets_an_accounts_socket_not_its_own(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    body = {"name": "a.com", "account": "alice", "backend": on_socket("/home/.apps/admin/x.sock")}
    status, answer = await api.call("POST", SITES, admin, json=body)
    assert (status, answer["errors"][0]["field"]) == (422, "backend.socket_path")
    body["backend"] = on_socket("/home/.apps/alice/x.sock")
    assert (await api.call("POST", SITES, admin, json=body))[0] == 201
