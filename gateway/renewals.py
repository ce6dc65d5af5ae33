"""Certificates renew on their own, when gateway/renewal_policy.py says (a third of the
lifetime left; doubling waits after failures).

A renewal is an issue like the owner's (services/certificates.py): same flow, same record, so
its failure is visible to the owner in words (last_error) long before it matters. One
certificate at a time: renewals are rare, and a CA's limits are per account. It runs in the
ACME worker (gateway/acme_worker.py), the one process of the panel with a network.
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
        """Renews what is due at `now`; the outcome per domain ("renewed" or the reason)."""
        moment = now or datetime.now(UTC)
        outcomes: dict[str, str] = {}
        for record in await store.due(self._context.db, moment, PER_ROUND):
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
                outcomes[record.domain] = "renewed"
            except Problem as refused:
                outcomes[record.domain] = refused.detail
            except Exception:
                logger.exception("renewing %s failed", record.domain)
                outcomes[record.domain] = "internal error"
        return outcomes

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
