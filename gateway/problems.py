"""RFC 9457 problem details: the one shape of every error the gateway answers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final

# Module imports: types-protobuf's google-stubs would hide google.rpc from `from google.rpc`.
import google.rpc.error_details_pb2 as error_details_pb2
import grpc
import grpc.aio
from aiohttp import web
from grpc_status import rpc_status

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class Problem(Exception):
    """Raised anywhere in a handler; the problem middleware turns it into the response."""

    status: int
    title: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    # RFC 9457 extension members (e.g. `job_id`: the job a 409 names), beside the standard ones.
    extensions: dict[str, str] = field(default_factory=dict)

    def response(self) -> web.Response:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        body.update({k: v for k, v in self.extensions.items() if k not in body})
        return web.Response(
            status=self.status,
            body=json.dumps(body).encode(),
            content_type=PROBLEM_JSON,
            headers=self.headers,
        )


def bad_request(detail: str, errors: list[FieldError] | None = None) -> Problem:
    return Problem(400, "Invalid request", detail, errors or [])


def unprocessable(detail: str, errors: list[FieldError] | None = None) -> Problem:
    """A request the OpenAPI document allows that a rule it cannot state refuses (bytes, IDNA,
    another field, the caller's role, the server's state): 422, with errors per field."""
    return Problem(422, "Unprocessable request", detail, errors or [])


def field_error(field_name: str, message: str) -> Problem:
    return bad_request(f"{field_name}: {message}", [FieldError(field_name, message)])


def unauthorized(detail: str = "Sign in to continue.") -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def forbidden(detail: str = "You may not do this.") -> Problem:
    return Problem(403, "Forbidden", detail)


def not_found(what: str) -> Problem:
    return Problem(404, "Not found", f"{what} does not exist.")


def conflict(detail: str) -> Problem:
    return Problem(409, "Conflict", detail)


def plan_limit(exc: Exception) -> Problem:
    """A create that would pass a plan limit; the exception's message names the limit."""
    return Problem(403, "Plan limit reached", str(exc))


# Agent status codes to HTTP, as DESIGN.md fixes them. Anything else is the gateway's failure.
_GRPC_TO_HTTP: dict[grpc.StatusCode, tuple[int, str]] = {
    grpc.StatusCode.INVALID_ARGUMENT: (400, "Invalid request"),
    grpc.StatusCode.NOT_FOUND: (404, "Not found"),
    grpc.StatusCode.ALREADY_EXISTS: (409, "Conflict"),
    grpc.StatusCode.FAILED_PRECONDITION: (409, "Conflict"),
    grpc.StatusCode.PERMISSION_DENIED: (403, "Forbidden"),
    grpc.StatusCode.RESOURCE_EXHAUSTED: (429, "Too many requests"),
    grpc.StatusCode.UNAVAILABLE: (503, "Service unavailable"),
}


def from_agent(error: grpc.aio.AioRpcError) -> Problem:
    """Maps an agent status to a problem. INVALID_ARGUMENT carries its fields as
    google.rpc.BadRequest field violations, named here as the REST body names them."""
    code, message = error.code(), error.details() or ""
    status, title = _GRPC_TO_HTTP.get(code, (502, "Agent error"))
    if status == 502:
        return Problem(502, title, "The system agent could not complete the operation.")
    if status == 503:
        return Problem(503, title, "The system agent is not reachable; try again shortly.")
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        errors = _field_violations(error)
        if errors:
            return bad_request("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return Problem(status, title, message)


def _field_violations(error: grpc.aio.AioRpcError) -> list[FieldError]:
    try:
        # AioRpcError has the three methods from_call reads (code, details, trailing_metadata).
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except ValueError:  # details that disagree with the status: none to trust
        return []
    errors = []
    for detail in status.details if status is not None else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request_detail = error_details_pb2.BadRequest()
            detail.Unpack(bad_request_detail)
            errors += [
                FieldError(rest_field(violation.field), violation.description)
                for violation in bad_request_detail.field_violations
            ]
    return errors


# The agent names a field by its path in the RPC's request (protos/jopanel/agent/); the REST
# body names it without the request's message (`domain.`, `job.`, `record.`, `server.`,
# `upload.`, `zone.`), with
# a oneof's member as the union field of the body (`domain.proxy.port` is `backend.port`,
# `record.mx.exchange` is `exchange`), and list items as `.N` (`domain.aliases[2]` is
# `aliases.2`, as pydantic's errors read).
_AGENT_MESSAGES: Final = frozenset({"domain", "job", "record", "server", "upload", "zone"})
_AGENT_UNIONS: Final = {
    **dict.fromkeys(("static", "php", "proxy", "redirect"), "backend"),
    **dict.fromkeys(("a", "aaaa", "cname", "mx", "txt", "srv", "caa", "ns"), ""),
}
_INDEX: Final = re.compile(r"\[([0-9]+)\]")


def rest_field(agent_field: str) -> str:
    """The REST body's name of a field the agent refused (the one mapping: see above)."""
    parts = _INDEX.sub(r".\1", agent_field).split(".")
    if len(parts) > 1 and parts[0] in _AGENT_MESSAGES:
        parts = parts[1:]
    if parts[0] in _AGENT_UNIONS:
        parts = [_AGENT_UNIONS[parts[0]], *parts[1:]] if _AGENT_UNIONS[parts[0]] else parts[1:]
    return ".".join(parts) or agent_field
