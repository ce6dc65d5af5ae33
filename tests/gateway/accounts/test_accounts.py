"""Accounts through the REST API: lifecycle, ownership, validation, rollback and audit."""

from __future__ import annotations

import grpc
import pytest

from tests.gateway.conftest import Api

HOSTILE_NAMES = [
    "-o",
    "root",
    "www-data",
    "a;id",
    "A",
    "é",
    "a" * 33,
    "",
    "abc\n",
    "ab",
    "mysql",
    "ab c",
    "../x",
    "daemon",
]


async def test_admin_creates_reads_and_lists_accounts(api: Api, admin: str) -> None:
    created = await api.create_account(admin, "alice", email="alice@example.com", shell="bash")
    assert created["name"] == "alice"
    assert created["status"] == "active"
    assert created["shell"] == "bash"
    assert created["system"]["home"] == "/home/alice"
    assert api.agent.passwords["alice"] == "owner-pass-1"

    status, body = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert status == 200
    assert body["email"] == "alice@example.com"
    assert body["system"]["uid"] == created["system"]["uid"]


async def test_list_pages_through_every_account_once(api: Api, admin: str) -> None:
    names = [f"user{i:02d}" for i in range(7)]
    for name in reversed(names):
        await api.create_account(admin, name)
    seen: list[str] = []
    token = ""
    while True:
        status, body = await api.call("GET", f"/api/v1/accounts?limit=3&page_token={token}", admin)
        assert status == 200
        seen += [a["name"] for a in body["items"]]
        token = body["next_page_token"]
        if token is None:
            break
    assert seen == names


async def test_list_filters_by_name_prefix(api: Api, admin: str) -> None:
    for name in ("shop_one", "shop_two", "blog"):
        await api.create_account(admin, name)
    status, body = await api.call("GET", "/api/v1/accounts?q=shop_", admin)
    assert status == 200
    assert [a["name"] for a in body["items"]] == ["shop_one", "shop_two"]


async def test_bad_page_token_is_a_field_error(api: Api, admin: str) -> None:
    status, body = await api.call("GET", "/api/v1/accounts?page_token=zz%%", admin)
    assert status == 400
    assert body["errors"][0]["field"] == "page_token"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_hostile_names_are_refused_and_nothing_is_created(
    api: Api, admin: str, name: str
) -> None:
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": name, "password": "owner-pass-1"}
    )
    assert status == 400
    assert body["errors"][0]["field"] == "name"
    _, listing = await api.call("GET", "/api/v1/accounts", admin)
    assert listing["items"] == []
    assert not [c for c in api.agent.calls if c.startswith("CreateAccount") and name != "daemon"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "short"),
        ("password", "x" * 73),
        ("password", "pass\nword1"),
        ("shell", "/bin/zsh"),
        ("email", "not an address"),
    ],
)
async def test_bad_fields_name_the_field(api: Api, admin: str, field: str, value: str) -> None:
    body = {"name": "alice", "password": "owner-pass-1", field: value}
    status, answer = await api.call("POST", "/api/v1/accounts", admin, json=body)
    assert status == 400
    assert answer["errors"][0]["field"] == field
    assert api.agent.calls == []


async def test_unknown_fields_and_non_json_are_refused(api: Api, admin: str) -> None:
    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        admin,
        json={"name": "alice", "password": "owner-pass-1", "role": "admin"},
    )
    assert status == 400
    assert body["errors"][0]["field"] == "role"
    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        admin,
        data="name=alice",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, data=b"{", headers={"Content-Type": "application/json"}
    )
    assert status == 400


async def test_duplicate_name_is_a_conflict(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "alice", "password": "owner-pass-1"}
    )
    assert status == 409
    assert "alice" in body["detail"]
    status, _ = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "admin", "password": "owner-pass-1"}
    )
    assert status == 400  # "admin" is reserved, whoever holds it


async def test_agent_failure_leaves_no_record(api: Api, admin: str) -> None:
    api.agent.fail_next = grpc.StatusCode.INTERNAL
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "alice", "password": "owner-pass-1"}
    )
    assert status == 502
    assert body["status"] == 502
    status, _ = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert status == 404
    # The name is free again: a later attempt succeeds.
    await api.create_account(admin, "alice")


