"""Static PHP pools (against the fake agent): pm static only on a plan that grants it
(php_static_pools), never by a reseller's plan, and a plan stops granting it, or an account
moves to a plan without it, only once the account's pools are not static (docs/web.md, Static
pools)."""

from __future__ import annotations

import asyncio

import aiomysql
import pytest
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway.store import php_pools
from tests.gateway.conftest import Api
from tests.gateway.invoices.test_invoices import sql
from tests.gateway.reconcile.test_reconcile import outcomes, reconcile
from tests.gateway.ssh.test_ssh_shell import plan
from tests.gateway.test_security_matrix import reseller

STATIC = web_pb.PROCESS_MANAGER_STATIC
DYNAMIC = web_pb.PROCESS_MANAGER_DYNAMIC
POOL = "/api/v1/accounts/{}/php-pool"


async def test_a_pool_is_static_only_on_a_plan_that_grants_it(api: Api, admin: str) -> None:
    assert (await plan(api, admin, "busy", php_static_pools=True, max_php_children=4))[
        "php_static_pools"
    ] is True
    assert (await plan(api, admin, "basic"))["php_static_pools"] is False
    await api.create_account(admin, "alice", plan="basic")
    await api.create_account(admin, "bob", plan="busy")
    alice = await api.login("alice", "owner-pass-1")
    bob = await api.login("bob", "owner-pass-1")

    status, body = await api.call("GET", POOL.format("alice"), alice)
    assert (status, body["static_allowed"]) == (200, False)
    status, problem = await api.call("PATCH", POOL.format("alice"), alice, json={"pm": "static"})
    assert (status, problem["errors"][0]["field"]) == (422, "pm"), problem
    assert "basic" in problem["detail"]
    assert "alice" not in api.web.pool_limits
    assert (await api.call("GET", POOL.format("alice"), alice))[1]["pm"] == "ondemand"

    change = {"pm": "static", "max_children": 4}
    status, body = await api.call("PATCH", POOL.format("bob"), bob, json=change)
    assert (status, body["pm"], body["static_allowed"]) == (200, "static", True), body
    assert api.web.pool_limits["bob"] == (STATIC, 4)
    # Still within the plan's workers: a static pool of five is 422, the pool stays.
    status, problem = await api.call("PATCH", POOL.format("bob"), bob, json={"max_children": 5})
    assert (status, problem["errors"][0]["field"]) == (422, "max_children")
    assert api.web.pool_limits["bob"] == (STATIC, 4)
    # Another tenant neither reads nor sets bob's pool.
    for method in ("GET", "PATCH"):
        assert (await api.call(method, POOL.format("bob"), alice, json={"pm": "ondemand"}))[
            0
        ] == 404
    assert api.web.pool_limits["bob"] == (STATIC, 4)


async def test_wrong_values_are_400_and_change_nothing(api: Api, admin: str) -> None:
    await plan(api, admin, "busy", php_static_pools=True)
    await api.create_account(admin, "bob", plan="busy")
    bob = await api.login("bob", "owner-pass-1")
    pms: list[object] = ["Static", "STATIC", " static", "static\n", "stat", 3, True, ["static"]]
    for value in pms:
        status, problem = await api.call("PATCH", POOL.format("bob"), bob, json={"pm": value})
        assert (status, problem["errors"][0]["field"]) == (400, "pm"), value
    switches: list[object] = ["true", 1, 0, None, "x" * 10_000, [True]]
    for value in switches:
        for method, path, body in (
            ("PATCH", "/api/v1/plans/busy", {"php_static_pools": value}),
            ("POST", "/api/v1/plans", {"name": "other", "php_static_pools": value}),
        ):
            status, answer = await api.call(method, path, admin, json=body)
            assert (status, answer["errors"][0]["field"]) == (400, "php_static_pools"), value
    assert (await api.call("GET", "/api/v1/plans/other", admin))[0] == 404
    assert (await api.call("GET", "/api/v1/plans/busy", admin))[1]["php_static_pools"] is True
    assert "bob" not in api.web.pool_limits
    # An owner cannot grant it to itself.
    change = {"php_static_pools": True}
    assert (await api.call("PATCH", "/api/v1/plans/busy", bob, json=change))[0] == 403


async def test_a_plan_stops_granting_static_pools_once_none_runs_them(api: Api, admin: str) -> None:
    await plan(api, admin, "busy", php_static_pools=True, max_domains=5)
    for name in ("alice", "bob"):
        await api.create_account(admin, name, plan="busy")
    assert (await api.call("PATCH", POOL.format("bob"), admin, json={"pm": "static"}))[0] == 200
    change = {"php_static_pools": False, "max_domains": 3}
    status, problem = await api.call("PATCH", "/api/v1/plans/busy", admin, json=change)
    assert status == 409, problem
    assert "static PHP pools (bob)" in problem["detail"]
    found = (await api.call("GET", "/api/v1/plans/busy", admin))[1]
    assert (found["php_static_pools"], found["max_domains"]) == (True, 5)
    assert api.web.pool_limits["bob"] == (STATIC, 8)

    assert (await api.call("PATCH", POOL.format("bob"), admin, json={"pm": "dynamic"}))[0] == 200
    status, found = await api.call("PATCH", "/api/v1/plans/busy", admin, json=change)
    assert (status, found["php_static_pools"], found["max_domains"]) == (200, False, 3)
    assert api.web.pool_limits["bob"] == (DYNAMIC, 8)
    status, problem = await api.call("PATCH", POOL.format("bob"), admin, json={"pm": "static"})
    assert status == 422, problem


