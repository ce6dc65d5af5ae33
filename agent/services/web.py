"""WebDomainService: websites as nginx server blocks and PHP-FPM pools (system/web/domains.py).

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes. Field names in INVALID_ARGUMENT
messages are the request's paths (`domain.aliases[2]`, `domain.redirect.url`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

import grpc.aio
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.config import AgentConfig
from agent.errors import InvalidArgument, NotFound
from agent.system.names import NameOwners, name_owners
from agent.system.web import php_fpm, webroots
from agent.system.web.domains import WebDomains, web_domains
from agent.system.web.logs import Cursor, SiteLogs
from agent.system.web.records import (
    Backend,
    PhpBackend,
    ProxyBackend,
    RedirectBackend,
    Site,
    SocketBackend,
    StaticBackend,
)
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators import web as web_validators
from agent.validators.accounts import AccountName
from agent.validators.web import PhpSettings

SERVICE_NAME: Final[str] = web_pb2.DESCRIPTOR.services_by_name["WebDomainService"].full_name

_UPDATE_PATHS: Final = frozenset({"aliases", "backend", "log_retention_days"})
_REDIRECT_CODES: Final[dict[int, web_pb2.RedirectCode.ValueType]] = {
    status: code for code, status in web_validators.REDIRECT_STATUSES.items()
}

Context = grpc.aio.ServicerContext[Any, Any]


@dataclass(frozen=True)
class BackendRules:
    """What the configuration allows of proxy backends."""

    proxy_ports: web_validators.PortRanges
    socket_root: str

    @classmethod
    def from_config(cls, config: AgentConfig) -> BackendRules:
        return cls(config.proxy_ports, str(config.app_socket_dir))


class WebDomainServicer(web_pb2_grpc.WebDomainServiceServicer):
    def __init__(
        self, domains: WebDomains, owners: NameOwners, rules: BackendRules, logs: SiteLogs
    ) -> None:
        self._domains = domains
        self._owners = owners
        self._rules = rules
        self._logs = logs

    async def GetWebDomain(
        self, request: web_pb2.GetWebDomainRequest, context: Context
    ) -> web_pb2.GetWebDomainResponse:
        site = await self._domains.get(common_validators.hostname(request.name))
        return web_pb2.GetWebDomainResponse(domain=_domain(site))

    async def ListWebDomains(
        self, request: web_pb2.ListWebDomainsRequest, context: Context
    ) -> web_pb2.ListWebDomainsResponse:
        account = accounts_validators.account_filter(request.account)
        size = common_validators.page_size(request.page_size)
        after = common_validators.page_token(request.page_token, common_validators.HOSTNAME_PATTERN)
        sites, more = await self._domains.page(account, after, size)
        token = common_validators.encode_page_token(sites[-1].name) if more else ""
        return web_pb2.ListWebDomainsResponse(
            domains=[_domain(site) for site in sites], next_page_token=token
        )

    async def CreateWebDomain(
        self, request: web_pb2.CreateWebDomainRequest, context: Context
    ) -> web_pb2.CreateWebDomainResponse:
        domain = request.domain
        name = common_validators.hostname(domain.name, "domain.name")
        account = accounts_validators.account_name(domain.account, "domain.account")
        site = Site(
            name=name,
            account=account,
            aliases=web_validators.aliases(domain.aliases, name, "domain.aliases"),
            backend=_backend(domain, account, self._rules),
            log_retention_days=web_validators.log_retention(
                domain.log_retention_days, "domain.log_retention_days"
            ),
        )
        with (
            self._owners.claiming([site.name], site.account, "domain.name"),
            self._owners.claiming(site.aliases, site.account, "domain.aliases"),
        ):
            created = await self._domains.create(site)
        return web_pb2.CreateWebDomainResponse(domain=_domain(created))

    async def UpdateWebDomain(
        self, request: web_pb2.UpdateWebDomainRequest, context: Context
    ) -> web_pb2.UpdateWebDomainResponse:
        domain = request.domain
        name = common_validators.hostname(domain.name, "domain.name")
        paths = common_validators.field_mask(
            request.update_mask.paths, _UPDATE_PATHS, "update_mask"
        )
        # Every named field is validated before anything changes.
        aliases = (
            web_validators.aliases(domain.aliases, name, "domain.aliases")
            if "aliases" in paths
            else None
        )
        retention = (
            web_validators.log_retention(domain.log_retention_days, "domain.log_retention_days")
            if "log_retention_days" in paths
            else None
        )
        if retention is not None:
            site = await self._domains.set_log_retention(name, retention)
            if paths == {"log_retention_days"}:
                return web_pb2.UpdateWebDomainResponse(domain=_domain(site))
        backend = None
        if "backend" in paths:
            # A socket must lie in the folder of the account that holds the domain now.
            account = (await self._domains.get(name)).account
            backend = _backend(domain, account, self._rules)
        if aliases is None:
            site = await self._domains.update(name, aliases=None, backend=backend)
            return web_pb2.UpdateWebDomainResponse(domain=_domain(site))
        current = await self._domains.get(name)
        # A zone lives only while its account holds the name: an alias with a zone stays.
        self._owners.check_no_zone(set(current.aliases) - set(aliases), current.account)
        with self._owners.claiming(aliases, current.account, "domain.aliases"):
            site = await self._domains.update(name, aliases=aliases, backend=backend)
        return web_pb2.UpdateWebDomainResponse(domain=_domain(site))

    async def SuspendWebDomain(
        self, request: web_pb2.SuspendWebDomainRequest, context: Context
    ) -> web_pb2.SuspendWebDomainResponse:
        site = await self._domains.set_suspended(common_validators.hostname(request.name), True)
        return web_pb2.SuspendWebDomainResponse(domain=_domain(site))

    async def UnsuspendWebDomain(
        self, request: web_pb2.UnsuspendWebDomainRequest, context: Context
    ) -> web_pb2.UnsuspendWebDomainResponse:
        site = await self._domains.set_suspended(common_validators.hostname(request.name), False)
        return web_pb2.UnsuspendWebDomainResponse(domain=_domain(site))

    async def DeleteWebDomain(
        self, request: web_pb2.DeleteWebDomainRequest, context: Context
    ) -> web_pb2.DeleteWebDomainResponse:
        name = common_validators.hostname(request.name)
        try:
            site = await self._domains.get(name)
        except NotFound:
            return web_pb2.DeleteWebDomainResponse()  # deleting what is gone succeeds
        self._owners.check_no_zone(site.hostnames, site.account)
        await self._domains.delete(name, delete_files=request.delete_files)
        return web_pb2.DeleteWebDomainResponse()

    async def ListPhpVersions(
        self, request: web_pb2.ListPhpVersionsRequest, context: Context
    ) -> web_pb2.ListPhpVersionsResponse:
        return web_pb2.ListPhpVersionsResponse(versions=php_fpm.installed_versions())

    async def SetPhpPoolLimits(
        self, request: web_pb2.SetPhpPoolLimitsRequest, context: Context
    ) -> web_pb2.SetPhpPoolLimitsResponse:
        account = accounts_validators.account_name(request.account, "account")
        limits = php_fpm.PoolLimits(
            pm=web_validators.process_manager(request.pm),
            max_children=web_validators.max_children(request.max_children),
            open_basedir=not request.without_open_basedir,
        )
        await self._domains.set_pool_limits(account, limits)
        return web_pb2.SetPhpPoolLimitsResponse()

    async def ListPhpPoolLimits(
        self, request: web_pb2.ListPhpPoolLimitsRequest, context: Context
    ) -> web_pb2.ListPhpPoolLimitsResponse:
        return web_pb2.ListPhpPoolLimitsResponse(
            limits=[
                web_pb2.PhpPoolLimits(
                    account=account,
                    pm=web_validators.PROCESS_MANAGER_VALUES[limits.pm],
                    max_children=limits.max_children,
                    without_open_basedir=not limits.open_basedir,
                )
                for account, limits in self._domains.pool_limits().items()
            ]
        )

    async def ReadSiteLog(
        self, request: web_pb2.ReadSiteLogRequest, context: Context
    ) -> web_pb2.ReadSiteLogResponse:
        name = common_validators.hostname(request.name)
        log = web_validators.site_log(request.log)
        count = web_validators.log_lines(request.lines)
        contains = web_validators.log_search(request.contains)
        # The account whose tree is read is the one holding the domain now, never a request's.
        site = await self._domains.get(name)
        found = await self._logs.read(site, log, count, contains)
        return web_pb2.ReadSiteLogResponse(lines=found.lines, truncated=found.truncated)

    async def FollowSiteLog(
        self, request: web_pb2.FollowSiteLogRequest, context: Context
    ) -> AsyncIterator[web_pb2.FollowSiteLogResponse]:
        name = common_validators.hostname(request.name)
        log = web_validators.site_log(request.log)
        cursor = (
            Cursor(request.cursor.inode, request.cursor.offset)
            if request.HasField("cursor")
            else None
        )
        site = await self._domains.get(name)
        async for lines, at in self._logs.follow(site, log, cursor):
            yield web_pb2.FollowSiteLogResponse(
                lines=lines, cursor=web_pb2.LogCursor(inode=at.inode, offset=at.offset)
            )


async def prepare(config: AgentConfig) -> None:
    """Every PHP-FPM master that has pools runs before the first request (PhpPools.start)."""
    await php_fpm.PhpPools(php_fpm.PhpSettings.from_config(config)).start()


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = WebDomainServicer(
        web_domains(config),
        name_owners(config),
        BackendRules.from_config(config),
        SiteLogs(config.web_log_dir),
    )
    web_pb2_grpc.add_WebDomainServiceServicer_to_server(servicer, server)


def _backend(domain: web_pb2.WebDomain, account: AccountName, rules: BackendRules) -> Backend:
    kind = domain.WhichOneof("backend")
    if kind == "static":
        return StaticBackend()
    if kind == "php":
        installed = php_fpm.installed_versions()
        return PhpBackend(
            web_validators.php_version(domain.php.version, installed, "domain.php.version"),
            web_validators.php_settings_of(domain.php.settings, "domain.php.settings"),
        )
    if kind == "proxy":
        return _proxy(domain.proxy, account, rules)
    if kind == "redirect":
        redirect = domain.redirect
        url = web_validators.redirect_url(
            redirect.url, "domain.redirect.url", preserve_path=redirect.preserve_path
        )
        status = web_validators.redirect_status(redirect.code, "domain.redirect.code")
        return RedirectBackend(url, status, redirect.preserve_path)
    raise InvalidArgument("domain.backend", "must set one of static, php, proxy or redirect")


def _proxy(proxy: web_pb2.ProxyBackend, account: AccountName, rules: BackendRules) -> Backend:
    target = proxy.WhichOneof("target")
    if target == "socket_path":
        return SocketBackend(
            web_validators.app_socket(
                proxy.socket_path, account, rules.socket_root, "domain.proxy.socket_path"
            )
        )
    if target == "port":
        return ProxyBackend(
            web_validators.allowed_proxy_port(proxy.port, rules.proxy_ports, "domain.proxy.port")
        )
    raise InvalidArgument("domain.proxy", "must set socket_path or port")


def _domain(site: Site) -> web_pb2.WebDomain:
    domain = web_pb2.WebDomain(
        name=site.name,
        account=site.account,
        aliases=site.aliases,
        suspended=site.offline,
        document_root=str(webroots.document_root(site.account, site.name)),
        log_retention_days=site.log_retention_days,
    )
    match site.backend:
        case StaticBackend():
            domain.static.SetInParent()
        case PhpBackend(version, settings):
            domain.php.version = version
            if settings != PhpSettings():
                domain.php.settings.CopyFrom(
                    web_pb2.PhpSettings(
                        **settings.numbers(), display_errors=settings.display_errors
                    )
                )
        case ProxyBackend(port):
            domain.proxy.port = port
        case SocketBackend(path):
            domain.proxy.socket_path = path
        case RedirectBackend(url, status, preserve_path):
            domain.redirect.url = url
            domain.redirect.code = _REDIRECT_CODES[status]
            domain.redirect.preserve_path = preserve_path
    return domain


# The wire form of a site, shared with BackupService.GetBackupSettings.
domain_message = _domain
