"""Jobs: long work the agent does for an account (backups, restores), with its progress.

An owner sees its own account's jobs; an administrator every account's (or one's, filtered).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway import keys
from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.jobs import Job, JobPage, JobQuery, job_of
from gateway.scope import account_page
from gateway.services import jobs as service
from gateway.store.jobs import JobRecord

PUBLIC_ID = re.compile(r"[0-9a-f]{32}")


async def find_job(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    job = await service.get(call.context, public_id) if public_id else None
    return Owned(job.account, job) if job else None


def _job(call: Call[Any, Any]) -> JobRecord:
    return call.found(JobRecord, f"Job '{call.param('id')}'")


async def list_jobs(call: Call[NoBody, JobQuery]) -> web.StreamResponse:
    jobs, token = await account_page(call, call.query, service.page, "public_id")
    return json_response(JobPage(items=[job_of(j) for j in jobs], next_page_token=token))


async def get_job(call: Call) -> web.StreamResponse:
    return json_response(job_of(_job(call)))


async def cancel_job(call: Call) -> web.StreamResponse:
    runner = call.request.app[keys.JOBS]
    return json_response(job_of(await service.cancel(call.context, runner, _job(call))))


async def job_events(call: Call) -> web.StreamResponse:
    """Server-sent events: `event: job` with the job as JSON at each change, the last one when
    it has ended; a comment line every KEEPALIVE_SECONDS of silence."""
    job = _job(call)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx passes each event on at once
        }
    )
    await response.prepare(call.request)
    runner = call.request.app[keys.JOBS]
    async for record in service.follow(call.context, runner, job.public_id):
        if record is None:
            await response.write(b": still running\n\n")
        else:
            data = job_of(record).model_dump_json()
            await response.write(
                f"event: job\nid: {record.state}-{record.percent}\ndata: {data}\n\n".encode()
            )
    await response.write_eof()
    return response


operations = [
    Operation(
        "GET",
        "/api/v1/jobs",
        list_jobs,
        "listJobs",
        "List jobs (an owner's own; administrators may filter by account)",
        "jobs",
        Access.SIGNED_IN,
        query=JobQuery,
        response=JobPage,
        errors=(404,),
    ),
    Operation(
        "GET",
        "/api/v1/jobs/{id}",
        get_job,
        "getJob",
        "One job: its state, stage, percent, bytes and files done, start, end and error",
        "jobs",
        Access.SIGNED_IN,
        owner=find_job,
        response=Job,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/jobs/{id}/cancel",
        cancel_job,
        "cancelJob",
        "Stop a queued or running job: the agent interrupts restic cleanly (it leaves no lock);"
        " a certificate order stops at its next stage, before anything is installed. Answers"
        " with the job once it has ended (cancelled, or succeeded or failed if it was ending;"
        " a certificate order still running after 30 s stops at its next stage). 409 for a job"
        " that had ended already, and for the panel's own certificate order",
        "jobs",
        Access.SIGNED_IN,
        owner=find_job,
        response=Job,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        "/api/v1/jobs/{id}/events",
        job_events,
        "followJob",
        "The job as server-sent events (text/event-stream): an `event: job` whose data is the "
        "job as GET /api/v1/jobs/{id} gives it, at each change, ending with its final state",
        "jobs",
        Access.SIGNED_IN,
        owner=find_job,
        errors=(404,),
    ),
]
