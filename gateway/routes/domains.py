"""Websites: an owner manages its own domains; administrators manage every account's.

Like accounts, a domain is recorded as pending, applied through the agent, then marked active
or its record removed, so no record claims a site that the server does not serve.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self

import grpc
from aiohttp import web
from jopanel.agent.dns.v1 import dns_pb2
from jopanel.agent.web.v1 import web_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.errors import InvalidArgument
from agent.validators.web import SOCKET_PATH_MAX, allowed_proxy_port
from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Access, Call, Operation, Owned, json_response
from gateway.consistency import applying
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import Problem, conflict, field_error, not_found, plan_limit
from gateway.routes.dns_zones import create_zone
from gateway.scope import account_filter, account_for
from gateway.server_names import check_not_reserved
from gateway.store import accounts, domains, names
from gateway.store.plans import LimitReached
from gateway.suspensions import (
    SuspendRequest,
    SuspensionInfo,
    account_suspended,
    refuse_owner_over_admin,
    suspension_by,
    suspension_of,
)
from gateway.validation import (
    AccountName,
    HostName,
    Port,
    RedirectUrl,
    to_host_name,
    unicode_host_name,
)
from jopanel_rules.web import MAX_ALIASES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhpBackend(_Strict):
    type: Literal["php"]
    version: Annotated[str, Field(pattern=r"^[0-9]\.[0-9]{1,2}$", examples=["8.2"])]


class StaticBackend(_Strict):
    type: Literal["static"]


class ProxyBackend(_Strict):
    """Exactly one of socket_path and port."""

    type: Literal["proxy"]
    socket_path: Annotated[
        str | None,
        Field(
            max_length=SOCKET_PATH_MAX,
            pattern=r"^/[a-z0-9._/-]+\.sock$",
            examples=["/home/.apps/alice/shop.sock"],
            description="The account's application listening on a Unix socket in its socket"
            " folder: /home/.apps/<account>/<name>.sock (the safe choice: no other account can"
            " take it)",
        ),
    ] = None
    port: Port | None = Field(
        default=None,
        description="An application listening on 127.0.0.1 at this port, where the server"
        " allows it (none by default; never the server's own services' ports)",
    )

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.socket_path is None) == (self.port is None):
            raise ValueError("set either socket_path or port")
        return self


class RedirectBackend(_Strict):
    type: Literal["redirect"]
    url: RedirectUrl
    code: Literal[301, 302] = 301
    preserve_path: bool = False


Backend = Annotated[
    PhpBackend | StaticBackend | ProxyBackend | RedirectBackend, Field(discriminator="type")
]
Aliases = Annotated[list[HostName], Field(max_length=MAX_ALIASES)]


class DomainCreate(_Strict):
    name: HostName
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )
    aliases: Aliases = []
    backend: Backend | None = Field(default=None, description="Default: PHP, newest version")
    dns_zone: bool = Field(
        default=False, description="Also serve a DNS zone for it, with default records"
    )


class DomainUpdate(_Strict):
    aliases: Aliases | None = None
    backend: Backend | None = None


class DomainMove(_Strict):
    account: AccountName = Field(description="The account that receives the name")


class DomainQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""
    q: Annotated[str, Field(max_length=253, pattern=r"^[a-z0-9.-]*$")] = ""


class Domain(BaseModel):
    name: str
    unicode_name: str
    account: str
    aliases: list[str]
    backend: Backend
    status: Literal["pending", "active", "suspended", "deleting"]
    suspension: SuspensionInfo | None = Field(
        default=None, description="Who suspended it and why, while it is suspended"
    )
    document_root: str
    created_at: datetime
    updated_at: datetime


class DomainPage(BaseModel):
    items: list[Domain]
    next_page_token: str | None


class PhpVersions(BaseModel):
    versions: list[str]


class DeleteQuery(_Strict):
    keep_files: bool = False


def backend_of(row: Row) -> Backend:
    kind = row["backend"]
    if kind == "php":
        return PhpBackend(type="php", version=row["php_version"])
    if kind == "proxy":
        return ProxyBackend(type="proxy", port=row["proxy_port"], socket_path=row["proxy_socket"])
    if kind == "redirect":
        return RedirectBackend(
            type="redirect",
            url=row["redirect_url"],
            code=row["redirect_code"],
            preserve_path=bool(row["redirect_preserve_path"]),
        )
    return StaticBackend(type="static")


def domain_of(row: Row, *, admin_view: bool = False) -> Domain:
    return Domain(
        name=row["name"],
        unicode_name=unicode_host_name(row["name"]),
        account=row["account"],
        aliases=domains.aliases_of(row),
        backend=backend_of(row),
        status=row["status"],
        suspension=suspension_of(row, admin_view=admin_view),
        document_root=f"/home/{row['account']}/web/{row['name']}/public_html",
        created_at=row["created_at"].replace(tzinfo=UTC),
        updated_at=row["updated_at"].replace(tzinfo=UTC),
    )


def _columns(backend: Backend) -> dict[str, Any]:
    columns: dict[str, Any] = {"backend": backend.type}
    if isinstance(backend, PhpBackend):
        columns["php_version"] = backend.version
    elif isinstance(backend, ProxyBackend):
        columns["proxy_port"] = backend.port
        columns["proxy_socket"] = backend.socket_path
    elif isinstance(backend, RedirectBackend):
        columns |= {
            "redirect_url": backend.url,
            "redirect_code": backend.code,
            "redirect_preserve_path": backend.preserve_path,
        }
    return columns


def _spec(name: str, account: str, aliases: list[str], backend: Backend) -> pb.WebDomain:
    spec = pb.WebDomain(name=name, account=account, aliases=aliases)
    if isinstance(backend, PhpBackend):
        spec.php.version = backend.version
    elif isinstance(backend, ProxyBackend):
        if backend.socket_path is not None:
            spec.proxy.socket_path = backend.socket_path
        else:
            spec.proxy.port = backend.port or 0
    elif isinstance(backend, RedirectBackend):
        spec.redirect.url = backend.url
        spec.redirect.code = (
            pb.REDIRECT_CODE_PERMANENT if backend.code == 301 else pb.REDIRECT_CODE_TEMPORARY
        )
        spec.redirect.preserve_path = backend.preserve_path
    else:
        spec.static.SetInParent()
    return spec


async def _php_versions(call: Call) -> list[str]:
    reply = await call.agent.web.ListPhpVersions(
        pb.ListPhpVersionsRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    return list(reply.versions)


async def _checked_backend(call: Call, backend: Backend | None) -> Backend:
    """The requested backend with its PHP version installed, its proxy port allowed; PHP's
    newest when none is asked."""
    if isinstance(backend, ProxyBackend) and backend.port is not None:
        try:
            allowed_proxy_port(backend.port, call.config.proxy_ports, "backend.port")
        except InvalidArgument as exc:
            raise field_error(exc.field, exc.description) from exc
    if backend is not None and not isinstance(backend, PhpBackend):
        return backend
    versions = await _php_versions(call)
    if backend is None:
        return (
            PhpBackend(type="php", version=versions[0])
            if versions
            else StaticBackend(type="static")
        )
    if backend.version not in versions:
        installed = ", ".join(versions) or "none"
        raise field_error(
            "backend.version", f"PHP {backend.version} is not installed (installed: {installed})"
        )
    return backend


def _check_aliases(name: str, aliases: list[str]) -> None:
    if name in aliases:
        raise field_error("aliases", "must not repeat the domain's own name")
    if len(set(aliases)) != len(aliases):
        raise field_error("aliases", "must not list a name twice")


def _names_taken(exc: domains.NamesTaken) -> Problem:
    return conflict(f"Already served by another domain: {', '.join(exc.names)}.")


def _zone_served(exc: domains.ZoneServed) -> Problem:
    return conflict(
        f"The DNS zone '{exc.zone}' is served for this name; delete the zone first"
        " (a zone lives only while its account holds the name)."
    )


async def find_domain(call: Call) -> Owned | None:
    try:
        name = to_host_name(call.param("name"))
    except ValueError:
        return None
    row = await domains.get(call.db, name)
    return Owned(row["account"], row) if row else None


def _found(call: Call) -> Row:
    return call.found(dict, f"Domain '{call.param('name')}'")


async def _reply(call: Call, name: str, status: int = 200) -> web.Response:
    row = await domains.get(call.db, name)
    assert row is not None
    return json_response(domain_of(row, admin_view=call.me.is_admin), status)


async def list_domains(call: Call) -> web.StreamResponse:
    query = call.query_as(DomainQuery)
    account = await account_filter(call, query.account)
    account_id = account.id if account else None
    after = decode_token(query.page_token, "after", str) or ""
    rows = await domains.page(
        call.db,
        after=after,
        prefix=query.q,
        account_id=account_id,
        limit=query.limit + 1,
    )
    rows, token = page_of(rows, query.limit, "name")
    return json_response(
        DomainPage(
            items=[domain_of(r, admin_view=call.me.is_admin) for r in rows], next_page_token=token
        )
    )


async def create_domain(call: Call) -> web.StreamResponse:
    body = call.body_as(DomainCreate)
    account = await account_for(call, body.account)
    _check_aliases(body.name, body.aliases)
    check_not_reserved(call, "name", [body.name])
    check_not_reserved(call, "aliases", body.aliases)
    async with call.audited("domain.create", body.name):
        backend = await _checked_backend(call, body.backend)
        try:
            domain_id = await domains.insert_pending(
                call.db, account.id, body.name, body.aliases, _columns(backend)
            )
        except domains.NamesTaken as exc:
            raise _names_taken(exc) from exc
        except names.NameHeld as exc:
            raise conflict(str(exc)) from exc
        except LimitReached as exc:
            raise plan_limit(exc) from exc
        spec = _spec(body.name, account.name, body.aliases, backend)
        async with applying(undo=lambda: domains.delete(call.db, domain_id)):
            await call.agent.web.CreateWebDomain(
                pb.CreateWebDomainRequest(domain=spec), timeout=CALL_TIMEOUT_SECONDS
            )
        await domains.set_status(call.db, domain_id, "active")
        if body.dns_zone:
            # The site is online by now; a zone that fails is reported and can be retried
            # through /dns-zones on its own.
            await create_zone(call, account, body.name, with_defaults=True)
    return await _reply(call, body.name, 201)


async def get_domain(call: Call) -> web.StreamResponse:
    return json_response(domain_of(_found(call), admin_view=call.me.is_admin))


async def update_domain(call: Call) -> web.StreamResponse:
    body = call.body_as(DomainUpdate)
    row = _found(call)
    old_aliases = domains.aliases_of(row)
    aliases = old_aliases if body.aliases is None else body.aliases
    _check_aliases(row["name"], aliases)
    check_not_reserved(call, "aliases", aliases)
    async with call.audited("domain.update", row["name"]):
        backend = (
            backend_of(row) if body.backend is None else await _checked_backend(call, body.backend)
        )
        if body.aliases is not None:
            try:
                await domains.replace_aliases(call.db, row, aliases)
            except domains.NamesTaken as exc:
                raise _names_taken(exc) from exc
            except names.NameHeld as exc:
                raise conflict(str(exc)) from exc
            except domains.ZoneServed as exc:
                raise _zone_served(exc) from exc
            except LimitReached as exc:
                raise plan_limit(exc) from exc
        request = pb.UpdateWebDomainRequest(
            domain=_spec(row["name"], row["account"], aliases, backend)
        )
        request.update_mask.paths.extend(["aliases", "backend"])
        try:
            await call.agent.web.UpdateWebDomain(request, timeout=CALL_TIMEOUT_SECONDS)
        except (grpc.aio.AioRpcError, Problem):
            if body.aliases is not None:
                await domains.replace_aliases(call.db, row, old_aliases)
            raise
        await domains.set_backend(call.db, row["id"], _columns(backend))
    return await _reply(call, row["name"])


async def delete_domain(call: Call) -> web.StreamResponse:
    query = call.query_as(DeleteQuery)
    row = _found(call)
    async with call.audited("domain.delete", row["name"]):
        try:
            await domains.begin_delete(call.db, row)
        except domains.ZoneServed as exc:
            raise _zone_served(exc) from exc
        async with applying(undo=lambda: domains.set_status(call.db, row["id"], row["status"])):
            await call.agent.web.DeleteWebDomain(
                pb.DeleteWebDomainRequest(name=row["name"], delete_files=not query.keep_files),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await domains.delete(call.db, row["id"])
    return web.Response(status=204)


async def suspend_domain(call: Call) -> web.StreamResponse:
    body = call.body_as(SuspendRequest)
    row = _found(call)
    # An owner suspending again must not turn an administrator's suspension into its own.
    refuse_owner_over_admin(call.me, row, f"Domain '{row['name']}'")
    async with call.audited("domain.suspend", row["name"], detail=body.reason or ""):
        await call.agent.web.SuspendWebDomain(
            pb.SuspendWebDomainRequest(name=row["name"]), timeout=CALL_TIMEOUT_SECONDS
        )
        await domains.set_suspended(call.db, row["id"], suspension_by(call.me, body))
    return await _reply(call, row["name"])


async def unsuspend_domain(call: Call) -> web.StreamResponse:
    row = _found(call)
    refuse_owner_over_admin(call.me, row, f"Domain '{row['name']}'")
    account = await accounts.get(call.db, row["account"])
    if account is not None and account.status == "suspended":
        raise account_suspended(call.me)
    async with call.audited("domain.unsuspend", row["name"]):
        await call.agent.web.UnsuspendWebDomain(
            pb.UnsuspendWebDomainRequest(name=row["name"]), timeout=CALL_TIMEOUT_SECONDS
        )
        await domains.set_active(call.db, row["id"])
    return await _reply(call, row["name"])


async def move_domain(call: Call) -> web.StreamResponse:
    """An administrator gives a name to another account (a dispute settled, docs/security.md):
    the domain with its aliases, the account's domains below its names and the zones at or
    below them. On the server it is a re-creation under the new owner: zones and sites are
    taken down, then made again for the new account with the same aliases, backend and
    records; the files stay in the old account's home and the new site starts empty."""
    body = call.body_as(DomainMove)
    row = _found(call)
    target = await accounts.get(call.db, body.account)
    if target is None:
        raise not_found(f"Account '{body.account}'")
    if target.id == row["account_id"]:
        return await _reply(call, row["name"])
    detail = f"from {row['account']} to {body.account}"
    async with call.audited("domain.move", row["name"], detail):
        try:
            async with domains.moving(call.db, row, target.id) as move:
                await _recreate(call, move, body.account)
        except names.NameHeld as exc:
            raise conflict(
                f"{exc} Move the name above it instead, with everything below it."
            ) from exc
    return await _reply(call, row["name"])


