"""Answers about many accounts (or zones) in one call: the Batch RPCs a reconcile of the whole
server asks (BatchListCronJobs, BatchGetAccountSsh, BatchListVpnClients, BatchGetDnsZones),
where one call per account cost most of a reconcile at 5,000 accounts in gRPC's own work
(docs/reconcile.md).

Each account is described as its own RPC describes it. An account that RPC would refuse is
answered with why, as "<CODE>: <message>" (its `failure`), so one account the agent cannot
read does not fail the others; a name that is no valid name refuses the whole call. An answer
ends before the account that would take it past ANSWER_BYTES (the first is answered whatever
its size), and the caller asks again from that one: gRPC refuses a message over the agent's
max_message_bytes (4 MiB by default), and one account's part is bounded by its own RPC's limits
(1,000 cron jobs of at most 1,000 characters, 100 SSH keys, 100 VPN clients, a DNS zone's 2 MiB
of records), so an answer holds at most the larger of ANSWER_BYTES and one such part (`Answers`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from google.protobuf.message import Message

from agent.errors import (
    INTERNAL_MESSAGE,
    AgentError,
    Internal,
    InvalidArgument,
    ResourceExhausted,
)
from agent.validators.common import MAX_PAGE_SIZE

logger = logging.getLogger(__name__)

ANSWER_BYTES: Final = 1 << 20
# What the answer's own framing takes beside its entries (a tag and a length per entry).
_FRAMING_BYTES: Final = 1024
N = TypeVar("N", bound=str)
M = TypeVar("M", bound=Message)


def names(values: Sequence[str], field: str, valid: Callable[[str, str], N]) -> list[N]:
    """1 to MAX_PAGE_SIZE names, each valid (`valid(value, field)`), in name order, each once."""
    if not 1 <= len(values) <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"give 1 to {MAX_PAGE_SIZE} names")
    return sorted({valid(value, f"{field}[{index}]") for index, value in enumerate(values)})


@dataclass(frozen=True)
class Answers:
    """Batch answers within the agent's message limit (max_message_bytes): at most
    ANSWER_BYTES, or a quarter of the limit where that is less, unless one entry alone is
    larger. An entry that could not be sent even alone (a DNS zone grown past its bound
    before zones were bounded) is answered as RESOURCE_EXHAUSTED, its own failure, as its own
    RPC would fail."""

    message_bytes: int

    async def each_named(
        self,
        method: str,
        names: Sequence[N],
        describe: Callable[[N], Awaitable[M]],
        failed: Callable[[N, str], M],
    ) -> list[M]:
        """`describe` of each name in turn, or `failed(name, why)` where it raises, while
        the answers stay within the bound (the first always)."""
        bound = min(ANSWER_BYTES, self.message_bytes // 4)
        answers: list[M] = []
        size = 0
        for name in names:
            try:
                answer = await describe(name)
            except Exception as error:
                answer = failed(name, _failure(method, name, error))
            weight = answer.ByteSize()
            if weight > self.message_bytes - _FRAMING_BYTES:
                why = (
                    f"its answer would take {weight} bytes, more than the agent sends in one"
                    f" message ({self.message_bytes}, max_message_bytes)"
                )
                answer = failed(name, _failure(method, name, ResourceExhausted(why)))
                weight = answer.ByteSize()
            size += weight
            if answers and size > bound:
                break
            answers.append(answer)
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
