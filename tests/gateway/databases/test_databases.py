"""Databases and database users through the REST API: prefixes, ownership, grants, limits."""

from __future__ import annotations

import grpc
import pytest

from tests.gateway.conftest import Api


async def test_owner_creates_a_database_and_a_user_with_access(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, db = await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_shop"})
    assert status == 201, db
    assert (db["name"], db["account"], db["status"]) == ("alice_shop", "alice", "active")
    status, user = await api.call(
        "POST",
        "/api/v1/database-users",
        alice,
        json={"name": "alice_shop_rw", "password": "db-pass-123", "databases": ["alice_shop"]},
    )
    assert status == 201, user
    assert user["databases"] == ["alice_shop"]
    assert api.databases.passwords["alice_shop_rw"] == "db-pass-123"
    assert ("alice_shop_rw", "alice_shop") in api.databases.grants
    status, listing = await api.call("GET", "/api/v1/databases", alice)
    assert [(d["name"], d["size_bytes"], d["users"]) for d in listing["items"]] == [
        ("alice_shop", 16384, ["alice_shop_rw"])
    ]


async def test_a_page_of_databases_measures_its_own_databases_only(api: Api, admin: str) -> None:
    """Sizes come for the page's databases, asked by name of each account: not for every
    database of every account on it."""
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    for name, account in [("alice_a", "alice"), ("alice_b", "alice"), ("alice_c", "alice"),
                          ("bob_a", "bob"), ("bob_b", "bob")]:  # fmt: skip
        body = {"name": name, "account": account}
        assert (await api.call("POST", "/api/v1/databases", admin, json=body))[0] == 201
    api.databases.listed.clear()
    status, page = await api.call("GET", "/api/v1/databases?limit=3&account=alice", admin)
    assert status == 200, page
    assert [(d["name"], d["size_bytes"]) for d in page["items"]] == [
        ("alice_a", 16384), ("alice_b", 16384), ("alice_c", 16384)
    ]  # fmt: skip
    status, page = await api.call("GET", "/api/v1/databases?limit=2", admin)
    assert [d["name"] for d in page["items"]] == ["alice_a", "alice_b"]
    status, one = await api.call("GET", "/api/v1/databases/bob_b", admin)
    assert one["size_bytes"] == 16384
    assert api.databases.listed == [
        ("alice", ("alice_a", "alice_b", "alice_c"), True),
        ("alice", ("alice_a", "alice_b"), True),
        ("bob", ("bob_b",), True),
    ]


async def test_grants_follow_the_list_and_passwords_change(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for name in ("alice_a", "alice_b"):
        await api.call("POST", "/api/v1/databases", alice, json={"name": name})
    await api.call(
        "POST",
        "/api/v1/database-users",
        alice,
        json={"name": "alice_u", "password": "db-pass-123", "databases": ["alice_a"]},
    )
    status, user = await api.call(
        "PATCH",
        "/api/v1/database-users/alice_u",
        alice,
        json={"databases": ["alice_b"], "password": "db-pass-456"},
    )
    assert status == 200
    assert user["databases"] == ["alice_b"]
    assert api.databases.grants == {("alice_u", "alice_b")}
    assert api.databases.passwords["alice_u"] == "db-pass-456"
    assert (await api.call("DELETE", "/api/v1/databases/alice_b", alice))[0] == 204
    _, user = await api.call("GET", "/api/v1/database-users/alice_u", alice)
    assert user["databases"] == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/databases", {"name": "bob_shop"}, "name"),
        ("/api/v1/databases", {"name": "alice_"}, "name"),
        ("/api/v1/databases", {"name": "alice_`x`"}, "name"),
        ("/api/v1/databases", {"name": "alice_x;drop"}, "name"),
        ("/api/v1/databases", {"name": "alice_Shop"}, "name"),
        ("/api/v1/databases", {"name": "alice_" + "x" * 60}, "name"),
        ("/api/v1/databases", {"name": "mysql"}, "name"),
        ("/api/v1/database-users", {"name": "alice_u'", "password": "db-pass-123"}, "name"),
        ("/api/v1/database-users", {"name": "alice_u", "password": "short"}, "password"),
    ],
)
async def test_bad_names_are_field_errors_and_change_nothing(
    api: Api, admin: str, path: str, body: dict[str, object], field: str
) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    await api.call("POST", "/api/v1/databases", bob, json={"name": "bob_shop"})
    calls = list(api.databases.calls)
    status, answer = await api.call("POST", path, alice, json=body)
    assert status in (400, 422), answer  # 422: a rule the document cannot state
    assert answer["errors"][0]["field"] == field
    assert api.databases.calls == calls


