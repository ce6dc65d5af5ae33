"""Sign-in: login, refresh (rotating, replay-detecting), logout, and a user's own password
(a change ends every session and answers a new one, so it is a sign-in too).

The flows are gateway/services/auth.py's; this module turns their outcome into the access
token, the refresh cookie and the device cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from gateway import keys
from gateway.api import Access, Call, Operation, json_response
from gateway.auth import devices
from gateway.config import AuthConfig
from gateway.context import Context
from gateway.models.auth import LoginRequest, Session
from gateway.models.me import PasswordChange, me_of
from gateway.problems import forbidden
from gateway.services import auth as service
from gateway.services import me
from gateway.services.auth import SignIn, Started

COOKIE = "jopanel_refresh"
COOKIE_PATH = "/api/v1/auth"


async def login(call: Call[LoginRequest]) -> web.StreamResponse:
    name = service.user_name(call.body.username, call.body.password)
    device = call.request.app[keys.DEVICES].device_of(
        call.request.cookies.get(devices.cookie_name(name)), name
    )
    started = await service.login(
        _sign_in(call), name, call.body.password, client=call.client, device=device
    )
    response = await _session(call, started)
    _set_device_cookie(call, response, started.creds.name)
    return response


async def refresh(call: Call) -> web.StreamResponse:
    _refuse_foreign_origin(call)
    started = await service.refresh(_sign_in(call), call.request.cookies.get(COOKIE, ""))
    return await _session(call, started)


async def logout(call: Call) -> web.StreamResponse:
    _refuse_foreign_origin(call)
    await service.logout(call.db, call.request.cookies.get(COOKIE, ""))
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response


async def change_password(call: Call[PasswordChange]) -> web.StreamResponse:
    started = await service.change_password(
        call.context, _sign_in(call), call.body.current_password, call.body.new_password
    )
    return await _session(call, started)


def _sign_in(call: Call[Any, Any]) -> SignIn:
    config = _config(call)
    return SignIn(
        db=call.db,
        throttle=call.request.app[keys.THROTTLE],
        bcrypt_rounds=config.bcrypt_rounds,
        refresh_ttl_seconds=config.refresh_ttl_seconds,
    )


def _set_device_cookie(call: Call[Any, Any], response: web.Response, name: str) -> None:
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


def _refuse_foreign_origin(call: Call[Any, Any]) -> None:
    """The refresh cookie is SameSite=Strict already; a foreign Origin is refused as well, so
    no other site can make a browser renew or end a session."""
    headers = call.request.headers
    origin = headers.get("Origin")
    foreign = origin is not None and urlsplit(origin).netloc != call.request.host
    if foreign or headers.get("Sec-Fetch-Site") == "cross-site":
        raise forbidden("Requests from other sites may not use the session cookie.")


async def _session(call: Call[Any, Any], started: Started) -> web.Response:
    creds = started.creds
    tokens = call.request.app[keys.TOKENS]
    # The user signing in is who the session's first answer describes.
    found = await me.whoami(
        Context(
            db=call.db,
            agent=call.agent,
            me=started.principal,
            client=call.client,
            sessions=call.request.app[keys.SESSIONS],
        )
    )
    session = Session(
        access_token=tokens.issue(creds.user_id, creds.token_version),
        expires_in=tokens.ttl_seconds,
        user=me_of(found.principal, found.account, found.plan, found.usage, found.reseller),
    )
    response = json_response(session)
    config = _config(call)
    response.set_cookie(
        COOKIE,
        started.refresh_token,
        max_age=config.refresh_ttl_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=config.cookie_secure,
    )
    return response


def _config(call: Call[Any, Any]) -> AuthConfig:
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
    Operation(
        "POST",
        "/api/v1/me/password",
        change_password,
        "changeMyPassword",
        "Change the signed-in user's panel password: every other session ends, and the answer"
        " is this one's new session (the refresh cookie rotates)",
        "me",
        Access.SIGNED_IN,
        body=PasswordChange,
        response=Session,
        errors=(400, 403, 429),
    ),
]
