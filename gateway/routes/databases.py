"""Hosted MariaDB databases: an owner manages its own; administrators every account's.

A database's name starts with its account's name and an underscore (alice_shop). Like every
resource, it is recorded as pending, created through the agent, then marked active, or its
record removed when the agent fails.
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
from gateway.problems import conflict, field_error, not_found, plan_limit
from gateway.scope import account_filter, account_for
from gateway.store import databases as store
from gateway.store.plans import LimitReached
from gateway.validation import AccountName

DatabaseName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,63}$")]


class DatabaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DatabaseName = Field(description="Starts with the account's name and '_'")
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )


class DatabaseQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class Database(BaseModel):
    name: str
    account: str
    status: Literal["pending", "active", "deleting"]
    size_bytes: int | None = Field(description="Data and index size; null when not measured")
    users: list[str] = Field(description="Database users that may use it")
    created_at: datetime


class DatabasePage(BaseModel):
    items: list[Database]
    next_page_token: str | None


def check_prefix(field: str, name: str, account: str) -> None:
    if not name.startswith(f"{account}_") or name == f"{account}_":
        raise field_error(field, f"must start with '{account}_' and go on after it")


async def sizes(call: Call, account: str) -> dict[str, int]:
    reply = await call.agent.databases.ListDatabases(
        pb.ListDatabasesRequest(account=account), timeout=CALL_TIMEOUT_SECONDS
    )
    return {d.name: d.size_bytes for d in reply.databases}


def database_of(row: Row, size: int | None) -> Database:
    return Database(
        name=row["name"],
        account=row["account"],
        status=row["status"],
        size_bytes=size,
        users=store.linked_of(row),
        created_at=row["created_at"].replace(tzinfo=UTC),
    )


DATABASE_NAME = re.compile(r"[a-z][a-z0-9_]{2,63}")


async def find_database(call: Call) -> Owned | None:
    name = call.param_like("name", DATABASE_NAME)
    row = await store.get(call.db, "database", name) if name else None
    return Owned(row["account"], row) if row else None


def _found(call: Call) -> Row:
    if call.resource is None:
        raise not_found(f"Database '{call.param('name')}'")
    return call.resource


async def list_databases(call: Call) -> web.StreamResponse:
    query = call.query_as(DatabaseQuery)
    account = await account_filter(call, query.account)
    account_id = account["id"] if account else None
    after = decode_token(query.page_token, "after", str) or ""
    rows = await store.page(
        call.db,
        "database",
        after=after,
        account_id=account_id,
        limit=query.limit + 1,
    )
    rows, token = page_of(rows, query.limit, "name")
    measured: dict[str, int] = {}
    for name in sorted({r["account"] for r in rows}):
        measured |= await sizes(call, name)
    items = [database_of(r, measured.get(r["name"])) for r in rows]
    return json_response(DatabasePage(items=items, next_page_token=token))


async def create_database(call: Call) -> web.StreamResponse:
    body = call.body_as(DatabaseCreate)
    account = await account_for(call, body.account)
    check_prefix("name", body.name, account["name"])
    async with call.audited("database.create", body.name):
        try:
            record = await store.insert_pending(call.db, "database", account["id"], body.name)
        except store.NameTaken as exc:
            raise conflict(f"A database named '{body.name}' exists already.") from exc
        except LimitReached as exc:
            raise plan_limit(exc) from exc
        async with applying(undo=lambda: store.delete(call.db, "database", record)):
            await call.agent.databases.CreateDatabase(
                pb.CreateDatabaseRequest(account=account["name"], name=body.name),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(call.db, "database", record, "active")
    row = await store.get(call.db, "database", body.name)
    assert row is not None
    return json_response(database_of(row, 0), 201)


async def get_database(call: Call) -> web.StreamResponse:
    row = _found(call)
    return json_response(database_of(row, (await sizes(call, row["account"])).get(row["name"])))


async def delete_database(call: Call) -> web.StreamResponse:
    row = _found(call)
    async with call.audited("database.delete", row["name"]):
        await store.set_status(call.db, "database", row["id"], "deleting")
        async with applying(
            undo=lambda: store.set_status(call.db, "database", row["id"], row["status"])
        ):
            await call.agent.databases.DeleteDatabase(
                pb.DeleteDatabaseRequest(account=row["account"], name=row["name"]),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(call.db, "database", row["id"])
    return web.Response(status=204)


_ONE = "/api/v1/databases/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/databases",
        list_databases,
        "listDatabases",
        "List databases with their size (an owner's own; administrators may filter)",
        "databases",
        Access.SIGNED_IN,
        query=DatabaseQuery,
        response=DatabasePage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/databases",
        create_database,
        "createDatabase",
        "Create a MariaDB database",
        "databases",
        Access.SIGNED_IN,
        body=DatabaseCreate,
        response=Database,
        status=201,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_database,
        "getDatabase",
        "One database with its size",
        "databases",
        Access.SIGNED_IN,
        owner=find_database,
        response=Database,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_database,
        "deleteDatabase",
        "Drop a database with all its tables",
        "databases",
        Access.SIGNED_IN,
        owner=find_database,
        status=204,
        errors=(404,),
    ),
]
