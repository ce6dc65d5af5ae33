"""Who am I: the signed-in user, and for an owner its account, plan and plan usage."""

from __future__ import annotations

from aiohttp import web

from gateway import keys
from gateway.api import Access, Call, Operation, json_response
from gateway.models.me import Me, PasswordChange, me_of
from gateway.services import me as service
from gateway.services.auth import SignIn


async def get_me(call: Call) -> web.StreamResponse:
    found = await service.whoami(call.context)
    return json_response(
        me_of(found.principal, found.account, found.plan, found.usage, found.reseller)
    )


async def change_system_password(call: Call[PasswordChange]) -> web.StreamResponse:
    auth = call.config.auth
    sign_in = SignIn(
        db=call.db,
        throttle=call.request.app[keys.THROTTLE],
        bcrypt_rounds=auth.bcrypt_rounds,
        refresh_ttl_seconds=auth.refresh_ttl_seconds,
    )
    await service.change_system_password(
        call.context, sign_in, call.body.current_password, call.body.new_password
    )
    return web.Response(status=204)


operations = [
    Operation(
        "GET",
        "/api/v1/me",
        get_me,
        "getMe",
        "The signed-in user",
        "me",
        Access.SIGNED_IN,
        response=Me,
    ),
    Operation(
        "POST",
        "/api/v1/me/system-password",
        change_system_password,
        "changeMySystemPassword",
        "Set the signed-in owner's system password (SFTP and SSH sign-in), confirmed by its"
        " panel password; the panel password and sessions stay as they are",
        "me",
        Access.SIGNED_IN,
        body=PasswordChange,
        status=204,
        errors=(400, 403, 409, 429),
    ),
]
