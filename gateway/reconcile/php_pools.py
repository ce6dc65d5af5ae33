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
from gateway.store.php_pools import PhpPoolRecord
from gateway.store.reconcile import RecordedPhpPool

# How the agent's list and the records are compared: (dynamic, max_children, open_basedir).
_Limits = tuple[bool, int, bool]
_DEFAULT: _Limits = (False, php_settings.DEFAULT_POOL.max_children, True)


class PhpPoolChecks(RunBase):
    async def php_pools(self, system_accounts: list[str]) -> None:
        reply = await self.agent.web.ListPhpPoolLimits(
            pb.ListPhpPoolLimitsRequest(), timeout=CALL_TIMEOUT_SECONDS
        )
        held: dict[str, _Limits] = {
            entry.account: (
                entry.pm == pb.PROCESS_MANAGER_DYNAMIC,
                entry.max_children,
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
            wanted = _wanted(row)
            if held.get(account, _DEFAULT) != wanted:
                await self._set_again(row, wanted)

    async def _set_again(self, row: RecordedPhpPool, wanted: _Limits) -> None:
        dynamic, children, open_basedir = wanted
        record = PhpPoolRecord("dynamic" if dynamic else "ondemand", children)
        where = "in the home" if open_basedir else "outside the home"
        shown = f"{record.pm}, {children} workers, PHP {where}"

        async def steps() -> None:
            await php_settings.send_pool(self.agent, row.account, record, open_basedir)

        await self.repair(
            "php_pool", row.account, row.account, f"the pools differ from the record ({shown})",
            "set again as recorded", steps,
        )  # fmt: skip


def _wanted(row: RecordedPhpPool) -> _Limits:
    if row.pm is None or row.max_children is None:
        return (False, php_settings.DEFAULT_POOL.max_children, row.php_open_basedir)
    return (row.pm == "dynamic", row.max_children, row.php_open_basedir)
