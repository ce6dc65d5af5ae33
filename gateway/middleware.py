"""The gateway's middlewares: errors as problem+json, authentication, security headers."""

from __future__ import annotations

import logging

import grpc
import pymysql
from aiohttp import web
from aiohttp.typedefs import Handler

from gateway import keys
from gateway.api import Access, operation_of
from gateway.auth.tokens import InvalidToken
from gateway.principal import Principal
from gateway.problems import Problem, from_agent, unauthorized
from gateway.store import users

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# MariaDB client errors that mean the server is down or the connection broke (CR_CONNECTION_
# ERROR, CR_CONN_HOST_ERROR, CR_SERVER_GONE_ERROR, CR_SERVER_LOST, ER_SERVER_SHUTDOWN): the
# request may be tried again, so 503, not a 500 that says the gateway is broken.
_DATABASE_UNREACHABLE = frozenset({2002, 2003, 2006, 2013, 1053})


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place where failures become answers: Problem, agent status, HTTP errors."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except grpc.aio.AioRpcError as exc:
        return from_agent(exc).response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return Problem(exc.status, exc.reason, _http_detail(exc)).response()
    except pymysql.err.OperationalError as exc:
        if exc.args and exc.args[0] in _DATABASE_UNREACHABLE:
            log.warning("the panel's database is unreachable: %s", exc)
            return Problem(
                503, "Service unavailable", "The panel's database is not reachable; try again."
            ).response()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return Problem(500, "Internal error", "The gateway failed; see its log.").response()
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return Problem(500, "Internal error", "The gateway failed; see its log.").response()


def _http_detail(exc: web.HTTPException) -> str:
    if exc.status == 413:
        return "The request body is too large."
    if exc.status == 405:
        return "This method is not allowed here."
    return exc.reason


@web.middleware
async def authentication(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/ request needs a valid access token, unless its operation is public.

    This runs before routing errors are answered, so unknown paths and methods under /api/
    answer 401 to strangers and reveal nothing about what exists.
    """
    op = operation_of(request)
    if request.path.startswith(API_PREFIX) and (op is None or op.access is not Access.PUBLIC):
        request[keys.PRINCIPAL] = await _principal(request)
    return await handler(request)


async def _principal(request: web.Request) -> Principal:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized()
    try:
        claims = request.app[keys.TOKENS].verify(token.strip())
    except InvalidToken as exc:
        raise unauthorized("The access token is not valid; renew it or sign in.") from exc
    sessions = request.app[keys.SESSIONS]
    creds = sessions.get(claims.user_id)
    if creds is None:
        creds = await users.credentials_by_id(request.app[keys.DB], claims.user_id)
        if creds is not None:
            sessions.put(creds)
    if creds is None or creds.token_version != claims.version or not creds.may_sign_in:
        raise unauthorized("The session has ended; sign in again.")
    return users.principal(creds)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    if request.path.startswith(API_PREFIX):
        response.headers.setdefault("Cache-Control", "no-store")
