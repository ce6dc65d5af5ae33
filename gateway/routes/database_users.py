"""Database users: who may log in to MariaDB, with which password, and to which databases.

A user may be given access only to databases of its own account; `databases` in a create or
update is the full list, and the gateway grants and revokes through the agent to match it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from aiohttp import web
from jopanel.agent.databases.v1 import databases_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Access, Call, Operation, Owned, json_response
from gateway.consistency import applying
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import conflict, not_found
from gateway.routes.databases import DatabaseName, check_prefix
from gateway.scope import account_filter, account_for
from gateway.store import databases as store
from gateway.validation import AccountName, Password

UserName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,79}$")]
Grants = Annotated[list[DatabaseName], Field(max_length=1000)]


class DatabaseUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: UserName = Field(description="Starts with the account's name and '_'")
    password: Password
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )
    databases: Grants = Field(default=[], description="Databases of the account it may use")


class DatabaseUserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password | None = None
    databases: Grants | None = Field(default=None, description="The full list to allow")


class DatabaseUserQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class DatabaseUser(BaseModel):
    name: str
    account: str
    status: Literal["pending", "active", "deleting"]
    databases: list[str]
    created_at: datetime


class DatabaseUserPage(BaseModel):
    items: list[DatabaseUser]
    next_page_token: str | None


def user_of(row: Row) -> DatabaseUser:
    return DatabaseUser(
        name=row["name"],
        account=row["account"],
        status=row["status"],
        databases=store.linked_of(row),
        created_at=row["created_at"].replace(tzinfo=UTC),
    )


USER_NAME = re.compile(r"[a-z][a-z0-9_]{2,79}")


async def find_user(call: Call) -> Owned | None:
    name = call.param_like("name", USER_NAME)
    row = await store.get(call.db, "user", name) if name else None
    return Owned(row["account"], row) if row else None


def _found(call: Call) -> Row:
    if call.resource is None:
        raise not_found(f"Database user '{call.param('name')}'")
    return call.resource


async def _databases_of(call: Call, account: str, names: list[str]) -> dict[str, int]:
    """The ids of the named databases, each of which must be the account's own: another
    account's database answers exactly as a missing one, 404, whatever else the list holds."""
    found: dict[str, int] = {}
    for name in names:
        row = await store.get(call.db, "database", name)
        if row is None or row["account"] != account:
            raise not_found(f"Database '{name}'")
        found[name] = int(row["id"])
    return found


async def _match_grants(call: Call, user: Row, wanted: dict[str, int]) -> None:
    """Grants and revokes through the agent until the user has exactly `wanted`."""
    have = set(store.linked_of(user))
    for name, database_id in wanted.items():
        if name not in have:
            await call.agent.databases.GrantDatabaseAccess(
                pb.GrantDatabaseAccessRequest(
                    account=user["account"], user=user["name"], database=name
                ),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            await store.grant(call.db, user["id"], database_id)
    for name in sorted(have - set(wanted)):
        await call.agent.databases.RevokeDatabaseAccess(
            pb.RevokeDatabaseAccessRequest(
                account=user["account"], user=user["name"], database=name
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        database = await store.get(call.db, "database", name)
        if database is not None:
            await store.revoke(call.db, user["id"], database["id"])


async def _reply(call: Call, name: str, status: int = 200) -> web.Response:
    row = await store.get(call.db, "user", name)
    assert row is not None
    return json_response(user_of(row), status)


async def list_users(call: Call) -> web.StreamResponse:
    query = call.query_as(DatabaseUserQuery)
    account = await account_filter(call, query.account)
    account_id = account["id"] if account else None
    after = decode_token(query.page_token, "after", str) or ""
    rows = await store.page(
        call.db,
        "user",
        after=after,
        account_id=account_id,
        limit=query.limit + 1,
    )
    rows, token = page_of(rows, query.limit, "name")
    return json_response(DatabaseUserPage(items=[user_of(r) for r in rows], next_page_token=token))


async def create_user(call: Call) -> web.StreamResponse:
    body = call.body_as(DatabaseUserCreate)
    account = await account_for(call, body.account)
    check_prefix("name", body.name, account["name"])
    wanted = await _databases_of(call, account["name"], body.databases)
    async with call.audited("database_user.create", body.name):
        try:
            record = await store.insert_pending(call.db, "user", account["id"], body.name)
        except store.NameTaken as exc:
            raise conflict(f"A database user named '{body.name}' exists already.") from exc
        async with applying(undo=lambda: store.delete(call.db, "user", record)):
            await call.agent.databases.CreateDatabaseUser(
                pb.CreateDatabaseUserRequest(
                    account=account["name"], name=body.name, password=body.password
                ),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(call.db, "user", record, "active")
        user = await store.get(call.db, "user", body.name)
        assert user is not None
        await _match_grants(call, user, wanted)
    return await _reply(call, body.name, 201)


async def get_user(call: Call) -> web.StreamResponse:
    return json_response(user_of(_found(call)))


async def update_user(call: Call) -> web.StreamResponse:
    body = call.body_as(DatabaseUserUpdate)
    user = _found(call)
    wanted = (
        None
        if body.databases is None
        else await _databases_of(call, user["account"], body.databases)
    )
    async with call.audited("database_user.update", user["name"]):
        if body.password is not None:
            request = pb.UpdateDatabaseUserRequest(
                account=user["account"], name=user["name"], password=body.password
            )
            request.update_mask.paths.append("password")
            await call.agent.databases.UpdateDatabaseUser(request, timeout=CALL_TIMEOUT_SECONDS)
        if wanted is not None:
            await _match_grants(call, user, wanted)
    return await _reply(call, user["name"])


async def delete_user(call: Call) -> web.StreamResponse:
    user = _found(call)
    async with call.audited("database_user.delete", user["name"]):
        await store.set_status(call.db, "user", user["id"], "deleting")
        async with applying(
            undo=lambda: store.set_status(call.db, "user", user["id"], user["status"])
        ):
            await call.agent.databases.DeleteDatabaseUser(
                pb.DeleteDatabaseUserRequest(account=user["account"], name=user["name"]),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(call.db, "user", user["id"])
    return web.Response(status=204)


_ONE = "/api/v1/database-users/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/database-users",
        list_users,
        "listDatabaseUsers",
        "List database users (an owner's own; administrators may filter)",
        "database-users",
        Access.SIGNED_IN,
        query=DatabaseUserQuery,
        response=DatabaseUserPage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/database-users",
        create_user,
        "createDatabaseUser",
        "Create a database user, optionally with access to databases",
        "database-users",
        Access.SIGNED_IN,
        body=DatabaseUserCreate,
        response=DatabaseUser,
        status=201,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_user,
        "getDatabaseUser",
        "One database user",
        "database-users",
        Access.SIGNED_IN,
        owner=find_user,
        response=DatabaseUser,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_user,
        "updateDatabaseUser",
        "Change a database user's password or the databases it may use",
        "database-users",
        Access.SIGNED_IN,
        owner=find_user,
        body=DatabaseUserUpdate,
        response=DatabaseUser,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_user,
        "deleteDatabaseUser",
        "Drop a database user",
        "database-users",
        Access.SIGNED_IN,
        owner=find_user,
        status=204,
        errors=(404,),
    ),
]
