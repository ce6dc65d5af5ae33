"""Certificates renew on their own, when gateway/renewal_policy.py says (a third of the
lifetime left; doubling waits after failures).

A renewal is an issue like the owner's (services/certificates.py): same flow, same record, so
its failure is visible to the owner in words (last_error) long before it matters. A round
renews up to `[acme] concurrent_orders` certificates at once, as the worker runs orders: each
install makes nginx check and reload every site's certificate (seconds at a thousand HTTPS
sites), and installs that reach the agent together share one reload. A round takes at most
PER_ROUND, so a CA's limits per account are kept whatever the concurrency. It runs in the ACME
worker (gateway/acme_worker.py), the one process of the panel with a network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

import aiomysql

from gateway.acme_accounts import AcmeAccounts
from gateway.agent import Agent
from gateway.auth.sessions import SessionCache
from gateway.config import GatewayConfig
from gateway.context import Context
from gateway.problems import Problem
from gateway.services import certificates as service
from gateway.store import certificates as store
from gateway.store.certificates import CertificateRecord

logger = logging.getLogger(__name__)

# How often the renewer looks for due certificates, and how many it renews per look.
EVERY = timedelta(minutes=10)
PER_ROUND = 50


class Renewer:
    def __init__(
        self,
        db: aiomysql.Pool,
        agent: Agent,
        config: GatewayConfig,
        sessions: SessionCache,
        accounts: AcmeAccounts,
    ) -> None:
        self._context = Context.system(db, agent, sessions, "certificate-renewal")
        self._config = config
        self._accounts = accounts
        self._task: asyncio.Task[None] | None = None

    async def run_once(self, now: datetime | None = None) -> dict[str, str]:
        """Renews what is due at `now`, up to `concurrent_orders` at once; the outcome per
        domain ("renewed" or the reason). One that fails leaves the others to finish."""
        moment = now or datetime.now(UTC)
        slots = asyncio.Semaphore(max(1, self._config.acme.concurrent_orders))
        due = await store.due(self._context.db, moment, PER_ROUND)

        async def renew(record: CertificateRecord) -> str:
            async with slots:
                try:
                    await service.issue_for(
                        self._context,
                        self._config,
                        record,
                        self._accounts,
                        key_type=record.key_type,
                        redirect_http=record.redirect_http,
                        hsts=record.hsts,
                        now=moment,
                    )
                except Problem as refused:
                    return refused.detail
                except Exception:
                    logger.exception("renewing %s failed", record.domain)
                    return "internal error"
                return "renewed"

        outcomes = await asyncio.gather(*(renew(record) for record in due))
        return {record.domain: outcome for record, outcome in zip(due, outcomes, strict=True)}

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("certificate renewal round failed")
            await asyncio.sleep(EVERY.total_seconds())
