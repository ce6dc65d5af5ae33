"""Cron jobs: an owner schedules commands that cron runs as its account.

Ids are random and public; the agent installs an account's enabled jobs as its crontab.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Annotated, Literal

from aiohttp import web
from jopanel.agent.cron.v1 import cron_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Access, Call, Operation, Owned, json_response
from gateway.consistency import applying
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import not_found, plan_limit
from gateway.scope import account_filter, account_for
from gateway.store import cron_jobs as store
from gateway.store.plans import LimitReached
from gateway.validation import AccountName, CronCommand, Schedule


class CronJobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: Schedule = Field(examples=["*/15 * * * *", "@daily"])
    command: CronCommand = Field(description="Run with /bin/sh as the account; % is literal")
    enabled: bool = True
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )


class CronJobUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: Schedule | None = None
    command: CronCommand | None = None
    enabled: bool | None = None


class CronJobQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class CronJob(BaseModel):
    id: str
    account: str
    schedule: str
    command: str
    enabled: bool
    status: Literal["pending", "active", "deleting"]
    created_at: datetime
    updated_at: datetime


class CronJobPage(BaseModel):
    items: list[CronJob]
    next_page_token: str | None


def job_of(row: Row) -> CronJob:
    return CronJob(
        id=row["public_id"],
        account=row["account"],
        schedule=row["schedule"],
        command=row["command"],
        enabled=bool(row["enabled"]),
        status=row["status"],
        created_at=row["created_at"].replace(tzinfo=UTC),
        updated_at=row["updated_at"].replace(tzinfo=UTC),
    )


def _spec(public_id: str, schedule: str, command: str, enabled: bool) -> pb.CronJob:
    return pb.CronJob(id=public_id, schedule=schedule, command=command, enabled=enabled)


PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


async def find_job(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    row = await store.get(call.db, public_id) if public_id else None
    return Owned(row["account"], row) if row else None


def _found(call: Call) -> Row:
    if call.resource is None:
        raise not_found(f"Cron job '{call.param('id')}'")
    return call.resource


async def _reply(call: Call, public_id: str, status: int = 200) -> web.Response:
    row = await store.get(call.db, public_id)
    assert row is not None
    return json_response(job_of(row), status)


async def list_jobs(call: Call) -> web.StreamResponse:
    query = call.query_as(CronJobQuery)
    account = await account_filter(call, query.account)
    account_id = account["id"] if account else None
    after = decode_token(query.page_token, "after", str) or ""
    rows = await store.page(call.db, after=after, account_id=account_id, limit=query.limit + 1)
    rows, token = page_of(rows, query.limit, "public_id")
    return json_response(CronJobPage(items=[job_of(r) for r in rows], next_page_token=token))


async def create_job(call: Call) -> web.StreamResponse:
    body = call.body_as(CronJobCreate)
    account = await account_for(call, body.account)
    public_id = secrets.token_hex(8)
    async with call.audited("cron_job.create", f"{account['name']}/{public_id}"):
        try:
            record = await store.insert_pending(
                call.db, account["id"], public_id, body.schedule, body.command, body.enabled
            )
        except LimitReached as exc:
            raise plan_limit(exc) from exc
        async with applying(undo=lambda: store.delete(call.db, record)):
            await call.agent.cron.CreateCronJob(
                pb.CreateCronJobRequest(
                    account=account["name"],
                    job=_spec(public_id, body.schedule, body.command, body.enabled),
                ),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(call.db, record, "active")
    return await _reply(call, public_id, 201)


async def get_job(call: Call) -> web.StreamResponse:
    return json_response(job_of(_found(call)))


async def update_job(call: Call) -> web.StreamResponse:
    body = call.body_as(CronJobUpdate)
    row = _found(call)
    schedule = body.schedule or row["schedule"]
    command = body.command or row["command"]
    enabled = bool(row["enabled"]) if body.enabled is None else body.enabled
    async with call.audited("cron_job.update", f"{row['account']}/{row['public_id']}"):
        request = pb.UpdateCronJobRequest(
            account=row["account"], job=_spec(row["public_id"], schedule, command, enabled)
        )
        request.update_mask.paths.extend(["schedule", "command", "enabled"])
        await call.agent.cron.UpdateCronJob(request, timeout=CALL_TIMEOUT_SECONDS)
        await store.update(call.db, row["id"], schedule=schedule, command=command, enabled=enabled)
    return await _reply(call, row["public_id"])


async def delete_job(call: Call) -> web.StreamResponse:
    row = _found(call)
    async with call.audited("cron_job.delete", f"{row['account']}/{row['public_id']}"):
        await store.set_status(call.db, row["id"], "deleting")
        async with applying(undo=lambda: store.set_status(call.db, row["id"], row["status"])):
            await call.agent.cron.DeleteCronJob(
                pb.DeleteCronJobRequest(account=row["account"], id=row["public_id"]),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(call.db, row["id"])
    return web.Response(status=204)


_ONE = "/api/v1/cron-jobs/{id}"
operations = [
    Operation(
        "GET",
        "/api/v1/cron-jobs",
        list_jobs,
        "listCronJobs",
        "List cron jobs (an owner's own; administrators may filter)",
        "cron-jobs",
        Access.SIGNED_IN,
        query=CronJobQuery,
        response=CronJobPage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/cron-jobs",
        create_job,
        "createCronJob",
        "Schedule a command",
        "cron-jobs",
        Access.SIGNED_IN,
        body=CronJobCreate,
        response=CronJob,
        status=201,
        errors=(403, 404),
    ),
    Operation(
        "GET",
        _ONE,
        get_job,
        "getCronJob",
        "One cron job",
        "cron-jobs",
        Access.SIGNED_IN,
        owner=find_job,
        response=CronJob,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_job,
        "updateCronJob",
        "Change a job's schedule, command or whether it runs",
        "cron-jobs",
        Access.SIGNED_IN,
        owner=find_job,
        body=CronJobUpdate,
        response=CronJob,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_job,
        "deleteCronJob",
        "Remove a cron job",
        "cron-jobs",
        Access.SIGNED_IN,
        owner=find_job,
        status=204,
        errors=(404,),
    ),
]
