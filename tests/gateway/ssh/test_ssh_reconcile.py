"""The reconcile settles SSH keys and SFTP access against the (fake) agent: what a crash or a
hand on the server left is repaired, or reported when a person must decide."""

from __future__ import annotations

from jopanel.agent.ssh.v1 import ssh_pb2 as pb

from jopanel_rules.ssh import parse_public_key
from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile import outcomes, reconcile
from tests.gateway.ssh.test_ssh_keys import key_line


async def test_a_key_left_pending_is_added_again_and_marked_active(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    api.ssh.fail_call = "CreateSshKey alice"
    status, _ = await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": key_line()})
    assert status == 503
    report = await reconcile(api, admin)
    _, page = await api.call("GET", "/api/v1/ssh-keys", alice)
    (key,) = page["items"]
    assert key["status"] == "active"
    assert outcomes(report, "ssh_key", key["id"]) == ["repaired"]
    assert list(api.ssh.keys["alice"]) == [key["fingerprint"]]


async def test_a_key_removed_by_hand_is_written_again(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, key = await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": key_line()})
    assert status == 201
    api.ssh.keys["alice"].clear()
    report = await reconcile(api, admin)
    assert outcomes(report, "ssh_key", key["id"]) == ["repaired"]
    assert list(api.ssh.keys["alice"]) == [key["fingerprint"]]


async def test_a_key_with_no_record_is_reported_not_removed(api: Api, admin: str) -> None:
    await api.owner(admin)
    # Written on the server by hand: the fake agent holds it, the panel has no record.
    key = parse_public_key(key_line())
    planted = pb.SshKey(fingerprint=key.fingerprint, type=key.type, public_key=key.line)
    api.ssh.keys["alice"] = {key.fingerprint: planted}
    report = await reconcile(api, admin)
    assert outcomes(report, "ssh_key", key.fingerprint) == ["drift"]
    assert list(api.ssh.keys["alice"]) == [key.fingerprint]


async def test_access_is_set_back_to_the_record(api: Api, admin: str) -> None:
    await api.owner(admin)
    status, _ = await api.call(
        "PUT", "/api/v1/ssh-access", admin, json={"account": "alice", "enabled": False}
    )
    assert status == 200
    api.ssh.off.clear()  # switched on again behind the panel's back
    report = await reconcile(api, admin)
    assert outcomes(report, "ssh_access", "alice") == ["repaired"]
    assert api.ssh.off == {"alice"}
    assert outcomes(await reconcile(api, admin), "ssh_access", "alice") == []
