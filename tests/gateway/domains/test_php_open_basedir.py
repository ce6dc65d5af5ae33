"""open_basedir per plan (against the fake agent): a plan's php_open_basedir reaches every
account on it with its own pool limits, new accounts and accounts moved between plans follow,
a failure takes the whole change back, and neither an owner nor a reseller can let PHP out of
the homes (docs/web.md, open_basedir per plan)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from jopanel.agent.web.v1 import web_pb2 as web_pb

from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile import outcomes, reconcile
from tests.gateway.ssh.test_ssh_shell import plan

DYNAMIC = web_pb.PROCESS_MANAGER_DYNAMIC
ONDEMAND = web_pb.PROCESS_MANAGER_ONDEMAND


async def test_a_plan_without_open_basedir_reaches_new_and_moved_accounts(
    api: Api, admin: str
) -> None:
    assert (await plan(api, admin, "trusted", php_open_basedir=False))["php_open_basedir"] is False
    assert (await plan(api, admin, "shared"))["php_open_basedir"] is True
    await api.create_account(admin, "alice", plan="trusted")
    await api.create_account(admin, "bob", plan="shared")
    assert api.web.unconfined == {"alice"}
    assert "SetPhpPoolLimits bob" not in api.web.calls  # the agent's default: confined

    # Moving keeps the account's own pool limits and takes the new plan's open_basedir.
    pool = "/api/v1/accounts/bob/php-pool"
    assert (await api.call("PATCH", pool, admin, json={"pm": "dynamic", "max_children": 3}))[
        0
    ] == 200
    status, _ = await api.call("PATCH", "/api/v1/accounts/bob", admin, json={"plan": "trusted"})
    assert status == 200
    assert api.web.unconfined == {"alice", "bob"}
    assert api.web.pool_limits["bob"] == (DYNAMIC, 3)
    calls = len(api.web.calls)
    # A move between two plans that agree sends nothing.
    await plan(api, admin, "trusted2", php_open_basedir=False)
    await api.call("PATCH", "/api/v1/accounts/bob", admin, json={"plan": "trusted2"})
    assert [c for c in api.web.calls[calls:] if c.startswith("SetPhpPoolLimits")] == []
    await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "shared"})
    assert api.web.unconfined == {"bob"}
    # A pool change keeps the plan's setting.
    assert (await api.call("PATCH", pool, admin, json={"max_children": 2}))[0] == 200
    assert api.web.unconfined == {"bob"}
    assert api.web.pool_limits["bob"] == (DYNAMIC, 2)
    # The owner reads what its plan says.
    bob = await api.login("bob", "owner-pass-1")
    assert (await api.call("GET", pool, bob))[1]["open_basedir"] is False
    assert (await api.call("GET", "/api/v1/accounts/alice/php-pool", admin))[1]["open_basedir"]


async def test_a_plan_change_reaches_every_account_on_it(api: Api, admin: str) -> None:
    await plan(api, admin, "basic")
    for name in ("alice", "bob"):
        await api.create_account(admin, name, plan="basic")
    await api.create_account(admin, "carol")  # another plan
    pool = "/api/v1/accounts/bob/php-pool"
    assert (await api.call("PATCH", pool, admin, json={"pm": "dynamic"}))[0] == 200
    change = {"php_open_basedir": False}
    status, body = await api.call("PATCH", "/api/v1/plans/basic", admin, json=change)
    assert (status, body["php_open_basedir"]) == (200, False)
    assert api.web.unconfined == {"alice", "bob"}
    assert api.web.pool_limits == {"alice": (ONDEMAND, 8), "bob": (DYNAMIC, 8)}
    status, body = await api.call(
        "PATCH", "/api/v1/plans/basic", admin, json={"php_open_basedir": True}
    )
    assert (status, body["php_open_basedir"]) == (200, True)
    assert api.web.unconfined == set()
    assert api.web.pool_limits["bob"] == (DYNAMIC, 8)


async def test_a_plan_change_sends_its_accounts_calls_together(api: Api, admin: str) -> None:
    """The agent takes the calls that wait together into one batch (one PHP-FPM reload for all
    the pools of a master), so a plan's change does not wait for one account's answer before it
    sends the next account's call (docs/web.md, open_basedir per plan)."""
    await plan(api, admin, "basic")
    names = ["alice", "bob", "carol"]
    for name in names:
        await api.create_account(admin, name, plan="basic")
    hold = api.web.hold = asyncio.Event()
    body = {"php_open_basedir": False}
    change = asyncio.create_task(api.call("PATCH", "/api/v1/plans/basic", admin, json=body))
    await api.web.held.wait()  # the agent holds the first call

    def sent() -> list[str]:
        return sorted(c for c in api.web.calls if c.startswith("SetPhpPoolLimits"))

    async with asyncio.timeout(10):
        while len(sent()) < len(names):  # noqa: ASYNC110 - the fake records calls, no event
            await asyncio.sleep(0.01)
    assert sent() == [f"SetPhpPoolLimits {name}" for name in names]
    hold.set()
    status, answer = await change
    assert (status, answer["php_open_basedir"]) == (200, False)
    assert api.web.unconfined == set(names)

    # The first account's call fails: the others, sent with it, are set back.
    api.web.fail_call = "SetPhpPoolLimits alice"
    status, _ = await api.call(
        "PATCH", "/api/v1/plans/basic", admin, json={"php_open_basedir": True}
    )
    assert status == 503
    assert api.web.unconfined == set(names)
    assert (await api.call("GET", "/api/v1/plans/basic", admin))[1]["php_open_basedir"] is False


