"""A plan's disk quota reaches every account on it through the agent, and never below usage.

The fake agent keeps each account's limit and usage as the real one reports them
(tests/agent/test_disk_quota.py shows the kernel enforcing them).
"""

from __future__ import annotations

import asyncio

import grpc

from tests.gateway.conftest import Api

MIB = 1024 * 1024


async def plan(api: Api, admin: str, name: str, disk_quota_mb: int | None) -> None:
    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": name, "disk_quota_mb": disk_quota_mb}
    )
    assert status == 201, body


def use(api: Api, account: str, mib: int) -> None:
    """The account's files now take `mib` MiB, as the agent would report."""
    api.agent.accounts[account].disk.used_bytes = mib * MIB


async def test_an_account_gets_its_plans_quota_and_shows_its_usage(api: Api, admin: str) -> None:
    await plan(api, admin, "small", 100)
    account = await api.create_account(admin, "alice", plan="small")
    assert api.agent.accounts["alice"].disk.limit_bytes == 100 * MIB
    assert account["system"]["disk"] == {
        "enforced": True,
        "used_bytes": 0,
        "limit_bytes": 100 * MIB,
        "used_inodes": 0,
        "inode_limit": None,
    }

    use(api, "alice", 42)
    status, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert status == 200
    assert account["system"]["disk"]["used_bytes"] == 42 * MIB
    owner = await api.login("alice", "owner-pass-1")
    _, me = await api.call("GET", "/api/v1/me", owner)
    assert me["usage"]["disk_quota_mb"] == 42
    assert me["plan"]["disk_quota_mb"] == 100


async def test_an_unlimited_plan_sets_no_limit(api: Api, admin: str) -> None:
    account = await api.create_account(admin, "alice")
    assert account["system"]["disk"] == {
        "enforced": True,
        "used_bytes": 0,
        "limit_bytes": None,
        "used_inodes": 0,
        "inode_limit": None,
    }


async def test_zero_mib_is_no_disk_quota(api: Api, admin: str) -> None:
    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "tiny", "disk_quota_mb": 0}
    )
    assert status == 400
    assert body["errors"][0]["field"] == "disk_quota_mb"
    status, _ = await api.call(
        "PATCH", "/api/v1/plans/default", admin, json={"disk_quota_mb": 16 * 1024 * 1024 + 1}
    )
    assert status == 400


async def test_a_plans_new_quota_reaches_every_account_on_it(api: Api, admin: str) -> None:
    await plan(api, admin, "small", 100)
    for name in ("alice", "bob", "carol"):
        await api.create_account(admin, name, plan="small" if name != "carol" else "default")

    status, body = await api.call(
        "PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": 250}
    )

    assert status == 200, body
    assert body["disk_quota_mb"] == 250
    limits = {n: a.disk.limit_bytes for n, a in api.agent.accounts.items()}
    assert limits == {"alice": 250 * MIB, "bob": 250 * MIB, "carol": 0}
    status, body = await api.call(
        "PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": None}
    )
    assert status == 200
    assert api.agent.accounts["alice"].disk.limit_bytes == 0


def limit_mib(api: Api, account: str) -> int:
    return api.agent.accounts[account].disk.limit_bytes // MIB


async def test_a_move_racing_its_new_plans_change_gets_the_plans_new_quota(
    api: Api, admin: str
) -> None:
    """The new plan's quota goes down in a change that listed its accounts before this one was
    on it; the move, having read the plan before, reads it again once the account is on it."""
    await plan(api, admin, "old", 100)
    await plan(api, admin, "new", 200)
    await api.create_account(admin, "alice", plan="old")
    hold = api.agent.hold = asyncio.Event()
    body = {"plan": "new"}
    move = asyncio.create_task(api.call("PATCH", "/api/v1/accounts/alice", admin, json=body))
    await api.agent.held.wait()  # the move has read the new plan (its usage check)
    status, _ = await api.call("PATCH", "/api/v1/plans/new", admin, json={"disk_quota_mb": 50})
    assert status == 200
    hold.set()
    assert (await move)[0] == 200
    assert limit_mib(api, "alice") == 50


async def test_a_plans_change_racing_a_move_off_it_leaves_the_new_plans_quota(
    api: Api, admin: str
) -> None:
    """The plan's change lists its accounts and checks their usage; one of them moves to
    another plan meanwhile. Once its calls have answered, the plan's change reads its accounts
    again and gives the one that left its new plan's quota back."""
    await plan(api, admin, "small", 100)
    await plan(api, admin, "large", 300)
    await api.create_account(admin, "alice", plan="small")
    hold = api.agent.hold = asyncio.Event()
    body = {"disk_quota_mb": 50}
    change = asyncio.create_task(api.call("PATCH", "/api/v1/plans/small", admin, json=body))
    await api.agent.held.wait()  # the usage check of the accounts listed: alice
    move = {"plan": "large"}
    assert (await api.call("PATCH", "/api/v1/accounts/alice", admin, json=move))[0] == 200
    assert limit_mib(api, "alice") == 300
    hold.set()
    assert (await change)[0] == 200
    assert limit_mib(api, "alice") == 300