async def _recreate(call: Call, move: domains.Move, account: str) -> None:
    """Every step is idempotent: a move that failed halfway is repeated by moving again."""
    records: dict[str, list[dns_pb2.DnsRecord]] = {}
    for zone in move.zones:
        try:
            reply = await call.agent.dns.GetDnsZone(
                dns_pb2.GetDnsZoneRequest(name=zone), timeout=CALL_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            records[zone] = []  # not served (a move that failed before): made again, empty
        else:
            records[zone] = list(reply.zone.records)
        await call.agent.dns.DeleteDnsZone(
            dns_pb2.DeleteDnsZoneRequest(name=zone), timeout=CALL_TIMEOUT_SECONDS
        )
    for row in move.domains:
        await call.agent.web.DeleteWebDomain(
            pb.DeleteWebDomainRequest(name=row["name"], delete_files=False),
            timeout=CALL_TIMEOUT_SECONDS,
        )
    for row in move.domains:
        spec = _spec(row["name"], account, domains.aliases_of(row), backend_of(row))
        await call.agent.web.CreateWebDomain(
            pb.CreateWebDomainRequest(domain=spec), timeout=CALL_TIMEOUT_SECONDS
        )
        if row["status"] == "suspended":
            await call.agent.web.SuspendWebDomain(
                pb.SuspendWebDomainRequest(name=row["name"]), timeout=CALL_TIMEOUT_SECONDS
            )
    for zone, zone_records in records.items():
        await call.agent.dns.CreateDnsZone(
            dns_pb2.CreateDnsZoneRequest(
                zone=dns_pb2.DnsZone(name=zone, account=account, records=zone_records)
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )


async def list_php_versions(call: Call) -> web.StreamResponse:
    return json_response(PhpVersions(versions=await _php_versions(call)))


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