async def test_a_pool_change_racing_a_plan_change_never_lets_php_out(api: Api, admin: str) -> None:
    """A pool change reads the plan's open_basedir, then sends it; the plan's change to keep PHP
    in the homes, recorded and sent meanwhile, reaches the agent first. The pool change reads
    the records again once answered and sends what they say (settle_pool)."""
    await plan(api, admin, "trusted", php_open_basedir=False)
    await api.create_account(admin, "alice", plan="trusted")
    assert api.web.unconfined == {"alice"}
    hold = api.web.hold = asyncio.Event()
    pool = "/api/v1/accounts/alice/php-pool"
    change = asyncio.create_task(api.call("PATCH", pool, admin, json={"pm": "dynamic"}))
    await api.web.held.wait()  # sent with the plan as it was: PHP out of the home
    body = {"php_open_basedir": True}
    assert (await api.call("PATCH", "/api/v1/plans/trusted", admin, json=body))[0] == 200
    assert api.web.unconfined == set()
    hold.set()  # the pool change's call lands last
    assert (await change)[0] == 200
    assert api.web.unconfined == set()
    assert api.web.pool_limits["alice"] == (DYNAMIC, 8)


async def test_a_plan_change_racing_a_pool_change_keeps_the_pools_limits(
    api: Api, admin: str
) -> None:
    """The plan's change sends each account's limits as it read them; an account's own pool
    change lands before it. Once every call has answered, the plan's change reads the pools
    again and settles those that changed."""
    await plan(api, admin, "basic")
    for name in ("alice", "bob"):
        await api.create_account(admin, name, plan="basic")
    hold = api.web.hold = asyncio.Event()
    body = {"php_open_basedir": False}
    change = asyncio.create_task(api.call("PATCH", "/api/v1/plans/basic", admin, json=body))
    await api.web.held.wait()  # alice's call, with the limits read before
    pool = {"pm": "dynamic", "max_children": 3}
    assert (await api.call("PATCH", "/api/v1/accounts/alice/php-pool", admin, json=pool))[0] == 200
    assert api.web.pool_limits["alice"] == (DYNAMIC, 3)
    hold.set()
    assert (await change)[0] == 200
    assert api.web.pool_limits == {"alice": (DYNAMIC, 3), "bob": (ONDEMAND, 8)}
    assert api.web.unconfined == {"alice", "bob"}


async def test_a_move_racing_its_new_plans_change_follows_the_plan(api: Api, admin: str) -> None:
    """An account moves between two plans that let PHP out; the new plan keeps PHP in the
    homes from a change that listed its accounts before this one was on it. The move reads the
    new plan again at its end and confines the account."""
    await plan(api, admin, "old", php_open_basedir=False)
    await plan(api, admin, "new", php_open_basedir=False, disk_quota_mb=1000)
    await api.create_account(admin, "alice", plan="old")
    assert api.web.unconfined == {"alice"}
    hold = api.agent.hold = asyncio.Event()
    move = asyncio.create_task(
        api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "new"})
    )
    await api.agent.held.wait()  # the move has read the new plan; alice is not on it yet
    body = {"php_open_basedir": True}
    assert (await api.call("PATCH", "/api/v1/plans/new", admin, json=body))[0] == 200
    assert api.web.unconfined == {"alice"}  # not on the plan when its change listed them
    hold.set()
    assert (await move)[0] == 200
    assert api.web.unconfined == set()
    # A move between plans that agree, and stay so, still sends nothing.
    await plan(api, admin, "new2", disk_quota_mb=1000)
    calls = len(api.web.calls)
    assert (await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "new2"}))[
        0
    ] == 200
    assert [c for c in api.web.calls[calls:] if c.startswith("SetPhpPoolLimits")] == []


@pytest.mark.parametrize("open_basedir", [True, False])
async def test_an_account_made_while_its_plan_changes_follows_the_plan(
    api: Api, admin: str, open_basedir: bool
) -> None:
    """The plan's change lists the accounts on the system; one still being made is not among
    them, so the account, once made, reads its plan again (in either direction)."""
    await plan(api, admin, "basic", php_open_basedir=not open_basedir)
    hold = api.agent.hold = asyncio.Event()
    body = {"name": "alice", "password": "owner-pass-1", "plan": "basic"}
    create = asyncio.create_task(api.call("POST", "/api/v1/accounts", admin, json=body))
    await api.agent.held.wait()  # CreateAccount: alice is being made
    change = {"php_open_basedir": open_basedir}
    assert (await api.call("PATCH", "/api/v1/plans/basic", admin, json=change))[0] == 200
    assert "SetPhpPoolLimits alice" not in api.web.calls
    hold.set()
    assert (await create)[0] == 201
    assert api.web.unconfined == (set() if open_basedir else {"alice"})


