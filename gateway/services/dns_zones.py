"""DNS zones: the flows that record a zone, have the agent serve it, and settle the record.

A zone must be named after a domain or alias of the account's websites, so no account can
claim DNS for a name it does not host. A new zone starts with sensible records (A for the
apex, www and mail; MX; SPF) unless asked to start empty; SOA and NS come from the agent.
"""

from __future__ import annotations

import secrets

from jopanel.agent.dns.v1 import dns_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import conflict, field_error, not_found
from gateway.record_types import AnyRecord, ARecord, MxRecord, TxtRecord, data_of, to_proto
from gateway.store import dns as store
from gateway.store import names
from gateway.store.accounts import AccountRecord
from gateway.store.dns import ZoneRecord
from gateway.store.tenants import Tenants
from gateway.validation import to_host_name


async def find(ctx: Context, name: str) -> ZoneRecord | None:
    """The zone a URL names, or None (a name no zone could have included)."""
    try:
        host = to_host_name(name)
    except ValueError:
        return None
    return await store.get_zone(ctx.db, host)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[ZoneRecord]:
    return await store.zones_page(ctx.db, after=after, tenants=tenants, limit=limit)


def default_records(zone: str, address: str) -> list[AnyRecord]:
    return [
        ARecord(type="A", name="@", address=address),
        ARecord(type="A", name="www", address=address),
        ARecord(type="A", name="mail", address=address),
        MxRecord(type="MX", name="@", preference=10, exchange=f"mail.{zone}"),
        TxtRecord(type="TXT", name="@", text="v=spf1 a mx ~all"),
    ]


async def create(
    ctx: Context, account: AccountRecord, name: str, *, address: str | None
) -> ZoneRecord:
    async with ctx.audited("dns_zone.create", name):
        await create_zone(ctx, account, name, address=address)
    return await _read(ctx, name)


MAX_HOST_NAME = 253


async def create_zone(
    ctx: Context, account: AccountRecord, name: str, *, address: str | None
) -> None:
    """Records, serves and fills a zone for one of the account's domains; with `address`, its
    default records point there (else it starts empty)."""
    if address is not None and len(f"mail.{name}") > MAX_HOST_NAME:
        # The default MX record names mail.<zone>, which must itself be a host name.
        raise field_error(
            "name", "is too long for the default records (mail.<name>): leave them out"
        )
    records = default_records(name, address) if address is not None else []
    ids = [secrets.token_hex(8) for _ in records]
    try:
        zone_id = await store.insert_zone(ctx.db, name, account.id)
    except store.NotADomain as exc:
        raise field_error(
            "name", f"is not a domain of {account.name}; add the website first"
        ) from exc
    except names.NameHeld as exc:
        raise conflict(str(exc)) from exc
    except store.NameTaken as exc:
        raise conflict(f"The zone '{name}' exists already.") from exc
    spec = pb.DnsZone(
        name=name,
        account=account.name,
        records=[to_proto(i, r) for i, r in zip(ids, records, strict=True)],
    )
    async with applying(undo=lambda: store.delete_zone(ctx.db, zone_id)):
        await ctx.agent.dns.CreateDnsZone(
            pb.CreateDnsZoneRequest(zone=spec), timeout=CALL_TIMEOUT_SECONDS
        )
    for public_id, record in zip(ids, records, strict=True):
        await store.insert_record(
            ctx.db, zone_id, public_id, record.name, record.type, record.ttl, data_of(record)
        )
    await store.set_zone_status(ctx.db, zone_id, "active")


async def delete(ctx: Context, zone: ZoneRecord) -> None:
    async with ctx.audited("dns_zone.delete", zone.name):
        await store.set_zone_status(ctx.db, zone.id, "deleting")
        async with applying(undo=lambda: store.set_zone_status(ctx.db, zone.id, zone.status)):
            await ctx.agent.dns.DeleteDnsZone(
                pb.DeleteDnsZoneRequest(name=zone.name), timeout=CALL_TIMEOUT_SECONDS
            )
        await store.delete_zone(ctx.db, zone.id)


async def delete_zones_of(ctx: Context, account_id: int) -> None:
    """Every zone of an account, one by one (deleting an account: until the agent's
    DeleteAccount removes them itself and the foreign keys the rows, issue 15)."""
    for zone in await store.account_zones(ctx.db, account_id):
        await ctx.agent.dns.DeleteDnsZone(
            pb.DeleteDnsZoneRequest(name=zone.name), timeout=CALL_TIMEOUT_SECONDS
        )
        await store.delete_zone(ctx.db, zone.id)


async def _read(ctx: Context, name: str) -> ZoneRecord:
    zone = await store.get_zone(ctx.db, name)
    if zone is None:  # deleted by another request in between
        raise not_found(f"DNS zone '{name}'")
    return zone
