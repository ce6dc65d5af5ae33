"""A shell over SSH as the plan says (against the fake agent): a plan's ssh_shell reaches every
account on it that has a login shell, an account moved between plans or given nologin follows,
a failure takes the whole change back, and the reconcile settles what a hand changed."""

from __future__ import annotations

import asyncio

import grpc

from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile import outcomes, reconcile


async def plan(api: Api, admin: str, name: str, **fields: object) -> dict[str, object]:
    status, body = await api.call("POST", "/api/v1/plans", admin, json={"name": name, **fields})
    assert status == 201, body
    return dict(body)


async def test_a_plan_with_a_shell_gives_it_to_accounts_with_a_login_shell(
    api: Api, admin: str
) -> None:
    assert (await plan(api, admin, "shell", ssh_shell=True))["ssh_shell"] is True
    assert (await plan(api, admin, "sftp"))["ssh_shell"] is False
    await api.create_account(admin, "alice", plan="shell", shell="bash")
    await api.create_account(admin, "bob", plan="shell")  # nologin: SFTP only
    await api.create_account(admin, "carol", plan="sftp", shell="bash")
    assert api.ssh.shells == {"alice"}
    assert "UpdateSshShell bob" not in api.ssh.calls

    # Moving to a plan without a shell takes it away; moving back gives it again.
    status, _ = await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "sftp"})
    assert status == 200
    assert api.ssh.shells == set()
    await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"plan": "shell"})
    assert api.ssh.shells == {"alice"}
    # nologin takes it; a login shell on a plan with a shell gives it.
    await api.call("PATCH", "/api/v1/accounts/alice", admin, json={"shell": "nologin"})
    await api.call("PATCH", "/api/v1/accounts/bob", admin, json={"shell": "sh"})
    assert api.ssh.shells == {"bob"}


async def test_a_plan_change_reaches_every_account_on_it(api: Api, admin: str) -> None:
    await plan(api, admin, "basic")
    for name in ("alice", "bob"):
        await api.create_account(admin, name, plan="basic", shell="bash")
    await api.create_account(admin, "carol", plan="basic")
    await api.create_account(admin, "dave", shell="bash")  # another plan
    status, body = await api.call("PATCH", "/api/v1/plans/basic", admin, json={"ssh_shell": True})
    assert (status, body["ssh_shell"]) == (200, True)
    assert api.ssh.shells == {"alice", "bob"}
    status, body = await api.call("PATCH", "/api/v1/plans/basic", admin, json={"ssh_shell": False})
    assert (status, body["ssh_shell"]) == (200, False)
    assert api.ssh.shells == set()


async def test_a_shell_change_racing_its_plans_change_never_keeps_a_shell(
    api: Api, admin: str
) -> None:
    """An account's login shell change reads the plan (shells allowed), then sends; the plan's
    change taking shells away, recorded and sent meanwhile, reaches the agent first. The shell
    change reads the records again once answered and takes the shell (ssh.settle_shell)."""
    await plan(api, admin, "shell", ssh_shell=True)
    await api.create_account(admin, "alice", plan="shell")  # nologin: SFTP only
    hold = api.ssh.hold = asyncio.Event()
    body = {"shell": "bash"}
    change = asyncio.create_task(api.call("PATCH", "/api/v1/accounts/alice", admin, json=body))
    await api.ssh.held.wait()  # sent with the plan as it was: a shell
    off = {"ssh_shell": False}
    assert (await api.call("PATCH", "/api/v1/plans/shell", admin, json=off))[0] == 200
    assert api.ssh.shells == set()
    hold.set()  # the shell change's call lands last
    assert (await change)[0] == 200
    assert api.ssh.shells == set()


async def test_a_move_racing_its_new_plans_change_follows_the_plan(api: Api, admin: str) -> None:
    """The new plan takes shells away in a change that listed its accounts before this one was
    on it; the move reads the new plan again once the account is on it."""
    await plan(api, admin, "old", ssh_shell=True)
    await plan(api, admin, "new", ssh_shell=True, disk_quota_mb=1000)
    await api.create_account(admin, "alice", plan="old", shell="bash")
    assert api.ssh.shells == {"alice"}
    hold = api.agent.hold = asyncio.Event()
    body = {"plan": "new"}
    move = asyncio.create_task(api.call("PATCH", "/api/v1/accounts/alice", admin, json=body))
    await api.agent.held.wait()  # the move has read the new plan; alice is not on it yet
    off = {"ssh_shell": False}
    assert (await api.call("PATCH", "/api/v1/plans/new", admin, json=off))[0] == 200
    assert api.ssh.shells == {"alice"}  # not on the plan when its change listed them
    hold.set()
    assert (await move)[0] == 200
    assert api.ssh.shells == set()


