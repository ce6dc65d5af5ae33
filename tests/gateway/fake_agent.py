"""The fake agent the gateway tests talk to: its services in memory on a real gRPC socket.

It answers like the real agent (same status codes for the same cases), so the gateway's
mapping of agent answers is tested over a real channel. `fail_next` makes the next call fail
with a given status, to show how the gateway rolls back.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from typing import Any, NoReturn, Protocol

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.accounts.v1 import accounts_pb2_grpc
from jopanel.agent.backups.v1 import backups_pb2 as backup_pb
from jopanel.agent.backups.v1 import backups_pb2_grpc as backup_pb2_grpc
from jopanel.agent.certificates.v1 import certificates_pb2 as certificates_pb
from jopanel.agent.certificates.v1 import certificates_pb2_grpc
from jopanel.agent.cron.v1 import cron_pb2 as cron_pb
from jopanel.agent.cron.v1 import cron_pb2_grpc
from jopanel.agent.databases.v1 import databases_pb2 as db_pb
from jopanel.agent.databases.v1 import databases_pb2_grpc as db_pb2_grpc
from jopanel.agent.dns.v1 import dns_pb2 as dns_pb
from jopanel.agent.dns.v1 import dns_pb2_grpc
from jopanel.agent.server.v1 import server_pb2 as server_pb
from jopanel.agent.server.v1 import server_pb2_grpc
from jopanel.agent.ssh.v1 import ssh_pb2 as ssh_pb
from jopanel.agent.ssh.v1 import ssh_pb2_grpc
from jopanel.agent.web.v1 import web_pb2 as web_pb
from jopanel.agent.web.v1 import web_pb2_grpc

from agent.errors import invalid_argument
from jopanel_rules import RuleError
from jopanel_rules.ssh import COMMENT_PATTERN, BadKey, parse_public_key
from jopanel_rules.web import (
    LOG_LINES_DEFAULT,
    LOG_LINES_MAX,
    PHP_MAX_CHILDREN_DEFAULT,
    PHP_MAX_CHILDREN_MAX,
    check_log_search,
)

Context = grpc.aio.ServicerContext[Any, Any]


async def refuse_field(context: Context, field: str, description: str) -> NoReturn:
    """INVALID_ARGUMENT as the real agent sends it: the field as a BadRequest field violation,
    named by its path in the request (the gateway maps it to the REST body's name)."""
    status = invalid_argument(field, description)
    await context.abort(status.code, status.details, status.trailing_metadata)


_NAME = re.compile(r"[a-z][a-z0-9_]{2,31}")
# Names the fake treats as existing system users, as the real agent would find in /etc/passwd.
SYSTEM_USERS = frozenset({"daemon", "uucp", "sshd", "systemd_oom"})


class Recorder:
    """Records each call; `fail_next` makes the next recorded call fail with that status, and
    `fail_call` the call recorded as that string (say "UpdateAccount bob")."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail_next: grpc.StatusCode | None = None
        self.fail_call: str | None = None
        self.fail_call_code = grpc.StatusCode.UNAVAILABLE  # how fail_call fails
        # When a test sets `hold`, the next recorded call sets `held` and waits for `hold`.
        self.hold: asyncio.Event | None = None
        self.held = asyncio.Event()
        # The names each Batch call asked about, and the most its answer holds (the agent
        # ends an answer past its size bound, agent/batch.py; the caller asks for the rest).
        self.batches: list[list[str]] = []
        self.batch_limit = 1000
        self.refuse_batches: grpc.StatusCode | None = None  # how each Batch call fails

    async def _batch(self, names: Sequence[str], context: Context) -> list[str]:
        """The names a Batch call answers: in name order, each once, up to batch_limit."""
        self.batches.append(list(names))
        if self.refuse_batches is not None:
            await context.abort(self.refuse_batches, "the fake agent was told to refuse it")
        return sorted(set(names))[: self.batch_limit]

    async def _enter(self, rpc: str, name: str, context: Context) -> None:
        call = f"{rpc} {name}"
        self.calls.append(call)
        if self.hold is not None:
            hold, self.hold = self.hold, None
            self.held.set()
            await hold.wait()
        if self.fail_next is not None:
            code, self.fail_next = self.fail_next, None
            await context.abort(code, "the fake agent was told to fail")
        if call == self.fail_call:
            self.fail_call = None
            await context.abort(self.fail_call_code, "the fake agent was told to fail")


MIB = 1024 * 1024
# What the agent answers of a zone grown past what one message carries (agent/batch.py).
TOO_LARGE_ZONE = (
    "its answer would take 20971520 bytes, more than the agent sends in one message"
    " (4194304, max_message_bytes)"
)


class AccountResources(Protocol):
    """What an account owns outside its user, as the agent's AccountResources: DeleteAccount
    removes it all (agent/system/users.py)."""

    def remove_account(self, account: str) -> None: ...


class FakeAccounts(Recorder, accounts_pb2_grpc.AccountServiceServicer):
    """Accounts as the agent keeps them. Disk quotas are enforced unless a test sets
    `quotas_enforced` to False; a test sets what an account uses in `accounts[name].disk`."""

    def __init__(self) -> None:
        self.accounts: dict[str, pb.Account] = {}
        self.passwords: dict[str, str] = {}
        self.quotas_enforced = True
        # Sites, zones, databases and crontabs, which DeleteAccount removes with the account.
        self.resources: list[AccountResources] = []
        # The sites, which SuspendAccount suspends and UnsuspendAccount resumes (FakeWeb sets it).
        self.web: FakeWeb | None = None
        super().__init__()
        self._next_uid = 1000

    async def _set_quota(
        self, account: pb.Account, limit_mb: int, context: Context, inodes: int | None = None
    ) -> None:
        if not self.quotas_enforced:
            if limit_mb or inodes:
                await context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    "disk quotas are not enforced on the filesystem of /home: mount it with"
                    " usrquota (ext4 or XFS) to set a limit",
                )
            account.disk.CopyFrom(pb.DiskUsage(enforced=False))
            return
        account.disk.enforced = True
        account.disk.limit_bytes = limit_mb * MIB
        if inodes is not None:
            account.disk.inode_limit = inodes

    async def _enter(self, rpc: str, name: str, context: Context) -> None:
        await super()._enter(rpc, name, context)
        if not _NAME.fullmatch(name):
            await refuse_field(context, "name", "not a valid account name")
        if name in SYSTEM_USERS:
            await refuse_field(context, "name", "taken by a system user")

    async def _existing(self, name: str, context: Context) -> pb.Account:
        if name not in self.accounts:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"account {name} does not exist")
        return self.accounts[name]

    async def CreateAccount(
        self, request: pb.CreateAccountRequest, context: Context
    ) -> pb.CreateAccountResponse:
        await self._enter("CreateAccount", request.name, context)
        account = self.accounts.get(request.name) or pb.Account(
            name=request.name,
            uid=self._next_uid + 1,
            gid=self._next_uid + 1,
            home=f"/home/{request.name}",
            shell=request.shell,
        )
        await self._set_quota(account, request.disk_quota_mb, context, request.inode_quota)
        if request.name not in self.accounts:
            self._next_uid += 1
            self.accounts[request.name] = account
            self.passwords[request.name] = request.password
        return pb.CreateAccountResponse(account=account)

    async def GetAccount(
        self, request: pb.GetAccountRequest, context: Context
    ) -> pb.GetAccountResponse:
        await self._enter("GetAccount", request.name, context)
        return pb.GetAccountResponse(account=await self._existing(request.name, context))

    async def ListAccounts(
        self, request: pb.ListAccountsRequest, context: Context
    ) -> pb.ListAccountsResponse:
        await Recorder._enter(self, "ListAccounts", ",".join(request.names), context)
        if request.names:
            wanted = sorted(set(request.names) & set(self.accounts))
            return pb.ListAccountsResponse(accounts=[self.accounts[n] for n in wanted])
        names = sorted(n for n in self.accounts if n > request.page_token)
        size = request.page_size or 100
        page = names[:size]
        more = len(names) > size
        return pb.ListAccountsResponse(
            accounts=[self.accounts[n] for n in page], next_page_token=page[-1] if more else ""
        )

    async def UpdateAccount(
        self, request: pb.UpdateAccountRequest, context: Context
    ) -> pb.UpdateAccountResponse:
        await self._enter("UpdateAccount", request.name, context)
        account = await self._existing(request.name, context)
        paths = request.update_mask.paths
        if "disk_quota_mb" in paths or "inode_quota" in paths:
            await self._set_quota(
                account,
                request.disk_quota_mb
                if "disk_quota_mb" in paths
                else account.disk.limit_bytes // MIB,
                context,
                request.inode_quota if "inode_quota" in paths else None,
            )
        if "password" in request.update_mask.paths:
            self.passwords[request.name] = request.password
        if "shell" in request.update_mask.paths:
            account.shell = request.shell
        return pb.UpdateAccountResponse(account=account)

    async def DeleteAccount(
        self, request: pb.DeleteAccountRequest, context: Context
    ) -> pb.DeleteAccountResponse:
        await self._enter("DeleteAccount", request.name, context)
        for resources in self.resources:
            resources.remove_account(request.name)
        self.accounts.pop(request.name, None)
        return pb.DeleteAccountResponse()

    async def SuspendAccount(
        self, request: pb.SuspendAccountRequest, context: Context
    ) -> pb.SuspendAccountResponse:
        await self._enter("SuspendAccount", request.name, context)
        account = await self._existing(request.name, context)
        account.suspended = True
        if self.web is not None:
            self.web.account_suspended(request.name)
        return pb.SuspendAccountResponse(account=account)

    async def UnsuspendAccount(
        self, request: pb.UnsuspendAccountRequest, context: Context
    ) -> pb.UnsuspendAccountResponse:
        await self._enter("UnsuspendAccount", request.name, context)
        account = await self._existing(request.name, context)
        account.suspended = False
        if self.web is not None:
            self.web.account_suspended(request.name)
        return pb.UnsuspendAccountResponse(account=account)


def _related(name: str, held: str) -> bool:
    return name == held or name.endswith("." + held) or held.endswith("." + name)


async def _check_proxy(domain: web_pb.WebDomain, account: str, context: Context) -> None:
    """The agent's rule for socket paths: the account's own socket folder."""
    if domain.WhichOneof("backend") != "proxy" or not domain.proxy.socket_path:
        return
    if not re.fullmatch(
        rf"/home/\.apps/{account}/[a-z0-9][a-z0-9._-]*\.sock", domain.proxy.socket_path
    ):
        await refuse_field(
            context, "domain.proxy.socket_path", f"must be /home/.apps/{account}/<name>.sock"
        )


class FakeWeb(Recorder, web_pb2_grpc.WebDomainServiceServicer):
    """WebDomainService in memory: the domains the fake server would serve.

    As the real agent, a site is suspended on its own (SuspendWebDomain) or by its account's
    suspension (SuspendAccount), each undone only by its own RPC; `suspended` is true for
    either."""

    def __init__(self, accounts: FakeAccounts, php_versions: tuple[str, ...] = ("8.2",)) -> None:
        self.accounts = accounts
        accounts.web = self
        self.domains: dict[str, web_pb.WebDomain] = {}
        self.suspended_on_their_own: set[str] = set()
        self.php_versions = list(php_versions)
        self.php_versions_asked = 0  # ListPhpVersions calls (not in `calls`: no name)
        self.dns: FakeDns | None = None  # the zones, for the agent's one-owner-per-name rule
        # Logs: lines per (domain, SiteLog), as the agent would read them from the files.
        self.logs: dict[tuple[str, int], list[str]] = {}
        self.planted_logs: set[tuple[str, int]] = set()
        self.log_written = asyncio.Event()
        self.pool_limits: dict[str, tuple[int, int]] = {}  # account -> (pm, max_children)
        self.unconfined: set[str] = set()  # accounts whose PHP has no open_basedir
        super().__init__()

    def held_by_another(self, name: str, account: str) -> str | None:
        """As the real agent's NameOwners: a site's or zone's name of another account equal
        to, above or below `name` (agent/system/names.py)."""
        held = [(h, d.account) for d in self.domains.values() for h in [d.name, *d.aliases]]
        if self.dns is not None:
            held += [(z.name, z.account) for z in self.dns.zones.values()]
        return next((h for h, owner in held if owner != account and _related(name, h)), None)

    async def _check_no_zone(self, names: list[str], account: str, context: Context) -> None:
        zones = self.dns.zones if self.dns is not None else {}
        for name in names:
            if name in zones and zones[name].account == account:
                await context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"zone {name} is served for this name; delete the zone first",
                )

    def remove_account(self, account: str) -> None:
        self.domains = {n: d for n, d in self.domains.items() if d.account != account}
        self.suspended_on_their_own &= set(self.domains)
        self.pool_limits.pop(account, None)
        self.unconfined.discard(account)

    def _account_is_suspended(self, account: str) -> bool:
        found = self.accounts.accounts.get(account)
        return found is not None and found.suspended

    def account_suspended(self, account: str) -> None:
        """The account's suspension changed: its sites follow, except those suspended on
        their own."""
        for domain in self.domains.values():
            if domain.account == account:
                domain.suspended = self._suspended(domain)

    def _suspended(self, domain: web_pb.WebDomain) -> bool:
        return domain.name in self.suspended_on_their_own or self._account_is_suspended(
            domain.account
        )

    async def _check_php(self, domain: web_pb.WebDomain, context: Context) -> None:
        """The agent's rule for PHP: an installed version (agent/validators/web.py php_version)."""
        if domain.WhichOneof("backend") != "php" or domain.php.version in self.php_versions:
            return
        await refuse_field(
            context,
            "domain.php.version",
            "must be an installed PHP version"
            f" ({', '.join(self.php_versions) or 'none is installed'})",
        )

    def served_by(self, host: str) -> str | None:
        for domain in self.domains.values():
            if host == domain.name or host in domain.aliases:
                return domain.name
        return None

    async def CreateWebDomain(
        self, request: web_pb.CreateWebDomainRequest, context: Context
    ) -> web_pb.CreateWebDomainResponse:
        spec = request.domain
        await self._enter("CreateWebDomain", spec.name, context)
        if spec.account not in self.accounts.accounts:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no such account")
        await _check_proxy(spec, spec.account, context)
        await self._check_php(spec, context)
        for host in [spec.name, *spec.aliases]:
            owner = self.served_by(host)
            if owner not in (None, spec.name):
                await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{host} is served")
            held = self.held_by_another(host, spec.account)
            if held is not None:
                await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{held} is another's")
        domain = web_pb.WebDomain()
        domain.CopyFrom(spec)
        domain.document_root = f"/home/{spec.account}/web/{spec.name}/public_html"
        domain.suspended = self._suspended(domain)  # a suspended account's new site starts so
        self.domains[spec.name] = domain
        return web_pb.CreateWebDomainResponse(domain=domain)

    async def _existing(self, name: str, context: Context) -> web_pb.WebDomain:
        if name not in self.domains:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"domain {name} does not exist")
        return self.domains[name]

    async def GetWebDomain(
        self, request: web_pb.GetWebDomainRequest, context: Context
    ) -> web_pb.GetWebDomainResponse:
        await self._enter("GetWebDomain", request.name, context)
        return web_pb.GetWebDomainResponse(domain=await self._existing(request.name, context))

    async def ListWebDomains(
        self, request: web_pb.ListWebDomainsRequest, context: Context
    ) -> web_pb.ListWebDomainsResponse:
        self.calls.append("ListWebDomains")
        found = sorted(
            (d for d in self.domains.values() if request.account in ("", d.account)),
            key=lambda d: d.name,
        )
        return web_pb.ListWebDomainsResponse(domains=found)

    async def UpdateWebDomain(
        self, request: web_pb.UpdateWebDomainRequest, context: Context
    ) -> web_pb.UpdateWebDomainResponse:
        await self._enter("UpdateWebDomain", request.domain.name, context)
        domain = await self._existing(request.domain.name, context)
        if "backend" in request.update_mask.paths:
            # As the agent: the whole request is checked before anything changes.
            await _check_proxy(request.domain, domain.account, context)
            await self._check_php(request.domain, context)
        if "aliases" in request.update_mask.paths:
            dropped = set(domain.aliases) - set(request.domain.aliases)
            await self._check_no_zone(sorted(dropped), domain.account, context)
            for host in request.domain.aliases:
                if self.held_by_another(host, domain.account) is not None:
                    await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{host} is another's")
            del domain.aliases[:]
            domain.aliases.extend(request.domain.aliases)
        if "backend" in request.update_mask.paths:
            which = request.domain.WhichOneof("backend")
            assert which is not None
            getattr(domain, which).CopyFrom(getattr(request.domain, which))
        if "log_retention_days" in request.update_mask.paths:
            domain.log_retention_days = request.domain.log_retention_days or 14
        return web_pb.UpdateWebDomainResponse(domain=domain)

    async def SuspendWebDomain(
        self, request: web_pb.SuspendWebDomainRequest, context: Context
    ) -> web_pb.SuspendWebDomainResponse:
        await self._enter("SuspendWebDomain", request.name, context)
        domain = await self._existing(request.name, context)
        self.suspended_on_their_own.add(domain.name)
        domain.suspended = True
        return web_pb.SuspendWebDomainResponse(domain=domain)

    async def UnsuspendWebDomain(
        self, request: web_pb.UnsuspendWebDomainRequest, context: Context
    ) -> web_pb.UnsuspendWebDomainResponse:
        await self._enter("UnsuspendWebDomain", request.name, context)
        domain = await self._existing(request.name, context)
        self.suspended_on_their_own.discard(domain.name)
        domain.suspended = self._suspended(domain)  # still so while its account is
        return web_pb.UnsuspendWebDomainResponse(domain=domain)

    async def DeleteWebDomain(
        self, request: web_pb.DeleteWebDomainRequest, context: Context
    ) -> web_pb.DeleteWebDomainResponse:
        await self._enter("DeleteWebDomain", request.name, context)
        domain = self.domains.get(request.name)
        if domain is not None:
            await self._check_no_zone([domain.name, *domain.aliases], domain.account, context)
        self.domains.pop(request.name, None)
        return web_pb.DeleteWebDomainResponse()

    async def ListPhpVersions(
        self, request: web_pb.ListPhpVersionsRequest, context: Context
    ) -> web_pb.ListPhpVersionsResponse:
        self.php_versions_asked += 1
        return web_pb.ListPhpVersionsResponse(versions=self.php_versions)

    async def SetPhpPoolLimits(
        self, request: web_pb.SetPhpPoolLimitsRequest, context: Context
    ) -> web_pb.SetPhpPoolLimitsResponse:
        await self._enter("SetPhpPoolLimits", request.account, context)
        if request.account not in self.accounts.accounts:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no such account")
        if request.pm not in (
            web_pb.PROCESS_MANAGER_ONDEMAND,
            web_pb.PROCESS_MANAGER_DYNAMIC,
            web_pb.PROCESS_MANAGER_STATIC,
        ):
            await refuse_field(context, "pm", "must be PROCESS_MANAGER_ONDEMAND, ..._STATIC")
        if not 1 <= request.max_children <= PHP_MAX_CHILDREN_MAX:
            await refuse_field(context, "max_children", f"must be 1 to {PHP_MAX_CHILDREN_MAX}")
        self.pool_limits[request.account] = (request.pm, request.max_children)
        if request.without_open_basedir:
            self.unconfined.add(request.account)
        else:
            self.unconfined.discard(request.account)
        return web_pb.SetPhpPoolLimitsResponse()

    async def ListPhpPoolLimits(
        self, request: web_pb.ListPhpPoolLimitsRequest, context: Context
    ) -> web_pb.ListPhpPoolLimitsResponse:
        """As the agent: the accounts whose pools differ from the defaults."""
        default = (web_pb.PROCESS_MANAGER_ONDEMAND, PHP_MAX_CHILDREN_DEFAULT)
        limits = [
            web_pb.PhpPoolLimits(
                account=account,
                pm=self.pool_limits.get(account, default)[0],  # type: ignore[arg-type]
                max_children=self.pool_limits.get(account, default)[1],
                without_open_basedir=account in self.unconfined,
            )
            for account in sorted(set(self.pool_limits) | self.unconfined)
            if self.pool_limits.get(account, default) != default or account in self.unconfined
        ]
        return web_pb.ListPhpPoolLimitsResponse(limits=limits)

    FOLLOW_WINDOW = 0.5  # one FollowSiteLog call (the agent's lasts about 10 s)

    def log_lines(self, name: str, log: int) -> list[str]:
        return self.logs.setdefault((name, log), [])

    def append_log(self, name: str, log: int, *lines: str) -> None:
        self.log_lines(name, log).extend(lines)
        self.log_written.set()

    def plant_in_log(self, name: str, log: int) -> None:
        """As if the account had put a link or a FIFO where the log goes."""
        self.planted_logs.add((name, log))

    async def _log_of(self, name: str, log: int, context: Context) -> list[str]:
        await self._existing(name, context)
        if log not in (web_pb.SITE_LOG_ACCESS, web_pb.SITE_LOG_PHP_ERROR):
            await refuse_field(context, "log", "must be SITE_LOG_ACCESS or SITE_LOG_PHP_ERROR")
        if (name, log) in self.planted_logs:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not a regular file")
        return self.log_lines(name, log)

    async def ReadSiteLog(
        self, request: web_pb.ReadSiteLogRequest, context: Context
    ) -> web_pb.ReadSiteLogResponse:
        if not 0 <= request.lines <= LOG_LINES_MAX:
            await refuse_field(context, "lines", f"must be 1 to {LOG_LINES_MAX}")
        if request.contains:
            try:
                check_log_search(request.contains)
            except RuleError as exc:
                await refuse_field(context, "contains", str(exc))
        lines = await self._log_of(request.name, request.log, context)
        found = [line for line in lines if request.contains in line]
        return web_pb.ReadSiteLogResponse(lines=found[-(request.lines or LOG_LINES_DEFAULT) :])

    async def FollowSiteLog(
        self, request: web_pb.FollowSiteLogRequest, context: Context
    ) -> AsyncIterator[web_pb.FollowSiteLogResponse]:
        lines = await self._log_of(request.name, request.log, context)
        offset = request.cursor.offset if request.HasField("cursor") else len(lines)
        yield web_pb.FollowSiteLogResponse(cursor=web_pb.LogCursor(inode=1, offset=offset))
        written = self.log_written
        while True:
            if len(lines) > offset:
                new, offset = lines[offset:], len(lines)
                yield web_pb.FollowSiteLogResponse(
                    lines=new, cursor=web_pb.LogCursor(inode=1, offset=offset)
                )
            written.clear()
            try:
                await asyncio.wait_for(written.wait(), self.FOLLOW_WINDOW)
            except TimeoutError:
                break
        yield web_pb.FollowSiteLogResponse(cursor=web_pb.LogCursor(inode=1, offset=offset))