async def test_an_account_made_while_its_plans_quota_changes_gets_the_new_quota(
    api: Api, admin: str
) -> None:
    await plan(api, admin, "small", 100)
    hold = api.agent.hold = asyncio.Event()
    body = {"name": "alice", "password": "owner-pass-1", "plan": "small"}
    create = asyncio.create_task(api.call("POST", "/api/v1/accounts", admin, json=body))
    await api.agent.held.wait()  # CreateAccount, with the plan's quota as it was
    status, _ = await api.call("PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": 50})
    assert status == 200
    hold.set()
    assert (await create)[0] == 201
    assert limit_mib(api, "alice") == 50


async def test_a_quota_below_what_an_account_uses_is_refused(api: Api, admin: str) -> None:
    await plan(api, admin, "small", 100)
    await api.create_account(admin, "alice", plan="small")
    await api.create_account(admin, "bob", plan="small")
    use(api, "alice", 80)
    api.agent.calls.clear()

    status, body = await api.call("PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": 50})

    assert status == 409
    assert "alice uses 80 MB of disk (limit 50)" in body["detail"]
    assert "bob" not in body["detail"]
    assert not [c for c in api.agent.calls if c.startswith("UpdateAccount")]
    assert (await api.call("GET", "/api/v1/plans/small", admin))[1]["disk_quota_mb"] == 100
    assert api.agent.accounts["alice"].disk.limit_bytes == 100 * MIB


async def test_moving_an_account_to_a_plan_it_exceeds_is_refused(api: Api, admin: str) -> None:
    await plan(api, admin, "small", 50)
    await plan(api, admin, "large", 500)
    await api.create_account(admin, "alice")
    use(api, "alice", 80)

    status, body = await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "small"})
    assert status == 409
    assert "alice uses 80 MB of disk (limit 50)" in body["detail"]
    assert api.agent.accounts["alice"].disk.limit_bytes == 0

    status, body = await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "large"})
    assert status == 200
    assert body["plan"] == "large"
    assert api.agent.accounts["alice"].disk.limit_bytes == 500 * MIB


async def test_an_agent_failure_halfway_takes_the_change_back(api: Api, admin: str) -> None:
    await plan(api, admin, "small", 100)
    for name in ("alice", "bob", "carol"):
        await api.create_account(admin, name, plan="small")
    api.agent.fail_call = "UpdateAccount bob"

    status, _ = await api.call("PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": 300})

    assert status >= 500
    assert (await api.call("GET", "/api/v1/plans/small", admin))[1]["disk_quota_mb"] == 100
    limits = {n: a.disk.limit_bytes for n, a in api.agent.accounts.items()}
    assert limits == {"alice": 100 * MIB, "bob": 100 * MIB, "carol": 100 * MIB}


async def test_a_server_without_quotas_refuses_a_disk_quota_plainly(api: Api, admin: str) -> None:
    await plan(api, admin, "small", 100)  # made while quotas held
    await plan(api, admin, "free", None)
    api.agent.quotas_enforced = False

    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "tiny", "disk_quota_mb": 10}
    )
    assert status == 409
    assert "does not enforce disk quotas" in body["detail"]
    assert (await api.call("GET", "/api/v1/plans/tiny", admin))[0] == 404
    status, body = await api.call("PATCH", "/api/v1/plans/free", admin, json={"disk_quota_mb": 10})
    assert status == 409
    assert (await api.call("GET", "/api/v1/plans/free", admin))[1]["disk_quota_mb"] is None
    # Taking a quota away, or changing another limit, needs no quota support.
    assert (await api.call("PATCH", "/api/v1/plans/free", admin, json={"max_domains": 3}))[0] == 200
    unlimited = {"disk_quota_mb": None}
    assert (await api.call("PATCH", "/api/v1/plans/small", admin, json=unlimited))[0] == 200
    await api.call("PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": 100})  # 409
    # A plan that got its quota while quotas held (the fake's flag flips back for a moment).
    api.agent.quotas_enforced = True
    assert (await api.call("PATCH", "/api/v1/plans/small", admin, json={"disk_quota_mb": 100}))[
        0
    ] == 200
    api.agent.quotas_enforced = False

    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        admin,
        json={"name": "alice", "password": "owner-pass-1", "plan": "small"},
    )

    assert status == 409
    assert "disk quotas are not enforced" in body["detail"]
    assert (await api.call("GET", "/api/v1/accounts/alice", admin))[0] == 404
    account = await api.create_account(admin, "bob")
    assert account["system"]["disk"] == {
        "enforced": False,
        "used_bytes": None,
        "limit_bytes": None,
        "used_inodes": None,
        "inode_limit": None,
    }
    bob = await api.login("bob", "owner-pass-1")
    _, me = await api.call("GET", "/api/v1/me", bob)
    assert "disk_quota_mb" not in me["usage"]
    assert "inode_quota" not in me["usage"]


