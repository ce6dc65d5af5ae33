"""Accounts: the Linux users against the account records."""

from __future__ import annotations

from jopanel.agent.accounts.v1 import accounts_pb2 as accounts_pb

from gateway.agent import CALL_TIMEOUT_SECONDS, every_page
from gateway.reconcile.base import PAGE_SIZE, RunBase
from gateway.store import accounts
from gateway.store import reconcile as records
from gateway.store.reconcile import RecordedAccount

MIB = 1024 * 1024
_SHELLS: dict[str, accounts_pb.Shell.ValueType] = {
    "nologin": accounts_pb.SHELL_NOLOGIN,
    "bash": accounts_pb.SHELL_BASH,
    "sh": accounts_pb.SHELL_SH,
}


class AccountChecks(RunBase):
    async def accounts(self) -> None:
        system = {a.name: a for a in await self._system_accounts()}
        recorded = await records.accounts(self.pool)
        unrecorded = set(system) - {r.name for r in recorded}
        self.checked["account"] = len(recorded) + len(unrecorded)
        for record in recorded:
            await self._account(record, system.get(record.name))
        for name in sorted(unrecorded):
            self.drift("account", name, name, "a Linux account of the panel's kind has no record")

    async def _system_accounts(self) -> list[accounts_pb.Account]:
        return await every_page(
            lambda token: self.agent.accounts.ListAccounts(
                accounts_pb.ListAccountsRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            ),
            lambda reply: reply.accounts,
        )

    async def _account(self, record: RecordedAccount, system: accounts_pb.Account | None) -> None:
        name, status, user_id = record.name, record.status, record.id
        seen = ("account", user_id, status)
        if status == "pending":
            if system is not None:
                self.on_system.add(name)
                await self.repair(
                    "account", name, name, "pending, and the Linux account exists",
                    "marked active: the creation had got through",
                    lambda: accounts.set_status(self.pool, user_id, "active"), seen,
                )  # fmt: skip
            elif await self.create_again(
                # The finding names no account, as it always has (its other findings do).
                "account", (user_id, name, None), "pending, and no Linux account exists",
                lambda: self._create_account(record),
                lambda: accounts.set_status(self.pool, user_id, "active"),
                lambda: accounts.delete(self.pool, user_id),
            ):  # fmt: skip
                self.on_system.add(name)
            return
        if status == "deleting":
            await self.repair(
                "account", name, name, "deleting: the deletion was cut short",
                "deletion finished: the agent's DeleteAccount, then the record",
                lambda: self._finish_account_deletion(user_id, name), seen,
            )  # fmt: skip
            return
        if system is None:
            repaired = await self.repair(
                "account", name, name, "the Linux account is missing",
                "created again (its system password is locked until the owner sets one)",
                lambda: self._create_account(record), seen,
            )  # fmt: skip
            if repaired:
                self.on_system.add(name)
            return
        self.on_system.add(name)
        await self._account_fields(record, system)

    async def _create_account(self, record: RecordedAccount) -> None:
        await self.agent.accounts.CreateAccount(
            accounts_pb.CreateAccountRequest(
                name=record.name,
                password="",
                shell=_SHELLS[record.shell],
                disk_quota_mb=record.disk_quota_mb or 0,
                inode_quota=record.inode_quota or 0,
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        if record.status == "suspended":
            await self.agent.accounts.SuspendAccount(
                accounts_pb.SuspendAccountRequest(name=record.name), timeout=CALL_TIMEOUT_SECONDS
            )

    async def _account_fields(self, record: RecordedAccount, system: accounts_pb.Account) -> None:
        name, seen = record.name, ("account", record.id, record.status)
        suspended = record.status == "suspended"
        if system.suspended != suspended:

            async def apply() -> None:
                if suspended:
                    await self.agent.accounts.SuspendAccount(
                        accounts_pb.SuspendAccountRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                    )
                else:
                    await self.agent.accounts.UnsuspendAccount(
                        accounts_pb.UnsuspendAccountRequest(name=name),
                        timeout=CALL_TIMEOUT_SECONDS,
                    )

            state = "suspended" if system.suspended else "not suspended"
            await self.repair("account", name, name,
                              f"recorded {record.status}, {state} on the system",
                              "the recorded state applied again", apply, seen)  # fmt: skip
        mask: list[str] = []
        if system.shell == accounts_pb.SHELL_UNSPECIFIED:
            self.drift("account", name, name, "the login shell was changed outside JoPanel")
        elif system.shell != _SHELLS[record.shell]:
            mask.append("shell")
        disk_quota_mb, inode_quota = record.disk_quota_mb or 0, record.inode_quota or 0
        if system.disk.enforced and system.disk.limit_bytes != disk_quota_mb * MIB:
            mask.append("disk_quota_mb")
        if system.disk.enforced and system.disk.inode_limit != inode_quota:
            mask.append("inode_quota")
        if mask:
            request = accounts_pb.UpdateAccountRequest(
                name=name,
                shell=_SHELLS[record.shell],
                disk_quota_mb=disk_quota_mb,
                inode_quota=inode_quota,
            )
            request.update_mask.paths.extend(mask)
            await self.repair(
                "account", name, name, f"{' and '.join(mask)} differ from the record",
                "the recorded values applied again",
                lambda: self.agent.accounts.UpdateAccount(request, timeout=CALL_TIMEOUT_SECONDS),
                seen,
            )  # fmt: skip

    async def _finish_account_deletion(self, user_id: int, name: str) -> None:
        """As the request would have: one DeleteAccount (the agent removes the account's
        sites, zones, databases, crontab, user and home), then the user row, whose foreign keys
        remove every record of the account."""
        await self.agent.accounts.DeleteAccount(
            accounts_pb.DeleteAccountRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
        )
        await accounts.delete(self.pool, user_id)
