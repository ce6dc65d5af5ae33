"""Scheduled backups: each account as its plan says (daily or weekly), one at a time, then its
retention; the repository pruned once a day (docs/backups.md, "Schedules and retention").

The gateway's background task (as renewals and invoice runs are; on a server it runs with the
gateway's systemd unit, in the sandbox with `make run`'s gateway) wakes every
SCHEDULE_EVERY_SECONDS, asks the jobs table which accounts are due, and backs them up one
after another as ordinary jobs (origin `schedule`, visible to their owners with progress). The
agent runs every backup at nice 19 and ionice best-effort 7, one at a time under its own lock;
the scheduler waits for each to end before it starts the next, so a scheduled run never queues
hundreds of backups in the agent ahead of an owner's own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final

import grpc
from jopanel.agent.backups.v1 import backups_pb2 as pb

from gateway.context import Context
from gateway.problems import Problem
from gateway.services import jobs
from gateway.services.jobs import JobRunner
from gateway.store import accounts as accounts_store
from gateway.store import jobs as store
from gateway.store.jobs import DueAccount

logger = logging.getLogger(__name__)

SCHEDULE_EVERY_SECONDS: Final = 600.0
# Accounts taken per wake-up; the rest wait for the next (their order is by oldest backup).
BATCH: Final = 50
PRUNE_EVERY_SECONDS: Final = 24 * 3600.0
PANEL_EVERY_SECONDS: Final = 24 * 3600.0
_FORGET_TIMEOUT_SECONDS: Final = 600.0
_PRUNE_TIMEOUT_SECONDS: Final = 6 * 3600.0


class BackupSchedule:
    def __init__(self, ctx: Context, runner: JobRunner) -> None:
        self._ctx = ctx
        self._runner = runner
        self._pruned = 0.0  # time.monotonic() of the last prune; 0: not since start
        # Of the last dump of the panel's database into each repository ("": the local one).
        self._panel_dumped: dict[str, float] = {}

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception(
                    "the backup schedule's run failed; next in %g s", SCHEDULE_EVERY_SECONDS
                )
            await asyncio.sleep(SCHEDULE_EVERY_SECONDS)

    async def run_once(self, at_most: int = BATCH) -> list[str]:
        """Dumps the panel's database into each repository whose last dump is a day old (or
        none since start); backs up the accounts due now (at most `at_most`), each followed by
        its retention; prunes when a backup was forgotten and the last prune is a day old.
        Returns the names of the accounts backed up. A repository out of reach, or an account
        whose retention fails, stops nothing else: each is tried again at the next run."""
        await self._dump_panel()
        done = []
        forgot = False
        for due in await store.due_for_backup(self._ctx.db, at_most):
            if await self._back_up(due):
                done.append(due.account)
                forgot |= await self._forget(due)
        if forgot and (not self._pruned or time.monotonic() - self._pruned >= PRUNE_EVERY_SECONDS):
            await self._ctx.agent.backups.PruneRepository(
                pb.PruneRepositoryRequest(), timeout=_PRUNE_TIMEOUT_SECONDS
            )
            self._pruned = time.monotonic()
        return done

    async def _dump_panel(self) -> None:
        """The panel's database into the local repository and every remote one: it is what
        a fresh server needs first."""
        reply = await self._ctx.agent.backups.ListBackupRepositories(
            pb.ListBackupRepositoriesRequest(), timeout=_FORGET_TIMEOUT_SECONDS
        )
        for repository in ["", *(item.name for item in reply.repositories)]:
            last = self._panel_dumped.get(repository)
            if last is not None and time.monotonic() - last < PANEL_EVERY_SECONDS:
                continue
            try:
                async with self._ctx.audited("panel-database.backup", repository or "local"):
                    await self._ctx.agent.backups.BackUpPanelDatabase(
                        pb.BackUpPanelDatabaseRequest(repository=repository),
                        timeout=_PRUNE_TIMEOUT_SECONDS,
                    )
            except grpc.aio.AioRpcError as error:
                logger.warning(
                    "the panel's database was not backed up into %s (tried again at the next"
                    " run): %s",
                    repository or "the local repository",
                    error.details(),
                )
                continue
            self._panel_dumped[repository] = time.monotonic()

    async def _back_up(self, due: DueAccount) -> bool:
        account = await accounts_store.get(self._ctx.db, due.account)
        if account is None:  # deleted since
            return False
        try:
            job = await jobs.start_backup(
                self._ctx, self._runner, account, "schedule", repository=due.repository
            )
        except Problem as problem:  # the plan names a repository removed since
            logger.warning("scheduled backup of %s not started: %s", due.account, problem.detail)
            return False
        await self._runner.settled(job.public_id)
        ended = await store.get(self._ctx.db, job.public_id)
        return ended is not None and ended.state == "succeeded"

    async def _forget(self, due: DueAccount) -> bool:
        retention = pb.Retention(
            keep_daily=due.keep_daily, keep_weekly=due.keep_weekly, keep_monthly=due.keep_monthly
        )
        request = pb.ForgetBackupsRequest(
            account=due.account, retention=retention, repository=due.repository
        )
        try:
            async with self._ctx.audited("backup.forget", due.account):
                reply = await self._ctx.agent.backups.ForgetBackups(
                    request, timeout=_FORGET_TIMEOUT_SECONDS
                )
        except grpc.aio.AioRpcError as error:  # its next backup applies the retention again
            logger.warning("retention of %s not applied: %s", due.account, error.details())
            return False
        return bool(reply.forgotten)
