"""DNS records of a zone: typed per record type, validated here and again by the agent."""

from __future__ import annotations

import ipaddress
import re
import secrets
from typing import Annotated, Any, Literal

from aiohttp import web
from jopanel.agent.dns.v1 import dns_pb2 as pb
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Access, Call, Operation, Owned, json_response
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import conflict, not_found
from gateway.store import dns
from gateway.validation import IPV6_PATTERN, DnsHost, RecordName, to_host_name

MAX_RECORDS_PER_ZONE = 5000
PUBLIC_ID = re.compile(r"[0-9a-f]{16}")
Ttl = Annotated[
    int,
    Field(
        description="Seconds: 60 to 604800, or 0 for the default (3600)",
        json_schema_extra={
            "anyOf": [
                {"type": "integer", "const": 0},
                {"type": "integer", "minimum": 60, "maximum": 604800},
            ]
        },
    ),
]
UInt16 = Annotated[int, Field(ge=0, le=65535)]


def _ttl(value: int) -> int:
    if value != 0 and not 60 <= value <= 604800:
        raise ValueError("use 60 to 604800 seconds, or 0 for the zone's default")
    return value


def _ipv4(value: str) -> str:
    return str(ipaddress.IPv4Address(value))


def _ipv6(value: str) -> str:
    address = ipaddress.IPv6Address(value)
    if address.scope_id:
        raise ValueError("must be an IPv6 address without a scope")
    return str(address)


# The rules above, as the OpenAPI document states them.
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = f"^(?:{_OCTET}\\.){{3}}{_OCTET}$"
CAA_VALUE = {"minLength": 1, "maxLength": 255, "pattern": '^[^"\\\\\\x00-\\x1f\\x7f]*$'}


def _caa_value(value: str) -> str:
    if not value or len(value) > 255 or any(c in value for c in '"\\'):
        raise ValueError("use 1 to 255 characters without quotes or backslashes")
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: RecordName = Field(examples=["@", "www"])
    ttl: Annotated[Ttl, AfterValidator(_ttl)] = 0


class ARecord(_Record):
    type: Literal["A"]
    address: Annotated[str, Field(pattern=IPV4), AfterValidator(_ipv4)]


class AaaaRecord(_Record):
    type: Literal["AAAA"]
    address: Annotated[
        str, AfterValidator(_ipv6), Field(json_schema_extra={"pattern": IPV6_PATTERN})
    ]


class CnameRecord(_Record):
    type: Literal["CNAME"]
    target: DnsHost


class MxRecord(_Record):
    type: Literal["MX"]
    preference: UInt16 = 10
    exchange: DnsHost


class TxtRecord(_Record):
    type: Literal["TXT"]
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class SrvRecord(_Record):
    type: Literal["SRV"]
    priority: UInt16
    weight: UInt16
    port: UInt16
    target: DnsHost | Literal["."]


class CaaRecord(_Record):
    type: Literal["CAA"]
    flags: Literal[0, 128] = 0
    tag: Literal["issue", "issuewild", "iodef"]
    value: Annotated[str, AfterValidator(_caa_value), Field(json_schema_extra=CAA_VALUE)]


class NsRecord(_Record):
    type: Literal["NS"]
    nameserver: DnsHost


AnyRecord = (
    ARecord | AaaaRecord | CnameRecord | MxRecord | TxtRecord | SrvRecord | CaaRecord | NsRecord
)


class RecordBody(RootModel[Annotated[AnyRecord, Field(discriminator="type")]]):
    """A record as sent: its type, name, TTL and the fields of its type."""


class _Id(BaseModel):
    id: str = Field(description="Assigned by the server")


class ARecordOut(_Id, ARecord): ...


class AaaaRecordOut(_Id, AaaaRecord): ...


class CnameRecordOut(_Id, CnameRecord): ...


class MxRecordOut(_Id, MxRecord): ...


class TxtRecordOut(_Id, TxtRecord): ...


class SrvRecordOut(_Id, SrvRecord): ...


class CaaRecordOut(_Id, CaaRecord): ...


class NsRecordOut(_Id, NsRecord): ...


AnyRecordOut = (
    ARecordOut
    | AaaaRecordOut
    | CnameRecordOut
    | MxRecordOut
    | TxtRecordOut
    | SrvRecordOut
    | CaaRecordOut
    | NsRecordOut
)


class DnsRecord(RootModel[Annotated[AnyRecordOut, Field(discriminator="type")]]):
    """A record with its id."""


