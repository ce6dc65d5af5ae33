"""SshService: how an account's owner signs in over SFTP: its keys (agent/system/ssh/keys.py),
whether it may at all and whether it gets its login shell (agent/system/accounts/users.py),
and sshd's configuration for accounts (agent/system/ssh/sshd.py), brought up to date before
every change.

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes.
"""

from __future__ import annotations

from typing import Any, Final

import grpc.aio
from jopanel.agent.ssh.v1 import ssh_pb2, ssh_pb2_grpc

from agent import batch
from agent.config import AgentConfig
from agent.errors import FailedPrecondition, InvalidArgument
from agent.services.accounts import account_users
from agent.system.accounts import users
from agent.system.accounts.users import Users
from agent.system.ssh.keys import SshKeys, StoredKey, ssh_keys
from agent.system.ssh.sshd import Sshd, sshd
from agent.validators import accounts as accounts_validators
from agent.validators import ssh as ssh_validators
from agent.validators.accounts import AccountName

SERVICE_NAME: Final[str] = ssh_pb2.DESCRIPTOR.services_by_name["SshService"].full_name

Context = grpc.aio.ServicerContext[Any, Any]


class SshServicer(ssh_pb2_grpc.SshServiceServicer):
    def __init__(
        self, keys: SshKeys, accounts: Users, server: Sshd, answers: batch.Answers
    ) -> None:
        self._keys = keys
        self._accounts = accounts
        self._sshd = server
        self._answers = answers

    async def ListSshKeys(
        self, request: ssh_pb2.ListSshKeysRequest, context: Context
    ) -> ssh_pb2.ListSshKeysResponse:
        account = accounts_validators.account_name(request.account, "account")
        keys = await self._keys.keys_of(account)
        return ssh_pb2.ListSshKeysResponse(keys=[_key(k) for k in keys])

    async def CreateSshKey(
        self, request: ssh_pb2.CreateSshKeyRequest, context: Context
    ) -> ssh_pb2.CreateSshKeyResponse:
        account = accounts_validators.account_name(request.account, "account")
        key = ssh_validators.public_key(request.public_key)
        comment = ssh_validators.key_comment(request.comment)
        await self._sshd.ensure()
        stored = await self._keys.add(account, key, comment)
        return ssh_pb2.CreateSshKeyResponse(key=_key(stored))

    async def DeleteSshKey(
        self, request: ssh_pb2.DeleteSshKeyRequest, context: Context
    ) -> ssh_pb2.DeleteSshKeyResponse:
        account = accounts_validators.account_name(request.account, "account")
        fingerprint = ssh_validators.fingerprint(request.fingerprint)
        await self._keys.delete(account, fingerprint)
        return ssh_pb2.DeleteSshKeyResponse()

    async def GetSshAccess(
        self, request: ssh_pb2.GetSshAccessRequest, context: Context
    ) -> ssh_pb2.GetSshAccessResponse:
        account = accounts_validators.account_name(request.account, "account")
        _require_account(account)
        return ssh_pb2.GetSshAccessResponse(access=_access(account))

    async def BatchGetAccountSsh(
        self, request: ssh_pb2.BatchGetAccountSshRequest, context: Context
    ) -> ssh_pb2.BatchGetAccountSshResponse:
        accounts = batch.names(request.accounts, "accounts", accounts_validators.account_name)
        described = await self._answers.each_named(
            "BatchGetAccountSsh",
            accounts,
            self._ssh_of,
            lambda account, why: ssh_pb2.AccountSsh(account=account, failure=why),
        )
        return ssh_pb2.BatchGetAccountSshResponse(accounts=described)

    async def _ssh_of(self, account: AccountName) -> ssh_pb2.AccountSsh:
        keys = await self._keys.keys_of(account)
        _require_account(account)
        return ssh_pb2.AccountSsh(
            account=account, keys=[_key(k) for k in keys], access=_access(account)
        )

    async def UpdateSshAccess(
        self, request: ssh_pb2.UpdateSshAccessRequest, context: Context
    ) -> ssh_pb2.UpdateSshAccessResponse:
        if not request.HasField("access"):
            raise InvalidArgument("access", "is required")
        account = accounts_validators.account_name(request.access.account, "access.account")
        _require_account(account)
        await self._sshd.ensure()
        await self._accounts.set_ssh_enabled(account, request.access.enabled)
        return ssh_pb2.UpdateSshAccessResponse(access=_access(account))

    async def UpdateSshShell(
        self, request: ssh_pb2.UpdateSshShellRequest, context: Context
    ) -> ssh_pb2.UpdateSshShellResponse:
        account = accounts_validators.account_name(request.account, "account")
        _require_account(account)
        # sshd must know the shell block before anyone is put into its group.
        await self._sshd.ensure()
        await self._accounts.set_ssh_shell(account, request.enabled)
        return ssh_pb2.UpdateSshShellResponse(access=_access(account))


def _require_account(account: AccountName) -> None:
    if not users.is_account(account):
        raise FailedPrecondition(f"account {account} does not exist")


def _key(stored: StoredKey) -> ssh_pb2.SshKey:
    key = stored.key
    return ssh_pb2.SshKey(
        fingerprint=key.fingerprint,
        type=key.type,
        bits=key.bits,
        comment=stored.comment,
        public_key=key.line,
    )


def _access(account: AccountName) -> ssh_pb2.SshAccess:
    return ssh_pb2.SshAccess(
        account=account, enabled=users.ssh_enabled(account), shell=users.ssh_shell(account)
    )


async def prepare(config: AgentConfig) -> None:
    """sshd's configuration for accounts, before the first account signs in."""
    await sshd(config).ensure()


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = SshServicer(
        ssh_keys(config),
        account_users(config),
        sshd(config),
        batch.Answers(config.max_message_bytes),
    )
    ssh_pb2_grpc.add_SshServiceServicer_to_server(servicer, server)
