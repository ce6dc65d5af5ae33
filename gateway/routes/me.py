"""Who am I: the signed-in user, and for an owner its account, plan and plan usage."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from gateway.api import Access, Call, Operation, json_response
from gateway.principal import Principal
from gateway.routes.accounts import Account, account_of
from gateway.routes.plans import Plan, plan_of
from gateway.store import accounts, plans


class Me(BaseModel):
    id: int
    name: str
    role: Literal["admin", "owner"]
    account: Account | None = Field(description="The owner's account; null for administrators")
    plan: Plan | None = None
    usage: dict[str, int] | None = Field(
        default=None, description="What the account uses of each plan limit, by limit name"
    )


async def me_of(call: Call, principal: Principal) -> Me:
    me = Me(id=principal.user_id, name=principal.name, role=principal.role.value, account=None)
    row = None if principal.is_admin else await accounts.get(call.db, principal.name)
    if row is not None:
        plan = await plans.get(call.db, row["plan"])
        assert plan is not None
        me.account = account_of(row)
        me.plan = await plan_of(call, plan)
        me.usage = await plans.usage(call.db, row["id"])
    return me


async def get_me(call: Call) -> web.StreamResponse:
    return json_response(await me_of(call, call.me))


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