class FakeDatabases(Recorder, db_pb2_grpc.DatabaseServiceServicer):
    """DatabaseService in memory: databases with a size, users with a password and grants."""

    def __init__(self) -> None:
        self.databases: dict[str, str] = {}  # name -> account
        self.users: dict[str, str] = {}  # name -> account
        self.passwords: dict[str, str] = {}
        self.grants: set[tuple[str, str]] = set()  # (user, database)
        # A page holds at most this many (the agent's may hold fewer than page_size asks).
        self.page_cap = 1000
        # Both lists fail with this (a damaged ownership record is INTERNAL).
        self.lists_fail: grpc.StatusCode | None = None
        # Each ListDatabases call: (account, names, with_size).
        self.listed: list[tuple[str, tuple[str, ...], bool]] = []
        super().__init__()

    def remove_account(self, account: str) -> None:
        self.databases = {n: a for n, a in self.databases.items() if a != account}
        self.users = {n: a for n, a in self.users.items() if a != account}
        self.grants = {(u, d) for u, d in self.grants if u in self.users}

    def _user(self, name: str) -> db_pb.DatabaseUser:
        granted = sorted(d for u, d in self.grants if u == name)
        return db_pb.DatabaseUser(name=name, account=self.users[name], databases=granted)

    async def ListDatabases(
        self, request: db_pb.ListDatabasesRequest, context: Context
    ) -> db_pb.ListDatabasesResponse:
        self.listed.append((request.account, tuple(request.names), request.with_size))
        if self.lists_fail is not None:
            await context.abort(self.lists_fail, "the database ownership record is damaged")
        size = 16384 if request.with_size else 0
        if request.names:
            wanted = sorted(
                n for n in set(request.names) if self.databases.get(n) == request.account
            )
            return db_pb.ListDatabasesResponse(databases=[
                db_pb.Database(name=n, account=request.account, size_bytes=size) for n in wanted
            ])  # fmt: skip
        page, token = self._page(self.databases, request)
        return db_pb.ListDatabasesResponse(
            databases=[db_pb.Database(name=n, account=self.databases[n], size_bytes=size)
                       for n in page],
            next_page_token=token,
        )  # fmt: skip

    def _page(
        self,
        entries: dict[str, str],
        request: db_pb.ListDatabasesRequest | db_pb.ListDatabaseUsersRequest,
    ) -> tuple[list[str], str]:
        names = sorted(
            n for n, a in entries.items()
            if (not request.account or a == request.account) and n > request.page_token
        )  # fmt: skip
        size = min(request.page_size or 100, self.page_cap)
        return names[:size], names[size - 1] if len(names) > size else ""

    async def CreateDatabase(
        self, request: db_pb.CreateDatabaseRequest, context: Context
    ) -> db_pb.CreateDatabaseResponse:
        await self._enter("CreateDatabase", request.name, context)
        self.databases[request.name] = request.account
        return db_pb.CreateDatabaseResponse(
            database=db_pb.Database(name=request.name, account=request.account)
        )

    async def DeleteDatabase(
        self, request: db_pb.DeleteDatabaseRequest, context: Context
    ) -> db_pb.DeleteDatabaseResponse:
        await self._enter("DeleteDatabase", request.name, context)
        self.databases.pop(request.name, None)
        self.grants = {(u, d) for u, d in self.grants if d != request.name}
        return db_pb.DeleteDatabaseResponse()

    async def ListDatabaseUsers(
        self, request: db_pb.ListDatabaseUsersRequest, context: Context
    ) -> db_pb.ListDatabaseUsersResponse:
        if self.lists_fail is not None:
            await context.abort(self.lists_fail, "the database ownership record is damaged")
        page, token = self._page(self.users, request)
        return db_pb.ListDatabaseUsersResponse(
            users=[self._user(n) for n in page], next_page_token=token
        )

    async def CreateDatabaseUser(
        self, request: db_pb.CreateDatabaseUserRequest, context: Context
    ) -> db_pb.CreateDatabaseUserResponse:
        await self._enter("CreateDatabaseUser", request.name, context)
        self.users[request.name] = request.account
        self.passwords[request.name] = request.password
        return db_pb.CreateDatabaseUserResponse(user=self._user(request.name))

    async def UpdateDatabaseUser(
        self, request: db_pb.UpdateDatabaseUserRequest, context: Context
    ) -> db_pb.UpdateDatabaseUserResponse:
        await self._enter("UpdateDatabaseUser", request.name, context)
        self.passwords[request.name] = request.password
        return db_pb.UpdateDatabaseUserResponse(user=self._user(request.name))

    async def DeleteDatabaseUser(
        self, request: db_pb.DeleteDatabaseUserRequest, context: Context
    ) -> db_pb.DeleteDatabaseUserResponse:
        await self._enter("DeleteDatabaseUser", request.name, context)
        self.users.pop(request.name, None)
        self.grants = {(u, d) for u, d in self.grants if u != request.name}
        return db_pb.DeleteDatabaseUserResponse()

    async def GrantDatabaseAccess(
        self, request: db_pb.GrantDatabaseAccessRequest, context: Context
    ) -> db_pb.GrantDatabaseAccessResponse:
        await self._enter("GrantDatabaseAccess", f"{request.user} {request.database}", context)
        if self.users.get(request.user) != self.databases.get(request.database):
            await refuse_field(context, "database", "another account's")
        self.grants.add((request.user, request.database))
        return db_pb.GrantDatabaseAccessResponse(user=self._user(request.user))

    async def RevokeDatabaseAccess(
        self, request: db_pb.RevokeDatabaseAccessRequest, context: Context
    ) -> db_pb.RevokeDatabaseAccessResponse:
        await self._enter("RevokeDatabaseAccess", f"{request.user} {request.database}", context)
        self.grants.discard((request.user, request.database))
        return db_pb.RevokeDatabaseAccessResponse(user=self._user(request.user))


