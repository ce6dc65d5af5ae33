"""One reconcile run: every resource in turn, accounts first (the others live in them)."""

from __future__ import annotations

from gateway.reconcile.accounts import AccountChecks
from gateway.reconcile.certificates import CertificateChecks
from gateway.reconcile.cron import CronChecks
from gateway.reconcile.databases import DatabaseChecks
from gateway.reconcile.dns import DnsChecks
from gateway.reconcile.php_pools import PhpPoolChecks
from gateway.reconcile.ssh import SshChecks
from gateway.reconcile.vpn import VpnChecks
from gateway.reconcile.websites import WebsiteChecks


class Run(
    AccountChecks,
    WebsiteChecks,
    DatabaseChecks,
    CronChecks,
    DnsChecks,
    SshChecks,
    PhpPoolChecks,
    VpnChecks,
    CertificateChecks,
):
    """A reconcile: the checks of each resource (one mixin per module), sharing RunBase."""

    async def all(self) -> None:
        # Accounts first: a site, database or job is looked at only where its account exists
        # (after any repair of the account); their lists are asked per account.
        await self.accounts()
        await self.domains()
        system_accounts = sorted(self.on_system)
        await self.databases()
        await self.database_users()
        await self.cron_jobs(system_accounts)
        await self.ssh(system_accounts)
        await self.php_pools(system_accounts)
        await self.vpn_clients(system_accounts)
        await self.dns_zones()
        await self.certificates()  # after the sites, whose repairs it may rely on
