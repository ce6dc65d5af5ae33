"""Websites: an owner manages its own domains; administrators manage every account's.

The flows live in gateway/services/domains.py; here are the operations and the checks of a
request's own input (names of this server, the proxy ports this server allows).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.backends import AnyBackend, ProxyBackend, columns_of
from gateway.context import Context
from gateway.models.domains import (
    DeleteQuery,
    Domain,
    DomainCreate,
    DomainMove,
    DomainPage,
    DomainQuery,
    DomainUpdate,
    PhpVersions,
    domain_of,
)
from gateway.models.suspensions import SuspendRequest
from gateway.problems import field_error
from gateway.scope import account_for, account_page
from gateway.server_names import check_not_reserved
from gateway.services import domains as service
from gateway.services.suspensions import suspension_by
from gateway.store.domains import BackendColumns, DomainRecord
from gateway.store.tenants import Tenants
from gateway.validation import to_host_name
from jopanel_rules import RuleError
from jopanel_rules.hostnames import check_wildcard
from jopanel_rules.web import check_proxy_port


async def find_domain(call: Call) -> Owned | None:
    try:
        name = to_host_name(call.param("name"))
    except ValueError:
        return None
    domain = await service.get(call.context, name)
    return Owned(domain.account, domain) if domain else None


def _domain(call: Call[Any, Any]) -> DomainRecord:
    return call.found(DomainRecord, f"Domain '{call.param('name')}'")


def _reply(call: Call[Any, Any], domain: DomainRecord, status: int = 200) -> web.Response:
    return json_response(domain_of(domain, admin_view=call.me.is_admin), status)


def _check_names(call: Call[Any, Any], name: str, aliases: list[str], *, new: bool) -> None:
    if name in aliases:
        raise field_error("aliases", "must not repeat the domain's own name")
    if len(set(aliases)) != len(aliases):
        raise field_error("aliases", "must not list a name twice")
    if new:
        check_not_reserved(call, "name", [name])
    check_not_reserved(call, "aliases", aliases)
    for alias in aliases:
        try:
            check_wildcard(alias, name, aliases)
        except RuleError as exc:
            raise field_error("aliases", f"'{alias}': {exc}") from exc


def _backend(call: Call[Any, Any], backend: AnyBackend | None) -> BackendColumns | None:
    """The body's backend as recorded, its proxy port one this server allows."""
    if backend is None:
        return None
    if isinstance(backend, ProxyBackend) and backend.port is not None:
        try:
            check_proxy_port(backend.port, call.config.proxy_ports)
        except RuleError as exc:
            raise field_error("backend.port", str(exc)) from exc
    return columns_of(backend)


async def list_domains(call: Call[NoBody, DomainQuery]) -> web.StreamResponse:
    query = call.query

    def fetch(
        ctx: Context, tenants: Tenants, after: str, limit: int
    ) -> Awaitable[list[DomainRecord]]:
        return service.page(ctx, tenants, after=after, prefix=query.q, limit=limit)

    domains, token = await account_page(call, query, fetch, "name")
    items = [domain_of(d, admin_view=call.me.is_admin) for d in domains]
    return json_response(DomainPage(items=items, next_page_token=token))


async def create_domain(call: Call[DomainCreate]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    _check_names(call, body.name, body.aliases, new=True)
    zone_address = call.config.server_ipv4 if body.dns_zone else None
    domain = await service.create(
        call.context,
        account,
        body.name,
        body.aliases,
        _backend(call, body.backend),
        zone_address=zone_address,
    )
    return _reply(call, domain, 201)


async def get_domain(call: Call) -> web.StreamResponse:
    return _reply(call, _domain(call))


async def update_domain(call: Call[DomainUpdate]) -> web.StreamResponse:
    body, domain = call.body, _domain(call)
    aliases = domain.aliases if body.aliases is None else body.aliases
    _check_names(call, domain.name, aliases, new=False)
    backend = _backend(call, body.backend)
    return _reply(call, await service.update(call.context, domain, body.aliases, backend))


async def delete_domain(call: Call[NoBody, DeleteQuery]) -> web.StreamResponse:
    await service.delete(call.context, _domain(call), keep_files=call.query.keep_files)
    return web.Response(status=204)


async def suspend_domain(call: Call[SuspendRequest]) -> web.StreamResponse:
    suspension = suspension_by(call.me, call.body.reason)
    return _reply(call, await service.suspend(call.context, _domain(call), suspension))


async def unsuspend_domain(call: Call) -> web.StreamResponse:
    return _reply(call, await service.unsuspend(call.context, _domain(call)))


async def move_domain(call: Call[DomainMove]) -> web.StreamResponse:
    return _reply(call, await service.move(call.context, _domain(call), call.body.account))


async def list_php_versions(call: Call) -> web.StreamResponse:
    return json_response(PhpVersions(versions=await service.php_versions(call.context)))


_ONE = "/api/v1/domains/{name}"
_OWNED: dict[str, Any] = {"access": Access.SIGNED_IN, "owner": find_domain}
operations = [
    Operation(
        "GET",
        "/api/v1/domains",
        list_domains,
        "listDomains",
        "List domains in name order (an owner's own; administrators may filter)",
        "domains",
        Access.SIGNED_IN,
        query=DomainQuery,
        response=DomainPage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/domains",
        create_domain,
        "createDomain",
        "Put a website online",
        "domains",
        Access.SIGNED_IN,
        body=DomainCreate,
        response=Domain,
        status=201,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_domain,
        "getDomain",
        "One domain",
        "domains",
        **_OWNED,
        response=Domain,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_domain,
        "updateDomain",
        "Change a domain's aliases or backend",
        "domains",
        **_OWNED,
        body=DomainUpdate,
        response=Domain,
        errors=(403, 404, 409),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_domain,
        "deleteDomain",
        "Stop serving a domain (and remove its files unless keep_files); 409 while a DNS zone"
        " is served for its name or an alias",
        "domains",
        **_OWNED,
        query=DeleteQuery,
        status=204,
        errors=(404, 409),
    ),
    Operation(
        "POST",
        _ONE + "/suspend",
        suspend_domain,
        "suspendDomain",
        "Serve a 'suspended' page instead of the site (an administrator's suspension can be"
        " lifted only by an administrator)",
        "domains",
        **_OWNED,
        body=SuspendRequest,
        body_optional=True,
        response=Domain,
        errors=(400, 403, 404),
    ),
    Operation(
        "POST",
        _ONE + "/unsuspend",
        unsuspend_domain,
        "unsuspendDomain",
        "Serve the site again (403 for an owner when an administrator suspended the site or"
        " its account)",
        "domains",
        **_OWNED,
        response=Domain,
        errors=(403, 404, 409),
    ),
    Operation(
        "POST",
        _ONE + "/move",
        move_domain,
        "moveDomain",
        "Give a domain, with its aliases and everything of its account below them (domains,"
        " DNS zones), to another account (administrators: settling a dispute over a name)",
        "domains",
        Access.ADMIN,
        owner=find_domain,
        body=DomainMove,
        response=Domain,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        "/api/v1/php-versions",
        list_php_versions,
        "listPhpVersions",
        "The PHP versions installed on the server, newest first",
        "domains",
        Access.SIGNED_IN,
        response=PhpVersions,
    ),
]