class FakeCron(Recorder, cron_pb2_grpc.CronJobServiceServicer):
    """CronJobService in memory: each account's jobs by id."""

    def __init__(self) -> None:
        self.jobs: dict[str, dict[str, cron_pb.CronJob]] = {}
        # Accounts whose crontab a test removed by hand: listed as not installed until the
        # next put installs it again.
        self.uninstalled: set[str] = set()
        # Accounts whose list the agent refuses (their crontab unreadable: INTERNAL).
        self.refused: set[str] = set()
        super().__init__()

    def remove_account(self, account: str) -> None:
        self.jobs.pop(account, None)

    async def ListCronJobs(
        self, request: cron_pb.ListCronJobsRequest, context: Context
    ) -> cron_pb.ListCronJobsResponse:
        if request.account in self.refused:
            await context.abort(grpc.StatusCode.INTERNAL, "the crontab is unreadable")
        listed = self._jobs_of(request.account)
        return cron_pb.ListCronJobsResponse(jobs=listed.jobs, installed=listed.installed)

    async def BatchListCronJobs(
        self, request: cron_pb.BatchListCronJobsRequest, context: Context
    ) -> cron_pb.BatchListCronJobsResponse:
        return cron_pb.BatchListCronJobsResponse(
            accounts=[
                self._jobs_of(account) for account in await self._batch(request.accounts, context)
            ]
        )

    def _jobs_of(self, account: str) -> cron_pb.AccountCronJobs:
        if account in self.refused:
            return cron_pb.AccountCronJobs(
                account=account, failure="INTERNAL: the crontab is unreadable"
            )
        jobs = self.jobs.get(account, {})
        return cron_pb.AccountCronJobs(
            account=account,
            jobs=[jobs[k] for k in sorted(jobs)],
            installed=account not in self.uninstalled or not jobs,
        )

    async def CreateCronJob(
        self, request: cron_pb.CreateCronJobRequest, context: Context
    ) -> cron_pb.CreateCronJobResponse:
        await self._enter("CreateCronJob", request.job.id, context)
        self.uninstalled.discard(request.account)
        self.jobs.setdefault(request.account, {})[request.job.id] = request.job
        return cron_pb.CreateCronJobResponse(job=request.job)

    async def UpdateCronJob(
        self, request: cron_pb.UpdateCronJobRequest, context: Context
    ) -> cron_pb.UpdateCronJobResponse:
        await self._enter("UpdateCronJob", request.job.id, context)
        if request.job.id not in self.jobs.get(request.account, {}):
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such job")
        self.jobs[request.account][request.job.id] = request.job
        return cron_pb.UpdateCronJobResponse(job=request.job)

    async def DeleteCronJob(
        self, request: cron_pb.DeleteCronJobRequest, context: Context
    ) -> cron_pb.DeleteCronJobResponse:
        await self._enter("DeleteCronJob", request.id, context)
        self.jobs.get(request.account, {}).pop(request.id, None)
        return cron_pb.DeleteCronJobResponse()


