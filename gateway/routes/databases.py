"""Hosted MariaDB databases: an owner manages its own; administrators every account's.

The flows live in gateway/services/databases.py; here are the operations.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.databases import (
    Database,
    DatabaseCreate,
    DatabasePage,
    DatabaseQuery,
    database_of,
)
from gateway.scope import account_for, account_page
from gateway.services import databases as service
from gateway.store.databases import DatabaseRecord

DATABASE_NAME = re.compile(r"[a-z][a-z0-9_]{2,63}")


async def find_database(call: Call) -> Owned | None:
    name = call.param_like("name", DATABASE_NAME)
    database = await service.get(call.context, name) if name else None
    return Owned(database.account, database) if database else None


def _database(call: Call[Any, Any]) -> DatabaseRecord:
    return call.found(DatabaseRecord, f"Database '{call.param('name')}'")


async def list_databases(call: Call[NoBody, DatabaseQuery]) -> web.StreamResponse:
    databases, token = await account_page(call, call.query, service.page, "name")
    measured = await service.sizes(call.context, databases)
    items = [database_of(d, measured.get(d.name)) for d in databases]
    return json_response(DatabasePage(items=items, next_page_token=token))


async def create_database(call: Call[DatabaseCreate]) -> web.StreamResponse:
    account = await account_for(call, call.body.account)
    database = await service.create(call.context, account, call.body.name)
    return json_response(database_of(database, 0), 201)


async def get_database(call: Call) -> web.StreamResponse:
    database = _database(call)
    size = (await service.sizes(call.context, [database])).get(database.name)
    return json_response(database_of(database, size))


async def delete_database(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _database(call))
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
