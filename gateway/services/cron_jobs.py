"""Cron jobs: the flows that record a job, have the agent install it, and settle the record.

Each change follows the consistency rule (gateway/consistency.py): recorded first, applied
through the agent, then completed, and written to the audit log whatever its outcome.
"""

from __future__ import annotations

import secrets

from jopanel.agent.cron.v1 import cron_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import not_found, plan_limit
from gateway.store import cron_jobs as store
from gateway.store.accounts import AccountRecord
from gateway.store.cron_jobs import CronJobRecord
from gateway.store.plans import LimitReached
from gateway.store.tenants import Tenants


async def get(ctx: Context, public_id: str) -> CronJobRecord | None:
    return await store.get(ctx.db, public_id)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[CronJobRecord]:
    """Jobs in id order after `after`: one account's, or every account's."""
    return await store.page(ctx.db, after=after, tenants=tenants, limit=limit)


async def create(
    ctx: Context, account: AccountRecord, *, schedule: str, command: str, enabled: bool
) -> CronJobRecord:
    public_id = secrets.token_hex(8)
    async with ctx.audited("cron_job.create", f"{account.name}/{public_id}"):
        try:
            job_id = await store.insert_pending(
                ctx.db, account.id, public_id, schedule, command, enabled
            )
        except LimitReached as exc:
            raise plan_limit(exc) from exc
        async with applying(undo=lambda: store.delete(ctx.db, job_id)):
            await ctx.agent.cron.CreateCronJob(
                pb.CreateCronJobRequest(
                    account=account.name, job=_spec(public_id, schedule, command, enabled)
                ),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(ctx.db, job_id, "active")
    return await _read(ctx, public_id)


async def update(
    ctx: Context,
    job: CronJobRecord,
    *,
    schedule: str | None,
    command: str | None,
    enabled: bool | None,
) -> CronJobRecord:
    """Changes what is given; the agent installs the account's whole crontab again."""
    schedule = schedule or job.schedule
    command = command or job.command
    enabled = job.enabled if enabled is None else enabled
    async with ctx.audited("cron_job.update", f"{job.account}/{job.public_id}"):
        request = pb.UpdateCronJobRequest(
            account=job.account, job=_spec(job.public_id, schedule, command, enabled)
        )
        request.update_mask.paths.extend(["schedule", "command", "enabled"])
        await ctx.agent.cron.UpdateCronJob(request, timeout=CALL_TIMEOUT_SECONDS)
        await store.update(ctx.db, job.id, schedule=schedule, command=command, enabled=enabled)
    return await _read(ctx, job.public_id)


async def delete(ctx: Context, job: CronJobRecord) -> None:
    async with ctx.audited("cron_job.delete", f"{job.account}/{job.public_id}"):
        await store.set_status(ctx.db, job.id, "deleting")
        async with applying(undo=lambda: store.set_status(ctx.db, job.id, job.status)):
            await ctx.agent.cron.DeleteCronJob(
                pb.DeleteCronJobRequest(account=job.account, id=job.public_id),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(ctx.db, job.id)


def _spec(public_id: str, schedule: str, command: str, enabled: bool) -> pb.CronJob:
    return pb.CronJob(id=public_id, schedule=schedule, command=command, enabled=enabled)


async def _read(ctx: Context, public_id: str) -> CronJobRecord:
    """The job as recorded after a change (its times are the database's)."""
    job = await store.get(ctx.db, public_id)
    if job is None:  # deleted by another request in between
        raise not_found(f"Cron job '{public_id}'")
    return job
