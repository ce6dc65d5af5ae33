"""A site's logs: its access log and its PHP error log, for its owner and administrators.

`{log}` is `access` or `php-error`; any other value is a log that does not exist (404). An
owner reaches only its own domains' logs: another account's domain answers 404, as if it did
not exist (the owner hook). The follow is a server-sent event stream read with `fetch` and the
bearer token, as the web UI reads it (EventSource cannot send the Authorization header).
"""

from __future__ import annotations

import json
from typing import Any, Final

import grpc
from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.site_logs import LOG_KINDS, FollowedLines, LogKind, LogLines, LogQuery
from gateway.problems import not_found
from gateway.services import domains as domains_service
from gateway.services import site_logs as service
from gateway.store.domains import DomainRecord
from gateway.validation import to_host_name

_PATH: Final = "/api/v1/domains/{name}/logs/{log}"


async def find_domain(call: Call) -> Owned | None:
    try:
        name = to_host_name(call.param("name"))
    except ValueError:
        return None
    domain = await domains_service.get(call.context, name)
    return Owned(domain.account, domain) if domain else None


def _addressed(call: Call[Any, Any]) -> tuple[DomainRecord, LogKind]:
    domain = call.found(DomainRecord, f"Domain '{call.param('name')}'")
    log = call.param("log")
    for kind in LOG_KINDS:
        if log == kind:
            return domain, kind
    raise not_found(f"Log '{log}' of domain '{domain.name}'")


async def read_log(call: Call[NoBody, LogQuery]) -> web.StreamResponse:
    domain, log = _addressed(call)
    query = call.query
    lines, truncated = await service.read(call.context, domain, log, query.lines, query.contains)
    return json_response(LogLines(log=log, lines=lines, truncated=truncated))


async def follow_log(call: Call) -> web.StreamResponse:
    """`event: lines` with {"lines": [...]} as lines are written, a comment line after each
    quiet stretch (about 10 s), until the client leaves or FOLLOW_MAX_SECONDS pass."""
    domain, log = _addressed(call)
    followed = service.follow(call.context, domain, log)
    # The agent's first answer comes before anything is sent: a refusal is a problem+json.
    first = await anext(followed)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx passes each event on at once
        }
    )
    await response.prepare(call.request)
    try:
        await _send(response, first)
        async for lines in followed:
            await _send(response, lines)
    except grpc.aio.AioRpcError as exc:  # after the headers, only the stream can tell it
        reason = exc.details() or exc.code().name
        detail = json.dumps({"detail": f"the log can no longer be followed: {reason}"})
        await response.write(f"event: error\ndata: {detail}\n\n".encode())
    finally:
        await followed.aclose()
    await response.write_eof()
    return response


async def _send(response: web.StreamResponse, lines: list[str]) -> None:
    if lines:
        data = FollowedLines(lines=lines).model_dump_json()
        await response.write(f"event: lines\ndata: {data}\n\n".encode())
    else:
        await response.write(b": following\n\n")


operations = [
    Operation(
        "GET",
        _PATH,
        read_log,
        "readDomainLog",
        "The last lines of a domain's log (`access`: nginx's access log; `php-error`: its PHP"
        " errors), optionally only those holding a text; 409 when something other than the"
        " log file was put at its name",
        "domains",
        Access.SIGNED_IN,
        owner=find_domain,
        query=LogQuery,
        response=LogLines,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        _PATH + "/follow",
        follow_log,
        "followDomainLog",
        "New lines of a domain's log as they are written, as server-sent events"
        ' (text/event-stream): `event: lines` whose data is {"lines": [...]}, ending after'
        " 30 minutes (reconnect) or with an `event: error`",
        "domains",
        Access.SIGNED_IN,
        owner=find_domain,
        errors=(404, 409),
    ),
]
