"""Hosting accounts: administrators manage them; an owner may read its own.

The flows (consistency, cascades, audit) are gateway/services/accounts.py's.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, json_response, path_param
from gateway.models.accounts import (
    Account,
    AccountCreate,
    AccountPage,
    AccountQuery,
    AccountUpdate,
    account_of,
)
from gateway.models.suspensions import SuspendRequest
from gateway.paging import decode_token, page_of
from gateway.problems import not_found
from gateway.services import accounts as service
from gateway.services.accounts import AccountChanges, AccountState
from gateway.store.accounts import AccountRecord


async def _account(call: Call[Any, Any]) -> AccountRecord:
    account = await service.get(call.context, call.param("name"))
    if account is None:
        raise not_found(f"Account '{call.param('name')}'")
    return account


def _reply(call: Call[Any, Any], state: AccountState, status: int = 200) -> web.Response:
    account = account_of(state.record, state.system, admin_view=call.me.is_admin)
    return json_response(account, status)


async def list_accounts(call: Call[NoBody, AccountQuery]) -> web.StreamResponse:
    query = call.query
    after = decode_token(query.page_token, "after", str) or ""
    states = await service.page(call.context, after, query.q, query.limit + 1)
    states, token = page_of(states, query.limit, "name")
    items = [account_of(s.record, s.system, admin_view=call.me.is_admin) for s in states]
    return json_response(AccountPage(items=items, next_page_token=token))


async def create_account(call: Call[AccountCreate]) -> web.StreamResponse:
    body = call.body
    state = await service.create(
        call.context,
        name=body.name,
        password=body.password,
        email=body.email,
        shell=body.shell,
        plan_name=body.plan,
        bcrypt_rounds=call.config.auth.bcrypt_rounds,
    )
    return _reply(call, state, 201)


async def get_account(call: Call) -> web.StreamResponse:
    return _reply(call, await service.read(call.context, await _account(call)))


async def update_account(call: Call[AccountUpdate]) -> web.StreamResponse:
    body = call.body
    changes = AccountChanges(
        fields=frozenset(body.model_fields_set),
        password=body.password,
        email=body.email,
        shell=body.shell,
        plan=body.plan,
    )
    state = await service.update(
        call.context, await _account(call), changes, bcrypt_rounds=call.config.auth.bcrypt_rounds
    )
    return _reply(call, state)


async def delete_account(call: Call) -> web.StreamResponse:
    await service.delete(call.context, await _account(call))
    return web.Response(status=204)


async def suspend_account(call: Call[SuspendRequest]) -> web.StreamResponse:
    state = await service.suspend(call.context, await _account(call), call.body.reason)
    return _reply(call, state)


async def unsuspend_account(call: Call) -> web.StreamResponse:
    return _reply(call, await service.unsuspend(call.context, await _account(call)))


_ONE = "/api/v1/accounts/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/accounts",
        list_accounts,
        "listAccounts",
        "List accounts in name order (a reseller's own, for a reseller)",
        "accounts",
        Access.RESELLER,
        query=AccountQuery,
        response=AccountPage,
    ),
    Operation(
        "POST",
        "/api/v1/accounts",
        create_account,
        "createAccount",
        "Create an account: its owner's sign-in and its Linux user (a reseller's on its plans)",
        "accounts",
        Access.RESELLER,
        body=AccountCreate,
        response=Account,
        status=201,
        errors=(400, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_account,
        "getAccount",
        "One account, with its system state",
        "accounts",
        Access.SIGNED_IN,
        owner=path_param("name"),
        response=Account,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_account,
        "updateAccount",
        "Change an account's password, shell, e-mail or plan",
        "accounts",
        Access.RESELLER,
        owner=path_param("name"),
        body=AccountUpdate,
        response=Account,
        errors=(400, 404, 409),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_account,
        "deleteAccount",
        "Delete an account, its Linux user and its home",
        "accounts",
        Access.RESELLER,
        owner=path_param("name"),
        status=204,
        errors=(404,),
    ),
    Operation(
        "POST",
        _ONE + "/suspend",
        suspend_account,
        "suspendAccount",
        "Suspend an account: no sign-in to the panel or the system",
        "accounts",
        Access.RESELLER,
        owner=path_param("name"),
        body=SuspendRequest,
        body_optional=True,
        response=Account,
        errors=(400, 404),
    ),
    Operation(
        "POST",
        _ONE + "/unsuspend",
        unsuspend_account,
        "unsuspendAccount",
        "Lift an account's suspension",
        "accounts",
        Access.RESELLER,
        owner=path_param("name"),
        response=Account,
        errors=(404,),
    ),
]