class FakeDns(Recorder, dns_pb2_grpc.DnsZoneServiceServicer):
    """DnsZoneService in memory: zones with their records and a serial."""

    def __init__(self) -> None:
        self.zones: dict[str, dns_pb.DnsZone] = {}
        self.web: FakeWeb | None = None  # the sites, for the one-owner-per-name rule
        # Zones GetDnsZone cannot send, as gRPC refuses an answer over the message limit.
        self.too_large: set[str] = set()
        super().__init__()

    def remove_account(self, account: str) -> None:
        self.zones = {n: z for n, z in self.zones.items() if z.account != account}

    async def _zone(self, name: str, context: Context) -> dns_pb.DnsZone:
        if name not in self.zones:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"zone {name} does not exist")
        zone = self.zones[name]
        zone.serial += 1
        return zone

    def records(self, zone: str) -> dict[str, dns_pb.DnsRecord]:
        return {r.id: r for r in self.zones[zone].records}

    async def GetDnsZone(
        self, request: dns_pb.GetDnsZoneRequest, context: Context
    ) -> dns_pb.GetDnsZoneResponse:
        if request.name in self.too_large:
            await context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED, "Sent message larger than max (20971520 vs."
            )
        return dns_pb.GetDnsZoneResponse(zone=await self._zone(request.name, context))

    async def BatchGetDnsZones(
        self, request: dns_pb.BatchGetDnsZonesRequest, context: Context
    ) -> dns_pb.BatchGetDnsZonesResponse:
        zones: list[dns_pb.NamedDnsZone] = []
        for name in await self._batch(request.names, context):
            if name in self.too_large:
                why = f"RESOURCE_EXHAUSTED: {TOO_LARGE_ZONE}"
                zones.append(dns_pb.NamedDnsZone(name=name, failure=why))
            elif name not in self.zones:
                why = f"NOT_FOUND: zone {name} does not exist"
                zones.append(dns_pb.NamedDnsZone(name=name, failure=why))
            else:
                self.zones[name].serial += 1
                zones.append(dns_pb.NamedDnsZone(name=name, zone=self.zones[name]))
        return dns_pb.BatchGetDnsZonesResponse(zones=zones)

    async def ListDnsZones(
        self, request: dns_pb.ListDnsZonesRequest, context: Context
    ) -> dns_pb.ListDnsZonesResponse:
        names = sorted(n for n, z in self.zones.items() if request.account in ("", z.account))
        return dns_pb.ListDnsZonesResponse(
            zones=[dns_pb.DnsZone(name=n, account=self.zones[n].account) for n in names]
        )

    async def CreateDnsZone(
        self, request: dns_pb.CreateDnsZoneRequest, context: Context
    ) -> dns_pb.CreateDnsZoneResponse:
        await self._enter("CreateDnsZone", request.zone.name, context)
        if self.web is not None and self.web.held_by_another(
            request.zone.name, request.zone.account
        ):
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, "held by another account")
        zone = dns_pb.DnsZone()
        zone.CopyFrom(request.zone)
        zone.serial = 1
        self.zones[zone.name] = zone
        return dns_pb.CreateDnsZoneResponse(zone=zone)

    async def DeleteDnsZone(
        self, request: dns_pb.DeleteDnsZoneRequest, context: Context
    ) -> dns_pb.DeleteDnsZoneResponse:
        await self._enter("DeleteDnsZone", request.name, context)
        self.zones.pop(request.name, None)
        return dns_pb.DeleteDnsZoneResponse()

    async def CreateDnsRecord(
        self, request: dns_pb.CreateDnsRecordRequest, context: Context
    ) -> dns_pb.CreateDnsRecordResponse:
        await self._enter("CreateDnsRecord", f"{request.zone} {request.record.id}", context)
        zone = await self._zone(request.zone, context)
        zone.records.append(request.record)
        return dns_pb.CreateDnsRecordResponse(record=request.record, serial=zone.serial)

    async def UpdateDnsRecord(
        self, request: dns_pb.UpdateDnsRecordRequest, context: Context
    ) -> dns_pb.UpdateDnsRecordResponse:
        await self._enter("UpdateDnsRecord", f"{request.zone} {request.record.id}", context)
        zone = await self._zone(request.zone, context)
        for record in zone.records:
            if record.id == request.record.id:
                record.CopyFrom(request.record)
        return dns_pb.UpdateDnsRecordResponse(record=request.record, serial=zone.serial)

    async def DeleteDnsRecord(
        self, request: dns_pb.DeleteDnsRecordRequest, context: Context
    ) -> dns_pb.DeleteDnsRecordResponse:
        await self._enter("DeleteDnsRecord", f"{request.zone} {request.id}", context)
        zone = await self._zone(request.zone, context)
        kept = [r for r in zone.records if r.id != request.id]
        del zone.records[:]
        zone.records.extend(kept)
        return dns_pb.DeleteDnsRecordResponse(serial=zone.serial)

    def _challenge_zone(
        self, account: str, name: str, value: str
    ) -> tuple[str, dns_pb.DnsRecord] | None:
        """As the agent (agent/system/dns/acme_challenges.py): the closest zone holding the
        name, if it is the account's, and the TXT record with the agent's id."""
        base = name.removeprefix("_acme-challenge.")
        labels = base.split(".")
        for start in range(len(labels) - 1):
            zone = self.zones.get(".".join(labels[start:]))
            if zone is not None:
                if zone.account != account:
                    return None
                below = base.removesuffix(zone.name).removesuffix(".")
                record_id = "acme" + hashlib.sha256(f"{base} {value}".encode()).hexdigest()[:28]
                relative = "_acme-challenge" + (f".{below}" if below else "")
                record = dns_pb.DnsRecord(id=record_id, name=relative, ttl=60)
                record.txt.text = value
                return zone.name, record
        return None

    async def CreateAcmeChallengeRecord(
        self, request: dns_pb.CreateAcmeChallengeRecordRequest, context: Context
    ) -> dns_pb.CreateAcmeChallengeRecordResponse:
        await self._enter("CreateAcmeChallengeRecord", request.name, context)
        found = self._challenge_zone(request.account, request.name, request.value)
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no zone of the account holds it")
        name, record = found
        zone = await self._zone(name, context)
        zone.records.append(record)
        return dns_pb.CreateAcmeChallengeRecordResponse(zone=name, serial=zone.serial)

    async def DeleteAcmeChallengeRecord(
        self, request: dns_pb.DeleteAcmeChallengeRecordRequest, context: Context
    ) -> dns_pb.DeleteAcmeChallengeRecordResponse:
        await self._enter("DeleteAcmeChallengeRecord", request.name, context)
        found = self._challenge_zone(request.account, request.name, request.value)
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no zone of the account holds it")
        name, record = found
        zone = await self._zone(name, context)
        kept = [r for r in zone.records if r.id != record.id]
        del zone.records[:]
        zone.records.extend(kept)
        return dns_pb.DeleteAcmeChallengeRecordResponse(zone=name, serial=zone.serial)


