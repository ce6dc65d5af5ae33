"""Websites: the flows that record a domain, have the agent serve it, and settle the record.

Like accounts, a domain is recorded as pending, applied through the agent, then marked active
or its record removed, so no record claims a site that the server does not serve. The agent
checks every backend itself (an installed PHP version, an allowed port, the account's own
socket); its refusal reaches the client as a 400 on the body's `backend` field.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import grpc
from jopanel.agent.dns.v1 import dns_pb2
from jopanel.agent.web.v1 import web_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.backends import site_spec
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import Problem, conflict, not_found, plan_limit
from gateway.services import dns_zones
from gateway.services.suspensions import account_suspended, refuse_owner_over_admin
from gateway.store import accounts, names
from gateway.store import domains as store
from gateway.store import plans as plans_store
from gateway.store.accounts import AccountRecord
from gateway.store.domains import BackendColumns, DomainRecord
from gateway.store.plans import LimitReached
from gateway.store.suspensions import Suspension
from gateway.store.tenants import Tenants


async def get(ctx: Context, name: str) -> DomainRecord | None:
    return await store.get(ctx.db, name)


async def page(
    ctx: Context, tenants: Tenants, *, after: str, prefix: str, limit: int
) -> list[DomainRecord]:
    """Domains in name order after `after` whose names start with `prefix`: one account's, or
    every account's."""
    return await store.page(ctx.db, after=after, prefix=prefix, tenants=tenants, limit=limit)


