"""Jobs as recorded: long work the agent does for an account, with its last progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql
import pymysql

from gateway.db import execute, fetch_all_as, fetch_one, fetch_one_as, transaction
from gateway.store.tenants import Tenants

Kind = Literal["backup", "restore", "certificate", "archive", "extract", "panel_certificate"]
State = Literal["queued", "running", "succeeded", "failed", "cancelled"]
# Who started a job: its account's owner, an administrator, or the backup schedule.
Origin = Literal["owner", "admin", "schedule"]
ENDED: tuple[State, ...] = ("succeeded", "failed", "cancelled")
# The longest error text a job keeps (the column's size).
MAX_ERROR = 500
_DUPLICATE_KEY = 1062


@dataclass(frozen=True, slots=True)
class JobRecord:
    id: int
    public_id: str
    account_id: int
    account: str
    kind: Kind
    state: State
    stage: str
    percent: int
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    subject: str
    result: str
    error: str
    created_by: str
    origin: Origin
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class JobProgress:
    stage: str
    percent: int
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int


_SELECT = (
    "SELECT j.id, j.public_id, COALESCE(j.account_id, 0) AS account_id,"
    " COALESCE(u.name, '') AS account, j.kind, j.state, j.stage,"
    " j.percent, j.bytes_done, j.bytes_total, j.files_done, j.files_total, j.subject,"
    " j.result, j.error, j.created_by, j.origin, j.created_at, j.started_at, j.finished_at"
    # LEFT: the panel's own certificate job belongs to no account (account_id NULL, shown 0).
    " FROM jobs j LEFT JOIN users u ON u.id = j.account_id"
)


async def get(pool: aiomysql.Pool, public_id: str) -> JobRecord | None:
    return await fetch_one_as(pool, JobRecord, _SELECT + " WHERE j.public_id = %s", (public_id,))


async def page(pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int) -> list[JobRecord]:
    where, args = "j.public_id > %s", [after]
    condition, more = tenants.where("j.account_id")
    where += condition
    args += more
    return await fetch_all_as(
        pool, JobRecord, f"{_SELECT} WHERE {where} ORDER BY j.public_id LIMIT %s", [*args, limit]
    )


async def insert(
    pool: aiomysql.Pool,
    *,
    public_id: str,
    account_id: int | None,
    kind: Kind,
    subject: str,
    created_by: str,
    origin: Origin,
    stage: str = "",
) -> None:
    await execute(
        pool,
        "INSERT INTO jobs (public_id, account_id, kind, state, stage, subject, created_by, origin)"
        " VALUES (%s, %s, %s, 'queued', %s, %s, %s, %s)",
        (public_id, account_id, kind, stage, subject, created_by, origin),
    )


@dataclass(frozen=True, slots=True)
class _Count:
    count: int


async def started_since(
    pool: aiomysql.Pool, account_id: int, kind: Kind, origin: Origin, hours: int
) -> int:
    """How many jobs of this kind and origin the account started in the last `hours`."""
    found = await fetch_one_as(
        pool,
        _Count,
        "SELECT COUNT(*) AS count FROM jobs WHERE account_id = %s AND kind = %s AND origin = %s"
        " AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL %s HOUR",
        (account_id, kind, origin, hours),
    )
    return found.count if found else 0


@dataclass(frozen=True, slots=True)
class DueAccount:
    account_id: int
    account: str
    keep_daily: int
    keep_weekly: int
    keep_monthly: int
    repository: str


async def due_for_backup(pool: aiomysql.Pool, limit: int) -> list[DueAccount]:
    """Active accounts whose plan's schedule says a backup is due: none succeeded within the
    period (a day, a week; less an hour, so a backup that ran late does not push every next one
    later), and none queued or running. A new account is first due a period after it was made
    (its owner backs up at once if it wants). Those waiting longest first."""
    return await fetch_all_as(
        pool,
        DueAccount,
        "SELECT a.user_id AS account_id, u.name AS account, p.backup_keep_daily AS keep_daily,"
        " p.backup_keep_weekly AS keep_weekly, p.backup_keep_monthly AS keep_monthly,"
        " p.backup_repository AS repository"
        " FROM accounts a JOIN users u ON u.id = a.user_id JOIN plans p ON p.id = a.plan_id"
        " LEFT JOIN (SELECT account_id, MAX(finished_at) AS last FROM jobs"
        "   WHERE kind = 'backup' AND state = 'succeeded' GROUP BY account_id) b"
        "   ON b.account_id = a.user_id"
        " WHERE p.backup_schedule <> 'none' AND a.status IN ('active', 'suspended')"
        " AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.account_id = a.user_id"
        "   AND r.state IN ('queued', 'running'))"
        " AND COALESCE(b.last, a.created_at) < CURRENT_TIMESTAMP(6) - INTERVAL"
        "   (CASE p.backup_schedule WHEN 'daily' THEN 23 ELSE 7 * 24 - 1 END) HOUR"
        " ORDER BY COALESCE(b.last, a.created_at), a.user_id LIMIT %s",
        (limit,),
    )


async def start(pool: aiomysql.Pool, public_id: str) -> None:
    await execute(
        pool,
        "UPDATE jobs SET state = 'running', started_at = CURRENT_TIMESTAMP(6) WHERE public_id = %s",
        (public_id,),
    )


async def progress(pool: aiomysql.Pool, public_id: str, done: JobProgress) -> None:
    await execute(
        pool,
        "UPDATE jobs SET stage = %s, percent = %s, bytes_done = %s, bytes_total = %s,"
        " files_done = %s, files_total = %s WHERE public_id = %s",
        (
            done.stage,
            done.percent,
            done.bytes_done,
            done.bytes_total,
            done.files_done,
            done.files_total,
            public_id,
        ),
    )


async def cancel_queued(pool: aiomysql.Pool, public_id: str) -> bool:
    """A job still queued ends cancelled; False when it is not queued (any more)."""
    changed = await execute(
        pool,
        "UPDATE jobs SET state = 'cancelled', stage = 'cancelled', error = 'cancelled',"
        " finished_at = CURRENT_TIMESTAMP(6) WHERE public_id = %s AND state = 'queued'",
        (public_id,),
    )
    return changed == 1


async def ask_cancel(pool: aiomysql.Pool, public_id: str) -> None:
    """Asks a running job of the ACME worker to stop at its next stage."""
    await execute(
        pool,
        "UPDATE jobs SET cancel_asked = TRUE WHERE public_id = %s AND state = 'running'",
        (public_id,),
    )


async def cancel_asked(pool: aiomysql.Pool, public_id: str) -> bool:
    row = await fetch_one(pool, "SELECT cancel_asked FROM jobs WHERE public_id = %s", (public_id,))
    return row is not None and bool(row["cancel_asked"])


async def finish(
    pool: aiomysql.Pool, public_id: str, *, state: State, result: str = "", error: str = ""
) -> None:
    await execute(
        pool,
        "UPDATE jobs SET state = %s, result = %s, error = %s,"
        " finished_at = CURRENT_TIMESTAMP(6) WHERE public_id = %s",
        (state, result, error[:MAX_ERROR], public_id),
    )


async def fail_unfinished(
    pool: aiomysql.Pool, kinds: tuple[Kind, ...] = ("backup", "restore")
) -> int:
    """Jobs of `kinds` a stopped process left queued or running: failed, since nothing follows
    them now. The gateway's are backups and restores; a certificate job queued while the ACME
    worker was down is still run by it (the worker fails only its own running ones)."""
    marks = ", ".join(["%s"] * len(kinds))
    return await execute(
        pool,
        "UPDATE jobs SET state = 'failed', error = 'the gateway stopped while the job ran',"
        " finished_at = CURRENT_TIMESTAMP(6) WHERE state IN ('queued', 'running')"
        f" AND kind IN ({marks})",
        kinds,
    )


async def next_queued(pool: aiomysql.Pool, kind: Kind) -> JobRecord | None:
    """The oldest queued job of `kind` (an index on kind, state, id)."""
    return await fetch_one_as(
        pool,
        JobRecord,
        _SELECT + " WHERE j.kind = %s AND j.state = 'queued' ORDER BY j.id LIMIT 1",
        (kind,),
    )


async def claim(pool: aiomysql.Pool, public_id: str) -> bool:
    """Marks a queued job running; False when it was not queued any more."""
    changed = await execute(
        pool,
        "UPDATE jobs SET state = 'running', started_at = CURRENT_TIMESTAMP(6)"
        " WHERE public_id = %s AND state = 'queued'",
        (public_id,),
    )
    return changed == 1


async def fail_running(pool: aiomysql.Pool, kind: Kind, error: str) -> int:
    """Jobs of `kind` left running by a process that stopped in their middle."""
    return await execute(
        pool,
        "UPDATE jobs SET state = 'failed', error = %s, finished_at = CURRENT_TIMESTAMP(6)"
        " WHERE state = 'running' AND kind = %s",
        (error[:MAX_ERROR], kind),
    )


async def unfinished_of(pool: aiomysql.Pool, kind: Kind, subject: str) -> JobRecord | None:
    """The queued or running job of `kind` for `subject`, if any (the oldest)."""
    return await fetch_one_as(
        pool,
        JobRecord,
        _SELECT + " WHERE j.kind = %s AND j.state IN ('queued', 'running') AND j.subject = %s"
        " ORDER BY j.id LIMIT 1",
        (kind, subject),
    )


class OrderUnderWay(Exception):
    """A certificate order of the same subject is queued or running: `job_id` is its job."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


