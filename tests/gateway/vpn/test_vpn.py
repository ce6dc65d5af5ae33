"""The VPN through the REST API (fake agent): the server's settings for administrators only,
clients within the plan, their state, a profile shown once, revocation, and tenants kept
apart."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from jopanel.agent.vpn.v1 import vpn_pb2 as pb

from tests.gateway.conftest import Api, FakeAgent
from tests.gateway.vpn.fake_vpn import EXPIRES_AT, RENEWED_EXPIRES_AT

SERVER = {
    "network": "10.8.0.0/24",
    "port": 1194,
    "protocol": "udp",
    "public_address": "vpn.example.net",
    "dns_servers": ["10.8.0.1"],
    "routes": ["192.168.10.0/24"],
}


async def vpn_ready(api: Api, admin: str, max_clients: int | None = 2) -> None:
    """The server set up and the default plan allowing `max_clients` per account."""
    status, body = await api.call("PUT", "/api/v1/vpn-server", admin, json=SERVER)
    assert status == 200, body
    status, body = await api.call(
        "PATCH", "/api/v1/plans/default", admin, json={"max_vpn_clients": max_clients}
    )
    assert status == 200, body


async def create(api: Api, token: str, name: str, **fields: Any) -> tuple[int, Any]:
    return await api.call("POST", "/api/v1/vpn-clients", token, json={"name": name, **fields})


async def test_an_administrator_sets_up_the_server(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    status, body = await api.call("GET", "/api/v1/vpn-server", admin)
    assert (status, body["configured"], body["settings"]) == (200, False, None)
    status, body = await api.call("PUT", "/api/v1/vpn-server", admin, json=SERVER)
    assert status == 200, body
    assert body == {"configured": True, "running": True, "settings": {"enabled": True, **SERVER}}
    assert fake_agent.vpn.server is not None
    assert fake_agent.vpn.server.protocol == pb.PROTOCOL_UDP
    status, body = await api.call("GET", "/api/v1/vpn-server", admin)
    assert body["settings"]["routes"] == ["192.168.10.0/24"]
    _, log = await api.call("GET", "/api/v1/audit-log", admin)
    assert any(entry["action"] == "vpn.configure" for entry in log["items"])


async def test_owners_cannot_touch_the_server(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    assert (await api.call("GET", "/api/v1/vpn-server", alice))[0] == 403
    assert (await api.call("PUT", "/api/v1/vpn-server", alice, json=SERVER))[0] == 403


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"network": "10.8.0.0/24\npush x"}, "network", 400),
        ({"network": "8.8.8.0/24"}, "network", 400),
        ({"network": "172.32.0.0/16"}, "network", 400),
        ({"network": "10.0.0.0/8"}, "network", 400),
        ({"network": "10.8.0.0/30"}, "network", 400),
        ({"network": "010.8.0.0/24"}, "network", 400),
        ({"port": 0}, "port", 400),
        ({"port": 65536}, "port", 400),
        ({"protocol": "icmp"}, "protocol", 400),
        ({"public_address": "vpn.example.net 443"}, "public_address", 400),
        ({"public_address": "vpn.example.net\nup /bin/sh"}, "public_address", 400),
        ({"public_address": "x" * 300}, "public_address", 400),
        ({"public_address": "localhost"}, "public_address", 400),
        ({"public_address": "vpn.123"}, "public_address", 400),
        ({"public_address": "256.1.1.1"}, "public_address", 400),
        ({"dns_servers": ['10.0.0.1"\npush "x']}, "dns_servers.0", 400),
        ({"dns_servers": ["10.0.0.01"]}, "dns_servers.0", 400),
        ({"dns_servers": ["10.0.0.1"] * 5}, "dns_servers", 400),
        ({"routes": ["00.000.000.000/00"]}, "routes.0", 400),
        ({"routes": ["10.0.0.0/33"]}, "routes.0", 400),
        ({"routes": ["10.1.0.0/16"] * 33}, "routes", 400),
        ({"script": "up /bin/sh"}, "script", 400),
        # The document's shape, but not written as the network's own address: no pattern says
        # that, so it is a 422 (docs/api.md, "400 and 422").
        ({"network": "10.8.0.1/24"}, "network", 422),
        ({"routes": ["10.1.0.1/16"]}, "routes.0", 422),
    ],
)
async def test_hostile_settings_are_refused_and_reach_no_agent(
    api: Api, admin: str, fake_agent: FakeAgent, change: dict[str, Any], field: str, status: int
) -> None:
    answer, body = await api.call("PUT", "/api/v1/vpn-server", admin, json={**SERVER, **change})
    assert answer == status, body
    assert field in {error["field"] for error in body["errors"]}, body
    assert fake_agent.vpn.calls == []


@pytest.mark.parametrize(
    "change",
    [
        {"network": "172.31.255.248/29", "routes": ["0.0.0.0/0"]},
        {"network": "192.168.0.0/16", "public_address": "203.0.113.9"},
        {"public_address": "1vpn.xn--p1ai", "dns_servers": ["255.255.255.255", "9.9.9.9"]},
    ],
)
async def test_settings_at_the_edges_of_the_document_are_taken(
    api: Api, admin: str, change: dict[str, Any]
) -> None:
    status, body = await api.call("PUT", "/api/v1/vpn-server", admin, json={**SERVER, **change})
    assert status == 200, body
    assert body["settings"] == {"enabled": True, **SERVER, **change}


async def test_no_vpn_until_the_plan_allows_it(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.call("PUT", "/api/v1/vpn-server", admin, json=SERVER)
    status, body = await create(api, alice, "laptop")
    assert status == 403, body
    assert "VPN clients" in body["detail"]
    status, body = await create(api, admin, "laptop", account="alice")
    assert status == 403, body


async def test_an_owner_makes_a_client_sees_its_state_and_revokes_it(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    status, client = await create(api, alice, "laptop")
    assert status == 201, client
    assert (client["owner"], client["name"], client["status"]) == ("alice", "laptop", "active")
    assert client["state"] == "disconnected"
    assert "<key>" in client["profile"]
    # Shown once: reading the client again never gives the profile.
    status, again = await api.call("GET", f"/api/v1/vpn-clients/{client['id']}", alice)
    assert status == 200
    assert "profile" not in again
    fake_agent.vpn.connect("alice", "laptop")
    _, listing = await api.call("GET", "/api/v1/vpn-clients", alice)
    (shown,) = listing["items"]
    assert (shown["state"], shown["tunnel_address"], shown["bytes_sent"]) == (
        "connected",
        "10.8.0.2",
        200,
    )
    assert shown["connected_since"].startswith("2023-11-14T22:13:20")
    status, _ = await api.call("DELETE", f"/api/v1/vpn-clients/{client['id']}", alice)
    assert status == 204
    assert fake_agent.vpn.clients["alice"]["laptop"].state == pb.CLIENT_STATE_REVOKED
    assert (await api.call("GET", "/api/v1/vpn-clients", alice))[1]["items"] == []
    # The name is free again once revoked.
    assert (await create(api, alice, "laptop"))[0] == 201


async def test_the_plan_limit_counts_clients(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin, max_clients=1)
    assert (await create(api, alice, "one"))[0] == 201
    status, body = await create(api, alice, "two")
    assert status == 403, body
    assert (await create(api, alice, "one"))[0] in (403, 409)


async def test_a_name_is_taken_once_per_owner(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    assert (await create(api, alice, "laptop"))[0] == 201
    status, body = await create(api, alice, "laptop")
    assert status == 409, body


async def test_another_accounts_clients_are_out_of_reach(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin, "alice")
    bob = await api.owner(admin, "bob")
    # Names above and below alice's: neither reaches her clients.
    alic = await api.owner(admin, "alic")
    alice2 = await api.owner(admin, "alice2")
    await vpn_ready(api, admin)
    _, client = await create(api, alice, "laptop")
    one = f"/api/v1/vpn-clients/{client['id']}"
    for token in (bob, alic, alice2):
        assert (await api.call("GET", "/api/v1/vpn-clients", token))[1]["items"] == []
        assert (await api.call("GET", one, token))[0] == 404
        assert (await api.call("DELETE", one, token))[0] == 404
        assert (await api.call("POST", f"{one}/renew", token))[0] == 404
        assert (await api.call("GET", "/api/v1/vpn-clients?account=alice", token))[0] == 404
        assert (await create(api, token, "stolen", account="alice"))[0] == 404
    assert fake_agent.vpn.clients["alice"]["laptop"].state == pb.CLIENT_STATE_DISCONNECTED
    assert fake_agent.vpn.clients["alice"]["laptop"].expires_at == EXPIRES_AT  # not renewed
    assert set(fake_agent.vpn.clients) == {"alice"}
    _, everyone = await api.call("GET", "/api/v1/vpn-clients", admin)
    assert [c["owner"] for c in everyone["items"]] == ["alice"]


async def test_an_administrator_holds_clients_of_its_own(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin)
    await api.call("PUT", "/api/v1/vpn-server", admin, json=SERVER)
    status, client = await create(api, admin, "ops")
    assert status == 201, client
    assert client["owner"] == "admin"
    assert "ops" in fake_agent.vpn.clients["admin"]
    assert (await api.call("GET", f"/api/v1/vpn-clients/{client['id']}", alice))[0] == 404
    assert (await api.call("GET", "/api/v1/vpn-clients", alice))[1]["items"] == []


@pytest.mark.parametrize("name", ["", "a.b", "../ca", "A", "-x", "x" * 32, "a\nb", "é"])
async def test_hostile_client_names_are_refused(
    api: Api, admin: str, fake_agent: FakeAgent, name: str
) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    status, _ = await create(api, alice, name)
    assert status in (400, 422)
    assert fake_agent.vpn.calls == ["ConfigureVpnServer 10.8.0.0/24"]


async def test_a_failed_create_leaves_no_record(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    fake_agent.vpn.fail_next = grpc.StatusCode.FAILED_PRECONDITION
    assert (await create(api, alice, "laptop"))[0] == 409
    assert (await api.call("GET", "/api/v1/vpn-clients", alice))[1]["items"] == []
    assert (await create(api, alice, "laptop"))[0] == 201


async def test_deleting_an_account_revokes_its_clients(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    await create(api, alice, "laptop")
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    assert fake_agent.vpn.clients["alice"]["laptop"].state == pb.CLIENT_STATE_REVOKED
    assert (await api.call("GET", "/api/v1/vpn-clients", admin))[1]["items"] == []


async def test_an_owner_renews_a_client_and_gets_a_new_profile_once(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    _, client = await create(api, alice, "laptop")
    assert client["expires_at"] == "2029-03-10T00:00:00Z"
    status, renewed = await api.call("POST", f"/api/v1/vpn-clients/{client['id']}/renew", alice)
    assert status == 200, renewed
    assert (renewed["id"], renewed["name"]) == (client["id"], "laptop")
    assert "<key>" in renewed["profile"]
    assert renewed["profile"] != client["profile"]
    assert fake_agent.vpn.clients["alice"]["laptop"].expires_at == RENEWED_EXPIRES_AT
    status, again = await api.call("GET", f"/api/v1/vpn-clients/{client['id']}", alice)
    assert "profile" not in again
    assert again["expires_at"] == "2031-06-13T00:00:00Z"
    _, log = await api.call("GET", "/api/v1/audit-log", admin)
    assert any(entry["action"] == "vpn_client.renew" for entry in log["items"])


async def test_a_renewal_the_agent_refuses_is_a_conflict(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    alice = await api.owner(admin)
    await vpn_ready(api, admin)
    _, client = await create(api, alice, "laptop")
    # Too early (more than 30 days before its certificate expires): the agent says when.
    fake_agent.vpn.fail_call = "RenewVpnClient alice.laptop"
    fake_agent.vpn.fail_call_code = grpc.StatusCode.FAILED_PRECONDITION
    status, body = await api.call("POST", f"/api/v1/vpn-clients/{client['id']}/renew", alice)
    assert status == 409, body
    assert "profile" not in body
