"""DNS records on the wire: a record as sent is a record type's value (gateway/record_types.py);
as answered, it carries its id."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, RootModel

from gateway.record_types import (
    AaaaRecord,
    AnyRecord,
    ARecord,
    CaaRecord,
    CnameRecord,
    MxRecord,
    NsRecord,
    SrvRecord,
    TxtRecord,
)
from gateway.store.dns import ResourceRecord


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


def with_id(public_id: str, record: AnyRecord) -> DnsRecord:
    return DnsRecord.model_validate({"id": public_id, **record.model_dump()})


def dns_record_of(record: ResourceRecord) -> DnsRecord:
    return DnsRecord.model_validate(
        {
            "id": record.public_id,
            "type": record.type,
            "name": record.name,
            "ttl": record.ttl,
            **record.values,
        }
    )
