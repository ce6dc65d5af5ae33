"""DNS zones on the wire: what a client sends and gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.paging import PageQuery
from gateway.store.dns import ZoneRecord
from gateway.validation import AccountName, HostName


class DnsZoneCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: HostName = Field(description="A domain or alias of the account's websites")
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )
    default_records: bool = Field(
        default=True, description="Start with A (@, www, mail), MX and SPF records"
    )


class DnsZoneQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class DnsZone(BaseModel):
    name: str
    account: str
    status: Literal["pending", "active", "deleting"]
    records: int
    created_at: datetime


class DnsZonePage(BaseModel):
    items: list[DnsZone]
    next_page_token: str | None


def zone_of(record: ZoneRecord) -> DnsZone:
    return DnsZone(
        name=record.name,
        account=record.account,
        status=record.status,
        records=record.records,
        created_at=record.created_at,
    )
