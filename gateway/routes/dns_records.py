"""DNS records of a zone: typed per record type (gateway/record_types.py), validated here and
again by the agent. The flows live in gateway/services/dns_records.py."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.dns_records import DnsRecord, DnsRecordPage, dns_record_of, with_id
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import not_found
from gateway.record_types import RecordBody
from gateway.services import dns_records as service
from gateway.services import dns_zones
from gateway.store.dns import ResourceRecord, ZoneRecord

PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


async def find_zone(call: Call) -> Owned | None:
    zone = await dns_zones.find(call.context, call.param("zone"))
    return Owned(zone.account, zone) if zone else None


def _zone(call: Call[Any, Any]) -> ZoneRecord:
    return call.found(ZoneRecord, f"DNS zone '{call.param('zone')}'")


async def _record(call: Call[Any, Any]) -> ResourceRecord:
    public_id = call.param_like("id", PUBLIC_ID)
    record = await service.get(call.context, _zone(call), public_id) if public_id else None
    if record is None:
        raise not_found(f"DNS record '{call.param('id')}'")
    return record


async def list_records(call: Call[NoBody, PageQuery]) -> web.StreamResponse:
    query = call.query
    after = decode_token(query.page_token, "after", str) or ""
    records = await service.page(call.context, _zone(call), after, query.limit + 1)
    records, token = page_of(records, query.limit, "public_id")
    items = [dns_record_of(r) for r in records]
    return json_response(DnsRecordPage(items=items, next_page_token=token))


async def create_record(call: Call[RecordBody]) -> web.StreamResponse:
    record = call.body.root
    public_id = await service.create(call.context, _zone(call), record)
    return json_response(with_id(public_id, record), 201)


async def get_record(call: Call) -> web.StreamResponse:
    return json_response(dns_record_of(await _record(call)))


async def update_record(call: Call[RecordBody]) -> web.StreamResponse:
    record, current = call.body.root, await _record(call)
    await service.update(call.context, _zone(call), current, record)
    return json_response(with_id(current.public_id, record))


async def delete_record(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _zone(call), await _record(call))
    return web.Response(status=204)


_ALL = "/api/v1/dns-zones/{zone}/records"
_ONE = _ALL + "/{id}"
operations = [
    Operation(
        "GET",
        _ALL,
        list_records,
        "listDnsRecords",
        "A zone's records",
        "dns-records",
        Access.SIGNED_IN,
        owner=find_zone,
        query=PageQuery,
        response=DnsRecordPage,
        errors=(404,),
    ),
    Operation(
        "POST",
        _ALL,
        create_record,
        "createDnsRecord",
        "Add a record (the serial is bumped and the zone reloaded)",
        "dns-records",
        Access.SIGNED_IN,
        owner=find_zone,
        body=RecordBody,
        response=DnsRecord,
        status=201,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_record,
        "getDnsRecord",
        "One record",
        "dns-records",
        Access.SIGNED_IN,
        owner=find_zone,
        response=DnsRecord,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _ONE,
        update_record,
        "updateDnsRecord",
        "Replace a record's name, TTL and data",
        "dns-records",
        Access.SIGNED_IN,
        owner=find_zone,
        body=RecordBody,
        response=DnsRecord,
        errors=(404, 409),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_record,
        "deleteDnsRecord",
        "Remove a record",
        "dns-records",
        Access.SIGNED_IN,
        owner=find_zone,
        status=204,
        errors=(404,),
    ),
]