async def test_an_account_made_while_its_plan_takes_shells_away_gets_none(
    api: Api, admin: str
) -> None:
    """The plan's change lists the accounts on the system; one still being made is not among
    them, so the account, once made, reads its plan again."""
    await plan(api, admin, "shell", ssh_shell=True)
    hold = api.agent.hold = asyncio.Event()
    body = {"name": "alice", "password": "owner-pass-1", "plan": "shell", "shell": "bash"}
    create = asyncio.create_task(api.call("POST", "/api/v1/accounts", admin, json=body))
    await api.agent.held.wait()  # CreateAccount: alice is being made
    off = {"ssh_shell": False}
    assert (await api.call("PATCH", "/api/v1/plans/shell", admin, json=off))[0] == 200
    hold.set()
    assert (await create)[0] == 201
    assert api.ssh.shells == set()
    assert "UpdateSshShell alice" not in api.ssh.calls


async def test_a_failed_plan_change_is_taken_back_whole(api: Api, admin: str) -> None:
    await plan(api, admin, "basic")
    for name in ("alice", "bob"):
        await api.create_account(admin, name, plan="basic", shell="bash")
    api.ssh.fail_call = "UpdateSshShell bob"
    status, _ = await api.call("PATCH", "/api/v1/plans/basic", admin, json={"ssh_shell": True})
    assert status == 503
    assert api.ssh.shells == set()  # alice's was set back
    assert (await api.call("GET", "/api/v1/plans/basic", admin))[1]["ssh_shell"] is False


async def test_a_plan_field_of_the_wrong_type_is_400_and_changes_nothing(
    api: Api, admin: str
) -> None:
    await plan(api, admin, "basic")
    await api.create_account(admin, "alice", plan="basic", shell="bash")
    for value in ("true", 1, 0, None, "yes", [True], {"on": True}, "x" * 10_000):
        for method, path, body in (
            ("PATCH", "/api/v1/plans/basic", {"ssh_shell": value}),
            ("POST", "/api/v1/plans", {"name": "other", "ssh_shell": value}),
        ):
            status, answer = await api.call(method, path, admin, json=body)
            assert status == 400, (value, method)
            assert answer["errors"][0]["field"] == "ssh_shell"
    huge = {"ssh_shell": True, "pad": "x" * 10_000_000}
    assert (await api.call("PATCH", "/api/v1/plans/basic", admin, json=huge))[0] == 413
    assert (await api.call("GET", "/api/v1/plans/other", admin))[0] == 404
    assert (await api.call("GET", "/api/v1/plans/basic", admin))[1]["ssh_shell"] is False
    assert "UpdateSshShell alice" not in api.ssh.calls


async def test_an_owner_cannot_give_itself_a_shell(api: Api, admin: str) -> None:
    await plan(api, admin, "basic")
    await api.create_account(admin, "alice", plan="basic", shell="bash")
    alice = await api.login("alice", "owner-pass-1")
    status, _ = await api.call("PATCH", "/api/v1/plans/basic", alice, json={"ssh_shell": True})
    assert status == 403
    status, _ = await api.call("PATCH", "/api/v1/accounts/alice", alice, json={"plan": "default"})
    assert status in (403, 404)
    assert api.ssh.shells == set()


async def test_the_reconcile_settles_a_shell_changed_by_hand(api: Api, admin: str) -> None:
    await plan(api, admin, "shell", ssh_shell=True)
    await api.create_account(admin, "alice", plan="shell", shell="bash")
    await api.create_account(admin, "bob", shell="bash")
    api.ssh.shells = {"bob"}  # a hand on the server: alice's taken, bob given one
    report = await reconcile(api, admin)
    assert outcomes(report, "ssh_access", "alice") == ["repaired"]
    assert outcomes(report, "ssh_access", "bob") == ["repaired"]
    assert api.ssh.shells == {"alice"}


async def test_a_shell_the_agent_refuses_at_creation_is_given_by_the_reconcile(
    api: Api, admin: str
) -> None:
    await plan(api, admin, "shell", ssh_shell=True)
    api.ssh.fail_call = "UpdateSshShell alice"
    api.ssh.fail_call_code = grpc.StatusCode.UNAVAILABLE
    status, _ = await api.call(
        "POST",
        "/api/v1/accounts",
        admin,
        json={"name": "alice", "password": "owner-pass-1", "plan": "shell", "shell": "bash"},
    )
    assert status == 503
    assert api.ssh.shells == set()
    await reconcile(api, admin)
    assert api.ssh.shells == {"alice"}


async def test_access_says_whether_a_sign_in_gets_a_shell(api: Api, admin: str) -> None:
    await plan(api, admin, "shell", ssh_shell=True)
    await api.create_account(admin, "alice", plan="shell", shell="bash")
    await api.create_account(admin, "bob", plan="shell")  # nologin
    alice = await api.login("alice", "owner-pass-1")
    status, access = await api.call("GET", "/api/v1/ssh-access", alice)
    assert (status, access) == (200, {"account": "alice", "enabled": True, "shell": True})
    status, access = await api.call("GET", "/api/v1/ssh-access?account=bob", admin)
    assert (status, access["shell"]) == (200, False)
    switch = {"account": "alice", "enabled": False}
    status, access = await api.call("PUT", "/api/v1/ssh-access", admin, json=switch)
    assert (status, access) == (200, {"account": "alice", "enabled": False, "shell": True})
    # Another owner's state stays hidden.
    assert (await api.call("GET", "/api/v1/ssh-access?account=bob", alice))[0] == 404