async def test_a_move_to_a_plan_without_static_pools_waits_for_the_pools(
    api: Api, admin: str
) -> None:
    await plan(api, admin, "busy", php_static_pools=True)
    await plan(api, admin, "busy2", php_static_pools=True)
    await plan(api, admin, "basic")
    await api.create_account(admin, "bob", plan="busy")
    assert (await api.call("PATCH", POOL.format("bob"), admin, json={"pm": "static"}))[0] == 200
    status, problem = await api.call("PATCH", "/api/v1/accounts/bob", admin, json={"plan": "basic"})
    assert status == 409, problem
    assert "bob runs static PHP pools" in problem["detail"]
    assert (await api.call("GET", "/api/v1/accounts/bob", admin))[1]["plan"] == "busy"
    assert api.web.pool_limits["bob"] == (STATIC, 8)
    # A plan that grants them too takes the account as it is.
    status, _ = await api.call("PATCH", "/api/v1/accounts/bob", admin, json={"plan": "busy2"})
    assert status == 200
    assert api.web.pool_limits["bob"] == (STATIC, 8)


async def test_a_plan_that_stops_granting_while_a_pool_turns_static_keeps_granting(
    api: Api, admin: str
) -> None:
    """The plan's change finds no static pool, then (held at the agent, reading its accounts'
    disk use for its new quota) an owner's pool turns static, checked against the plan as it
    still was. Once recorded the plan's change looks again, finds it, and is taken back whole:
    no account runs a static pool on a plan that does not grant it."""
    await plan(api, admin, "busy", php_static_pools=True, disk_quota_mb=100)
    await api.create_account(admin, "bob", plan="busy")
    hold = api.agent.hold = asyncio.Event()
    change = {"php_static_pools": False, "disk_quota_mb": 50}
    ungrant = asyncio.create_task(api.call("PATCH", "/api/v1/plans/busy", admin, json=change))
    await api.agent.held.wait()
    assert (await api.call("PATCH", POOL.format("bob"), admin, json={"pm": "static"}))[0] == 200
    hold.set()
    status, problem = await ungrant
    assert status == 409, problem
    assert "static PHP pools (bob)" in problem["detail"]
    found = (await api.call("GET", "/api/v1/plans/busy", admin))[1]
    assert (found["php_static_pools"], found["disk_quota_mb"]) == (True, 100)
    assert api.web.pool_limits["bob"] == (STATIC, 8)


async def test_a_pool_that_turns_static_as_its_plan_stops_granting_stays_as_it_was(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order of the race: the plan's change, having found no static pool, is
    recorded just after the pool change checked the plan and recorded the pool. The pool
    change reads the plan again, sets its record back and is refused (422); the agent never
    hears of it."""
    await plan(api, admin, "busy", php_static_pools=True)
    await api.create_account(admin, "bob", plan="busy")
    put = php_pools.put

    async def put_then_ungrant(
        pool: aiomysql.Pool, account_id: int, record: php_pools.PhpPoolRecord | None
    ) -> None:
        await put(pool, account_id, record)
        if record is not None and record.pm == "static":
            await sql(api, "UPDATE plans SET php_static_pools = FALSE WHERE name = 'busy'")

    monkeypatch.setattr(php_pools, "put", put_then_ungrant)
    status, problem = await api.call("PATCH", POOL.format("bob"), admin, json={"pm": "static"})
    assert (status, problem["errors"][0]["field"]) == (422, "pm"), problem
    assert "bob" not in api.web.pool_limits
    status, body = await api.call("GET", POOL.format("bob"), admin)
    assert (status, body["pm"], body["static_allowed"]) == (200, "ondemand", False)


async def test_a_resellers_plans_grant_no_static_pools(api: Api, admin: str) -> None:
    ann = await reseller(api, admin, "ann", with_plan=False, disk_quota_mb=1000, max_domains=10)
    plan_of_ann = {"name": "ann_busy", "max_domains": 1, "disk_quota_mb": 10}
    status, problem = await api.call(
        "POST", "/api/v1/plans", ann, json={**plan_of_ann, "php_static_pools": True}
    )
    assert (status, problem["errors"][0]["field"]) == (422, "php_static_pools"), problem
    assert (await api.call("POST", "/api/v1/plans", ann, json=plan_of_ann))[0] == 201
    change = {"php_static_pools": True}
    status, problem = await api.call("PATCH", "/api/v1/plans/ann_busy", ann, json=change)
    assert (status, problem["errors"][0]["field"]) == (422, "php_static_pools"), problem
    assert (await api.call("GET", "/api/v1/plans/ann_busy", ann))[1]["php_static_pools"] is False


async def test_the_reconcile_sets_a_static_pool_back_as_recorded(api: Api, admin: str) -> None:
    await plan(api, admin, "busy", php_static_pools=True)
    await api.create_account(admin, "bob", plan="busy")
    change = {"pm": "static", "max_children": 2}
    assert (await api.call("PATCH", POOL.format("bob"), admin, json=change))[0] == 200
    api.web.pool_limits["bob"] = (DYNAMIC, 2)  # a hand edited the agent's limits file
    report = await reconcile(api, admin)
    assert outcomes(report, "php_pool", "bob") == ["repaired"]
    assert api.web.pool_limits["bob"] == (STATIC, 2)
    again = await reconcile(api, admin)
    assert [f for f in again["findings"] if f["resource"] == "php_pool"] == []
