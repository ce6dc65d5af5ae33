"""One-off charges: administrators add lines to an account's next invoice and remove them
while pending; an owner reads its own."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.charges import Charge, ChargeCreate, ChargePage, ChargeQuery, charge_of
from gateway.scope import account_for, account_page
from gateway.services import charges as service
from gateway.store.charges import ChargeRecord

PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


async def find_charge(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    charge = await service.get(call.context, public_id) if public_id else None
    return Owned(charge.account, charge) if charge else None


def _charge(call: Call[Any, Any]) -> ChargeRecord:
    return call.found(ChargeRecord, f"Charge '{call.param('id')}'")


async def list_charges(call: Call[NoBody, ChargeQuery]) -> web.StreamResponse:
    charges, token = await account_page(call, call.query, service.page, "public_id")
    return json_response(ChargePage(items=[charge_of(c) for c in charges], next_page_token=token))


async def create_charge(call: Call[ChargeCreate]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    charge = await service.create(call.context, account, body.description, Decimal(body.amount))
    return json_response(charge_of(charge), 201)


async def get_charge(call: Call) -> web.StreamResponse:
    return json_response(charge_of(_charge(call)))


async def delete_charge(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _charge(call))
    return web.Response(status=204)


_ONE = "/api/v1/charges/{id}"
operations = [
    Operation("GET", "/api/v1/charges", list_charges, "listCharges",
              "List one-off charges (an owner's own; administrators may filter)", "charges",
              Access.SIGNED_IN, query=ChargeQuery, response=ChargePage, errors=(404,)),
    Operation("POST", "/api/v1/charges", create_charge, "createCharge",
              "Add a one-off charge to an account's next invoice", "charges", Access.ADMIN,
              body=ChargeCreate, response=Charge, status=201, errors=(404,)),
    Operation("GET", _ONE, get_charge, "getCharge", "One charge", "charges",
              Access.SIGNED_IN, owner=find_charge, response=Charge, errors=(404,)),
    Operation("DELETE", _ONE, delete_charge, "deleteCharge",
              "Remove a charge no invoice holds yet (409 once billed)", "charges",
              Access.ADMIN, owner=find_charge, status=204, errors=(404, 409)),
]  # fmt: skip
