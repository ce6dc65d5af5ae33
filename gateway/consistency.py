"""The panel's consistency rule (DESIGN.md): a change is recorded first (pending, deleting),
applied through the agent, then completed; when the agent fails, the record is rolled back.

    record = await store.insert_pending(...)
    async with applying(undo=lambda: store.delete(call.db, record)):
        await call.agent....Create...(...)
    await store.set_status(call.db, record, "active")

A crash between the steps leaves a record that says what was under way, never one that
claims what the server does not have; the agent's operations are idempotent, so a retry
completes the change.

An agent answer that leaves the outcome unknown (the connection broke during the call, the
deadline passed, the agent could not finish) is no failure to roll back: the agent may have
made the change, and finishes a call whose client hung up. Rolling the record back would leave
that change on the system with no record. The record keeps its pending/deleting status and the
reconcile (gateway/reconcile/, run in the background right after) settles it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc

# Answers after which the agent may or may not have made the change.
_UNSURE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.UNKNOWN,
    }
)


def outcome_unknown(error: grpc.aio.AioRpcError) -> bool:
    """Whether the agent may have made the change the failed call asked for."""
    if error.code() not in _UNSURE:
        return False
    # gRPC's words when no connection was made: the request never reached the agent.
    return not (error.details() or "").startswith("failed to connect")


@asynccontextmanager
async def applying(undo: Callable[[], Awaitable[object]]) -> AsyncIterator[None]:
    """Runs the agent call in the block; when the agent fails, `undo` takes back the record,
    unless the outcome is unknown (then the reconcile settles it)."""
    try:
        yield
    except grpc.aio.AioRpcError as error:
        if not outcome_unknown(error):
            await undo()
        raise
