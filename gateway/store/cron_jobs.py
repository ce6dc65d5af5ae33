"""Cron jobs as recorded, each with the public id the API and the agent use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one_as, transaction
from gateway.store.plans import check_limit
from gateway.store.tenants import Tenants

Status = Literal["pending", "active", "deleting"]


@dataclass(frozen=True, slots=True)
class CronJobRecord:
    id: int
    public_id: str  # the id the API and the agent use
    account_id: int
    account: str
    schedule: str
    command: str
    enabled: bool
    status: Status
    created_at: datetime
    updated_at: datetime


_SELECT = (
    "SELECT c.id, c.public_id, c.account_id, u.name AS account, c.schedule, c.command,"
    " c.enabled, c.status, c.created_at, c.updated_at"
    " FROM cron_jobs c JOIN users u ON u.id = c.account_id"
)


async def get(pool: aiomysql.Pool, public_id: str) -> CronJobRecord | None:
    return await fetch_one_as(
        pool, CronJobRecord, _SELECT + " WHERE c.public_id = %s", (public_id,)
    )


async def page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[CronJobRecord]:
    where, args = "c.public_id > %s", [after]
    condition, more = tenants.where("c.account_id")
    where += condition
    args += more
    return await fetch_all_as(
        pool,
        CronJobRecord,
        f"{_SELECT} WHERE {where} ORDER BY c.public_id LIMIT %s",
        [*args, limit],
    )


async def insert_pending(
    pool: aiomysql.Pool,
    account_id: int,
    public_id: str,
    schedule: str,
    command: str,
    enabled: bool,
) -> int:
    async with transaction(pool) as cur:
        await cur.execute(
            "SELECT p.name, p.max_cron_jobs, (SELECT COUNT(*) FROM cron_jobs"
            " WHERE account_id = a.user_id) AS used FROM accounts a"
            " JOIN plans p ON p.id = a.plan_id WHERE a.user_id = %s FOR UPDATE",
            (account_id,),
        )
        plan = await cur.fetchone()
        check_limit(plan, "max_cron_jobs", plan["used"] + 1)
        await cur.execute(
            "INSERT INTO cron_jobs (public_id, account_id, schedule, command, enabled, status)"
            " VALUES (%s, %s, %s, %s, %s, 'pending')",
            (public_id, account_id, schedule, command, enabled),
        )
        return int(cur.lastrowid)


async def update(
    pool: aiomysql.Pool, job_id: int, *, schedule: str, command: str, enabled: bool
) -> None:
    await execute(
        pool,
        "UPDATE cron_jobs SET schedule = %s, command = %s, enabled = %s WHERE id = %s",
        (schedule, command, enabled, job_id),
    )


async def set_status(pool: aiomysql.Pool, job_id: int, status: Status) -> None:
    await execute(pool, "UPDATE cron_jobs SET status = %s WHERE id = %s", (status, job_id))


async def delete(pool: aiomysql.Pool, job_id: int) -> None:
    await execute(pool, "DELETE FROM cron_jobs WHERE id = %s", (job_id,))
