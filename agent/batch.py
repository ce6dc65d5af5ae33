"""Answers about many accounts in one call: the Batch RPCs a reconcile of every account asks
(BatchListCronJobs, BatchGetAccountSsh, BatchListVpnClients), where one call per account cost
most of a reconcile at 5,000 accounts in gRPC's own work (docs/reconcile.md).

Each account is described as its own RPC describes it. An account that RPC would refuse is
answered with why, as "<CODE>: <message>" (its `failure`), so one account the agent cannot
read does not fail the others; a name that is no valid name refuses the whole call. An answer
ends after the account that takes it past ANSWER_BYTES, and the caller asks again from the
next: gRPC refuses a message over 4 MiB, and one account's part is bounded by its own RPC's
limits (1,000 cron jobs of at most 1,000 characters, 100 SSH keys, 100 VPN clients).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, TypeVar

from google.protobuf.message import Message

from agent.errors import INTERNAL_MESSAGE, AgentError, Internal, InvalidArgument
from agent.validators.common import MAX_PAGE_SIZE

logger = logging.getLogger(__name__)

ANSWER_BYTES: Final = 1 << 20
N = TypeVar("N", bound=str)
M = TypeVar("M", bound=Message)


def names(values: Sequence[str], field: str, valid: Callable[[str, str], N]) -> list[N]:
    """1 to MAX_PAGE_SIZE names, each valid (`valid(value, field)`), in name order, each once."""
    if not 1 <= len(values) <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"give 1 to {MAX_PAGE_SIZE} names")
    return sorted({valid(value, f"{field}[{index}]") for index, value in enumerate(values)})


async def each_named(
    method: str,
    names: Sequence[N],
    describe: Callable[[N], Awaitable[M]],
    failed: Callable[[N, str], M],
) -> list[M]:
    """`describe` of each name in turn, or `failed(name, why)` where it raises, until the
    answers pass ANSWER_BYTES."""
    answers: list[M] = []
    size = 0
    for name in names:
        try:
            answer = await describe(name)
        except Exception as error:
            answer = failed(name, _failure(method, name, error))
        answers.append(answer)
        size += answer.ByteSize()
        if size > ANSWER_BYTES:
            break
    return answers


def _failure(method: str, name: str, error: Exception) -> str:
    """What the ErrorInterceptor would have answered for the account's own RPC, logged as it
    logs it."""
    if not isinstance(error, AgentError):
        logger.error("%s: %s: unexpected error", method, name, exc_info=error)
        return f"INTERNAL: {INTERNAL_MESSAGE}"
    if isinstance(error, Internal):
        logger.error("%s: %s: %s (%s)", method, name, error.message, error.detail, exc_info=error)
    else:
        logger.info("%s: %s: %s %s", method, name, error.code.name, error.message)
    return f"{error.code.name}: {error.message}"
