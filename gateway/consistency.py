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

What follows from several records (an account's disk quotas, shell over SSH and PHP pools
follow its plan, its login shell, its pool limits) is sent as the records say, then read again
once the agent has answered and sent again while they say otherwise (`settle`): two requests
that change those records at once each send what they read, and the agent keeps whichever call
reaches it last (docs/architecture.md, What a plan gives).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Final, TypeVar

import grpc

from gateway.agent import at_once

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Rounds of settle before the reconcile is left to it: a record changing all the while.
SETTLE_ROUNDS: Final = 4

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


async def settle(
    what: str,
    read: Callable[[], Awaitable[T | None]],
    send: Callable[[T], Awaitable[object]],
    *,
    known: T | None = None,
) -> None:
    """Sends what the records say now (`read`; None: nothing to send, the account is not on
    the system) unless the agent is `known` to hold it, then reads again once the agent has
    answered and sends again while they say otherwise.

    A call that reached the agent before this one's was sent before its request recorded
    (each records first), so the read after this answer sees that request's change. Records
    still changing after SETTLE_ROUNDS are left to the reconcile, as a failed call is."""
    sent = known
    for _ in range(SETTLE_ROUNDS):
        wanted = await read()
        if wanted is None or wanted == sent:
            return
        await send(wanted)
        sent = wanted
    logger.warning("%s changed in every round; the reconcile will settle it", what)


async def settle_each(
    what: str, names: Sequence[str], settle_one: Callable[[str], Awaitable[object]]
) -> None:
    """settle for each named account at once (a plan's change, once its own calls answered);
    one that fails is logged and left to the reconcile."""
    results = await at_once(names, settle_one)
    for name, result in zip(names, results, strict=True):
        if isinstance(result, BaseException):
            logger.warning("%s of %s not settled (the reconcile will): %r", what, name, result)
