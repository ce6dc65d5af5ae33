"""The server at a glance: the agent's facts and the panel's counts, read together."""

from __future__ import annotations

from jopanel.agent.server.v1 import server_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.context import Context
from gateway.store import server as store
from gateway.store.server import ResourceCounts


async def overview(ctx: Context) -> tuple[pb.ServerStatus, ResourceCounts]:
    reply = await ctx.agent.server.GetServerStatus(
        pb.GetServerStatusRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    return reply.status, await store.counts(ctx.db)
