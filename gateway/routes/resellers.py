"""Resellers: administrators create them, give them totals, and delete them.

What a reseller itself may do is decided where every caller's is: gateway/access.py.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.api import Call, NoBody, Operation, json_response
from gateway.models.resellers import (
    AccountNotDone,
    Reseller,
    ResellerCascade,
    ResellerCreate,
    ResellerPage,
    ResellerUpdate,
    reseller_of,
)
from gateway.models.suspensions import SuspendRequest
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import not_found
from gateway.services import resellers as service
from gateway.services.resellers import Cascade, ResellerChanges, ResellerState
from gateway.store.resellers import TOTALS, ResellerRecord


async def _reseller(call: Call[Any, Any]) -> ResellerRecord:
    found = await service.get(call.context, call.param("name"))
    if found is None:
        raise not_found(f"Reseller '{call.param('name')}'")
    return found


def _reply(state: ResellerState, status: int = 200) -> web.Response:
    return json_response(reseller_of(state.record, state.reserved), status)


async def list_resellers(call: Call[NoBody, PageQuery]) -> web.StreamResponse:
    after = decode_token(call.query.page_token, "after", str) or ""
    states = await service.page(call.context, after, call.query.limit + 1)
    states, token = page_of(states, call.query.limit, "name")
    items = [reseller_of(s.record, s.reserved) for s in states]
    return json_response(ResellerPage(items=items, next_page_token=token))


async def create_reseller(call: Call[ResellerCreate]) -> web.StreamResponse:
    body = call.body
    totals = {key: getattr(body, key) for key in TOTALS}
    state = await service.create(
        call.context,
        body.name,
        body.password,
        body.email,
        totals,
        rounds=call.config.auth.bcrypt_rounds,
    )
    return _reply(state, 201)


async def get_reseller(call: Call) -> web.StreamResponse:
    return _reply(await service.read(call.context, await _reseller(call)))


async def update_reseller(call: Call[ResellerUpdate]) -> web.StreamResponse:
    body = call.body
    sent = frozenset(body.model_fields_set)
    changes = ResellerChanges(
        fields=sent,
        password=body.password,
        email=body.email,
        totals={key: getattr(body, key) for key in TOTALS if key in sent},
    )
    state = await service.update(
        call.context, await _reseller(call), changes, rounds=call.config.auth.bcrypt_rounds
    )
    return _reply(state)


async def delete_reseller(call: Call) -> web.StreamResponse:
    await service.delete(call.context, await _reseller(call))
    return web.Response(status=204)


async def suspend_reseller(call: Call[SuspendRequest]) -> web.StreamResponse:
    cascade = await service.suspend(call.context, await _reseller(call), call.body.reason)
    return _cascade(cascade)


async def unsuspend_reseller(call: Call) -> web.StreamResponse:
    return _cascade(await service.unsuspend(call.context, await _reseller(call)))


def _cascade(cascade: Cascade) -> web.Response:
    state = cascade.state
    return json_response(
        ResellerCascade(
            reseller=reseller_of(state.record, state.reserved),
            accounts=cascade.done,
            not_done=[AccountNotDone(name=n.account, detail=n.detail) for n in cascade.not_done],
        )
    )


_ONE = "/api/v1/resellers/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/resellers",
        list_resellers,
        "listResellers",
        "List resellers in name order, with what their accounts reserve of their totals",
        "resellers",
        query=PageQuery,
        response=ResellerPage,
    ),
    Operation(
        "POST",
        "/api/v1/resellers",
        create_reseller,
        "createReseller",
        "Create a reseller: a sign-in that sells accounts on plans of its own, within totals",
        "resellers",
        body=ResellerCreate,
        response=Reseller,
        status=201,
        errors=(409,),
    ),
    Operation(
        "GET",
        _ONE,
        get_reseller,
        "getReseller",
        "One reseller",
        "resellers",
        response=Reseller,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_reseller,
        "updateReseller",
        "Change a reseller's totals (refused below what its accounts reserve), e-mail or password",
        "resellers",
        body=ResellerUpdate,
        response=Reseller,
        errors=(404, 409),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_reseller,
        "deleteReseller",
        "Delete a reseller and its plans (refused while accounts are on them)",
        "resellers",
        status=204,
        errors=(404, 409),
    ),
    Operation(
        "POST",
        _ONE + "/suspend",
        suspend_reseller,
        "suspendReseller",
        "Suspend a reseller (its sessions end) and every active account on its plans, as an"
        " administrator's suspension",
        "resellers",
        body=SuspendRequest,
        body_optional=True,
        response=ResellerCascade,
        errors=(400, 404),
    ),
    Operation(
        "POST",
        _ONE + "/unsuspend",
        unsuspend_reseller,
        "unsuspendReseller",
        "Lift a reseller's suspension and the account suspensions it made (not those made on"
        " their own)",
        "resellers",
        response=ResellerCascade,
        errors=(404,),
    ),
]
