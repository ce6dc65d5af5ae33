"""RFC 9457 problem details: the one shape of every error the gateway answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import grpc
from aiohttp import web

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

    def response(self) -> web.Response:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
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


def from_agent(code: grpc.StatusCode, message: str) -> Problem:
    """Maps an agent status to a problem. INVALID_ARGUMENT messages read "field: message"."""
    status, title = _GRPC_TO_HTTP.get(code, (502, "Agent error"))
    if status == 502:
        return Problem(502, title, "The system agent could not complete the operation.")
    if status == 503:
        return Problem(503, title, "The system agent is not reachable; try again shortly.")
    if code == grpc.StatusCode.INVALID_ARGUMENT and ": " in message:
        name, _, text = message.partition(": ")
        return bad_request(message, [FieldError(name, text)])
    return Problem(status, title, message)
