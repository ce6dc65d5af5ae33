"""Disk quotas: a plan's disk_quota_mb, kept for each account on it by the server's kernel.

The agent sets each account's limit as a Linux user quota and reports what its files take
(AccountService, docs/agent.md); the panel decides the limit from the plan. A plan or an
account's plan changes only when every account concerned uses less than the new limit, and a
limit that reaches only some accounts before the agent fails is taken back from those.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable, Callable, Collection

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.server.v1 import server_pb2

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Call
from gateway.problems import conflict

MIB = 1024 * 1024
# Names in a refusal: enough to act on, short enough to read.
_MAX_NAMED = 5


def used_mb(disk: pb.DiskUsage) -> int | None:
    """What an account's files take in MiB, rounded up; None where quotas are not enforced."""
    return math.ceil(disk.used_bytes / MIB) if disk.enforced else None


def quota_request(name: str, limit_mb: int | None) -> pb.UpdateAccountRequest:
    """The agent request that sets an account's limit (None: unlimited, which the agent spells
    0)."""
    request = pb.UpdateAccountRequest(name=name, disk_quota_mb=limit_mb or 0)
    request.update_mask.paths.append("disk_quota_mb")
    return request


async def require_enforced(call: Call) -> None:
    """A plan gets a disk quota only where the server can keep it: elsewhere no account could
    be created on that plan (the agent refuses the limit), so the plan is refused first."""
    reply = await call.agent.server.GetServerStatus(
        server_pb2.GetServerStatusRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    if not reply.status.disk_quotas_enforced:
        raise conflict(
            "This server does not enforce disk quotas (/home is not mounted with usrquota), so"
            " a plan with a disk quota could not get accounts. Leave it unlimited, or enable"
            " quotas first."
        )


async def over_limit(call: Call, names: Collection[str], limit_mb: int | None) -> list[str]:
    """Who of `names` already uses more than `limit_mb`, as "alice uses 12 MB of disk (limit
    5)"; at most a few names."""
    if limit_mb is None or not names:
        return []
    found: list[str] = []
    for account in await call.agent.accounts_named(names):
        used = used_mb(account.disk)
        if used is not None and account.disk.used_bytes > limit_mb * MIB:
            found.append(f"{account.name} uses {used} MB of disk (limit {limit_mb})")
            if len(found) == _MAX_NAMED:
                break
    return found


async def apply(
    call: Call,
    names: Collection[str],
    limit_mb: int | None,
    *,
    previous_mb: int | None,
    undo: Callable[[], Awaitable[object]],
) -> None:
    """Sets the limit of every named account; when the agent fails, the accounts already set
    get `previous_mb` back, `undo` takes back the record, and the error goes on."""
    done: list[str] = []
    try:
        for name in names:
            await call.agent.accounts.UpdateAccount(
                quota_request(name, limit_mb), timeout=CALL_TIMEOUT_SECONDS
            )
            done.append(name)
    except grpc.aio.AioRpcError:
        for name in done:
            # The record is taken back even if this fails: a retry of the change sets it again.
            with contextlib.suppress(grpc.aio.AioRpcError):
                await call.agent.accounts.UpdateAccount(
                    quota_request(name, previous_mb), timeout=CALL_TIMEOUT_SECONDS
                )
        await undo()
        raise
