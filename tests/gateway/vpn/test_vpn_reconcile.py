"""The reconcile settles VPN clients against the (fake) agent: a creation whose profile was lost
is revoked and forgotten, a revocation cut short is finished, and what a person did on the
server is reported, never undone on a guess."""

from __future__ import annotations

from jopanel.agent.vpn.v1 import vpn_pb2 as pb

from tests.gateway.conftest import Api, FakeAgent
from tests.gateway.reconcile.test_reconcile import outcomes, reconcile, status_of
from tests.gateway.vpn.test_vpn import create, vpn_ready


async def test_a_creation_whose_answer_was_lost_is_revoked_and_forgotten(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    await vpn_ready(api, admin)
    alice = await api.owner(admin)
    # The agent made the certificate, the answer (with the only copy of the key) was lost.
    fake_agent.vpn.fail_call = "CreateVpnClient alice.laptop"
    fake_agent.vpn.clients["alice"] = {
        "laptop": pb.VpnClient(owner="alice", name="laptop", state=pb.CLIENT_STATE_DISCONNECTED)
    }
    status, _ = await create(api, alice, "laptop")
    assert status == 503
    assert await status_of(api, "vpn_clients", "laptop") == "pending"
    report = await reconcile(api, admin)
    (finding,) = [f for f in report["findings"] if f["resource"] == "vpn_client"]
    assert (finding["account"], finding["outcome"]) == ("alice", "repaired")
    assert fake_agent.vpn.clients["alice"]["laptop"].state == pb.CLIENT_STATE_REVOKED
    assert await status_of(api, "vpn_clients", "laptop") is None
    # The owner makes it again, under the same name.
    status, body = await create(api, alice, "laptop")
    assert status == 201, body
    assert outcomes(await reconcile(api, admin), "vpn_client", body["id"]) == []


async def test_a_creation_that_never_reached_the_agent_is_forgotten(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    await vpn_ready(api, admin)
    alice = await api.owner(admin)
    fake_agent.vpn.fail_call = "CreateVpnClient alice.phone"
    assert (await create(api, alice, "phone"))[0] == 503
    report = await reconcile(api, admin)
    assert [f["outcome"] for f in report["findings"] if f["resource"] == "vpn_client"] == [
        "repaired"
    ]
    assert await status_of(api, "vpn_clients", "phone") is None
    assert "phone" not in fake_agent.vpn.clients.get("alice", {})


async def test_a_revocation_cut_short_is_finished(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    await vpn_ready(api, admin)
    alice = await api.owner(admin)
    status, client = await create(api, alice, "laptop")
    assert status == 201
    fake_agent.vpn.fail_call = "RevokeVpnClient alice.laptop"
    status, _ = await api.call("DELETE", f"/api/v1/vpn-clients/{client['id']}", alice)
    assert status == 503
    assert await status_of(api, "vpn_clients", "laptop") == "revoking"
    report = await reconcile(api, admin)
    assert outcomes(report, "vpn_client", client["id"]) == ["repaired"]
    assert fake_agent.vpn.clients["alice"]["laptop"].state == pb.CLIENT_STATE_REVOKED
    assert await status_of(api, "vpn_clients", "laptop") is None


async def test_hands_on_the_server_are_reported_not_undone(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    await vpn_ready(api, admin)
    alice = await api.owner(admin)
    status, client = await create(api, alice, "laptop")
    assert status == 201
    # Revoked by hand on the server: it cannot come back without a new profile.
    fake_agent.vpn.clients["alice"]["laptop"].state = pb.CLIENT_STATE_REVOKED
    # Made by hand for alice, and for an administrator: they connect, and the panel has no record.
    fake_agent.vpn.clients["alice"]["planted"] = pb.VpnClient(
        owner="alice", name="planted", state=pb.CLIENT_STATE_CONNECTED
    )
    fake_agent.vpn.clients["admin"] = {
        "desk": pb.VpnClient(owner="admin", name="desk", state=pb.CLIENT_STATE_DISCONNECTED)
    }
    report = await reconcile(api, admin)
    assert outcomes(report, "vpn_client", client["id"]) == ["drift"]
    assert outcomes(report, "vpn_client", "alice.planted") == ["drift"]
    assert outcomes(report, "vpn_client", "admin.desk") == ["drift"]
    assert await status_of(api, "vpn_clients", "laptop") == "active"
    assert fake_agent.vpn.clients["alice"]["planted"].state == pb.CLIENT_STATE_CONNECTED
    # The owner sees it revoked and deletes it.
    status, shown = await api.call("GET", f"/api/v1/vpn-clients/{client['id']}", alice)
    assert (status, shown["state"]) == (200, "revoked")
    assert (await api.call("DELETE", f"/api/v1/vpn-clients/{client['id']}", alice))[0] == 204
