"""DNS record types: the typed value of each record type, as the API takes it, the panel
records it (type, name, ttl and a JSON object of the rest) and the agent takes it (proto).
They are checked here and again by the agent. This module is the one that converts them.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

from jopanel.agent.dns.v1 import dns_pb2 as pb
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from gateway.validation import IPV6_PATTERN, DnsHost, RecordName

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
    getattr(message, field).CopyFrom(kind(**data_of(record)))
    return message


def data_of(record: AnyRecord) -> dict[str, Any]:
    return record.model_dump(exclude={"type", "name", "ttl"})


def record_from(kind: str, name: str, ttl: int, data: dict[str, Any]) -> AnyRecord:
    """A recorded record (its type, name, ttl and data) as its typed value."""
    return RecordBody.model_validate({"type": kind, "name": name, "ttl": ttl, **data}).root
