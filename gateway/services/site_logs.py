"""A site's logs, read through the agent (ReadSiteLog, FollowSiteLog).

The gateway names the domain and which log; the agent finds the account that holds the domain
and reads the file without following anything the account planted (docs/web.md, Logs). A
follow is a chain of short agent calls (about 10 s each), each going on from the cursor the
last one answered, so no root stream outlives a client by more than one call, and a client
that goes away costs at most that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Final

from jopanel.agent.web.v1 import web_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.context import Context
from gateway.store.domains import DomainRecord

_KINDS: Final = {"access": pb.SITE_LOG_ACCESS, "php-error": pb.SITE_LOG_PHP_ERROR}
# How long one client's follow lasts before the gateway ends it (the client reconnects).
FOLLOW_MAX_SECONDS: Final = 30 * 60.0
# An agent call lasts about 10 s; this bounds a call that hangs.
FOLLOW_CALL_TIMEOUT: Final = 60.0


async def read(
    ctx: Context, domain: DomainRecord, log: str, lines: int, contains: str
) -> tuple[list[str], bool]:
    request = pb.ReadSiteLogRequest(
        name=domain.name, log=_KINDS[log], lines=lines, contains=contains
    )
    reply = await ctx.agent.web.ReadSiteLog(request, timeout=CALL_TIMEOUT_SECONDS)
    return list(reply.lines), reply.truncated


async def follow(ctx: Context, domain: DomainRecord, log: str) -> AsyncGenerator[list[str], None]:
    """New lines as the log grows (an empty list after each quiet call: a keep-alive), for
    FOLLOW_MAX_SECONDS. The first item comes from the agent's first answer, so a refusal
    (a planted link: 409; the domain gone: 404) raises before the caller answers anything."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FOLLOW_MAX_SECONDS
    cursor: pb.LogCursor | None = None
    while loop.time() < deadline:
        request = pb.FollowSiteLogRequest(name=domain.name, log=_KINDS[log], cursor=cursor)
        async for reply in ctx.agent.web.FollowSiteLog(request, timeout=FOLLOW_CALL_TIMEOUT):
            cursor = reply.cursor
            yield list(reply.lines)
