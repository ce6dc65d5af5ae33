"""Hosted MariaDB databases: the flows that record a database, have the agent create it, and
settle the record.

A database's name starts with its account's name and an underscore (alice_shop). Like every
resource, it is recorded as pending, created through the agent, then marked active, or its
record removed when the agent fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from jopanel.agent.databases.v1 import databases_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import conflict, field_error, not_found, plan_limit
from gateway.store import databases as store
from gateway.store.accounts import AccountRecord
from gateway.store.databases import DatabaseRecord
from gateway.store.plans import LimitReached
from gateway.store.tenants import Tenants


def check_prefix(field: str, name: str, account: str) -> None:
    """Database and database user names start with their account's name and '_'."""
    if not name.startswith(f"{account}_") or name == f"{account}_":
        raise field_error(field, f"must start with '{account}_' and go on after it")


async def get(ctx: Context, name: str) -> DatabaseRecord | None:
    return await store.get_database(ctx.db, name)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[DatabaseRecord]:
    return await store.databases_page(ctx.db, after=after, tenants=tenants, limit=limit)


async def sizes(ctx: Context, databases: Iterable[DatabaseRecord]) -> dict[str, int]:
    """The size of each database the agent measures, asked once per account for its
    databases of the page."""
    by_account: dict[str, list[str]] = {}
    for database in databases:
        by_account.setdefault(database.account, []).append(database.name)
    measured: dict[str, int] = {}
    for account, names in sorted(by_account.items()):
        reply = await ctx.agent.databases.ListDatabases(
            pb.ListDatabasesRequest(account=account, names=names, with_size=True),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        measured |= {d.name: d.size_bytes for d in reply.databases}
    return measured


async def create(ctx: Context, account: AccountRecord, name: str) -> DatabaseRecord:
    check_prefix("name", name, account.name)
    async with ctx.audited("database.create", name):
        try:
            record_id = await store.insert_pending(ctx.db, "database", account.id, name)
        except store.NameTaken as exc:
            raise conflict(f"A database named '{name}' exists already.") from exc
        except LimitReached as exc:
            raise plan_limit(exc) from exc
        async with applying(undo=lambda: store.delete(ctx.db, "database", record_id)):
            await ctx.agent.databases.CreateDatabase(
                pb.CreateDatabaseRequest(account=account.name, name=name),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(ctx.db, "database", record_id, "active")
    return await _read(ctx, name)


async def delete(ctx: Context, database: DatabaseRecord) -> None:
    async with ctx.audited("database.delete", database.name):
        await store.set_status(ctx.db, "database", database.id, "deleting")
        async with applying(
            undo=lambda: store.set_status(ctx.db, "database", database.id, database.status)
        ):
            await ctx.agent.databases.DeleteDatabase(
                pb.DeleteDatabaseRequest(account=database.account, name=database.name),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(ctx.db, "database", database.id)


async def _read(ctx: Context, name: str) -> DatabaseRecord:
    database = await store.get_database(ctx.db, name)
    if database is None:  # deleted by another request in between
        raise not_found(f"Database '{name}'")
    return database