async def test_the_account_list_shows_each_accounts_disk_in_one_agent_call(
    api: Api, admin: str
) -> None:
    await plan(api, admin, "small", 100)
    await api.create_account(admin, "alice", plan="small")
    await api.create_account(admin, "bob")
    use(api, "alice", 30)
    api.agent.calls.clear()

    status, page = await api.call("GET", "/api/v1/accounts", admin)

    assert status == 200
    disks = {a["name"]: a["system"]["disk"] for a in page["items"]}
    assert disks["alice"] == {
        "enforced": True,
        "used_bytes": 30 * MIB,
        "limit_bytes": 100 * MIB,
        "used_inodes": 0,
        "inode_limit": None,
    }
    assert disks["bob"]["limit_bytes"] is None
    assert api.agent.calls == ["ListAccounts alice,bob"]

    api.agent.fail_next = grpc.StatusCode.UNAVAILABLE
    status, page = await api.call("GET", "/api/v1/accounts", admin)
    assert status == 200
    assert [a["system"] for a in page["items"]] == [None, None]


async def inode_plan(api: Api, admin: str, name: str, inodes: int | None) -> None:
    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": name, "inode_quota": inodes}
    )
    assert status == 201, body


async def test_an_account_gets_its_plans_inode_quota_beside_the_disk(api: Api, admin: str) -> None:
    status, body = await api.call(
        "POST",
        "/api/v1/plans",
        admin,
        json={"name": "small", "disk_quota_mb": 100, "inode_quota": 5000},
    )
    assert status == 201, body
    assert (body["disk_quota_mb"], body["inode_quota"]) == (100, 5000)
    account = await api.create_account(admin, "alice", plan="small")
    assert api.agent.accounts["alice"].disk.inode_limit == 5000
    assert api.agent.accounts["alice"].disk.limit_bytes == 100 * MIB
    assert account["system"]["disk"]["inode_limit"] == 5000

    api.agent.accounts["alice"].disk.used_inodes = 1234
    owner = await api.login("alice", "owner-pass-1")
    _, me = await api.call("GET", "/api/v1/me", owner)
    assert me["usage"]["inode_quota"] == 1234
    assert me["plan"]["inode_quota"] == 5000


async def test_a_plans_new_inode_quota_reaches_its_accounts_not_below_usage(
    api: Api, admin: str
) -> None:
    await inode_plan(api, admin, "small", 5000)
    await api.create_account(admin, "alice", plan="small")
    await api.create_account(admin, "bob", plan="small")
    api.agent.accounts["alice"].disk.used_inodes = 3000
    api.agent.calls.clear()

    status, body = await api.call("PATCH", "/api/v1/plans/small", admin, json={"inode_quota": 2000})
    assert status == 409
    assert "alice owns 3000 files (limit 2000)" in body["detail"]
    assert not [c for c in api.agent.calls if c.startswith("UpdateAccount")]
    assert api.agent.accounts["alice"].disk.inode_limit == 5000

    status, body = await api.call("PATCH", "/api/v1/plans/small", admin, json={"inode_quota": 9000})
    assert (status, body["inode_quota"]) == (200, 9000)
    assert {n: a.disk.inode_limit for n, a in api.agent.accounts.items()} == {
        "alice": 9000,
        "bob": 9000,
    }
    status, body = await api.call("PATCH", "/api/v1/plans/small", admin, json={"inode_quota": None})
    assert status == 200
    assert api.agent.accounts["bob"].disk.inode_limit == 0


async def test_moving_an_account_brings_its_inode_quota_along(api: Api, admin: str) -> None:
    await inode_plan(api, admin, "small", 100)
    await inode_plan(api, admin, "large", 10000)
    await api.create_account(admin, "alice", plan="large")
    api.agent.accounts["alice"].disk.used_inodes = 500

    status, body = await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "small"})
    assert status == 409
    assert "alice owns 500 files (limit 100)" in body["detail"]
    status, _ = await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "default"})
    assert status == 200
    assert api.agent.accounts["alice"].disk.inode_limit == 0


async def test_inode_quotas_need_quota_support_and_a_sane_value(api: Api, admin: str) -> None:
    for value in (0, -1, 2**32):
        status, body = await api.call(
            "POST", "/api/v1/plans", admin, json={"name": "x", "inode_quota": value}
        )
        assert (status, body["errors"][0]["field"]) == (400, "inode_quota")
    api.agent.quotas_enforced = False
    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "x", "inode_quota": 1000}
    )
    assert status == 409
    assert "does not enforce disk quotas" in body["detail"]
    status, _ = await api.call("PATCH", "/api/v1/plans/default", admin, json={"inode_quota": 10})
    assert status == 409
