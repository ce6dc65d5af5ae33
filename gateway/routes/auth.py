"""Sign-in: login, refresh (rotating, replay-detecting) and logout."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from gateway import keys
from gateway.api import Access, Call, Operation, json_response
from gateway.auth import devices
from gateway.auth.passwords import check_password
from gateway.config import AuthConfig
from gateway.problems import Problem, field_error, forbidden, unauthorized
from gateway.routes.me import Me, me_of
from gateway.store import refresh_tokens, users
from gateway.validation import canonical_user_name

COOKIE = "jopanel_refresh"
COOKIE_PATH = "/api/v1/auth"


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="Compared without surrounding white space and in lowercase",
        ),
    ]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class Session(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int
    user: Me


async def login(call: Call) -> web.StreamResponse:
    body = call.body_as(LoginRequest)
    if len(body.password.encode()) > 72:
        raise field_error("password", "longer than 72 bytes; no JoPanel password is that long")
    # One spelling per name: what the throttle counts is what the lookup finds.
    name = canonical_user_name(body.username)
    if name is None:
        raise field_error("username", "no user has a name like this")
    device = call.request.app[keys.DEVICES].device_of(
        call.request.cookies.get(devices.cookie_name(name)), name
    )
    throttle = call.request.app[keys.THROTTLE]
    wait = throttle.retry_after(name, call.client, device)
    if wait:
        raise Problem(
            429,
            "Too many requests",
            f"Too many failed sign-ins; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    creds = await users.credentials_by_name(call.db, name)
    known = creds.password_hash if creds else None
    if not await check_password(body.password, known, call.config.auth.bcrypt_rounds):
        throttle.failed(name, call.client, device)
        raise unauthorized("The user name or password is wrong.")
    assert creds is not None
    throttle.succeeded(name, device)
    if not creds.may_sign_in:
        raise Problem(403, "Forbidden", "This account is suspended.")
    response = await _session(
        call,
        creds,
        await refresh_tokens.start_family(
            call.db, creds.user_id, creds.token_version, _config(call).refresh_ttl_seconds
        ),
    )
    _set_device_cookie(call, response, creds.name)
    return response


def _set_device_cookie(call: Call, response: web.Response, name: str) -> None:
    """A new device cookie after every successful sign-in (docs/security.md, Sign-in names)."""
    config = _config(call)
    response.set_cookie(
        devices.cookie_name(name),
        call.request.app[keys.DEVICES].issue(name),
        max_age=config.device_cookie_ttl_seconds,
        path=devices.COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=config.cookie_secure,
    )


def _refuse_foreign_origin(call: Call) -> None:
    """The refresh cookie is SameSite=Strict already; a foreign Origin is refused as well, so
    no other site can make a browser renew or end a session."""
    headers = call.request.headers
    origin = headers.get("Origin")
    foreign = origin is not None and urlsplit(origin).netloc != call.request.host
    if foreign or headers.get("Sec-Fetch-Site") == "cross-site":
        raise forbidden("Requests from other sites may not use the session cookie.")


async def refresh(call: Call) -> web.StreamResponse:
    _refuse_foreign_origin(call)
    token = call.request.cookies.get(COOKIE, "")
    if not token:
        raise unauthorized("No session to renew.")
    try:
        rotation = await refresh_tokens.rotate(call.db, token, _config(call).refresh_ttl_seconds)
    except refresh_tokens.RefreshRefused as exc:
        raise _ended_session() from exc
    creds = await users.credentials_by_id(call.db, rotation.user_id)
    if creds is None or not creds.may_sign_in or creds.token_version != rotation.token_version:
        raise _ended_session()
    return await _session(call, creds, rotation.token)


async def logout(call: Call) -> web.StreamResponse:
    _refuse_foreign_origin(call)
    token = call.request.cookies.get(COOKIE, "")
    if token:
        await refresh_tokens.revoke_token_family(call.db, token)
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response


async def _session(call: Call, creds: users.Credentials, refresh_token: str) -> web.Response:
    tokens = call.request.app[keys.TOKENS]
    principal = users.principal(creds)
    session = Session(
        access_token=tokens.issue(creds.user_id, creds.token_version),
        expires_in=tokens.ttl_seconds,
        user=await me_of(call, principal),
    )
    response = json_response(session)
    config = _config(call)
    response.set_cookie(
        COOKIE,
        refresh_token,
        max_age=config.refresh_ttl_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=config.cookie_secure,
    )
    return response


def _ended_session() -> Problem:
    return unauthorized("The session has ended; sign in again.")


def _config(call: Call) -> AuthConfig:
    return call.request.app[keys.CONFIG].auth


operations = [
    Operation(
        "POST",
        "/api/v1/auth/login",
        login,
        "login",
        "Sign in with a name and password",
        "auth",
        Access.PUBLIC,
        body=LoginRequest,
        response=Session,
        errors=(400, 401, 403, 429),
    ),
    Operation(
        "POST",
        "/api/v1/auth/refresh",
        refresh,
        "refreshSession",
        "Renew the session with the refresh cookie (the cookie rotates)",
        "auth",
        Access.PUBLIC,
        response=Session,
        errors=(401, 403),
    ),
    Operation(
        "POST",
        "/api/v1/auth/logout",
        logout,
        "logout",
        "End the session of the refresh cookie",
        "auth",
        Access.PUBLIC,
        status=204,
        errors=(403,),
    ),
]
