"""Who am I: the signed-in user, and for an owner its own account."""

from __future__ import annotations

from typing import Literal

import aiomysql
from aiohttp import web
from pydantic import BaseModel

from gateway.api import Access, Call, Operation, json_response
from gateway.principal import Principal
from gateway.routes.accounts import Account, account_of
from gateway.store import accounts


class Me(BaseModel):
    id: int
    name: str
    role: Literal["admin", "owner"]
    account: Account | None


async def me_of(pool: aiomysql.Pool, principal: Principal) -> Me:
    row = None if principal.is_admin else await accounts.get(pool, principal.name)
    return Me(
        id=principal.user_id,
        name=principal.name,
        role=principal.role.value,
        account=account_of(row) if row else None,
    )


async def get_me(call: Call) -> web.StreamResponse:
    return json_response(await me_of(call.db, call.me))


operations = [
    Operation(
        "GET",
        "/api/v1/me",
        get_me,
        "getMe",
        "The signed-in user",
        "me",
        Access.SIGNED_IN,
        response=Me,
    ),
]
