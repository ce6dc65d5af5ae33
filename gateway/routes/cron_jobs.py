"""Cron jobs: an owner schedules commands that cron runs as its account.

Ids are random and public; the agent installs an account's enabled jobs as its crontab.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.cron_jobs import (
    CronJob,
    CronJobCreate,
    CronJobPage,
    CronJobQuery,
    CronJobUpdate,
    cron_job_of,
)
from gateway.scope import account_for, account_page
from gateway.services import cron_jobs as service
from gateway.store.cron_jobs import CronJobRecord

PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


async def find_job(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    job = await service.get(call.context, public_id) if public_id else None
    return Owned(job.account, job) if job else None


def _job(call: Call[Any, Any]) -> CronJobRecord:
    return call.found(CronJobRecord, f"Cron job '{call.param('id')}'")


async def list_jobs(call: Call[NoBody, CronJobQuery]) -> web.StreamResponse:
    jobs, token = await account_page(call, call.query, service.page, "public_id")
    return json_response(CronJobPage(items=[cron_job_of(j) for j in jobs], next_page_token=token))


async def create_job(call: Call[CronJobCreate]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    job = await service.create(
        call.context, account, schedule=body.schedule, command=body.command, enabled=body.enabled
    )
    return json_response(cron_job_of(job), 201)


async def get_job(call: Call) -> web.StreamResponse:
    return json_response(cron_job_of(_job(call)))


async def update_job(call: Call[CronJobUpdate]) -> web.StreamResponse:
    body = call.body
    job = await service.update(
        call.context, _job(call), schedule=body.schedule, command=body.command, enabled=body.enabled
    )
    return json_response(cron_job_of(job))


async def delete_job(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _job(call))
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
