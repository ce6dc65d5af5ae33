"""DNS records of a zone: the agent serves each change (bumping the serial, reloading the
zone), then the panel records it."""

from __future__ import annotations

import secrets

from jopanel.agent.dns.v1 import dns_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.context import Context
from gateway.problems import conflict
from gateway.record_types import AnyRecord, data_of, to_proto
from gateway.store import dns as store
from gateway.store.dns import ResourceRecord, ZoneRecord

MAX_RECORDS_PER_ZONE = 5000


async def get(ctx: Context, zone: ZoneRecord, public_id: str) -> ResourceRecord | None:
    return await store.get_record(ctx.db, zone.id, public_id)


async def page(ctx: Context, zone: ZoneRecord, after: str, limit: int) -> list[ResourceRecord]:
    return await store.records_page(ctx.db, zone.id, after, limit)


async def create(ctx: Context, zone: ZoneRecord, record: AnyRecord) -> str:
    """Adds the record; its new id."""
    if zone.records >= MAX_RECORDS_PER_ZONE:
        raise conflict(f"A zone holds at most {MAX_RECORDS_PER_ZONE} records.")
    public_id = secrets.token_hex(8)
    async with ctx.audited("dns_record.create", f"{zone.name}/{public_id}"):
        await ctx.agent.dns.CreateDnsRecord(
            pb.CreateDnsRecordRequest(zone=zone.name, record=to_proto(public_id, record)),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await store.insert_record(
            ctx.db, zone.id, public_id, record.name, record.type, record.ttl, data_of(record)
        )
    return public_id


async def update(
    ctx: Context, zone: ZoneRecord, current: ResourceRecord, record: AnyRecord
) -> None:
    """Replaces the record's name, TTL and data."""
    async with ctx.audited("dns_record.update", f"{zone.name}/{current.public_id}"):
        request = pb.UpdateDnsRecordRequest(
            zone=zone.name, record=to_proto(current.public_id, record)
        )
        request.update_mask.paths.extend(["name", "ttl", "data"])
        await ctx.agent.dns.UpdateDnsRecord(request, timeout=CALL_TIMEOUT_SECONDS)
        await store.update_record(
            ctx.db, current.id, record.name, record.type, record.ttl, data_of(record)
        )


async def delete(ctx: Context, zone: ZoneRecord, record: ResourceRecord) -> None:
    async with ctx.audited("dns_record.delete", f"{zone.name}/{record.public_id}"):
        await ctx.agent.dns.DeleteDnsRecord(
            pb.DeleteDnsRecordRequest(zone=zone.name, id=record.public_id),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await store.delete_record(ctx.db, record.id)
