"""One reconcile run: every resource in turn, accounts first (the others live in them)."""

from __future__ import annotations

from gateway.reconcile.accounts import AccountChecks
from gateway.reconcile.cron import CronChecks
from gateway.reconcile.databases import DatabaseChecks
from gateway.reconcile.dns import DnsChecks
from gateway.reconcile.websites import WebsiteChecks


class Run(AccountChecks, WebsiteChecks, DatabaseChecks, CronChecks, DnsChecks):
    async def all(self) -> None:
        await self.accounts()
        await self.domains()
        system_accounts = sorted(self.on_system)
        await self.databases(system_accounts)
        await self.database_users(system_accounts)
        await self.cron_jobs(system_accounts)
        await self.dns_zones()
