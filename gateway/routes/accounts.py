"""Hosting accounts: administrators manage them; an owner may read its own.

Creating and deleting follow the panel's consistency rule: the change is recorded first
(pending / deleting), applied through the agent, then completed or rolled back, so a crash in
between leaves a record that says so rather than one that claims what is not there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import grpc
from aiohttp import web
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.web.v1 import web_pb2 as web_pb
from pydantic import BaseModel, ConfigDict, Field

from gateway import quotas
from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Access, Call, Operation, json_response, path_param
from gateway.auth.passwords import hash_password
from gateway.consistency import applying
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import conflict, field_error, not_found
from gateway.routes.dns_zones import delete_zones_of
from gateway.routes.plans import DEFAULT_PLAN, PlanName
from gateway.store import accounts, domains, plans, users
from gateway.store.accounts import AccountRecord, ShellName, Status
from gateway.suspensions import (
    SuspendRequest,
    SuspensionInfo,
    refuse_owner_over_admin,
    suspension_by,
    suspension_of,
)
from gateway.validation import AccountName, Email, Password

_SHELLS: dict[str, pb.Shell.ValueType] = {
    "nologin": pb.SHELL_NOLOGIN,
    "bash": pb.SHELL_BASH,
    "sh": pb.SHELL_SH,
}


class DiskUsage(BaseModel):
    enforced: bool = Field(
        description="False where the server does not enforce disk quotas (the sizes are null)"
    )
    used_bytes: int | None = Field(description="What all the account's files take")
    limit_bytes: int | None = Field(description="The hard limit; null: none")
    used_inodes: int | None = Field(
        default=None, description="How many files, folders and links the account owns"
    )
    inode_limit: int | None = Field(default=None, description="The hard limit; null: none")


class SystemAccount(BaseModel):
    """The account as the server has it, reported by the agent."""

    uid: int
    gid: int
    home: str
    suspended: bool
    disk: DiskUsage


class Account(BaseModel):
    name: str
    email: str | None
    shell: ShellName
    plan: str
    status: Status
    suspension: SuspensionInfo | None = Field(
        default=None, description="Who suspended it and why, while it is suspended"
    )
    created_at: datetime
    updated_at: datetime
    system: SystemAccount | None = None


class AccountPage(BaseModel):
    items: list[Account]
    next_page_token: str | None


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: AccountName
    password: Password
    email: Email = None
    shell: ShellName = "nologin"
    plan: PlanName = DEFAULT_PLAN


class AccountUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    password: Password | None = None
    email: Email = None
    shell: ShellName | None = None
    plan: PlanName | None = None


class AccountQuery(PageQuery):
    q: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""


def account_of(
    row: AccountRecord, system: pb.Account | None = None, *, admin_view: bool = False
) -> Account:
    return Account(
        name=row.name,
        email=row.email,
        shell=row.shell,
        plan=row.plan,
        status=row.status,
        suspension=suspension_of(row, admin_view=admin_view),
        created_at=row.created_at,
        updated_at=row.updated_at,
        system=None
        if system is None
        else SystemAccount(
            uid=system.uid,
            gid=system.gid,
            home=system.home,
            suspended=system.suspended,
            disk=DiskUsage(
                enforced=system.disk.enforced,
                used_bytes=system.disk.used_bytes if system.disk.enforced else None,
                limit_bytes=system.disk.limit_bytes or None,
                used_inodes=system.disk.used_inodes if system.disk.enforced else None,
                inode_limit=system.disk.inode_limit or None,
            ),
        ),
    )


async def _row(call: Call) -> AccountRecord:
    row = await accounts.get(call.db, call.param("name"))
    if row is None:
        raise not_found(f"Account '{call.param('name')}'")
    return row


async def _plan(call: Call, name: str) -> Row:
    plan = await plans.get(call.db, name)
    if plan is None:
        raise field_error("plan", f"there is no plan named '{name}'")
    return plan


async def _reply(
    call: Call, name: str, system: pb.Account | None, status: int = 200
) -> web.Response:
    row = await accounts.get(call.db, name)
    assert row is not None
    return json_response(account_of(row, system, admin_view=call.me.is_admin), status)


async def list_accounts(call: Call) -> web.StreamResponse:
    query = call.query_as(AccountQuery)
    after = decode_token(query.page_token, "after", str) or ""
    rows = await accounts.page(call.db, after, query.q, query.limit + 1)
    rows, next_token = page_of(rows, query.limit, "name")
    systems = await _systems_of(call, [r.name for r in rows if r.status in _ON_SYSTEM])
    items = [account_of(r, systems.get(r.name), admin_view=True) for r in rows]
    return json_response(AccountPage(items=items, next_page_token=next_token))


_ON_SYSTEM = ("active", "suspended")


async def _systems_of(call: Call, names: list[str]) -> dict[str, pb.Account]:
    """The agent's view of a page of accounts, in one call. A list is for finding accounts:
    it still answers, without the system part, while the agent cannot."""
    if not names:
        return {}
    try:
        found = await call.agent.accounts_named(names)
    except grpc.aio.AioRpcError:
        return {}
    return {account.name: account for account in found}


async def create_account(call: Call) -> web.StreamResponse:
    body = call.body_as(AccountCreate)
    async with call.audited("account.create", body.name):
        plan = await _plan(call, body.plan)
        password_hash = await hash_password(body.password, call.config.auth.bcrypt_rounds)
        try:
            user_id = await accounts.insert_pending(
                call.db, body.name, password_hash, body.email, body.shell, plan["id"]
            )
        except accounts.NameTaken as exc:
            raise conflict(f"The name '{body.name}' is taken.") from exc
        request = pb.CreateAccountRequest(
            name=body.name,
            password=body.password,
            shell=_SHELLS[body.shell],
            disk_quota_mb=plan["disk_quota_mb"] or 0,
            inode_quota=plan["inode_quota"] or 0,
        )
        async with applying(undo=lambda: accounts.delete(call.db, user_id)):
            reply = await call.agent.accounts.CreateAccount(request, timeout=CALL_TIMEOUT_SECONDS)
        await accounts.set_status(call.db, user_id, "active")
    return await _reply(call, body.name, reply.account, 201)


async def get_account(call: Call) -> web.StreamResponse:
    row = await _row(call)
    system = None
    if row.status in ("active", "suspended"):
        try:
            reply = await call.agent.accounts.GetAccount(
                pb.GetAccountRequest(name=row.name), timeout=CALL_TIMEOUT_SECONDS
            )
            system = reply.account
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
    return json_response(account_of(row, system, admin_view=call.me.is_admin))


async def update_account(call: Call) -> web.StreamResponse:
    body = call.body_as(AccountUpdate)
    row = await _row(call)
    sent = body.model_fields_set
    async with call.audited("account.update", row.name, detail=",".join(sorted(sent))):
        plan_id = row.plan_id
        mask: list[str] = [
            f for f in ("password", "shell") if f in sent and getattr(body, f) is not None
        ]
        limits = quotas.Limits(None, None)
        if body.plan is not None and body.plan != row.plan:
            plan = await _plan(call, body.plan)
            plan_id = plan["id"]
            exceeding = await plans.over_limits(
                call.db, {k: plan[k] for k in plans.LIMITS}, account_id=row.id
            )
            if row.status in ("active", "suspended"):
                limits = quotas.Limits.of_plan(plan)
                exceeding += await quotas.over_limit(call, [row.name], limits)
                mask.extend(["disk_quota_mb", "inode_quota"])
            if exceeding:
                raise conflict(f"Plan '{body.plan}' is too small: {'; '.join(exceeding)}.")
        system = None
        if mask:
            request = pb.UpdateAccountRequest(
                name=row.name,
                password=body.password or "",
                shell=_SHELLS[body.shell or row.shell],
                disk_quota_mb=limits.disk_mb or 0,
                inode_quota=limits.inodes or 0,
            )
            request.update_mask.paths.extend(mask)
            reply = await call.agent.accounts.UpdateAccount(request, timeout=CALL_TIMEOUT_SECONDS)
            system = reply.account
        await accounts.update(
            call.db,
            row.id,
            email=body.email if "email" in sent else row.email,
            shell=body.shell or row.shell,
            plan_id=plan_id,
        )
        if body.password is not None:
            await users.set_password(
                call.db,
                row.id,
                await hash_password(body.password, call.config.auth.bcrypt_rounds),
            )
    return await _reply(call, row.name, system)


async def delete_account(call: Call) -> web.StreamResponse:
    row = await _row(call)
    async with call.audited("account.delete", row.name):
        await accounts.set_status(call.db, row.id, "deleting")
        async with applying(undo=lambda: accounts.set_status(call.db, row.id, row.status)):
            await delete_zones_of(call, row.id)
            await _delete_websites(call, row.id)
            await call.agent.accounts.DeleteAccount(
                pb.DeleteAccountRequest(name=row.name), timeout=CALL_TIMEOUT_SECONDS
            )
        await accounts.delete(call.db, row.id)
    return web.Response(status=204)


async def _delete_websites(call: Call, account_id: int) -> None:
    """An account's websites go first: their configuration lives outside its home."""
    for site in await domains.names_of(call.db, account_id):
        await call.agent.web.DeleteWebDomain(
            web_pb.DeleteWebDomainRequest(name=site["name"], delete_files=True),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await domains.delete(call.db, site["id"])


async def suspend_account(call: Call) -> web.StreamResponse:
    body = call.body_as(SuspendRequest)
    row = await _row(call)
    async with call.audited("account.suspend", row.name, detail=body.reason or ""):
        reply = await call.agent.accounts.SuspendAccount(
            pb.SuspendAccountRequest(name=row.name), timeout=CALL_TIMEOUT_SECONDS
        )
        for site in await domains.names_of(call.db, row.id):
            await call.agent.web.SuspendWebDomain(
                web_pb.SuspendWebDomainRequest(name=site["name"]), timeout=CALL_TIMEOUT_SECONDS
            )
        await accounts.set_suspended(call.db, row.id, suspension_by(call.me, body))
    return await _reply(call, row.name, reply.account)


async def unsuspend_account(call: Call) -> web.StreamResponse:
    row = await _row(call)
    refuse_owner_over_admin(call.me, row, f"Account '{row.name}'")
    async with call.audited("account.unsuspend", row.name):
        reply = await call.agent.accounts.UnsuspendAccount(
            pb.UnsuspendAccountRequest(name=row.name), timeout=CALL_TIMEOUT_SECONDS
        )
        # Sites the owner or an administrator suspended on their own stay suspended.
        for site in await domains.names_of(call.db, row.id):
            if site["status"] == "active":
                await call.agent.web.UnsuspendWebDomain(
                    web_pb.UnsuspendWebDomainRequest(name=site["name"]),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
        await accounts.set_active(call.db, row.id)
    return await _reply(call, row.name, reply.account)


_ONE = "/api/v1/accounts/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/accounts",
        list_accounts,
        "listAccounts",
        "List accounts in name order",
        "accounts",
        query=AccountQuery,
        response=AccountPage,
    ),
    Operation(
        "POST",
        "/api/v1/accounts",
        create_account,
        "createAccount",
        "Create an account: its owner's sign-in and its Linux user",
        "accounts",
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
        response=Account,
        errors=(404,),
    ),
]
