"""Jobs: long work the agent does for an account, followed past the request that started it.

A job is recorded (queued) before the agent is asked, then a task of the gateway's JobRunner
reads the agent's progress stream into the row (running, stage, percent, bytes, files) and
settles it (succeeded with its result, or failed with the agent's message). The request that
started it answers 202 with the job at once; clients follow it with GET /api/v1/jobs/{id}.
A gateway that stops leaves no job looking alive: at start, jobs left queued or running are
marked failed (the agent finishes its work regardless; the job row only loses the outcome).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
)
from typing import Any, Final, Protocol

import grpc
from jopanel.agent.backups.v1 import backups_pb2 as pb
from jopanel.agent.files.v1 import files_pb2 as files_pb

from gateway.context import Context
from gateway.problems import Problem, conflict, field_error, not_found, plan_limit
from gateway.services import backup_records, certificates
from gateway.services.backup_records import JobStopped
from gateway.store import audit
from gateway.store import certificates as certificates_store
from gateway.store import databases as databases_store
from gateway.store import jobs as store
from gateway.store import plans as plans_store
from gateway.store.accounts import AccountRecord
from gateway.store.jobs import ENDED, JobProgress, JobRecord, Kind, Origin
from gateway.store.plans import LimitReached
from gateway.store.tenants import Tenants

logger = logging.getLogger(__name__)

# The longest a backup or restore may stream before the gateway stops following it; the
# agent's own bound (backup_timeout) is per restic run, so this one is far longer.
FOLLOW_TIMEOUT_SECONDS: Final = 24 * 3600.0
# Progress is written to the job's row at most this often (and at every change of stage).
WRITE_EVERY_SECONDS: Final = 0.5

_STAGES: Final = {
    pb.STAGE_QUEUED: "queued",
    pb.STAGE_FILES: "files",
    pb.STAGE_DATABASES: "databases",
    pb.STAGE_SETTINGS: "settings",
    pb.STAGE_DONE: "done",
}


class JobRunner:
    """The gateway's running jobs: tasks that outlive their requests, cancelled at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        # One event per job someone follows, set (and replaced) at each change of its row.
        self._changes: dict[str, asyncio.Event] = {}
        self._jobs: dict[str, asyncio.Task[None]] = {}  # public id -> the task following it
        # Jobs in a step the gateway runs itself, before the agent's work (a restore's sites):
        # a cancel there is asked of them, and they stop at the step's next safe point.
        self._own_steps: dict[str, asyncio.Event] = {}

    def changed(self, public_id: str) -> None:
        event = self._changes.pop(public_id, None)
        if event is not None:
            event.set()

    async def wait_change(self, public_id: str, at_most: float) -> None:
        """Returns at the job's next change, or after `at_most` seconds."""
        event = self._changes.setdefault(public_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                await event.wait()

    def spawn(self, work: Coroutine[Any, Any, None], public_id: str = "") -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if public_id:
            self._jobs[public_id] = task
            task.add_done_callback(lambda done: self._jobs.pop(public_id, None))

    @contextlib.contextmanager
    def own_step(self, public_id: str) -> Iterator[asyncio.Event]:
        """While the job runs a step of the gateway's: the event a cancel sets."""
        stop = self._own_steps[public_id] = asyncio.Event()
        try:
            yield stop
        finally:
            self._own_steps.pop(public_id, None)

    def stop_own_step(self, public_id: str) -> bool:
        """Asks the job's own step to stop; False when it runs none (the agent has the job,
        or it has ended)."""
        stop = self._own_steps.get(public_id)
        if stop is None:
            return False
        stop.set()
        return True

    async def settled(self, public_id: str) -> None:
        """Returns when the gateway has settled the job (its row holds the outcome)."""
        task = self._jobs.get(public_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def idle(self) -> None:
        """Waits until no job runs (tests, and a graceful stop)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class _Progressing(Protocol):
    @property
    def progress(self) -> pb.Progress: ...


async def get(ctx: Context, public_id: str) -> JobRecord | None:
    return await store.get(ctx.db, public_id)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[JobRecord]:
    return await store.page(ctx.db, after=after, tenants=tenants, limit=limit)


async def start_backup(
    ctx: Context, runner: JobRunner, account: AccountRecord, origin: Origin, repository: str = ""
) -> JobRecord:
    """An owner starts at most its plan's max_backups_per_day in 24 hours (429 past it);
    administrators and the schedule are not counted. The job's subject is the repository
    (empty: the local one)."""
    if origin == "owner":
        await _within_daily_backups(ctx, account)
    await require_repository(ctx, repository)
    job = await _record(ctx, account, "backup", repository, origin)
    request = pb.BackUpAccountRequest(
        account=account.name,
        job_id=job.public_id,
        repository=repository,
        records=await backup_records.panel_records(ctx, account),
    )
    stream = ctx.agent.backups.BackUpAccount(request, timeout=FOLLOW_TIMEOUT_SECONDS)
    runner.spawn(_follow(ctx, runner, job, stream, lambda last: last.backup.id), job.public_id)
    return job


async def _within_daily_backups(ctx: Context, account: AccountRecord) -> None:
    plan = await plans_store.get_by_id(ctx.db, account.plan_id)
    allowed = plan.max_backups_per_day if plan else None
    if allowed is None:
        return
    started = await store.started_since(ctx.db, account.id, "backup", "owner", 24)
    if started >= allowed:
        raise Problem(
            429,
            "Too many requests",
            f"The plan '{plan.name if plan else ''}' allows {allowed} backups started by the"
            " owner in 24 hours; scheduled backups go on as planned.",
            headers={"Retry-After": "3600"},
        )


async def cancel(ctx: Context, runner: JobRunner, job: JobRecord) -> JobRecord:
    """Asks the agent to stop the job's work; the job ends `cancelled` when its stream does
    (at once for a job the agent has not begun). A certificate order is the ACME worker's:
    see _cancel_order. 409 for a job that has ended already."""
    async with ctx.audited("job.cancel", f"{job.account}/{job.public_id}"):
        if job.state in ENDED:
            raise conflict(f"The job has ended already ({job.state}).")
        if job.kind == "panel_certificate":
            raise conflict("The panel's certificate order cannot be cancelled; it ends by itself.")
        if job.kind == "certificate":
            return await _cancel_order(ctx, runner, job)
        reply = await ctx.agent.backups.CancelBackupJob(
            pb.CancelBackupJobRequest(account=job.account, job_id=job.public_id),
            timeout=_LIST_TIMEOUT_SECONDS,
        )
        if not reply.cancelled and not runner.stop_own_step(job.public_id):
            now = await store.get(ctx.db, job.public_id)
            if now is None or now.state not in ENDED:
                raise conflict("The agent does not run this job (it may be ending); try again.")
    await runner.settled(job.public_id)
    settled = await store.get(ctx.db, job.public_id)
    if settled is None:
        raise not_found(f"Job '{job.public_id}'")
    return settled


async def _cancel_order(ctx: Context, runner: JobRunner, job: JobRecord) -> JobRecord:
    """A queued order ends cancelled at once, its certificate's record as before the order
    (an installed certificate served on; none: the record says the order was cancelled). A
    running one is asked to stop: the worker stops at the order's next stage (before the next
    step with the CA, and before installing), and this answers once it has ended (followed as
    its event stream follows it), or after ORDER_CANCEL_WAIT_SECONDS with the order still
    running, to stop at its next stage (the CA's validation runs until the CA answers)."""
    if await store.cancel_queued(ctx.db, job.public_id):
        record = await certificates_store.of_domain(ctx.db, job.subject)
        if record is not None and record.account_id == job.account_id:
            await certificates_store.cancelled(ctx.db, record.domain_id, certificates.CANCELLED)
    else:
        await store.ask_cancel(ctx.db, job.public_id)
    latest = job
    with contextlib.suppress(TimeoutError):
        async with (
            asyncio.timeout(ORDER_CANCEL_WAIT_SECONDS),
            contextlib.aclosing(follow(ctx, runner, job.public_id)) as changes,
        ):
            async for seen in changes:
                latest = seen or latest
    return latest


async def start_restore(
    ctx: Context,
    runner: JobRunner,
    account: AccountRecord,
    request: pb.RestoreBackupRequest,
    backup: pb.Backup,
) -> JobRecord:
    """Records the databases the restore will make (within the plan's limit, 403 past it)
    before the job starts, and marks them active when it succeeds; a failed restore leaves
    them pending for the reconcile to settle against what the agent made. A whole account
    restored in place first gets back the backup's sites deleted since (each as a new site is
    made: backup_records.make_gone_sites), so their files, certificates and zones come back
    to them: the job's first work, after the request has its answer (each site is a change
    of the server's configuration, and a backup may hold many)."""
    made = await _record_databases(ctx, account, request, backup)
    in_place = request.WhichOneof("what") == "whole_account" and (
        request.placement == pb.PLACEMENT_IN_PLACE
    )
    job = await _record(ctx, account, "restore", request.backup_id, origin_of(ctx))
    request.job_id = job.public_id
    not_made: dict[str, str] = {}

    async def stream() -> AsyncIterator[pb.RestoreBackupResponse]:
        """The sites first (the job runs meanwhile; a cancel stops it after the site being
        made), then the agent's restore."""
        nonlocal not_made
        if in_place:
            with runner.own_step(job.public_id) as stop:
                not_made = await backup_records.make_gone_sites(ctx, account, request, stop)
        async for response in ctx.agent.backups.RestoreBackup(
            request, timeout=FOLLOW_TIMEOUT_SECONDS
        ):
            yield response

    async def succeeded() -> None:
        for record_id in made:
            await databases_store.set_status(ctx.db, "database", record_id, "active")

    async def settle(last: pb.RestoreBackupResponse) -> str:
        """The job's result; after a whole-account restore in place, with the records made
        to match what it brought back (gateway/services/backup_records.py)."""
        if not in_place:
            return last.restored.folder
        return await backup_records.adopt(ctx, account, request, last.restored, not_made)

    follow = _follow(
        ctx, runner, job, stream(), lambda last: last.restored.folder, succeeded, settle=settle
    )
    runner.spawn(follow, job.public_id)
    return job


def origin_of(ctx: Context) -> Origin:
    """Who starts a job: its owner (held to the plan's daily backups), or an administrator or
    reseller acting for the account."""
    return "owner" if ctx.me.is_owner else "admin"


async def _record_databases(
    ctx: Context, account: AccountRecord, request: pb.RestoreBackupRequest, backup: pb.Backup
) -> list[int]:
    """Pending records for the databases the restore makes: new ones beside (their names
    chosen here and handed to the agent), and backed-up ones restored in place that the panel
    no longer has."""
    kind = request.WhichOneof("what")
    if kind == "database":
        names = [request.database]
    elif kind == "whole_account":
        names = [database.name for database in backup.databases]
    else:
        return []
    made = []
    try:
        for name in names:
            if request.placement == pb.PLACEMENT_BESIDE:
                target = f"{account.name}_r{secrets.token_hex(3)}"
                made.append(
                    await databases_store.insert_pending(ctx.db, "database", account.id, target)
                )
                request.database_targets.add(backup_database=name, database=target)
            elif await databases_store.get_database(ctx.db, name) is None:
                made.append(
                    await databases_store.insert_pending(ctx.db, "database", account.id, name)
                )
    except LimitReached as exc:
        for record_id in made:  # nothing was asked of the agent yet
            await databases_store.delete(ctx.db, "database", record_id)
        raise plan_limit(exc) from exc
    return made


async def _record(
    ctx: Context, account: AccountRecord, kind: Kind, subject: str, origin: Origin
) -> JobRecord:
    public_id = secrets.token_hex(16)
    async with ctx.audited(f"{kind}.start", f"{account.name}/{public_id}", subject):
        await store.insert(
            ctx.db,
            public_id=public_id,
            account_id=account.id,
            kind=kind,
            subject=subject,
            created_by=ctx.me.name,
            origin=origin,
        )
    job = await store.get(ctx.db, public_id)
    if job is None:  # the account was deleted in between
        raise not_found(f"Job '{public_id}'")
    return job


async def start_files_job(
    ctx: Context,
    runner: JobRunner,
    account: AccountRecord,
    kind: Kind,
    subject: str,
    stream: AsyncIterable[Any],
    result: str,
) -> JobRecord:
    """An archive made or extracted by the file manager (gateway/services/files.py): the
    agent's stream holds files and bytes done; the job's result is the path it made."""
    job = await _record(ctx, account, kind, subject, origin_of(ctx))
    follow = _follow(ctx, runner, job, stream, lambda _: result, progress=files_progress_of)
    runner.spawn(follow)
    return job


def files_progress_of(
    response: files_pb.MakeArchiveResponse | files_pb.ExtractArchiveResponse,
) -> JobProgress:
    """A file manager stream's progress: files and bytes so far (no total is known before the
    end), all in the stage `files`, and `done` with the last message."""
    progress = response.progress
    if isinstance(response, files_pb.MakeArchiveResponse):
        done = response.HasField("archive")
    else:
        done = response.HasField("extracted")
    return JobProgress(
        stage="done" if done else "files",
        percent=100 if done else 0,
        bytes_done=progress.bytes_done,
        bytes_total=progress.bytes_done if done else 0,
        files_done=progress.files_done,
        files_total=progress.files_done if done else 0,
    )


async def _follow(
    ctx: Context,
    runner: JobRunner,
    job: JobRecord,
    stream: AsyncIterable[Any],
    result_of: Callable[[Any], str],
    succeeded: Callable[[], Awaitable[None]] | None = None,
    progress: Callable[[Any], JobProgress] | None = None,
    settle: Callable[[Any], Awaitable[str]] | None = None,
) -> None:
    """Reads the agent's stream into the job's row until it ends, then settles the job and
    writes its outcome to the audit log (`backup.finish`, `restore.finish`, ...)."""
    try:
        await _read_stream(
            ctx, runner, job.public_id, stream, result_of, progress or progress_of, settle
        )
    finally:
        runner.changed(job.public_id)
    settled = await store.get(ctx.db, job.public_id)
    if settled is not None and settled.state == "succeeded" and succeeded is not None:
        await succeeded()
    if settled is not None:
        await audit.record(
            ctx.db,
            actor=ctx.me.name,
            action=f"{settled.kind}.finish",
            target=f"{settled.account}/{settled.public_id}",
            ok=settled.state == "succeeded",
            detail=settled.error or settled.result,
            client=ctx.client,
        )


async def _read_stream(
    ctx: Context,
    runner: JobRunner,
    public_id: str,
    stream: AsyncIterable[Any],
    result_of: Callable[[Any], str],
    progress_of: Callable[[Any], JobProgress],
    settle: Callable[[Any], Awaitable[str]] | None = None,
) -> None:
    """`settle`, when given, runs once the stream has ended well and gives the job's result
    (the job ends only after it, so a client sees the records it makes once it has ended)."""
    db = ctx.db
    try:
        await store.start(db, public_id)
        runner.changed(public_id)
        last: Any = None
        written = (0.0, "")
        async for response in stream:
            last = response
            done = progress_of(response)
            if done.stage != written[1] or time.monotonic() - written[0] >= WRITE_EVERY_SECONDS:
                await store.progress(db, public_id, done)
                runner.changed(public_id)
                written = (time.monotonic(), done.stage)
        if last is None:
            raise RuntimeError("the agent's stream ended without a message")
        await store.progress(db, public_id, progress_of(last))
        result = result_of(last) if settle is None else await settle(last)
        await store.finish(db, public_id, state="succeeded", result=result)
    except JobStopped:  # cancelled in a step of the gateway's own
        await store.finish(db, public_id, state="cancelled", error="cancelled")
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.CANCELLED:  # CancelBackupJob
            await store.finish(db, public_id, state="cancelled", error="cancelled")
        else:
            await store.finish(db, public_id, state="failed", error=error.details() or "")
    except asyncio.CancelledError:
        await store.finish(db, public_id, state="failed", error="the gateway stopped")
        raise
    except Exception:
        logger.exception("job %s failed", public_id)
        await store.finish(db, public_id, state="failed", error="internal error in the gateway")


async def follow(
    ctx: Context, runner: JobRunner, public_id: str
) -> AsyncGenerator[JobRecord | None, None]:
    """The job as it changes: each new state of its row, until it has ended; None every
    KEEPALIVE_SECONDS without a change (so that a client or proxy keeps the stream open)."""
    last: JobRecord | None = None
    silent = 0.0
    while True:
        job = await store.get(ctx.db, public_id)
        if job is None:  # its account was deleted
            return
        if job != last:
            yield job
            last, silent = job, 0.0
        elif silent >= KEEPALIVE_SECONDS:
            yield None
            silent = 0.0
        if job.state in ENDED:
            return
        # The ACME worker is another process: its writes wake no waiter here, so its
        # jobs' rows are read again every OTHER_PROCESS_SECONDS.
        wait = OTHER_PROCESS_SECONDS if job.kind in OTHER_PROCESS_KINDS else KEEPALIVE_SECONDS
        await runner.wait_change(public_id, wait)
        silent += wait


# The longest a job's event stream stays silent.
KEEPALIVE_SECONDS: Final = 15.0
# Jobs whose row another process writes (the ACME worker), and how often they are read.
OTHER_PROCESS_KINDS: Final = frozenset({"certificate", "panel_certificate"})
OTHER_PROCESS_SECONDS: Final = 0.5


def progress_of(response: _Progressing) -> JobProgress:
    progress = response.progress
    return JobProgress(
        stage=_STAGES.get(progress.stage, ""),
        percent=min(100, progress.percent),
        bytes_done=progress.bytes_done,
        bytes_total=progress.bytes_total,
        files_done=progress.files_done,
        files_total=progress.files_total,
    )


async def backups_of(ctx: Context, account: AccountRecord, repository: str = "") -> list[pb.Backup]:
    await require_repository(ctx, repository)
    reply = await ctx.agent.backups.ListBackups(
        pb.ListBackupsRequest(account=account.name, repository=repository),
        timeout=_LIST_TIMEOUT_SECONDS,
    )
    return list(reply.backups)


async def require_repository(ctx: Context, repository: str, field: str = "") -> None:
    """A remote repository the server does not have (the agent's list) is 404 where the
    request names it as the resource to act on, and 422 on `field` where a body's field
    refers to it (a plan's backup_repository: the document allows any name)."""
    if not repository:
        return
    reply = await ctx.agent.backups.ListBackupRepositories(
        pb.ListBackupRepositoriesRequest(), timeout=_LIST_TIMEOUT_SECONDS
    )
    if repository not in {item.name for item in reply.repositories}:
        if field:
            raise field_error(field, f"there is no backup repository named '{repository}'")
        raise not_found(f"Backup repository '{repository}'")


# Listing reads each backup's manifest from the repository once (the agent caches them).
_LIST_TIMEOUT_SECONDS: Final = 300.0
# A running certificate order asked to stop: how long the answer waits for it to end (the
# worker looks at each stage).
ORDER_CANCEL_WAIT_SECONDS: Final = 30.0
