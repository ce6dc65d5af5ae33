"""SSH keys and SFTP access through the API, as owners (one of them hostile) and an
administrator see them."""

from __future__ import annotations

import asyncssh

from tests.gateway.conftest import Api


def key_line(comment: str = "") -> str:
    line = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    return f"{line} {comment}".strip()


async def test_an_owner_adds_lists_and_removes_its_keys(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    line = key_line("alice@laptop")
    status, key = await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": line})
    assert status == 201, key
    assert key["comment"] == "alice@laptop"  # the line's own, when none is given
    assert key["public_key"] == " ".join(line.split(" ")[:2])
    assert (key["type"], key["bits"], key["account"], key["status"]) == (
        "ssh-ed25519",
        256,
        "alice",
        "active",
    )
    assert key["fingerprint"].startswith("SHA256:")
    assert list(api.ssh.keys["alice"]) == [key["fingerprint"]]
    status, named = await api.call(
        "POST", "/api/v1/ssh-keys", alice, json={"public_key": key_line(), "comment": "ci (deploy)"}
    )
    assert (status, named["comment"]) == (201, "ci (deploy)")

    status, page = await api.call("GET", "/api/v1/ssh-keys", alice)
    assert status == 200
    assert sorted(k["id"] for k in page["items"]) == sorted([key["id"], named["id"]])
    assert (await api.call("GET", f"/api/v1/ssh-keys/{key['id']}", alice)) == (200, key)
    assert (await api.call("DELETE", f"/api/v1/ssh-keys/{key['id']}", alice))[0] == 204
    assert list(api.ssh.keys["alice"]) == [named["fingerprint"]]
    assert (await api.call("GET", f"/api/v1/ssh-keys/{key['id']}", alice))[0] == 404


async def test_the_same_key_twice_is_409_and_changes_nothing(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    line = key_line()
    assert (await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": line}))[0] == 201
    calls = list(api.ssh.calls)
    status, problem = await api.call(
        "POST", "/api/v1/ssh-keys", alice, json={"public_key": f"{line} again"}
    )
    assert status == 409, problem
    assert api.ssh.calls == calls


async def test_another_owners_keys_cannot_be_seen_or_removed(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.create_account(admin, "alice2")
    bob = await api.login("alice2", "owner-pass-1")
    status, key = await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": key_line()})
    assert status == 201
    assert (await api.call("GET", f"/api/v1/ssh-keys/{key['id']}", bob))[0] == 404
    assert (await api.call("DELETE", f"/api/v1/ssh-keys/{key['id']}", bob))[0] == 404
    assert (await api.call("GET", "/api/v1/ssh-keys?account=alice", bob))[0] == 404
    status, page = await api.call("GET", "/api/v1/ssh-keys", bob)
    assert (status, page["items"]) == (200, [])
    status, _ = await api.call(
        "POST", "/api/v1/ssh-keys", bob, json={"public_key": key_line(), "account": "alice"}
    )
    assert status == 404
    assert list(api.ssh.keys) == ["alice"]
    assert list(api.ssh.keys["alice"]) == [key["fingerprint"]]
    # The same public key on bob's own account is bob's business: nothing of alice's shows.
    status, mine = await api.call(
        "POST", "/api/v1/ssh-keys", bob, json={"public_key": key["public_key"]}
    )
    assert (status, mine["account"]) == (201, "alice2")


async def test_lines_that_are_no_key_are_refused_and_change_nothing(api: Api, admin: str) -> None:
    """What the document forbids (another key type, options, a second line) is a 400; a line
    of its shape whose base64 is no key of its type is a 422 (docs/api.md, "400 and 422")."""
    alice = await api.owner(admin)
    good = key_line()
    kind, encoded = good.split(" ")
    unprocessable = {
        "type lies": {"public_key": f"ssh-rsa {encoded}"},
        "truncated": {"public_key": f"{kind} {encoded[:40]}"},
        "4 kB": {"public_key": f"{kind} {'A' * 4_000}"},
    }
    for case, key in unprocessable.items():
        status, problem = await api.call("POST", "/api/v1/ssh-keys", alice, json=key)
        assert status == 422, (case, problem)
    bodies = {
        "command option": {"public_key": f'command="/bin/sh" {good}'},
        "restrict option": {"public_key": f"restrict {good}"},
        "second line": {"public_key": f"{good}\n{good}"},
        "dsa": {"public_key": f"ssh-dss {encoded}"},
        "10 kB": {"public_key": f"{kind} {'A' * 10_000}"},
        "bad comment": {"public_key": good, "comment": "x\ny"},
        "long comment": {"public_key": good, "comment": "x" * 101},
        "number": {"public_key": 12345},
        "extra field": {"public_key": good, "options": "command=x"},
    }
    for case, body in bodies.items():
        status, problem = await api.call("POST", "/api/v1/ssh-keys", alice, json=body)
        assert status == 400, (case, problem)
    assert api.ssh.calls == []
    status, page = await api.call("GET", "/api/v1/ssh-keys", alice)
    assert page["items"] == []


async def test_a_key_the_agent_refuses_leaves_no_record(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    api.ssh.fail_call = "CreateSshKey alice"
    status, _ = await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": key_line()})
    assert status == 503
    # Unknown outcome: the record stays pending for reconcile, visible to its owner.
    status, page = await api.call("GET", "/api/v1/ssh-keys", alice)
    assert [k["status"] for k in page["items"]] == ["pending"]


async def test_administrators_switch_sftp_access_owners_read_it(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    assert await api.call("GET", "/api/v1/ssh-access", alice) == (
        200,
        {"account": "alice", "enabled": True, "shell": False},
    )
    status, _ = await api.call(
        "PUT", "/api/v1/ssh-access", alice, json={"account": "alice", "enabled": True}
    )
    assert status == 403
    status, body = await api.call(
        "PUT", "/api/v1/ssh-access", admin, json={"account": "alice", "enabled": False}
    )
    assert (status, body) == (200, {"account": "alice", "enabled": False, "shell": False})
    assert api.ssh.off == {"alice"}
    assert await api.call("GET", "/api/v1/ssh-access", alice) == (
        200,
        {"account": "alice", "enabled": False, "shell": False},
    )
    assert (await api.call("GET", "/api/v1/ssh-access?account=alice", admin))[1]["enabled"] is False
    status, problem = await api.call(
        "PUT", "/api/v1/ssh-access", admin, json={"account": "alice", "enabled": 0}
    )
    assert status == 400, problem
    # Whose? A rule of the caller's role, which the document cannot state: 422.
    assert (await api.call("GET", "/api/v1/ssh-access", admin))[0] == 422


async def test_deleting_an_account_removes_its_keys(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": key_line()}))[
        0
    ] == 201
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    assert api.ssh.keys == {}
    await api.create_account(admin, "alice")
    alice = await api.login("alice", "owner-pass-1")
    status, page = await api.call("GET", "/api/v1/ssh-keys", alice)
    assert (status, page["items"]) == (200, [])
