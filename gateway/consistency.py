"""The panel's consistency rule (DESIGN.md): a change is recorded first (pending, deleting),
applied through the agent, then completed; when the agent fails, the record is rolled back.

    record = await store.insert_pending(...)
    async with applying(undo=lambda: store.delete(call.db, record)):
        await call.agent....Create...(...)
    await store.set_status(call.db, record, "active")

A crash between the steps leaves a record that says what was under way, never one that
claims what the server does not have; the agent's operations are idempotent, so a retry
completes the change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc


@asynccontextmanager
async def applying(undo: Callable[[], Awaitable[object]]) -> AsyncIterator[None]:
    """Runs the agent call in the block; when the agent fails, `undo` takes back the record."""
    try:
        yield
    except grpc.aio.AioRpcError:
        await undo()
        raise
