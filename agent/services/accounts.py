"""AccountService: hosting accounts as Linux users (see agent/system/accounts/users.py).

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Final, Protocol

import grpc.aio
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.config import AgentConfig
from agent.errors import InvalidArgument
from agent.system.accounts import private_tmp, process_limit
from agent.system.accounts.quotas import DiskUsage
from agent.system.accounts.users import MANAGED_GROUP, AccountResources, User, Users
from agent.system.cron.crontab import cron_tables
from agent.system.databases.hosted import hosted_databases
from agent.system.dns.zones import dns_zones
from agent.system.ssh.keys import ssh_keys
from agent.system.vpn.vpn import vpn
from agent.system.web.domains import web_domains
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators.accounts import AccountName

SERVICE_NAME: Final[str] = accounts_pb2.DESCRIPTOR.services_by_name["AccountService"].full_name

_UPDATE_PATHS: Final = frozenset({"password", "shell", "disk_quota_mb", "inode_quota"})
# The reverse of LOGIN_SHELLS; a shell set outside the panel reads as UNSPECIFIED.
_SHELL_ENUMS: Final[dict[str, accounts_pb2.Shell.ValueType]] = {
    path: value for value, path in accounts_validators.LOGIN_SHELLS.items()
}

Context = grpc.aio.ServicerContext[Any, Any]


class AccountSuspension(Protocol):
    """What an account's suspension suspends with it: its websites (agent/system/web/domains.py),
    its VPN clients (agent/system/vpn/vpn.py)."""

    async def set_account_suspended(self, account: AccountName, suspended: bool) -> None: ...


class AccountServicer(accounts_pb2_grpc.AccountServiceServicer):
    def __init__(self, users: Users, suspended_with: Sequence[AccountSuspension]) -> None:
        self._users = users
        self._suspended_with = tuple(suspended_with)

    async def GetAccount(
        self, request: accounts_pb2.GetAccountRequest, context: Context
    ) -> accounts_pb2.GetAccountResponse:
        name = accounts_validators.account_name(request.name)
        (account,) = self._accounts([await self._users.get(name)])
        return accounts_pb2.GetAccountResponse(account=account)

    async def ListAccounts(
        self, request: accounts_pb2.ListAccountsRequest, context: Context
    ) -> accounts_pb2.ListAccountsResponse:
        if request.names:
            names = accounts_validators.account_names(request.names)
            if request.page_size or request.page_token:
                raise InvalidArgument("names", "give names, or page_size and page_token: not both")
            users = await self._users.named(names)
            return accounts_pb2.ListAccountsResponse(accounts=self._accounts(users))
        size = common_validators.page_size(request.page_size)
        after = common_validators.page_token(
            request.page_token, accounts_validators.ACCOUNT_NAME_PATTERN
        )
        users, more = await self._users.page(after, size)
        token = common_validators.encode_page_token(users[-1].name) if more else ""
        return accounts_pb2.ListAccountsResponse(
            accounts=self._accounts(users), next_page_token=token
        )

    async def CreateAccount(
        self, request: accounts_pb2.CreateAccountRequest, context: Context
    ) -> accounts_pb2.CreateAccountResponse:
        name = accounts_validators.account_name(request.name)
        password = accounts_validators.password(request.password)
        shell = accounts_validators.login_shell(request.shell)
        quota = accounts_validators.disk_quota_mb(request.disk_quota_mb)
        inodes = accounts_validators.inode_quota(request.inode_quota)
        user = await self._users.create(name, password, shell, quota, inodes)
        (account,) = self._accounts([user])
        return accounts_pb2.CreateAccountResponse(account=account)

    async def UpdateAccount(
        self, request: accounts_pb2.UpdateAccountRequest, context: Context
    ) -> accounts_pb2.UpdateAccountResponse:
        name = accounts_validators.account_name(request.name)
        paths = common_validators.field_mask(
            request.update_mask.paths, _UPDATE_PATHS, "update_mask"
        )
        # Every field is validated before anything changes.
        password = accounts_validators.password(request.password) if "password" in paths else None
        shell = accounts_validators.login_shell(request.shell) if "shell" in paths else None
        quota = (
            accounts_validators.disk_quota_mb(request.disk_quota_mb)
            if "disk_quota_mb" in paths
            else None
        )
        inodes = (
            accounts_validators.inode_quota(request.inode_quota) if "inode_quota" in paths else None
        )
        user = await self._users.update(
            name, password=password, shell=shell, disk_quota_mb=quota, inode_quota=inodes
        )
        (account,) = self._accounts([user])
        return accounts_pb2.UpdateAccountResponse(account=account)

    async def DeleteAccount(
        self, request: accounts_pb2.DeleteAccountRequest, context: Context
    ) -> accounts_pb2.DeleteAccountResponse:
        await self._users.delete(accounts_validators.account_name(request.name))
        return accounts_pb2.DeleteAccountResponse()

    async def SuspendAccount(
        self, request: accounts_pb2.SuspendAccountRequest, context: Context
    ) -> accounts_pb2.SuspendAccountResponse:
        name = accounts_validators.account_name(request.name)
        user = await self._users.suspend(name)
        # After the user: its processes are stopped, so no tenant code runs while its sites go
        # offline. A retry after a failure here finds the user suspended and tries the sites
        # (and VPN clients) again: each is idempotent.
        for resource in self._suspended_with:
            await resource.set_account_suspended(name, True)
        (account,) = self._accounts([user])
        return accounts_pb2.SuspendAccountResponse(account=account)

    async def UnsuspendAccount(
        self, request: accounts_pb2.UnsuspendAccountRequest, context: Context
    ) -> accounts_pb2.UnsuspendAccountResponse:
        name = accounts_validators.account_name(request.name)
        user = await self._users.unsuspend(name)
        # Only the sites the account's suspension suspended come back (Site.account_suspended).
        for resource in self._suspended_with:
            await resource.set_account_suspended(name, False)
        (account,) = self._accounts([user])
        return accounts_pb2.UnsuspendAccountResponse(account=account)

    def _accounts(self, users: Sequence[User]) -> list[accounts_pb2.Account]:
        """The users as Accounts, with their disk usage (one quota state check for all)."""
        usages = self._users.quotas.usages(user.uid for user in users)
        return [_account(user, usages.get(user.uid)) for user in users]


@functools.cache
def account_users(config: AgentConfig) -> Users:
    """The one Users of the agent: its lock orders every shadow tool the agent runs, so
    SshService (which changes a group membership) shares it with AccountService."""
    # Deleting an account drops its hosted databases and database users, takes its
    # websites offline, removes its crontab and SSH keys, stops serving its DNS zones and
    # revokes its VPN clients first.
    resources: list[AccountResources] = [
        hosted_databases(config),
        web_domains(config),
        cron_tables(config),
        ssh_keys(config),
        dns_zones(config),
        vpn(config),
    ]
    return Users(resources=resources, config=config)


async def prepare(config: AgentConfig) -> None:
    """Cron jobs and SSH sessions of every account are held to account_processes
    (system/accounts/process_limit.py), and have their own /tmp, /var/tmp and /dev/shm
    (system/accounts/private_tmp.py)."""
    process_limit.write(config.account_processes)
    await private_tmp.prepare(MANAGED_GROUP, config.limits("account"))


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    # Suspending an account suspends its websites and VPN clients too (and resuming it resumes
    # them): the one place the cascade is kept.
    servicer = AccountServicer(account_users(config), [web_domains(config), vpn(config)])
    accounts_pb2_grpc.add_AccountServiceServicer_to_server(servicer, server)


def _account(user: User, usage: DiskUsage | None) -> accounts_pb2.Account:
    return accounts_pb2.Account(
        name=user.name,
        uid=user.uid,
        gid=user.gid,
        home=user.home,
        shell=_SHELL_ENUMS.get(user.shell, accounts_pb2.SHELL_UNSPECIFIED),
        suspended=user.suspended,
        disk=accounts_pb2.DiskUsage(
            enforced=usage is not None,
            used_bytes=usage.used_bytes if usage else 0,
            limit_bytes=usage.limit_bytes if usage else 0,
            used_inodes=usage.used_inodes if usage else 0,
            inode_limit=usage.inode_limit if usage else 0,
        ),
    )
