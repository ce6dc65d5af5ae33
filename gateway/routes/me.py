"""Who am I: the signed-in user, and for an owner its account, plan and plan usage."""

from __future__ import annotations

from aiohttp import web

from gateway.api import Access, Call, Operation, json_response
from gateway.models.me import Me, me_of
from gateway.services import me as service


async def get_me(call: Call) -> web.StreamResponse:
    found = await service.whoami(call.context)
    return json_response(me_of(found.principal, found.account, found.plan, found.usage))


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
]
