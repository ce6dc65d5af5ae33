"""Hosting plans: administrators set the limits that every account's resources are held to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from gateway import quotas
from gateway.api import Call, Operation, json_response
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import conflict, not_found
from gateway.store import accounts, plans

DEFAULT_PLAN = "default"
PlanName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# null: unlimited; 0: none allowed.
Limit = Annotated[int | None, Field(ge=0, le=10_000_000)]
# MiB; null: unlimited. Every account needs some space for its home, so 0 is no choice here.
DiskLimit = Annotated[int | None, Field(ge=1, le=16 * 1024 * 1024)]
# Inodes (files, folders, links); null: unlimited. The home itself takes one, so not 0 either.
InodeLimit = Annotated[int | None, Field(ge=1, le=2**32 - 1)]


class PlanLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_domains: Limit = None
    max_aliases: Limit = Field(default=None, description="Aliases per domain")
    max_databases: Limit = None
    max_cron_jobs: Limit = None
    disk_quota_mb: DiskLimit = Field(
        default=None,
        description="MiB that all the account's files may take, kept by the server's disk"
        " quotas; at least 1, null for unlimited",
    )
    inode_quota: InodeLimit = Field(
        default=None,
        description="How many files, folders and links the account may own, kept by the same"
        " disk quotas (so millions of empty files cannot fill the server); at least 1, null for"
        " unlimited",
    )


class PlanCreate(PlanLimits):
    name: PlanName


class Plan(BaseModel):
    name: str
    max_domains: int | None
    max_aliases: int | None
    max_databases: int | None
    max_cron_jobs: int | None
    disk_quota_mb: int | None
    inode_quota: int | None
    accounts: int = Field(description="How many accounts are on this plan")
    created_at: datetime
    updated_at: datetime


class PlanPage(BaseModel):
    items: list[Plan]
    next_page_token: str | None


async def plan_of(call: Call, row: Row) -> Plan:
    return Plan(
        **{k: row[k] for k in ("name", *plans.LIMITS)},
        accounts=await plans.accounts_on(call.db, row["id"]),
        created_at=row["created_at"].replace(tzinfo=UTC),
        updated_at=row["updated_at"].replace(tzinfo=UTC),
    )


async def _row(call: Call) -> Row:
    row = await plans.get(call.db, call.param("name"))
    if row is None:
        raise not_found(f"Plan '{call.param('name')}'")
    return row


async def list_plans(call: Call) -> web.StreamResponse:
    query = call.query_as(PageQuery)
    after = decode_token(query.page_token, "after", str) or ""
    rows = await plans.page(call.db, after, query.limit + 1)
    rows, token = page_of(rows, query.limit, "name")
    items = [await plan_of(call, r) for r in rows]
    return json_response(PlanPage(items=items, next_page_token=token))


async def create_plan(call: Call) -> web.StreamResponse:
    body = call.body_as(PlanCreate)
    async with call.audited("plan.create", body.name):
        if body.disk_quota_mb is not None or body.inode_quota is not None:
            await quotas.require_enforced(call)
        try:
            await plans.create(call.db, body.name, body.model_dump(include=set(plans.LIMITS)))
        except plans.NameTaken as exc:
            raise conflict(f"A plan named '{body.name}' exists already.") from exc
    row = await plans.get(call.db, body.name)
    assert row is not None
    return json_response(await plan_of(call, row), 201)


async def get_plan(call: Call) -> web.StreamResponse:
    return json_response(await plan_of(call, await _row(call)))


async def update_plan(call: Call) -> web.StreamResponse:
    body = call.body_as(PlanLimits)
    row = await _row(call)
    changes = body.model_dump(include=body.model_fields_set)
    async with call.audited("plan.update", row["name"], detail=",".join(sorted(changes))):
        exceeding = await plans.over_limits(call.db, changes, plan_id=row["id"])
        previous = quotas.Limits.of_plan(row)
        limits = quotas.Limits.of_plan({**row, **changes})
        names = []
        if limits != previous:
            if limits.any:
                await quotas.require_enforced(call)
            names = await accounts.names_on_plan(call.db, row["id"])
            exceeding += await quotas.over_limit(call, names, limits)
        if exceeding:
            raise conflict(
                f"Accounts on plan '{row['name']}' already use more: {'; '.join(exceeding)}."
                " Lower their usage or move them to another plan first."
            )
        await plans.update(call.db, row["id"], changes)
        await quotas.apply(
            call,
            names,
            limits,
            previous=previous,
            undo=lambda: plans.update(call.db, row["id"], {k: row[k] for k in changes}),
        )
    return json_response(await plan_of(call, await _row(call)))


async def delete_plan(call: Call) -> web.StreamResponse:
    row = await _row(call)
    async with call.audited("plan.delete", row["name"]):
        if row["name"] == DEFAULT_PLAN:
            raise conflict("The default plan cannot be deleted; new accounts start on it.")
        users = await plans.accounts_on(call.db, row["id"])
        if users:
            raise conflict(f"{users} account(s) are on plan '{row['name']}'; move them first.")
        await plans.delete(call.db, row["id"])
    return web.Response(status=204)


_ONE = "/api/v1/plans/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/plans",
        list_plans,
        "listPlans",
        "List plans in name order",
        "plans",
        query=PageQuery,
        response=PlanPage,
    ),
    Operation(
        "POST",
        "/api/v1/plans",
        create_plan,
        "createPlan",
        "Create a plan (null limit: unlimited; 0: none)",
        "plans",
        body=PlanCreate,
        response=Plan,
        status=201,
        errors=(409,),
    ),
    Operation("GET", _ONE, get_plan, "getPlan", "One plan", "plans", response=Plan, errors=(404,)),
    Operation(
        "PATCH",
        _ONE,
        update_plan,
        "updatePlan",
        "Change a plan's limits (refused below what its accounts use)",
        "plans",
        body=PlanLimits,
        response=Plan,
        errors=(404, 409),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_plan,
        "deletePlan",
        "Delete a plan no account uses",
        "plans",
        status=204,
        errors=(404, 409),
    ),
]
