"""The agent's field errors (google.rpc.BadRequest field violations, named by the request's
field path) reach the client as problem+json `errors` that name the REST body's field."""

from __future__ import annotations

import pytest

from gateway.problems import rest_field
from tests.gateway import fake_agent
from tests.gateway.conftest import Api


@pytest.mark.parametrize(
    ("agent_field", "rest"),
    [
        ("name", "name"),
        ("account", "account"),
        ("domain.name", "name"),
        ("domain.aliases[2]", "aliases.2"),
        ("domain.backend", "backend"),
        ("domain.php.version", "backend.version"),
        ("domain.proxy.port", "backend.port"),
        ("domain.proxy.socket_path", "backend.socket_path"),
        ("domain.redirect.url", "backend.url"),
        ("job.schedule", "schedule"),
        ("record.ttl", "ttl"),
        ("record.mx.exchange", "exchange"),
        ("record.caa.value", "value"),
        ("zone.name", "name"),
        ("database", "database"),
    ],
)
def test_agent_field_paths_map_to_rest_fields(agent_field: str, rest: str) -> None:
    assert rest_field(agent_field) == rest


async def test_an_account_name_the_agent_refuses_names_the_field(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_agent, "SYSTEM_USERS", frozenset({"carol"}))
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "carol", "password": "owner-pass-1"}
    )
    assert status == 400
    assert body["errors"] == [{"field": "name", "message": "taken by a system user"}]
    assert body["detail"] == "name: taken by a system user"


async def test_a_proxy_socket_the_agent_refuses_names_the_backend_field(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    backend = {"type": "proxy", "socket_path": "/home/.apps/admin/x.sock"}
    status, body = await api.call(
        "POST",
        "/api/v1/domains",
        admin,
        json={"name": "a.com", "account": "alice", "backend": backend},
    )
    assert status == 400
    assert body["errors"] == [
        {"field": "backend.socket_path", "message": "must be /home/.apps/alice/<name>.sock"}
    ]
