"""SSH keys and SFTP access: each account's keys and on/off on the system against the records.

A pending key (an unknown outcome) is marked active when the agent has it, else added again;
a deleting one is removed as asked; an active key the agent lacks (its file edited or removed
by hand) is written again; a key on the system with no record is drift (a person decides: it
signs someone in). Access is what the record says (no row: on), set again where it differs; so
is the shell over SSH (the account's plan allows it and it has a login shell).
"""

from __future__ import annotations

from jopanel.agent.ssh.v1 import ssh_pb2 as ssh_pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.reconcile.base import RunBase, later
from gateway.store import reconcile as records
from gateway.store import ssh as store
from gateway.store.reconcile import RecordedSshKey


class SshChecks(RunBase):
    async def ssh(self, system_accounts: list[str]) -> None:
        keys = await records.ssh_keys(self.pool)
        access = await records.ssh_access(self.pool)
        shells = await records.ssh_shells(self.pool)
        by_account: dict[str, list[RecordedSshKey]] = {}
        for key in keys:
            by_account.setdefault(key.account, []).append(key)
        self.checked["ssh_key"] = len(keys)
        self.checked["ssh_access"] = len(system_accounts)
        described = await self.read_batches(
            "ssh_key", system_accounts, self._ssh_states, lambda account: account.account
        )
        for account, state in described.items():
            await self._account_keys(account, by_account.get(account, []), list(state.keys))
            await self._access(account, state.access, access.get(account, True), account in shells)

    async def _ssh_states(self, accounts: list[str]) -> list[ssh_pb.AccountSsh]:
        reply = await self.agent.ssh.BatchGetAccountSsh(
            ssh_pb.BatchGetAccountSshRequest(accounts=accounts), timeout=CALL_TIMEOUT_SECONDS
        )
        return list(reply.accounts)

    async def _account_keys(
        self, account: str, keys: list[RecordedSshKey], system: list[ssh_pb.SshKey]
    ) -> None:
        held = {key.fingerprint for key in system}
        for key in keys:
            await self._key(key, key.fingerprint in held)
        recorded = {key.fingerprint for key in keys}
        for fingerprint in sorted(held - recorded):
            self.checked["ssh_key"] += 1
            self.drift("ssh_key", fingerprint, account, "signs in, but has no record")

    async def _key(self, key: RecordedSshKey, held: bool) -> None:
        key_id, name, account, status = key.id, key.name, key.account, key.status
        seen = ("ssh_key", key_id, status)
        put = later(self.agent.ssh.CreateSshKey, _create_request(key))
        if status == "pending":
            if held:
                await self.repair(
                    "ssh_key", name, account, "pending, and the agent has the key",
                    "marked active: the creation had got through",
                    lambda: store.set_status(self.pool, key_id, "active"), seen,
                )  # fmt: skip
            else:
                await self.create_again(
                    "ssh_key", (key_id, name, account), "pending, and the agent lacks the key", put,
                    lambda: store.set_status(self.pool, key_id, "active"),
                    lambda: store.delete(self.pool, key_id),
                )  # fmt: skip
        elif status == "deleting":

            async def finish() -> None:
                await self.agent.ssh.DeleteSshKey(
                    ssh_pb.DeleteSshKeyRequest(account=account, fingerprint=key.fingerprint),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await store.delete(self.pool, key_id)

            await self.repair("ssh_key", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
        elif not held:
            await self.repair("ssh_key", name, account, "the agent lacks the key",
                              "the recorded key written again", put, seen)  # fmt: skip

    async def _access(
        self, account: str, system: ssh_pb.SshAccess, enabled: bool, shell: bool
    ) -> None:
        if system.shell != shell:
            await self._shell(account, shell)
        if system.enabled == enabled:
            return
        wanted = "on" if enabled else "off"
        request = ssh_pb.UpdateSshAccessRequest(
            access=ssh_pb.SshAccess(account=account, enabled=enabled)
        )
        await self.repair(
            "ssh_access", account, account, f"SFTP sign-in differs from the record ({wanted})",
            f"switched {wanted} again", later(self.agent.ssh.UpdateSshAccess, request),
        )  # fmt: skip

    async def _shell(self, account: str, shell: bool) -> None:
        wanted = "a shell over SSH" if shell else "SFTP only"
        request = ssh_pb.UpdateSshShellRequest(account=account, enabled=shell)
        await self.repair(
            "ssh_access", account, account, f"the shell over SSH differs from the plan ({wanted})",
            f"{wanted} again", later(self.agent.ssh.UpdateSshShell, request),
        )  # fmt: skip


def _create_request(key: RecordedSshKey) -> ssh_pb.CreateSshKeyRequest:
    return ssh_pb.CreateSshKeyRequest(
        account=key.account, public_key=key.public_key, comment=key.comment
    )