class FakeServer(server_pb2_grpc.ServerServiceServicer):
    def __init__(self, accounts: FakeAccounts) -> None:
        self._accounts = accounts  # whether quotas are enforced is the accounts service's

    async def GetServerStatus(
        self, request: server_pb.GetServerStatusRequest, context: Context
    ) -> server_pb.GetServerStatusResponse:
        return server_pb.GetServerStatusResponse(
            status=server_pb.ServerStatus(
                hostname="panel.example",
                kernel="6.1.0",
                uptime_seconds=3600,
                cpus=2,
                load_1=0.5,
                load_5=0.25,
                load_15=0.1,
                memory_total_bytes=8 << 30,
                memory_available_bytes=6 << 30,
                filesystems=[
                    server_pb.Filesystem(path="/", total_bytes=100 << 30, available_bytes=60 << 30)
                ],
                disk_quotas_enforced=self._accounts.quotas_enforced,
            )
        )


class FakeSsh(Recorder, ssh_pb2_grpc.SshServiceServicer):
    """SshService in memory: each account's keys by fingerprint, and who may not sign in."""

    def __init__(self, accounts: FakeAccounts) -> None:
        self.accounts = accounts
        self.keys: dict[str, dict[str, ssh_pb.SshKey]] = {}
        self.off: set[str] = set()
        self.shells: set[str] = set()  # accounts with a login shell over SSH
        super().__init__()

    def remove_account(self, account: str) -> None:
        self.keys.pop(account, None)
        self.off.discard(account)
        self.shells.discard(account)

    async def _account(self, account: str, context: Context) -> None:
        if account not in self.accounts.accounts:
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION, f"account {account} does not exist"
            )

    async def ListSshKeys(
        self, request: ssh_pb.ListSshKeysRequest, context: Context
    ) -> ssh_pb.ListSshKeysResponse:
        await self._account(request.account, context)
        return ssh_pb.ListSshKeysResponse(keys=self.keys.get(request.account, {}).values())

    async def CreateSshKey(
        self, request: ssh_pb.CreateSshKeyRequest, context: Context
    ) -> ssh_pb.CreateSshKeyResponse:
        await self._enter("CreateSshKey", request.account, context)
        await self._account(request.account, context)
        try:
            key = parse_public_key(request.public_key)
        except BadKey:
            await refuse_field(context, "public_key", "not a public key")
        if not COMMENT_PATTERN.fullmatch(request.comment):
            await refuse_field(context, "comment", "not a comment")
        stored = ssh_pb.SshKey(
            fingerprint=key.fingerprint,
            type=key.type,
            bits=key.bits,
            comment=request.comment,
            public_key=key.line,
        )
        self.keys.setdefault(request.account, {})[key.fingerprint] = stored
        return ssh_pb.CreateSshKeyResponse(key=stored)

    async def DeleteSshKey(
        self, request: ssh_pb.DeleteSshKeyRequest, context: Context
    ) -> ssh_pb.DeleteSshKeyResponse:
        await self._enter("DeleteSshKey", request.account, context)
        self.keys.get(request.account, {}).pop(request.fingerprint, None)
        return ssh_pb.DeleteSshKeyResponse()

    async def GetSshAccess(
        self, request: ssh_pb.GetSshAccessRequest, context: Context
    ) -> ssh_pb.GetSshAccessResponse:
        await self._account(request.account, context)
        return ssh_pb.GetSshAccessResponse(access=self._access(request.account))

    async def BatchGetAccountSsh(
        self, request: ssh_pb.BatchGetAccountSshRequest, context: Context
    ) -> ssh_pb.BatchGetAccountSshResponse:
        described: list[ssh_pb.AccountSsh] = []
        for account in await self._batch(request.accounts, context):
            if account not in self.accounts.accounts:
                why = f"FAILED_PRECONDITION: account {account} does not exist"
                described.append(ssh_pb.AccountSsh(account=account, failure=why))
                continue
            keys = self.keys.get(account, {}).values()
            described.append(
                ssh_pb.AccountSsh(account=account, keys=keys, access=self._access(account))
            )
        return ssh_pb.BatchGetAccountSshResponse(accounts=described)

    def _access(self, account: str) -> ssh_pb.SshAccess:
        return ssh_pb.SshAccess(
            account=account, enabled=account not in self.off, shell=account in self.shells
        )

    async def UpdateSshShell(
        self, request: ssh_pb.UpdateSshShellRequest, context: Context
    ) -> ssh_pb.UpdateSshShellResponse:
        account = request.account
        await self._enter("UpdateSshShell", account, context)
        await self._account(account, context)
        if request.enabled and self.accounts.accounts[account].shell == pb.SHELL_NOLOGIN:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "nologin: no shell to give")
        if request.enabled:
            self.shells.add(account)
        else:
            self.shells.discard(account)
        return ssh_pb.UpdateSshShellResponse(access=self._access(account))

    async def UpdateSshAccess(
        self, request: ssh_pb.UpdateSshAccessRequest, context: Context
    ) -> ssh_pb.UpdateSshAccessResponse:
        account = request.access.account
        await self._enter("UpdateSshAccess", account, context)
        await self._account(account, context)
        if request.access.enabled:
            self.off.discard(account)
        else:
            self.off.add(account)
        return ssh_pb.UpdateSshAccessResponse(access=self._access(account))


