"""Deleting an account has one owner per side (docs/architecture.md, Cascades): the gateway sends
one DeleteAccount, in which the agent removes the account's whole system side, and deletes one
user row, whose foreign keys remove every row of the account, and nothing of anyone else's."""

from __future__ import annotations

import grpc

from gateway import keys
from tests.gateway.conftest import Api

# The log keeps what happened; the migrations table is the schema's.
_NOT_AN_ACCOUNTS = {"audit_log", "schema_migrations"}


async def _rows_per_table(api: Api) -> dict[str, int]:
    """Every table of the panel's database, found rather than listed, so a table added later
    is checked too."""
    counts: dict[str, int] = {}
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute("SHOW TABLES")
        tables = [next(iter(row.values())) for row in await cur.fetchall()]
        for table in sorted(set(tables) - _NOT_AN_ACCOUNTS):
            await cur.execute(f"SELECT COUNT(*) AS n FROM `{table}`")  # noqa: S608 - its own names
            counts[table] = int((await cur.fetchone())["n"])
    return counts


async def _furnish(api: Api, admin: str, account: str, domain: str) -> None:
    """An account with one of everything: a signed-in owner, a site with an alias and one
    suspended on its own, zones with a record, a database with a user granted on it, a job."""
    owner = await api.owner(admin, account)
    database = f"{account}_db"

    async def post(path: str, body: dict[str, object]) -> None:
        status, answer = await api.call("POST", path, owner, json=body)
        assert status == 201, (path, answer)

    await post("/api/v1/domains", {"name": domain, "aliases": [f"alias.{domain}"]})
    await post("/api/v1/domains", {"name": f"paused.{domain}"})
    status, _ = await api.call("POST", f"/api/v1/domains/paused.{domain}/suspend", owner)
    assert status == 200
    for zone in (domain, f"alias.{domain}"):
        await post("/api/v1/dns-zones", {"name": zone})
    await post(
        f"/api/v1/dns-zones/{domain}/records",
        {"type": "A", "name": "shop", "address": "192.0.2.7"},
    )
    await post("/api/v1/databases", {"name": database})
    await post(
        "/api/v1/database-users",
        {"name": f"{account}_rw", "password": "db-pass-123", "databases": [database]},
    )
    await post("/api/v1/cron-jobs", {"schedule": "@daily", "command": "true"})


async def test_deleting_an_account_leaves_no_row_of_it_in_any_table(api: Api, admin: str) -> None:
    # The neighbour's name starts with the deleted account's: a prefix match would take it too.
    await _furnish(api, admin, "alice_two", "alice-two.test")
    before = await _rows_per_table(api)
    await _furnish(api, admin, "alice", "alice.test")
    assert (await _rows_per_table(api)) != before

    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204

    assert (await _rows_per_table(api)) == before
    assert (await api.call("GET", "/api/v1/accounts/alice_two", admin))[0] == 200
    assert sorted(api.web.domains) == ["alice-two.test", "paused.alice-two.test"]
    assert sorted(api.dns.zones) == ["alias.alice-two.test", "alice-two.test"]
    assert api.databases.databases == {"alice_two_db": "alice_two"}
    assert list(api.cron.jobs) == ["alice_two"]


async def test_deleting_an_account_is_one_agent_call(api: Api, admin: str) -> None:
    """The agent removes the sites, zones, databases and crontab within DeleteAccount; the
    gateway no longer removes them one call at a time first."""
    await _furnish(api, admin, "alice", "alice.test")
    fakes = (api.agent, api.web, api.dns, api.databases, api.cron)
    for fake in fakes:
        fake.calls.clear()

    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204

    assert [call for fake in fakes for call in fake.calls] == ["DeleteAccount alice"]
    assert (api.web.domains, api.dns.zones, api.databases.databases, api.cron.jobs) == (
        {},
        {},
        {},
        {},
    )


async def test_an_agent_failure_keeps_every_row_of_the_account(api: Api, admin: str) -> None:
    await _furnish(api, admin, "alice", "alice.test")
    before = await _rows_per_table(api)
    api.agent.fail_next = grpc.StatusCode.FAILED_PRECONDITION

    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 409

    assert (await _rows_per_table(api)) == before
    status, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert (status, account["status"]) == (200, "active")