async def php_versions(ctx: Context) -> list[str]:
    reply = await ctx.agent.web.ListPhpVersions(
        pb.ListPhpVersionsRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    return list(reply.versions)


async def create(
    ctx: Context,
    account: AccountRecord,
    name: str,
    aliases: list[str],
    backend: BackendColumns | None,
    *,
    zone_address: str | None,
) -> DomainRecord:
    """Puts a site online; with `zone_address`, also a DNS zone with default records pointing
    there. The answer is built from what was written: nothing is read back."""
    async with ctx.audited("domain.create", name):
        backend = backend or await _default_backend(ctx)
        # The record's times are the gateway's, written with it (the database keeps them).
        now = datetime.now(UTC)
        domain_id = await _insert(ctx, account, name, aliases, backend, now)
        retention = await _log_retention(ctx, account.id)
        spec = site_spec(name, account.name, aliases, backend, retention)
        async with applying(undo=lambda: store.delete(ctx.db, domain_id)):
            await ctx.agent.web.CreateWebDomain(
                pb.CreateWebDomainRequest(domain=spec), timeout=CALL_TIMEOUT_SECONDS
            )
        await store.set_status(ctx.db, domain_id, "active", at=now)
        if zone_address is not None:
            # The site is online by now; a zone that fails is reported and can be retried
            # through /dns-zones on its own.
            await dns_zones.create_zone(ctx, account, name, address=zone_address)
    return DomainRecord(
        id=domain_id,
        name=name,
        account_id=account.id,
        account=account.name,
        **dataclasses.asdict(backend),
        status="active",
        created_at=now,
        updated_at=now,
        suspended_by=None,
        suspended_by_user=None,
        suspension_reason=None,
        suspended_at=None,
        alias_list=" ".join(sorted(aliases)) or None,
        log_retention_days=retention,
    )


async def _log_retention(ctx: Context, account_id: int) -> int:
    plan = await plans_store.of_account(ctx.db, account_id)
    return plan.log_retention_days if plan else 0


async def _default_backend(ctx: Context) -> BackendColumns:
    """PHP's newest installed version; a static site where no PHP is installed."""
    versions = await php_versions(ctx)
    return BackendColumns("php", php_version=versions[0]) if versions else BackendColumns("static")


async def _insert(
    ctx: Context,
    account: AccountRecord,
    name: str,
    aliases: list[str],
    backend: BackendColumns,
    at: datetime,
) -> int:
    try:
        return await store.insert_pending(ctx.db, account.id, name, aliases, backend, at=at)
    except store.NamesTaken as exc:
        raise _names_taken(exc) from exc
    except names.NameHeld as exc:
        raise conflict(str(exc)) from exc
    except LimitReached as exc:
        raise plan_limit(exc) from exc


async def update(
    ctx: Context, domain: DomainRecord, aliases: list[str] | None, backend: BackendColumns | None
) -> DomainRecord:
    """Replaces what is given; the agent is sent the site's whole aliases and backend."""
    new_aliases = domain.aliases if aliases is None else aliases
    new_backend = domain.site_backend if backend is None else backend
    if new_backend.backend == "php" and new_backend.php_settings is None:
        # A new PHP version keeps the site's PHP settings (services/php_settings.py).
        new_backend = dataclasses.replace(new_backend, php_settings=domain.php_settings)
    async with ctx.audited("domain.update", domain.name):
        if aliases is not None:
            await _replace_aliases(ctx, domain, aliases)
        request = pb.UpdateWebDomainRequest(
            domain=site_spec(
                domain.name, domain.account, new_aliases, new_backend, domain.log_retention_days
            )
        )
        request.update_mask.paths.extend(["aliases", "backend", "log_retention_days"])
        try:
            await ctx.agent.web.UpdateWebDomain(request, timeout=CALL_TIMEOUT_SECONDS)
        except (grpc.aio.AioRpcError, Problem):
            if aliases is not None:
                await store.replace_aliases(ctx.db, domain, domain.aliases)
            raise
        await store.set_backend(ctx.db, domain.id, new_backend)
    return await _read(ctx, domain.name)


async def _replace_aliases(ctx: Context, domain: DomainRecord, aliases: list[str]) -> None:
    try:
        await store.replace_aliases(ctx.db, domain, aliases)
    except store.NamesTaken as exc:
        raise _names_taken(exc) from exc
    except names.NameHeld as exc:
        raise conflict(str(exc)) from exc
    except store.ZoneServed as exc:
        raise _zone_served(exc) from exc
    except LimitReached as exc:
        raise plan_limit(exc) from exc


async def delete(ctx: Context, domain: DomainRecord, *, keep_files: bool) -> None:
    async with ctx.audited("domain.delete", domain.name):
        try:
            await store.begin_delete(ctx.db, domain)
        except store.ZoneServed as exc:
            raise _zone_served(exc) from exc
        async with applying(undo=lambda: store.set_status(ctx.db, domain.id, domain.status)):
            await ctx.agent.web.DeleteWebDomain(
                pb.DeleteWebDomainRequest(name=domain.name, delete_files=not keep_files),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(ctx.db, domain.id)


async def suspend(ctx: Context, domain: DomainRecord, suspension: Suspension) -> DomainRecord:
    # An owner suspending again must not turn an administrator's suspension into its own.
    refuse_owner_over_admin(ctx.me, domain, f"Domain '{domain.name}'")
    async with ctx.audited("domain.suspend", domain.name, detail=suspension.reason or ""):
        await ctx.agent.web.SuspendWebDomain(
            pb.SuspendWebDomainRequest(name=domain.name), timeout=CALL_TIMEOUT_SECONDS
        )
        await store.set_suspended(ctx.db, domain.id, suspension)
    return await _read(ctx, domain.name)


async def unsuspend(ctx: Context, domain: DomainRecord) -> DomainRecord:
    refuse_owner_over_admin(ctx.me, domain, f"Domain '{domain.name}'")
    account = await accounts.get(ctx.db, domain.account)
    if account is not None and account.status == "suspended":
        raise account_suspended(ctx.me)
    async with ctx.audited("domain.unsuspend", domain.name):
        await ctx.agent.web.UnsuspendWebDomain(
            pb.UnsuspendWebDomainRequest(name=domain.name), timeout=CALL_TIMEOUT_SECONDS
        )
        await store.set_active(ctx.db, domain.id)
    return await _read(ctx, domain.name)


async def move(ctx: Context, domain: DomainRecord, account: str) -> DomainRecord:
    """An administrator gives a name to another account (a dispute settled, docs/security.md):
    the domain with its aliases, the account's domains below its names and the zones at or
    below them. On the server it is a re-creation under the new owner: zones and sites are
    taken down, then made again for the new account with the same aliases, backend and
    records; the files stay in the old account's home and the new site starts empty."""
    target = await accounts.get(ctx.db, account)
    if target is None:
        raise not_found(f"Account '{account}'")
    if target.id == domain.account_id:
        return domain
    detail = f"from {domain.account} to {account}"
    async with ctx.audited("domain.move", domain.name, detail):
        try:
            async with store.moving(ctx.db, domain, target.id) as moving:
                await _recreate(ctx, moving, account)
        except names.NameHeld as exc:
            raise conflict(
                f"{exc} Move the name above it instead, with everything below it."
            ) from exc
    return await _read(ctx, domain.name)


async def _recreate(ctx: Context, moving: store.Move, account: str) -> None:
    """Every step is idempotent: a move that failed halfway is repeated by moving again."""
    records: dict[str, list[dns_pb2.DnsRecord]] = {}
    for zone in moving.zones:
        records[zone] = await _served_records(ctx, zone)
        await ctx.agent.dns.DeleteDnsZone(
            dns_pb2.DeleteDnsZoneRequest(name=zone), timeout=CALL_TIMEOUT_SECONDS
        )
    for site in moving.domains:
        await ctx.agent.web.DeleteWebDomain(
            pb.DeleteWebDomainRequest(name=site.name, delete_files=False),
            timeout=CALL_TIMEOUT_SECONDS,
        )
    for site in moving.domains:
        # The old plan's retention; the reconcile brings it to the new plan's.
        spec = site_spec(
            site.name, account, site.aliases, site.site_backend, site.log_retention_days
        )
        await ctx.agent.web.CreateWebDomain(
            pb.CreateWebDomainRequest(domain=spec), timeout=CALL_TIMEOUT_SECONDS
        )
        if site.status == "suspended":
            await ctx.agent.web.SuspendWebDomain(
                pb.SuspendWebDomainRequest(name=site.name), timeout=CALL_TIMEOUT_SECONDS
            )
    for zone, zone_records in records.items():
        await ctx.agent.dns.CreateDnsZone(
            dns_pb2.CreateDnsZoneRequest(
                zone=dns_pb2.DnsZone(name=zone, account=account, records=zone_records)
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )


async def _served_records(ctx: Context, zone: str) -> list[dns_pb2.DnsRecord]:
    try:
        reply = await ctx.agent.dns.GetDnsZone(
            dns_pb2.GetDnsZoneRequest(name=zone), timeout=CALL_TIMEOUT_SECONDS
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return []  # not served (a move that failed before): made again, empty
    return list(reply.zone.records)


def _names_taken(exc: store.NamesTaken) -> Problem:
    return conflict(f"Already served by another domain: {', '.join(exc.names)}.")


def _zone_served(exc: store.ZoneServed) -> Problem:
    return conflict(
        f"The DNS zone '{exc.zone}' is served for this name; delete the zone first"
        " (a zone lives only while its account holds the name)."
    )


async def _read(ctx: Context, name: str) -> DomainRecord:
    """The domain as recorded after a change (its times are the database's)."""
    domain = await store.get(ctx.db, name)
    if domain is None:  # deleted by another request in between
        raise not_found(f"Domain '{name}'")
    return domain
