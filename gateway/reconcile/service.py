"""The reconciler: one run at a time, in the background or on request, and its last report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import aiomysql
import grpc

from gateway.agent import Agent
from gateway.reconcile.barrier import WriteBarrier
from gateway.reconcile.report import ReconcileReport, Trigger
from gateway.reconcile.run import Run
from gateway.store import audit

logger = logging.getLogger(__name__)

# Delays between tries of a background reconcile while the agent or MariaDB does not answer.
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


class Reconciler:
    """Runs reconciles one at a time and keeps the last report."""

    def __init__(self, pool: aiomysql.Pool, agent: Agent, barrier: WriteBarrier) -> None:
        self.pool = pool
        self.agent = agent
        self.barrier = barrier
        self.last: ReconcileReport | None = None
        self.reported = asyncio.Event()  # set once a report exists
        self._background: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    async def run(self, actor: str, trigger: Trigger) -> ReconcileReport:
        async with self._lock, self.barrier.closed():
            run = Run(self.pool, self.agent, actor)
            started = datetime.now(UTC)
            await run.all()
            report = run.report(started, trigger)
            await audit.record(
                self.pool,
                actor=actor,
                action="reconcile.run",
                target=trigger,
                ok=not any(f.outcome == "failed" for f in report.findings),
                detail=", ".join(
                    f"{s.resource}: {s.repaired} repaired, {s.drift} drift, {s.failed} failed"
                    for s in report.resources
                    if s.repaired or s.drift or s.failed
                ),
            )
            self.last = report
            self.reported.set()
            return report

    def soon(self, trigger: Trigger = "recovery") -> None:
        """A reconcile in the background, unless one is waiting to run already."""
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self.run_in_background(trigger))

    async def stop(self) -> None:
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background

    async def run_in_background(self, trigger: Trigger) -> None:
        """A reconcile that nobody waits for (at start, after an unknown outcome): retried
        while the agent or MariaDB does not answer, so a gateway starts and serves whether or
        not they are up."""
        for delay in (*RETRY_SECONDS, None):
            try:
                report = await self.run("system", trigger)
            except (grpc.aio.AioRpcError, aiomysql.Error, OSError) as exc:
                logger.warning("reconcile (%s) failed (%s); trying again", trigger, exc)
                if delay is None:
                    return
                await asyncio.sleep(delay)
                continue
            logger.info(
                "reconcile (%s): %d findings, %d left as drift",
                trigger,
                len(report.findings),
                report.disagreements,
            )
            return
