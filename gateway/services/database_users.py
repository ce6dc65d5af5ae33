"""Database users: who may log in to MariaDB, with which password, and to which databases.

A user may be given access only to databases of its own account; `databases` in a create or
update is the full list, and the gateway grants and revokes through the agent to match it.
"""

from __future__ import annotations

from jopanel.agent.databases.v1 import databases_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import conflict, not_found
from gateway.services.databases import check_prefix
from gateway.store import databases as store
from gateway.store.accounts import AccountRecord
from gateway.store.databases import DatabaseUserRecord
from gateway.store.tenants import Tenants


async def get(ctx: Context, name: str) -> DatabaseUserRecord | None:
    return await store.get_user(ctx.db, name)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[DatabaseUserRecord]:
    return await store.users_page(ctx.db, after=after, tenants=tenants, limit=limit)


async def create(
    ctx: Context, account: AccountRecord, name: str, password: str, databases: list[str]
) -> DatabaseUserRecord:
    check_prefix("name", name, account.name)
    wanted = await _databases_of(ctx, account.name, databases)
    async with ctx.audited("database_user.create", name):
        try:
            record_id = await store.insert_pending(ctx.db, "user", account.id, name)
        except store.NameTaken as exc:
            raise conflict(f"A database user named '{name}' exists already.") from exc
        async with applying(undo=lambda: store.delete(ctx.db, "user", record_id)):
            await ctx.agent.databases.CreateDatabaseUser(
                pb.CreateDatabaseUserRequest(account=account.name, name=name, password=password),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(ctx.db, "user", record_id, "active")
        await _match_grants(ctx, await _read(ctx, name), wanted)
    return await _read(ctx, name)


async def update(
    ctx: Context, user: DatabaseUserRecord, password: str | None, databases: list[str] | None
) -> DatabaseUserRecord:
    wanted = None if databases is None else await _databases_of(ctx, user.account, databases)
    async with ctx.audited("database_user.update", user.name):
        if password is not None:
            request = pb.UpdateDatabaseUserRequest(
                account=user.account, name=user.name, password=password
            )
            request.update_mask.paths.append("password")
            await ctx.agent.databases.UpdateDatabaseUser(request, timeout=CALL_TIMEOUT_SECONDS)
        if wanted is not None:
            await _match_grants(ctx, user, wanted)
    return await _read(ctx, user.name)


async def delete(ctx: Context, user: DatabaseUserRecord) -> None:
    async with ctx.audited("database_user.delete", user.name):
        await store.set_status(ctx.db, "user", user.id, "deleting")
        async with applying(undo=lambda: store.set_status(ctx.db, "user", user.id, user.status)):
            await ctx.agent.databases.DeleteDatabaseUser(
                pb.DeleteDatabaseUserRequest(account=user.account, name=user.name),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(ctx.db, "user", user.id)


async def _databases_of(ctx: Context, account: str, names: list[str]) -> dict[str, int]:
    """The ids of the named databases, each of which must be the account's own: another
    account's database answers exactly as a missing one, 404, whatever else the list holds."""
    found: dict[str, int] = {}
    for name in names:
        database = await store.get_database(ctx.db, name)
        if database is None or database.account != account:
            raise not_found(f"Database '{name}'")
        found[name] = database.id
    return found


async def _match_grants(ctx: Context, user: DatabaseUserRecord, wanted: dict[str, int]) -> None:
    """Grants and revokes through the agent until the user has exactly `wanted`."""
    have = set(user.databases)
    for name, database_id in wanted.items():
        if name not in have:
            await ctx.agent.databases.GrantDatabaseAccess(
                pb.GrantDatabaseAccessRequest(account=user.account, user=user.name, database=name),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            await store.grant(ctx.db, user.id, database_id)
    for name in sorted(have - set(wanted)):
        await ctx.agent.databases.RevokeDatabaseAccess(
            pb.RevokeDatabaseAccessRequest(account=user.account, user=user.name, database=name),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        database = await store.get_database(ctx.db, name)
        if database is not None:
            await store.revoke(ctx.db, user.id, database.id)


async def _read(ctx: Context, name: str) -> DatabaseUserRecord:
    user = await store.get_user(ctx.db, name)
    if user is None:  # deleted by another request in between
        raise not_found(f"Database user '{name}'")
    return user
