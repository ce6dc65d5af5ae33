"""Who am I: the signed-in user, and for an owner its account, plan and what it uses of it."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.context import Context
from gateway.principal import Principal
from gateway.problems import conflict, forbidden
from gateway.services import quotas
from gateway.services.auth import SignIn, confirm_password
from gateway.store import accounts, plans, resellers
from gateway.store.accounts import AccountRecord
from gateway.store.plans import PlanRecord
from gateway.store.resellers import ResellerRecord, Reserved


@dataclass(frozen=True)
class Whoami:
    principal: Principal
    account: AccountRecord | None = None
    plan: PlanRecord | None = None
    # What the account uses of each plan limit, by limit name (disk ones where enforced).
    usage: dict[str, int] | None = None
    # A reseller's totals and what its accounts reserve of them.
    reseller: tuple[ResellerRecord, Reserved] | None = None


async def whoami(ctx: Context) -> Whoami:
    """The caller as the panel knows it (administrators and resellers have no account)."""
    if ctx.me.is_reseller:
        found = await resellers.get(ctx.db, ctx.me.name)
        if found is None:
            return Whoami(ctx.me)
        return Whoami(ctx.me, reseller=(found, await resellers.reserved(ctx.db, found.id)))
    account = None if ctx.me.is_admin else await accounts.get(ctx.db, ctx.me.name)
    if account is None:
        return Whoami(ctx.me)
    plan = await plans.get(ctx.db, account.plan)
    usage = await plans.usage(ctx.db, account.id)
    if account.status in ("active", "suspended"):
        disk = await _disk_usage(ctx, account.name)
        used = None if disk is None else quotas.used_mb(disk)
        if disk is not None and used is not None:
            usage["disk_quota_mb"] = used
            usage["inode_quota"] = disk.used_inodes
    return Whoami(ctx.me, account, plan, usage)


async def _disk_usage(ctx: Context, name: str) -> pb.DiskUsage | None:
    """The account's disk use; None when unknown, an unreachable agent included: who am I must
    answer without the agent, or the web UI could not even show the sign-in state."""
    try:
        reply = await ctx.agent.accounts.GetAccount(
            pb.GetAccountRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
        )
    except grpc.aio.AioRpcError:
        return None
    return reply.account.disk


async def change_system_password(ctx: Context, sign_in: SignIn, current: str, new: str) -> None:
    """The owner's system password (SFTP and SSH), set by the agent; the panel password and
    every session stay as they are. The current panel password confirms it, as for the panel
    password: an access token alone must not open the account's files."""
    if not ctx.me.is_owner:
        raise forbidden(
            "Administrators and resellers have no system account; an account's owner sets its own."
        )
    async with ctx.audited("account.system_password", ctx.me.name):
        await confirm_password(ctx, sign_in, current)
        account = await accounts.get(ctx.db, ctx.me.name)
        if account is None or account.status != "active":
            raise conflict("The account is not active; try again once it is.")
        request = pb.UpdateAccountRequest(name=account.name, password=new)
        request.update_mask.paths.append("password")
        await ctx.agent.accounts.UpdateAccount(request, timeout=CALL_TIMEOUT_SECONDS)
