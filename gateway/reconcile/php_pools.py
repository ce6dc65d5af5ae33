"""PHP pools: each account's pool limits and its plan's open_basedir on the system against the
records. The agent lists the accounts whose pools differ from the defaults; any account whose
record (php_pools, or no row: the defaults; its plan's php_open_basedir) says otherwise is set
again as recorded. An agent that lost its limits file (a server rebuilt, a hand) so gets back
every owner's choice, and no account's PHP stays out of its home once its plan confines it.
"""

from __future__ import annotations

from jopanel.agent.web.v1 import web_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.reconcile.base import RunBase
from gateway.services import php_settings
from gateway.store import reconcile as records
from gateway.store.php_pools import PhpPoolRecord, record_of

# What an account's pools are brought to: its limits, and whether its PHP is kept to its home.
_Pools = tuple[PhpPoolRecord, bool]
_DEFAULT: _Pools = (php_settings.DEFAULT_POOL, True)


class PhpPoolChecks(RunBase):
    async def php_pools(self, system_accounts: list[str]) -> None:
        reply = await self.agent.web.ListPhpPoolLimits(
            pb.ListPhpPoolLimitsRequest(), timeout=CALL_TIMEOUT_SECONDS
        )
        held: dict[str, _Pools] = {
            entry.account: (
                PhpPoolRecord(php_settings.PM_NAMES.get(entry.pm, "ondemand"), entry.max_children),
                not entry.without_open_basedir,
            )
            for entry in reply.limits
        }
        recorded = {row.account: row for row in await records.php_pools(self.pool)}
        self.checked["php_pool"] = len(system_accounts)
        for account in system_accounts:
            row = recorded.get(account)
            if row is None:  # on the system with no record: the accounts' check said so
                continue
            limits = record_of(row.pm, row.max_children) or php_settings.DEFAULT_POOL
            wanted = (limits, bool(row.php_open_basedir))
            if held.get(account, _DEFAULT) != wanted:
                await self._set_again(account, *wanted)

    async def _set_again(self, account: str, limits: PhpPoolRecord, open_basedir: bool) -> None:
        where = "in the home" if open_basedir else "outside the home"
        shown = f"{limits.pm}, {limits.max_children} workers, PHP {where}"

        async def steps() -> None:
            await php_settings.send_pool(self.agent, account, limits, open_basedir)

        await self.repair(
            "php_pool", account, account, f"the pools differ from the record ({shown})",
            "set again as recorded", steps,
        )  # fmt: skip
