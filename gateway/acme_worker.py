"""jopanel-acme: the ACME worker, the one process of the panel that talks to a certificate
authority (docs/certificates.md, "The ACME worker").

The gateway has no network (PrivateNetwork, AF_UNIX only), so it queues each certificate
order as a `certificate` job and this worker runs it: pre-flight (DNS and HTTP through nginx),
the ACME order, and the agent's calls for the key, the tokens and the install. Renewals run
here too. It runs as user jopanel-acme (never root, never the gateway's user): MariaDB lets it
in by unix_socket authentication with grants on the few tables it needs
(deploy/mariadb/acme-worker-grants.sql), and it reaches the agent's socket as a member of the
jopanel group. Its ACME account key comes from systemd's LoadCredential
(gateway/acme_accounts.py). It listens on nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

import aiomysql
import uvloop

from gateway.__main__ import notify_ready
from gateway.acme_accounts import AcmeAccounts, read_account_key
from gateway.acme_orders import OrderCancelled, StageReport
from gateway.agent import Agent
from gateway.auth.sessions import SessionCache
from gateway.config import GatewayConfig, load_config
from gateway.context import Context
from gateway.db import create_pool
from gateway.principal import Principal, Role
from gateway.problems import Problem
from gateway.renewals import EVERY, Renewer
from gateway.services import certificates as service
from gateway.services import panel_certificate as panel_service
from gateway.store import certificates as store
from gateway.store import jobs as jobs_store
from gateway.store import panel_certificate as panel_store
from gateway.store.jobs import JobProgress, JobRecord

logger = logging.getLogger("jopanel.acme")

# How often the queue is looked at when it is empty: what a waiting request pays at most.
POLL_SECONDS: Final = 0.25
_GONE = "The website was deleted before its certificate was ordered."
_INTERNAL = "internal error in the certificate worker"
STOPPED = "the certificate worker stopped while the order ran"


class AcmeWorker:
    """Runs queued certificate jobs (a few at once), and renewals every EVERY."""

    def __init__(
        self, db: aiomysql.Pool, agent: Agent, config: GatewayConfig, accounts: AcmeAccounts
    ) -> None:
        self._db = db
        self._agent = agent
        self._config = config
        self._accounts = accounts
        self._sessions = SessionCache()
        self.renewer = Renewer(db, agent, config, self._sessions, accounts)

    async def run_queued(self) -> int:
        """Runs every queued certificate job, up to `concurrent_orders` at once (their
        installs then share the agent's nginx reloads); how many it ran. One website never
        has two orders at once: a request waits for its website's unfinished one."""
        limit = max(1, self._config.acme.concurrent_orders)
        running: set[asyncio.Task[None]] = set()
        ran = 0
        try:
            while True:
                while len(running) < limit and (job := await self._next()) is not None:
                    if await jobs_store.claim(self._db, job.public_id):
                        running.add(asyncio.create_task(self._settle(job)))
                        ran += 1
                if not running:
                    return ran
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # _settle settles every outcome; anything else is a bug
        finally:
            for task in running:  # stopping: recover() fails these at the next start
                task.cancel()

    async def _settle(self, job: JobRecord) -> None:
        await (self.run_panel(job) if job.kind == "panel_certificate" else self.run(job))

    async def _next(self) -> JobRecord | None:
        """The panel's own order first (rare, and what an administrator waits for), then the
        websites' in the order they came."""
        panel = await jobs_store.next_queued(self._db, "panel_certificate")
        return panel or await jobs_store.next_queued(self._db, "certificate")

    async def run_panel(self, job: JobRecord) -> None:
        """The panel's own host name, settled like a website's order."""
        me = Principal(0, job.created_by, Role.ADMIN)
        ctx = Context(self._db, self._agent, me, "acme-worker", self._sessions)
        stage = self._stages(job)
        try:
            done = await panel_service.issue_panel_certificate(
                ctx, self._config, self._accounts, stage=stage
            )
        except Problem as refused:
            await self._finish(job, "failed", error=refused.detail)
        except Exception:
            logger.exception("panel certificate job %s failed", job.public_id)
            await self._finish(job, "failed", error=_INTERNAL)
        else:
            await self._finish(job, "succeeded", result=done.fingerprint or "")

    async def renew_panel(self, now: datetime | None = None) -> str | None:
        """The panel's certificate when its renewal is due (None when it is not)."""
        ctx = Context.system(self._db, self._agent, self._sessions, "certificate-renewal")
        return await panel_service.renew_if_due(ctx, self._config, self._accounts, now)

    async def run(self, job: JobRecord) -> None:
        """One order, settled in its job's row (the requester's answer) and the certificate's
        record (what GET shows)."""
        record = await store.of_domain(self._db, job.subject)
        if record is None or record.account_id != job.account_id:
            await self._finish(job, "failed", error=_GONE)
            return
        # The audit log names whoever asked (an owner or an administrator), from this worker.
        me = Principal(0, job.created_by, Role.ADMIN)
        ctx = Context(self._db, self._agent, me, "acme-worker", self._sessions)
        try:
            done = await service.issue_for(
                ctx,
                self._config,
                record,
                self._accounts,
                key_type=record.key_type,
                redirect_http=record.redirect_http,
                hsts=record.hsts,
                stage=self._stages(job),
            )
        except Problem as refused:
            await self._finish(job, "failed", error=refused.detail)
        except OrderCancelled:
            await store.cancelled(self._db, record.domain_id, service.CANCELLED)
            await self._finish(job, "cancelled", error="cancelled")
        except Exception:
            logger.exception("certificate job %s (%s) failed", job.public_id, job.subject)
            await self._finish(job, "failed", error=_INTERNAL)
        else:
            await self._finish(job, "succeeded", result=done.fingerprint or "")

    def _stages(self, job: JobRecord) -> StageReport:
        """Writes each stage the order reaches into its job's row (GET /jobs/{id}, its
        events): preflight, ordering, validating, installing (docs/certificates.md). A job
        asked to stop (POST /jobs/{id}/cancel) stops there instead: OrderCancelled."""

        async def report(stage: str) -> None:
            if await jobs_store.cancel_asked(self._db, job.public_id):
                raise OrderCancelled
            await jobs_store.progress(self._db, job.public_id, JobProgress(stage, 0, 0, 0, 0, 0))

        return report

    async def _finish(
        self,
        job: JobRecord,
        state: Literal["succeeded", "failed", "cancelled"],
        *,
        result: str = "",
        error: str = "",
    ) -> None:
        """The outcome, with its last stage: `done`, `failed` (the reason in `error`) or
        `cancelled`."""
        stage = {"succeeded": "done", "failed": "failed", "cancelled": "cancelled"}[state]
        await jobs_store.progress(
            self._db, job.public_id, JobProgress(stage, 100 if stage == "done" else 0, 0, 0, 0, 0)
        )
        await jobs_store.finish(self._db, job.public_id, state=state, result=result, error=error)

    async def recover(self) -> None:
        """At start: what a worker that stopped in the middle of an order left running fails,
        so its record does not stay `issuing` (renewals skip those) and its requester learns
        it. Queued orders stay queued: this worker runs them."""
        left = await jobs_store.fail_running(self._db, "certificate", STOPPED)
        left += await jobs_store.fail_running(self._db, "panel_certificate", STOPPED)
        stale = await store.fail_interrupted(self._db, service.INTERRUPTED)
        stale += await panel_store.fail_interrupted(self._db, service.INTERRUPTED)
        if left or stale:
            logger.warning("the last worker stopped in %d orders (%d records)", left, stale)

    async def serve(self, stopping: asyncio.Event) -> None:
        """Until `stopping`: the queue as it fills, renewals every EVERY."""
        await self.recover()
        next_renewal = datetime.now(UTC)
        while not stopping.is_set():
            try:
                await self.run_queued()
                if self._config.renew_in_background and datetime.now(UTC) >= next_renewal:
                    outcomes = await self.renewer.run_once()
                    for domain, outcome in outcomes.items():
                        logger.info("renewal of %s: %s", domain, outcome)
                    panel = await self.renew_panel()
                    if panel is not None:
                        logger.info("renewal of the panel's certificate: %s", panel)
                    next_renewal = datetime.now(UTC) + EVERY
            except Exception:  # the database or the agent went away: try again shortly
                logger.exception("certificate worker round failed")
                next_renewal = min(next_renewal, datetime.now(UTC) + timedelta(minutes=1))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), POLL_SECONDS)


async def run(config: GatewayConfig) -> None:
    key = read_account_key(config.acme.account_key)
    accounts = AcmeAccounts(key, config.acme.ca_bundle or None)
    pool = await create_pool(config.database)
    agent = Agent(config.agent_socket)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        worker = AcmeWorker(pool, agent, config, accounts)
        notify_ready()
        logger.info("taking certificate orders from the jobs table")
        await worker.serve(stopping)
    finally:
        logger.info("stopping")
        await agent.close()
        pool.close()
        await pool.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(prog="jopanel-acme")
    parser.add_argument("--config", type=Path, default=Path("/etc/jopanel/acme.toml"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvloop.run(run(load_config(args.config)))


if __name__ == "__main__":
    main()