def _in(repository: str, account: str) -> str:
    """The key of an account's backups: its name for the local repository, else both."""
    return f"{repository}:{account}" if repository else account


class FakeBackups(Recorder, backup_pb2_grpc.BackupServiceServicer):
    """BackupService in memory: each account's backups; a backup streams two progress messages
    and its outcome, a restore one and its outcome."""

    def __init__(self) -> None:
        self.backups: dict[str, list[backup_pb.Backup]] = {}
        self.restores: list[backup_pb.RestoreBackupRequest] = []
        # The databases each account's next backup holds (a test sets them).
        self.databases: dict[str, list[str]] = {}
        # Work running under a job id, and whether CancelBackupJob stopped it.
        self.running: dict[str, asyncio.Event] = {}
        self.forgets: list[backup_pb.ForgetBackupsRequest] = []
        self.prunes = 0
        self.cancel_asked = asyncio.Event()  # set at each CancelBackupJob
        # Remote repositories as added, with the secrets the agent would keep (never returned).
        self.repositories: dict[str, backup_pb.BackupRepository] = {}
        # What the next whole-account restores in place report of the backup's certificates:
        # the sites whose certificate was installed again, and the skipped ones (a test sets
        # them, and puts the installed ones among the served certificates).
        self.certificates_restored: list[str] = []
        self.certificates_skipped: list[str] = []
        self.secrets: dict[str, backup_pb.CreateBackupRepositoryRequest] = {}
        self.panel_dumps: dict[str, list[backup_pb.PanelDatabaseBackup]] = {}
        # What each backup holds besides files (GetBackupSettings), by backup id: the account's
        # cron jobs and zones at the time; a test may craft one. A whole-account restore in
        # place puts them back as the agent does (jobs upserted, zones' records replaced).
        self.settings: dict[str, backup_pb.GetBackupSettingsResponse] = {}
        self.cron: FakeCron | None = None
        self.dns: FakeDns | None = None
        # The uid each backup was made under (as the agent's uid= tag): a backup is its
        # account's only while an account of that name has that uid.
        self.accounts: FakeAccounts | None = None
        self.uids: dict[str, int] = {}
        self.records: dict[str, backup_pb.AccountRecords] = {}  # as BackUpAccount got them
        super().__init__()

    def remove_account(self, account: str) -> None:
        self.backups.pop(account, None)

    async def BackUpAccount(
        self, request: backup_pb.BackUpAccountRequest, context: Context
    ) -> AsyncIterator[backup_pb.BackUpAccountResponse]:
        files = backup_pb.Progress(stage=backup_pb.STAGE_FILES, percent=50, bytes_done=512)
        yield backup_pb.BackUpAccountResponse(progress=files)
        stop = self.running.setdefault(request.job_id, asyncio.Event())
        await self._enter("BackUpAccount", request.account, context)
        if stop.is_set():
            await context.abort(grpc.StatusCode.CANCELLED, "job was cancelled")
        del self.running[request.job_id]
        backup = backup_pb.Backup(
            id=secrets.token_hex(16),
            account=request.account,
            files=3,
            bytes=1024,
            databases=[
                backup_pb.BackedUpDatabase(name=name, dump_bytes=100)
                for name in self.databases.get(request.account, [])
            ],
        )
        backup.time.GetCurrentTime()
        if request.HasField("records"):
            self.records[backup.id] = request.records
        self.settings[backup.id] = self._settings_now(backup)
        self.uids[backup.id] = self._uid(request.account)
        self.backups.setdefault(_in(request.repository, request.account), []).insert(0, backup)
        done = backup_pb.Progress(stage=backup_pb.STAGE_DONE, percent=100, bytes_done=1024)
        yield backup_pb.BackUpAccountResponse(progress=done, backup=backup)

    async def CancelBackupJob(
        self, request: backup_pb.CancelBackupJobRequest, context: Context
    ) -> backup_pb.CancelBackupJobResponse:
        self.calls.append(f"CancelBackupJob {request.account}")
        self.cancel_asked.set()
        stop = self.running.get(request.job_id)
        if stop is None or stop.is_set():
            return backup_pb.CancelBackupJobResponse(cancelled=False)
        stop.set()
        return backup_pb.CancelBackupJobResponse(cancelled=True)

    async def ForgetBackups(
        self, request: backup_pb.ForgetBackupsRequest, context: Context
    ) -> backup_pb.ForgetBackupsResponse:
        """Keeps the newest keep_daily backups (the fake's backups are all of one day)."""
        await self._enter("ForgetBackups", request.account, context)
        self.forgets.append(request)
        backups = self.backups.get(request.account, [])
        keep = max(1, request.retention.keep_daily)
        forgotten = [backup.id for backup in backups[keep:]]
        self.backups[request.account] = backups[:keep]
        return backup_pb.ForgetBackupsResponse(forgotten=forgotten, kept=len(backups[:keep]))

    async def CreateBackupRepository(
        self, request: backup_pb.CreateBackupRepositoryRequest, context: Context
    ) -> backup_pb.CreateBackupRepositoryResponse:
        await self._enter("CreateBackupRepository", request.repository.name, context)
        if ".." in request.repository.sftp.path:
            await refuse_field(context, "repository.sftp.path", "must not hold '..'")
        kept = backup_pb.BackupRepository()
        kept.CopyFrom(request.repository)
        kept.secret_set = bool(request.password or request.secret_access_key)
        kept.key_fingerprint = "SHA256:" + "A" * 43 if request.private_key else ""
        self.repositories[kept.name] = kept
        self.secrets[kept.name] = request
        return backup_pb.CreateBackupRepositoryResponse(repository=kept)

    async def ListBackupRepositories(
        self, request: backup_pb.ListBackupRepositoriesRequest, context: Context
    ) -> backup_pb.ListBackupRepositoriesResponse:
        return backup_pb.ListBackupRepositoriesResponse(
            repositories=list(self.repositories.values())
        )

    async def DeleteBackupRepository(
        self, request: backup_pb.DeleteBackupRepositoryRequest, context: Context
    ) -> backup_pb.DeleteBackupRepositoryResponse:
        await self._enter("DeleteBackupRepository", request.name, context)
        self.repositories.pop(request.name, None)
        return backup_pb.DeleteBackupRepositoryResponse()

    async def BackUpPanelDatabase(
        self, request: backup_pb.BackUpPanelDatabaseRequest, context: Context
    ) -> backup_pb.BackUpPanelDatabaseResponse:
        await self._enter("BackUpPanelDatabase", request.repository or "local", context)
        dump = backup_pb.PanelDatabaseBackup(id=secrets.token_hex(32), bytes=100)
        dump.time.GetCurrentTime()
        self.panel_dumps.setdefault(request.repository, []).insert(0, dump)
        return backup_pb.BackUpPanelDatabaseResponse(backup=dump)

    async def ListPanelDatabaseBackups(
        self, request: backup_pb.ListPanelDatabaseBackupsRequest, context: Context
    ) -> backup_pb.ListPanelDatabaseBackupsResponse:
        dumps = self.panel_dumps.get(request.repository, [])
        return backup_pb.ListPanelDatabaseBackupsResponse(backups=dumps)

    async def PruneRepository(
        self, request: backup_pb.PruneRepositoryRequest, context: Context
    ) -> backup_pb.PruneRepositoryResponse:
        self.prunes += 1
        return backup_pb.PruneRepositoryResponse()

    async def ListBackups(
        self, request: backup_pb.ListBackupsRequest, context: Context
    ) -> backup_pb.ListBackupsResponse:
        owned = self._owned(request.repository, request.account, 0)
        return backup_pb.ListBackupsResponse(backups=owned)

    def _uid(self, account: str) -> int:
        known = self.accounts.accounts.get(account) if self.accounts else None
        return known.uid if known is not None else 0

    def _owned(self, repository: str, account: str, source_uid: int) -> list[backup_pb.Backup]:
        """The backups of the name made under the account's uid (or source_uid)."""
        uid = source_uid or self._uid(account)
        backups = self.backups.get(_in(repository, account), [])
        return [b for b in backups if self.uids.get(b.id, uid) == uid]

    async def ListRepositoryAccounts(
        self, request: backup_pb.ListRepositoryAccountsRequest, context: Context
    ) -> backup_pb.ListRepositoryAccountsResponse:
        found: dict[tuple[str, int], list[backup_pb.Backup]] = {}
        for key, backups in self.backups.items():
            repository, _, account = key.rpartition(":")
            if repository != request.repository:
                continue
            for backup in backups:
                uid = self.uids.get(backup.id, 0)
                if uid and uid != self._uid(account):
                    found.setdefault((account, uid), []).append(backup)
        return backup_pb.ListRepositoryAccountsResponse(
            accounts=[
                backup_pb.RepositoryAccount(
                    account=account,
                    uid=uid,
                    name_taken=bool(self._uid(account)),
                    backups=found[(account, uid)],
                )
                for account, uid in sorted(found)
            ]
        )

    async def _check_source_uid(self, source_uid: int, context: Context) -> None:
        live = {a.uid for a in self.accounts.accounts.values()} if self.accounts else set()
        if source_uid in live:
            await refuse_field(context, "source_uid", "is the uid of a user of this server")

    async def RestoreBackup(
        self, request: backup_pb.RestoreBackupRequest, context: Context
    ) -> AsyncIterator[backup_pb.RestoreBackupResponse]:
        await self._enter("RestoreBackup", request.account, context)
        await self._check_source_uid(request.source_uid, context)
        owned = self._owned(request.repository, request.account, request.source_uid)
        if request.backup_id not in {b.id for b in owned}:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such backup")
        self.restores.append(request)
        done = backup_pb.Progress(stage=backup_pb.STAGE_DONE, percent=100)
        restored = backup_pb.Restored(folder="restored-20260101T000000Z", files=3)
        if request.whole_account and request.placement == backup_pb.PLACEMENT_IN_PLACE:
            restored = self._restore_settings(request.account, request.backup_id)
        yield backup_pb.RestoreBackupResponse(progress=done, restored=restored)

    async def GetBackupSettings(
        self, request: backup_pb.GetBackupSettingsRequest, context: Context
    ) -> backup_pb.GetBackupSettingsResponse:
        await self._enter("GetBackupSettings", request.account, context)
        await self._check_source_uid(request.source_uid, context)
        owned = self._owned(request.repository, request.account, request.source_uid)
        if request.backup_id not in {b.id for b in owned}:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such backup")
        found = self.settings[request.backup_id]
        # As the agent: a zone naming another account, or whose name another holds now, is
        # left out and counted.
        kept = [zone for zone in found.zones if self._zone_is_theirs(zone, request.account)]
        reply = backup_pb.GetBackupSettingsResponse()
        reply.CopyFrom(found)
        del reply.zones[:]
        reply.zones.extend(kept)
        reply.skipped = len(found.zones) - len(kept)
        if request.backup_id in self.records:
            reply.records.CopyFrom(self.records[request.backup_id])
        return reply

    def _settings_now(self, backup: backup_pb.Backup) -> backup_pb.GetBackupSettingsResponse:
        """What a backup made now holds (the records are added when BackUpAccount got them)."""
        account = backup.account
        jobs = self.cron.jobs.get(account, {}) if self.cron else {}
        zones = [z for z in self.dns.zones.values() if z.account == account] if self.dns else []
        web = self.dns.web if self.dns else None
        sites = [d for d in web.domains.values() if d.account == account] if web else []
        return backup_pb.GetBackupSettingsResponse(
            backup=backup, cron_jobs=[jobs[k] for k in sorted(jobs)], zones=zones, sites=sites
        )

    def _zone_is_theirs(self, zone: dns_pb.DnsZone, account: str) -> bool:
        if zone.account != account or self.dns is None:
            return False
        held = self.dns.zones.get(zone.name)
        if held is not None and held.account != account:
            return False
        return self.dns.web is None or not self.dns.web.held_by_another(zone.name, account)

    def _restore_settings(self, account: str, backup_id: str) -> backup_pb.Restored:
        found = self.settings[backup_id]
        assert self.cron is not None
        assert self.dns is not None
        for job in found.cron_jobs:
            self.cron.jobs.setdefault(account, {})[job.id] = job
        zones = []
        for zone in found.zones:
            if self._zone_is_theirs(zone, account):
                served = dns_pb.DnsZone()
                served.CopyFrom(zone)
                self.dns.zones[zone.name] = served
                zones.append(zone.name)
        return backup_pb.Restored(
            folder=".",
            files=3,
            crontab=True,
            zones=zones,
            zones_skipped=len(found.zones) - len(zones),
            certificates=self.certificates_restored,
            certificates_skipped=self.certificates_skipped,
        )


class FakePanelCertificates(certificates_pb2_grpc.CertificateServiceServicer):
    """The panel's own certificate as the agent reports it: the installer's self-signed one,
    until a test sets `served` (the gateway never names the host; the agent does)."""

    HOST = "panel.example.net"

    def __init__(self) -> None:
        served = certificates_pb.PanelCertificate(
            host_name=self.HOST,
            names=[self.HOST],
            key_type=certificates_pb.KEY_TYPE_ECDSA_P256,
            issuer=f"CN={self.HOST}",
            serial="1",
            fingerprint_sha256="0" * 64,
            self_signed=True,
        )
        served.not_before.FromSeconds(1_700_000_000)
        served.not_after.FromSeconds(1_771_280_000)
        self.served: certificates_pb.PanelCertificate | None = served

    async def GetPanelCertificate(
        self, request: certificates_pb.GetPanelCertificateRequest, context: Context
    ) -> certificates_pb.GetPanelCertificateResponse:
        if self.served is None:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no panel_hostname")
        return certificates_pb.GetPanelCertificateResponse(certificate=self.served)