async def queue_order(
    pool: aiomysql.Pool,
    *,
    public_id: str,
    account_id: int | None,
    kind: Kind,
    subject: str,
    created_by: str,
    origin: Origin,
    begin: tuple[str, tuple[object, ...]],
) -> None:
    """Queues a certificate order's job (stage `queued`) and runs `begin` (the record's attempt
    starts) in one transaction; OrderUnderWay when one of `kind` and `subject` is unfinished.
    The database's unique key jobs_unfinished_order (migration 0031) decides, so two requests
    that arrive together queue one order."""
    for _ in range(2):  # the other order may end between the refusal and the look-up
        try:
            async with transaction(pool) as cur:
                await cur.execute(
                    "INSERT INTO jobs (public_id, account_id, kind, state, stage, subject,"
                    " created_by, origin) VALUES (%s, %s, %s, 'queued', 'queued', %s, %s, %s)",
                    (public_id, account_id, kind, subject, created_by, origin),
                )
                await cur.execute(*begin)
            return
        except pymysql.err.IntegrityError as exc:
            if exc.args[0] != _DUPLICATE_KEY:
                raise
        waiting = await unfinished_of(pool, kind, subject)
        if waiting is not None:
            raise OrderUnderWay(waiting.public_id)
    raise OrderUnderWay("")