async def test_a_failed_plan_change_is_taken_back_whole(api: Api, admin: str) -> None:
    await plan(api, admin, "basic", ssh_shell=True)
    for name in ("alice", "bob"):
        await api.create_account(admin, name, plan="basic", shell="bash")
    api.web.fail_call = "SetPhpPoolLimits bob"
    change = {"php_open_basedir": False, "ssh_shell": False}
    status, _ = await api.call("PATCH", "/api/v1/plans/basic", admin, json=change)
    assert status == 503
    assert api.web.unconfined == set()  # alice's was set back
    assert api.ssh.shells == {"alice", "bob"}  # the shells too
    body = (await api.call("GET", "/api/v1/plans/basic", admin))[1]
    assert (body["php_open_basedir"], body["ssh_shell"]) == (True, True)


async def test_wrong_types_are_400_and_change_nothing(api: Api, admin: str) -> None:
    await plan(api, admin, "basic")
    await api.create_account(admin, "alice", plan="basic")
    for value in ("false", 0, 1, None, "no", [False], {"off": True}, "x" * 10_000):
        for method, path, body in (
            ("PATCH", "/api/v1/plans/basic", {"php_open_basedir": value}),
            ("POST", "/api/v1/plans", {"name": "other", "php_open_basedir": value}),
        ):
            status, answer = await api.call(method, path, admin, json=body)
            assert status == 400, (value, method)
            assert answer["errors"][0]["field"] == "php_open_basedir"
    assert (await api.call("GET", "/api/v1/plans/other", admin))[0] == 404
    assert (await api.call("GET", "/api/v1/plans/basic", admin))[1]["php_open_basedir"] is True
    assert "SetPhpPoolLimits alice" not in api.web.calls


async def test_an_owner_cannot_let_its_php_out(api: Api, admin: str) -> None:
    await plan(api, admin, "basic")
    await api.create_account(admin, "alice", plan="basic")
    alice = await api.login("alice", "owner-pass-1")
    change = {"php_open_basedir": False}
    assert (await api.call("PATCH", "/api/v1/plans/basic", alice, json=change))[0] == 403
    pool = "/api/v1/accounts/alice/php-pool"
    assert (await api.call("PATCH", pool, alice, json=change))[0] == 400
    assert api.web.unconfined == set()


async def test_a_failed_move_never_leaves_php_out_of_the_home(api: Api, admin: str) -> None:
    """Kept to the home before the rest of a move, let out after it: whichever step fails, the
    account's PHP is confined on a plan that would not need it, never the other way round."""
    await plan(api, admin, "trusted", php_open_basedir=False, disk_quota_mb=100)
    await plan(api, admin, "shared", disk_quota_mb=50)
    await api.create_account(admin, "alice", plan="trusted")
    await api.create_account(admin, "bob", plan="shared")
    assert api.web.unconfined == {"alice"}

    # To a plan that confines it: the agent refuses the new disk quota after the pool changed.
    api.agent.fail_call = "UpdateAccount alice"
    api.agent.fail_call_code = grpc.StatusCode.FAILED_PRECONDITION
    status, _ = await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "shared"})
    assert status == 409
    assert (await api.call("GET", "/api/v1/accounts/alice", admin))[1]["plan"] == "trusted"
    assert api.web.unconfined == set()

    # To a plan that lets it out: the pool change fails last, the move stands, PHP stays in.
    api.web.fail_call = "SetPhpPoolLimits bob"
    status, _ = await api.call("PATCH", "/api/v1/accounts/bob", admin, json={"plan": "trusted"})
    assert status == 503
    assert (await api.call("GET", "/api/v1/accounts/bob", admin))[1]["plan"] == "trusted"
    assert api.web.unconfined == set()
    # A pool change sends the plan's setting again.
    pool = "/api/v1/accounts/bob/php-pool"
    assert (await api.call("PATCH", pool, admin, json={"max_children": 4}))[0] == 200
    assert api.web.unconfined == {"bob"}


async def test_the_reconcile_sets_the_pools_back_as_recorded(api: Api, admin: str) -> None:
    await plan(api, admin, "trusted", php_open_basedir=False)
    await api.create_account(admin, "alice", plan="trusted")
    for name in ("bob", "carol", "dave"):
        await api.create_account(admin, name)
    pool = "/api/v1/accounts/bob/php-pool"
    assert (await api.call("PATCH", pool, admin, json={"pm": "dynamic", "max_children": 3}))[
        0
    ] == 200
    # The agent lost its limits file, and a hand let carol's PHP out of her home.
    api.web.pool_limits = {}
    api.web.unconfined = {"carol"}

    report = await reconcile(api, admin)

    for name in ("alice", "bob", "carol"):
        assert outcomes(report, "php_pool", name) == ["repaired"], name
    assert outcomes(report, "php_pool", "dave") == []
    assert api.web.unconfined == {"alice"}
    assert api.web.pool_limits["bob"] == (DYNAMIC, 3)
    again = await reconcile(api, admin)
    assert [f for f in again["findings"] if f["resource"] == "php_pool"] == []