async def test_the_bob_and_bob_x_prefix_trap(api: Api, admin: str) -> None:
    bob = await api.owner(admin, "bob")
    bob_x = await api.owner(admin, "bob_x")
    assert (await api.call("POST", "/api/v1/databases", bob, json={"name": "bob_x_shop"}))[0] == 201
    # bob_x may not reach bob's database, though its name starts with "bob_x_".
    assert (await api.call("GET", "/api/v1/databases/bob_x_shop", bob_x))[0] == 404
    status, answer = await api.call(
        "POST",
        "/api/v1/database-users",
        bob_x,
        json={"name": "bob_x_u", "password": "db-pass-123", "databases": ["bob_x_shop"]},
    )
    assert status == 404, answer
    assert api.databases.users == {}
    assert (await api.call("POST", "/api/v1/databases", bob_x, json={"name": "bob_x_shop"}))[
        0
    ] == 409


async def test_plan_limit_on_databases(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "one", "max_databases": 1})
    alice = await api.owner(admin, plan="one")
    assert (await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_a"}))[0] == 201
    status, body = await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_b"})
    assert (status, body["detail"]) == (403, "The plan 'one' allows 1 databases.")
    _, me = await api.call("GET", "/api/v1/me", alice)
    assert me["usage"]["max_databases"] == 1


async def test_agent_failure_leaves_no_record(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    api.databases.fail_next = grpc.StatusCode.INTERNAL
    status, _ = await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_a"})
    assert status == 502
    assert (await api.call("GET", "/api/v1/databases/alice_a", alice))[0] == 404
    assert (await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_a"}))[0] == 201


async def test_admin_creates_for_an_account_and_lists_all(api: Api, admin: str) -> None:
    await api.owner(admin)
    status, _ = await api.call("POST", "/api/v1/databases", admin, json={"name": "alice_a"})
    assert status == 422  # an administrator names the account
    status, db = await api.call(
        "POST", "/api/v1/databases", admin, json={"name": "alice_a", "account": "alice"}
    )
    assert (status, db["account"]) == (201, "alice")
    _, listing = await api.call("GET", "/api/v1/databases", admin)
    assert [d["name"] for d in listing["items"]] == ["alice_a"]


async def test_another_accounts_database_in_a_grant_list_is_404(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_a"})
    await api.call("POST", "/api/v1/databases", bob, json={"name": "bob_shop"})
    await api.call(
        "POST",
        "/api/v1/database-users",
        alice,
        json={"name": "alice_u", "password": "db-pass-123", "databases": ["alice_a"]},
    )
    for path, method, body in [
        (
            "/api/v1/database-users",
            "POST",
            {"name": "alice_v", "password": "db-pass-123", "databases": ["alice_a", "bob_shop"]},
        ),
        ("/api/v1/database-users/alice_u", "PATCH", {"databases": ["alice_a", "bob_shop"]}),
    ]:
        status, _ = await api.call(method, path, alice, json=body)
        assert status == 404, (method, path)
    assert api.databases.grants == {("alice_u", "alice_a")}
    assert "alice_v" not in api.databases.users


async def test_deleting_an_account_removes_its_database_records(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_a"})
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    _, listing = await api.call("GET", "/api/v1/databases", admin)
    assert listing["items"] == []