class DnsRecordPage(BaseModel):
    items: list[DnsRecord]
    next_page_token: str | None


# Each record type's field of DnsRecord.data in the proto, and its message.
_PROTO: dict[str, tuple[str, Any]] = {
    "A": ("a", pb.ARecord),
    "AAAA": ("aaaa", pb.AaaaRecord),
    "CNAME": ("cname", pb.CnameRecord),
    "MX": ("mx", pb.MxRecord),
    "TXT": ("txt", pb.TxtRecord),
    "SRV": ("srv", pb.SrvRecord),
    "CAA": ("caa", pb.CaaRecord),
    "NS": ("ns", pb.NsRecord),
}


def to_proto(public_id: str, record: AnyRecord) -> pb.DnsRecord:
    message = pb.DnsRecord(id=public_id, name=record.name, ttl=record.ttl)
    field, kind = _PROTO[record.type]
    getattr(message, field).CopyFrom(kind(**_data(record)))
    return message


def with_id(public_id: str, record: AnyRecord) -> DnsRecord:
    return DnsRecord.model_validate({"id": public_id, **record.model_dump()})


def record_of(row: Row) -> DnsRecord:
    return DnsRecord.model_validate(
        {
            "id": row["public_id"],
            "type": row["type"],
            "name": row["name"],
            "ttl": row["ttl"],
            **dns.data_of(row),
        }
    )


def _data(record: AnyRecord) -> dict[str, Any]:
    return record.model_dump(exclude={"type", "name", "ttl"})


async def find_zone(call: Call) -> Owned | None:
    try:
        name = to_host_name(call.param("zone"))
    except ValueError:
        return None
    row = await dns.get_zone(call.db, name)
    return Owned(row["account"], row) if row else None


def _zone(call: Call) -> Row:
    if call.resource is None:
        raise not_found(f"DNS zone '{call.param('zone')}'")
    return call.resource


async def _record(call: Call) -> Row:
    public_id = call.param_like("id", PUBLIC_ID)
    row = await dns.get_record(call.db, _zone(call)["id"], public_id) if public_id else None
    if row is None:
        raise not_found(f"DNS record '{call.param('id')}'")
    return row


async def list_records(call: Call) -> web.StreamResponse:
    query = call.query_as(PageQuery)
    zone = _zone(call)
    after = decode_token(query.page_token, "after", str) or ""
    rows = await dns.records_page(call.db, zone["id"], after, query.limit + 1)
    rows, token = page_of(rows, query.limit, "public_id")
    return json_response(DnsRecordPage(items=[record_of(r) for r in rows], next_page_token=token))


async def create_record(call: Call) -> web.StreamResponse:
    record = call.body_as(RecordBody).root
    zone = _zone(call)
    if zone["records"] >= MAX_RECORDS_PER_ZONE:
        raise conflict(f"A zone holds at most {MAX_RECORDS_PER_ZONE} records.")
    public_id = secrets.token_hex(8)
    async with call.audited("dns_record.create", f"{zone['name']}/{public_id}"):
        await call.agent.dns.CreateDnsRecord(
            pb.CreateDnsRecordRequest(zone=zone["name"], record=to_proto(public_id, record)),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await dns.insert_record(
            call.db, zone["id"], public_id, record.name, record.type, record.ttl, _data(record)
        )
    return json_response(with_id(public_id, record), 201)


async def get_record(call: Call) -> web.StreamResponse:
    return json_response(record_of(await _record(call)))


async def update_record(call: Call) -> web.StreamResponse:
    record = call.body_as(RecordBody).root
    zone, row = _zone(call), await _record(call)
    async with call.audited("dns_record.update", f"{zone['name']}/{row['public_id']}"):
        request = pb.UpdateDnsRecordRequest(
            zone=zone["name"], record=to_proto(row["public_id"], record)
        )
        request.update_mask.paths.extend(["name", "ttl", "data"])
        await call.agent.dns.UpdateDnsRecord(request, timeout=CALL_TIMEOUT_SECONDS)
        await dns.update_record(
            call.db, row["id"], record.name, record.type, record.ttl, _data(record)
        )
    return json_response(with_id(row["public_id"], record))


async def delete_record(call: Call) -> web.StreamResponse:
    zone, row = _zone(call), await _record(call)
    async with call.audited("dns_record.delete", f"{zone['name']}/{row['public_id']}"):
        await call.agent.dns.DeleteDnsRecord(
            pb.DeleteDnsRecordRequest(zone=zone["name"], id=row["public_id"]),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await dns.delete_record(call.db, row["id"])
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
