"""Database users: an owner manages its own; administrators every account's.

The flows (and the grants that follow a user's list of databases) live in
gateway/services/database_users.py; here are the operations.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.database_users import (
    DatabaseUser,
    DatabaseUserCreate,
    DatabaseUserPage,
    DatabaseUserQuery,
    DatabaseUserUpdate,
    database_user_of,
)
from gateway.scope import account_for, account_page
from gateway.services import database_users as service
from gateway.store.databases import DatabaseUserRecord

USER_NAME = re.compile(r"[a-z][a-z0-9_]{2,79}")


async def find_user(call: Call) -> Owned | None:
    name = call.param_like("name", USER_NAME)
    user = await service.get(call.context, name) if name else None
    return Owned(user.account, user) if user else None


def _user(call: Call[Any, Any]) -> DatabaseUserRecord:
    return call.found(DatabaseUserRecord, f"Database user '{call.param('name')}'")


async def list_users(call: Call[NoBody, DatabaseUserQuery]) -> web.StreamResponse:
    users, token = await account_page(call, call.query, service.page, "name")
    items = [database_user_of(u) for u in users]
    return json_response(DatabaseUserPage(items=items, next_page_token=token))


async def create_user(call: Call[DatabaseUserCreate]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    user = await service.create(call.context, account, body.name, body.password, body.databases)
    return json_response(database_user_of(user), 201)


async def get_user(call: Call) -> web.StreamResponse:
    return json_response(database_user_of(_user(call)))


async def update_user(call: Call[DatabaseUserUpdate]) -> web.StreamResponse:
    body = call.body
    user = await service.update(call.context, _user(call), body.password, body.databases)
    return json_response(database_user_of(user))


async def delete_user(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _user(call))
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
