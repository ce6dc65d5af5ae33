"""Plans: administrators set limits; accounts move between plans only where they fit."""

from __future__ import annotations

from tests.gateway.conftest import Api


async def test_default_plan_exists_and_is_unlimited(api: Api, admin: str) -> None:
    status, plan = await api.call("GET", "/api/v1/plans/default", admin)
    assert status == 200
    assert plan["max_domains"] is None
    account = await api.create_account(admin, "alice")
    assert account["plan"] == "default"


async def test_plan_lifecycle(api: Api, admin: str) -> None:
    status, plan = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "basic", "max_domains": 10, "max_aliases": 0}
    )
    assert status == 201
    assert (plan["max_domains"], plan["max_aliases"], plan["max_databases"]) == (10, 0, None)
    assert plan["accounts"] == 0
    status, plan = await api.call(
        "PATCH", "/api/v1/plans/basic", admin, json={"max_domains": None, "max_cron_jobs": 5}
    )
    assert status == 200
    assert (plan["max_domains"], plan["max_cron_jobs"], plan["max_aliases"]) == (None, 5, 0)
    status, listing = await api.call("GET", "/api/v1/plans", admin)
    assert [p["name"] for p in listing["items"]] == ["basic", "default"]
    assert (await api.call("DELETE", "/api/v1/plans/basic", admin))[0] == 204
    assert (await api.call("GET", "/api/v1/plans/basic", admin))[0] == 404


async def test_plan_validation(api: Api, admin: str) -> None:
    for body, field in [
        ({"name": "Bad Name"}, "name"),
        ({"name": "x", "max_domains": -1}, "max_domains"),
        ({"name": "x", "max_domains": "ten"}, "max_domains"),
        ({"name": "x", "colour": "red"}, "colour"),
    ]:
        status, answer = await api.call("POST", "/api/v1/plans", admin, json=body)
        assert status == 400, body
        assert answer["errors"][0]["field"] == field
    await api.call("POST", "/api/v1/plans", admin, json={"name": "basic"})
    status, _ = await api.call("POST", "/api/v1/plans", admin, json={"name": "basic"})
    assert status == 409


async def test_plans_in_use_and_the_default_cannot_be_deleted(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "basic"})
    await api.create_account(admin, "alice", plan="basic")
    status, body = await api.call("DELETE", "/api/v1/plans/basic", admin)
    assert status == 409
    assert "1 account" in body["detail"]
    status, body = await api.call("DELETE", "/api/v1/plans/default", admin)
    assert status == 409


async def test_account_on_unknown_plan_is_a_field_error(api: Api, admin: str) -> None:
    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        admin,
        json={"name": "alice", "password": "owner-pass-1", "plan": "gold"},
    )
    assert status == 422
    assert body["errors"][0]["field"] == "plan"
    assert api.agent.calls == []


async def test_owner_sees_plan_and_usage_but_not_plans(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "basic", "max_domains": 3})
    await api.create_account(admin, "alice", plan="basic")
    alice = await api.login("alice", "owner-pass-1")
    status, me = await api.call("GET", "/api/v1/me", alice)
    assert status == 200
    assert me["plan"]["name"] == "basic"
    assert me["plan"]["max_domains"] == 3
    assert me["usage"]["max_domains"] == 0
    assert (await api.call("GET", "/api/v1/plans", alice))[0] == 403
    assert (await api.call("PATCH", "/api/v1/plans/basic", alice, json={}))[0] == 403


async def test_changing_an_account_plan(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "basic", "max_domains": 3})
    await api.create_account(admin, "alice")
    status, account = await api.call(
        "PATCH", "/api/v1/accounts/alice", admin, json={"plan": "basic"}
    )
    assert status == 200
    assert account["plan"] == "basic"
    _, plan = await api.call("GET", "/api/v1/plans/basic", admin)
    assert plan["accounts"] == 1
