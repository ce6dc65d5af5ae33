"""Hosting plans: administrators set the limits that every account's resources are held to."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.plans import PLAN_NAME, Plan, PlanCreate, PlanLimits, PlanPage, plan_of
from gateway.paging import PageQuery, decode_token, page_of
from gateway.services import plans as service
from gateway.store.plans import PlanRecord


async def find_plan(call: Call) -> Owned | None:
    """A plan belongs to no account: to a reseller, or to administrators (docs/resellers.md)."""
    name = call.param_like("name", PLAN_NAME)
    plan = await service.get(call.context, name) if name else None
    return Owned(None, plan, reseller_id=plan.reseller_id) if plan else None


def _plan(call: Call[Any, Any]) -> PlanRecord:
    return call.found(PlanRecord, f"Plan '{call.param('name')}'")


async def list_plans(call: Call[NoBody, PageQuery]) -> web.StreamResponse:
    after = decode_token(call.query.page_token, "after", str) or ""
    plans = await service.page(call.context, after, call.query.limit + 1)
    plans, token = page_of(plans, call.query.limit, "name")
    return json_response(PlanPage(items=[plan_of(p) for p in plans], next_page_token=token))


async def create_plan(call: Call[PlanCreate]) -> web.StreamResponse:
    body = call.body
    plan = await service.create(call.context, body.name, body.model_dump(exclude={"name"}))
    return json_response(plan_of(plan), 201)


async def get_plan(call: Call) -> web.StreamResponse:
    return json_response(plan_of(_plan(call)))


async def update_plan(call: Call[PlanLimits]) -> web.StreamResponse:
    changes = call.body.model_dump(include=call.body.model_fields_set)
    plan = await service.update(call.context, _plan(call), changes)
    return json_response(plan_of(plan))


async def delete_plan(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _plan(call))
    return web.Response(status=204)


_ONE = "/api/v1/plans/{name}"
operations = [
    Operation(
        "GET",
        "/api/v1/plans",
        list_plans,
        "listPlans",
        "List plans in name order (a reseller's own, for a reseller)",
        "plans",
        Access.RESELLER,
        query=PageQuery,
        response=PlanPage,
    ),
    Operation(
        "POST",
        "/api/v1/plans",
        create_plan,
        "createPlan",
        "Create a plan (null limit: unlimited; 0: none); a reseller's within its totals",
        "plans",
        Access.RESELLER,
        body=PlanCreate,
        response=Plan,
        status=201,
        errors=(409,),
    ),
    Operation(
        "GET",
        _ONE,
        get_plan,
        "getPlan",
        "One plan",
        "plans",
        Access.RESELLER,
        owner=find_plan,
        response=Plan,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_plan,
        "updatePlan",
        "Change a plan's limits (refused below what its accounts use)",
        "plans",
        Access.RESELLER,
        owner=find_plan,
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
        Access.RESELLER,
        owner=find_plan,
        status=204,
        errors=(404, 409),
    ),
]
