"""Disk quotas: a plan's disk_quota_mb and inode_quota, kept for each account on it by the
server's kernel.

The agent sets each account's limits as a Linux user quota and reports what its files take and
how many it owns (AccountService, docs/agent.md); the panel decides the limits from the plan.
A plan or an account's plan changes only when every account concerned uses less than the new
limits, and limits that reach only some accounts before the agent fails are taken back from
those.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.server.v1 import server_pb2

from gateway import consistency
from gateway.agent import CALL_TIMEOUT_SECONDS, Agent, each
from gateway.context import Context
from gateway.problems import conflict
from gateway.store import accounts
from gateway.store.plans import PlanRecord

MIB = 1024 * 1024
# Names in a refusal: enough to act on, short enough to read.
_MAX_NAMED = 5


def used_mb(disk: pb.DiskUsage) -> int | None:
    """What an account's files take in MiB, rounded up; None where quotas are not enforced."""
    return math.ceil(disk.used_bytes / MIB) if disk.enforced else None


@dataclass(frozen=True)
class Limits:
    """What the kernel holds an account to (None: unlimited, which the agent spells 0)."""

    disk_mb: int | None
    inodes: int | None

    @classmethod
    def of_plan(cls, plan: PlanRecord) -> Limits:
        return cls(plan.disk_quota_mb, plan.inode_quota)

    @property
    def any(self) -> bool:
        return self.disk_mb is not None or self.inodes is not None


def quota_request(name: str, limits: Limits) -> pb.UpdateAccountRequest:
    """The agent request that sets an account's limits."""
    request = pb.UpdateAccountRequest(
        name=name, disk_quota_mb=limits.disk_mb or 0, inode_quota=limits.inodes or 0
    )
    request.update_mask.paths.extend(["disk_quota_mb", "inode_quota"])
    return request


async def require_enforced(agent: Agent) -> None:
    """A plan gets a disk or inode quota only where the server can keep it: elsewhere no
    account could be created on that plan (the agent refuses the limit), so the plan is refused
    first."""
    reply = await agent.server.GetServerStatus(
        server_pb2.GetServerStatusRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    if not reply.status.disk_quotas_enforced:
        raise conflict(
            "This server does not enforce disk quotas (/home is not mounted with usrquota), so"
            " a plan with a disk or inode quota could not get accounts. Leave it unlimited, or"
            " enable quotas first."
        )


async def over_limit(agent: Agent, names: Collection[str], limits: Limits) -> list[str]:
    """Who of `names` already uses more than the limits, as "alice uses 12 MB of disk (limit
    5)" or "alice owns 900 files (limit 500)"; at most a few names."""
    if not limits.any or not names:
        return []
    found: list[str] = []
    for account in await agent.accounts_named(names):
        disk = account.disk
        used = used_mb(disk)
        if (
            used is not None
            and limits.disk_mb is not None
            and disk.used_bytes > limits.disk_mb * MIB
        ):
            found.append(f"{account.name} uses {used} MB of disk (limit {limits.disk_mb})")
        if disk.enforced and limits.inodes is not None and disk.used_inodes > limits.inodes:
            found.append(f"{account.name} owns {disk.used_inodes} files (limit {limits.inodes})")
        if len(found) >= _MAX_NAMED:
            break
    return found[:_MAX_NAMED]


async def apply(
    agent: Agent,
    names: Collection[str],
    limits: Limits,
    *,
    previous: Limits,
    undo: Callable[[], Awaitable[object]],
) -> None:
    """Sets the limits of every named account; when the agent fails, the accounts already set
    get `previous` back, `undo` takes back the record, and the error goes on."""

    def setting(wanted: Limits) -> Callable[[str], Awaitable[object]]:
        return lambda name: agent.accounts.UpdateAccount(
            quota_request(name, wanted), timeout=CALL_TIMEOUT_SECONDS
        )

    await each(names, setting(limits), setting(previous), undo)


async def settle(ctx: Context, name: str, *, known: Limits | None = None) -> None:
    """The account's limits as its plan says now (consistency.settle): a plan's change or a
    move racing this one could otherwise leave it another plan's."""

    async def read() -> Limits | None:
        found = (await accounts.plan_wants(ctx.db, [name])).get(name)
        return None if found is None else Limits(found.disk_quota_mb, found.inode_quota)

    async def send(limits: Limits) -> None:
        await ctx.agent.accounts.UpdateAccount(
            quota_request(name, limits), timeout=CALL_TIMEOUT_SECONDS
        )

    await consistency.settle(f"the disk limits of {name}", read, send, known=known)


async def settle_plan(ctx: Context, plan_id: int, names: Collection[str], sent: Limits) -> None:
    """After a plan's change sent `sent` to the named accounts (listed before its record
    changed, to check their usage): settles those whose plan says otherwise now (moved off
    it), and those on it now that were not named (moved onto it since, or made)."""
    named = set(names)
    now = [name for name in await accounts.names_on_plan(ctx.db, plan_id) if name not in named]
    current = await accounts.plan_wants(ctx.db, named)
    changed = [
        name
        for name in names
        if name in current
        and Limits(current[name].disk_quota_mb, current[name].inode_quota) != sent
    ]
    await consistency.settle_each(
        "the disk limits",
        [*changed, *now],
        lambda name: settle(ctx, name, known=sent if name in named else None),
    )
