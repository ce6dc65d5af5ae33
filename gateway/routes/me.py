"""Who am I: the signed-in user, and for an owner its account, plan and plan usage."""

from __future__ import annotations

from typing import Literal

import grpc
from aiohttp import web
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from pydantic import BaseModel, Field

from gateway import quotas
from gateway.agent import CALL_TIMEOUT_SECONDS
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
        default=None,
        description="What the account uses of each plan limit, by limit name; disk_quota_mb in"
        " MiB rounded up and inode_quota in files, both absent where the server does not"
        " enforce disk quotas",
    )


async def me_of(call: Call, principal: Principal) -> Me:
    me = Me(id=principal.user_id, name=principal.name, role=principal.role.value, account=None)
    row = None if principal.is_admin else await accounts.get(call.db, principal.name)
    if row is not None:
        plan = await plans.get(call.db, row.plan)
        assert plan is not None
        me.account = account_of(row)
        me.plan = await plan_of(call, plan)
        me.usage = await plans.usage(call.db, row.id)
        if row.status in ("active", "suspended"):
            disk = await _disk_usage(call, row.name)
            used = None if disk is None else quotas.used_mb(disk)
            if disk is not None and used is not None:
                me.usage["disk_quota_mb"] = used
                me.usage["inode_quota"] = disk.used_inodes
    return me


async def _disk_usage(call: Call, name: str) -> pb.DiskUsage | None:
    """The account's disk use; None when unknown, an unreachable agent included: who am I must
    answer without the agent, or the web UI could not even show the sign-in state."""
    try:
        reply = await call.agent.accounts.GetAccount(
            pb.GetAccountRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
        )
    except grpc.aio.AioRpcError:
        return None
    return reply.account.disk


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