async def test_an_agent_call_of_unknown_outcome_leaves_the_record_to_the_reconcile(
    api: Api, admin: str
) -> None:
    """UNAVAILABLE during the call: the agent may have made the account (it finishes calls
    whose client hung up), so the record stays pending and the reconcile settles it."""
    api.agent.fail_next = grpc.StatusCode.UNAVAILABLE
    status, _ = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "alice", "password": "owner-pass-1"}
    )
    assert status == 503
    status, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert (status, account["status"]) == (200, "pending")
    status, _ = await api.call("POST", "/api/v1/reconcile", admin)
    assert status == 200
    status, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert (status, account["status"]) == (200, "active")
    assert "alice" in api.agent.accounts


async def test_owner_sees_only_itself(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    alice = await api.login("alice", "owner-pass-1")

    status, me = await api.call("GET", "/api/v1/me", alice)
    assert status == 200
    assert me["role"] == "owner"
    assert me["account"]["name"] == "alice"
    status, own = await api.call("GET", "/api/v1/accounts/alice", alice)
    assert status == 200
    assert own["name"] == "alice"

    assert (await api.call("GET", "/api/v1/accounts", alice))[0] == 403
    assert (await api.call("GET", "/api/v1/accounts/bob", alice))[0] == 404
    assert (await api.call("GET", "/api/v1/accounts/nobody_here", alice))[0] == 404
    assert (await api.call("GET", "/api/v1/audit-log", alice))[0] == 403
    for method, path in [
        ("PATCH", "/api/v1/accounts/alice"),
        ("DELETE", "/api/v1/accounts/bob"),
        ("POST", "/api/v1/accounts/bob/suspend"),
        ("POST", "/api/v1/accounts/alice/unsuspend"),
    ]:
        status, _ = await api.call(method, path, alice, json={})
        assert status == 403, (method, path)
    assert api.agent.accounts["bob"].suspended is False


async def test_suspend_ends_sessions_and_unsuspend_restores_sign_in(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    alice = await api.login("alice", "owner-pass-1")
    status, body = await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    assert status == 200
    assert body["status"] == "suspended"
    assert body["system"]["suspended"] is True
    assert (await api.call("GET", "/api/v1/me", alice))[0] == 401
    status, _ = await api.call(
        "POST", "/api/v1/auth/login", json={"username": "alice", "password": "owner-pass-1"}
    )
    assert status == 403

    status, body = await api.call("POST", "/api/v1/accounts/alice/unsuspend", admin)
    assert status == 200
    assert body["status"] == "active"
    assert await api.login("alice", "owner-pass-1")


async def test_password_change_ends_old_tokens(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    alice = await api.login("alice", "owner-pass-1")
    status, _ = await api.call(
        "PATCH", "/api/v1/accounts/alice", admin, json={"password": "new-pass-22", "shell": "sh"}
    )
    assert status == 200
    assert api.agent.passwords["alice"] == "new-pass-22"
    assert (await api.call("GET", "/api/v1/me", alice))[0] == 401
    assert await api.login("alice", "new-pass-22")
    status, body = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert body["shell"] == "sh"


async def test_delete_removes_account_and_its_sign_in(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    alice = await api.login("alice", "owner-pass-1")
    status, _ = await api.call("DELETE", "/api/v1/accounts/alice", admin)
    assert status == 204
    assert "alice" not in api.agent.accounts
    assert (await api.call("GET", "/api/v1/me", alice))[0] == 401
    assert (await api.call("GET", "/api/v1/accounts/alice", admin))[0] == 404
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 404


async def test_delete_failure_keeps_the_account(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    api.agent.fail_next = grpc.StatusCode.FAILED_PRECONDITION
    status, _ = await api.call("DELETE", "/api/v1/accounts/alice", admin)
    assert status == 409
    status, body = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert status == 200
    assert body["status"] == "active"


async def test_audit_log_records_who_did_what(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    api.agent.fail_next = grpc.StatusCode.INTERNAL
    await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    await api.call("DELETE", "/api/v1/accounts/alice", admin)
    status, body = await api.call("GET", "/api/v1/audit-log?limit=2", admin)
    assert status == 200
    newest, failed = body["items"]
    assert (newest["actor"], newest["action"], newest["target"], newest["result"]) == (
        "admin",
        "account.delete",
        "alice",
        "ok",
    )
    assert (failed["action"], failed["result"]) == ("account.suspend", "error")
    assert "INTERNAL" in failed["detail"]
    status, rest = await api.call(
        "GET", f"/api/v1/audit-log?page_token={body['next_page_token']}", admin
    )
    assert [e["action"] for e in rest["items"]] == ["account.create"]
    assert rest["next_page_token"] is None
