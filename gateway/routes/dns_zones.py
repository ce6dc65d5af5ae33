"""DNS zones: an owner serves DNS for its own domains; administrators for any account's.

A zone must be named after a domain or alias of the account's websites, so no account can
claim DNS for a name it does not host. A new zone starts with sensible records (A for the
apex, www and mail; MX; SPF) unless asked to start empty; SOA and NS come from the agent.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Literal

from aiohttp import web
from jopanel.agent.dns.v1 import dns_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Access, Call, Operation, json_response
from gateway.consistency import applying
from gateway.db import Row
from gateway.paging import PageQuery, decode_token, page_of
from gateway.problems import conflict, field_error, not_found
from gateway.routes.dns_records import (
    AnyRecord,
    ARecord,
    MxRecord,
    TxtRecord,
    find_zone,
    to_proto,
)
from gateway.scope import account_filter, account_for
from gateway.server_names import check_not_reserved
from gateway.store import dns, names
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


def zone_of(row: Row) -> DnsZone:
    return DnsZone(
        name=row["name"],
        account=row["account"],
        status=row["status"],
        records=row["records"],
        created_at=row["created_at"].replace(tzinfo=UTC),
    )


MAX_HOST_NAME = 253


def default_records(zone: str, address: str) -> list[AnyRecord]:
    return [
        ARecord(type="A", name="@", address=address),
        ARecord(type="A", name="www", address=address),
        ARecord(type="A", name="mail", address=address),
        MxRecord(type="MX", name="@", preference=10, exchange=f"mail.{zone}"),
        TxtRecord(type="TXT", name="@", text="v=spf1 a mx ~all"),
    ]


async def create_zone(call: Call, account: Row, name: str, with_defaults: bool) -> None:
    """Records, serves and fills a zone for one of the account's domains."""
    check_not_reserved(call, "name", [name])
    if with_defaults and len(f"mail.{name}") > MAX_HOST_NAME:
        # The default MX record names mail.<zone>, which must itself be a host name.
        raise field_error(
            "name", "is too long for the default records (mail.<name>): leave them out"
        )
    records = default_records(name, call.config.server_ipv4) if with_defaults else []
    ids = [secrets.token_hex(8) for _ in records]
    try:
        zone_id = await dns.insert_zone(call.db, name, account["id"])
    except dns.NotADomain as exc:
        raise field_error(
            "name", f"is not a domain of {account['name']}; add the website first"
        ) from exc
    except names.NameHeld as exc:
        raise conflict(str(exc)) from exc
    except dns.NameTaken as exc:
        raise conflict(f"The zone '{name}' exists already.") from exc
    spec = pb.DnsZone(
        name=name,
        account=account["name"],
        records=[to_proto(i, r) for i, r in zip(ids, records, strict=True)],
    )
    async with applying(undo=lambda: dns.delete_zone(call.db, zone_id)):
        await call.agent.dns.CreateDnsZone(
            pb.CreateDnsZoneRequest(zone=spec), timeout=CALL_TIMEOUT_SECONDS
        )
    for public_id, record in zip(ids, records, strict=True):
        await dns.insert_record(
            call.db,
            zone_id,
            public_id,
            record.name,
            record.type,
            record.ttl,
            record.model_dump(exclude={"type", "name", "ttl"}),
        )
    await dns.set_zone_status(call.db, zone_id, "active")


async def delete_zones_of(call: Call, account_id: int) -> None:
    for zone in await dns.zones_of(call.db, account_id):
        await call.agent.dns.DeleteDnsZone(
            pb.DeleteDnsZoneRequest(name=zone["name"]), timeout=CALL_TIMEOUT_SECONDS
        )
        await dns.delete_zone(call.db, zone["id"])


def _found(call: Call) -> Row:
    if call.resource is None:
        raise not_found(f"DNS zone '{call.param('zone')}'")
    return call.resource


async def list_zones(call: Call) -> web.StreamResponse:
    query = call.query_as(DnsZoneQuery)
    account = await account_filter(call, query.account)
    account_id = account["id"] if account else None
    after = decode_token(query.page_token, "after", str) or ""
    rows = await dns.zones_page(call.db, after=after, account_id=account_id, limit=query.limit + 1)
    rows, token = page_of(rows, query.limit, "name")
    return json_response(DnsZonePage(items=[zone_of(r) for r in rows], next_page_token=token))


async def post_zone(call: Call) -> web.StreamResponse:
    body = call.body_as(DnsZoneCreate)
    account = await account_for(call, body.account)
    async with call.audited("dns_zone.create", body.name):
        await create_zone(call, account, body.name, body.default_records)
    row = await dns.get_zone(call.db, body.name)
    assert row is not None
    return json_response(zone_of(row), 201)


async def get_zone(call: Call) -> web.StreamResponse:
    return json_response(zone_of(_found(call)))


async def delete_zone(call: Call) -> web.StreamResponse:
    zone = _found(call)
    async with call.audited("dns_zone.delete", zone["name"]):
        await dns.set_zone_status(call.db, zone["id"], "deleting")
        async with applying(undo=lambda: dns.set_zone_status(call.db, zone["id"], zone["status"])):
            await call.agent.dns.DeleteDnsZone(
                pb.DeleteDnsZoneRequest(name=zone["name"]), timeout=CALL_TIMEOUT_SECONDS
            )
        await dns.delete_zone(call.db, zone["id"])
    return web.Response(status=204)


_ONE = "/api/v1/dns-zones/{zone}"
operations = [
    Operation(
        "GET",
        "/api/v1/dns-zones",
        list_zones,
        "listDnsZones",
        "List DNS zones (an owner's own; administrators may filter)",
        "dns-zones",
        Access.SIGNED_IN,
        query=DnsZoneQuery,
        response=DnsZonePage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/dns-zones",
        post_zone,
        "createDnsZone",
        "Serve DNS for one of the account's domains",
        "dns-zones",
        Access.SIGNED_IN,
        body=DnsZoneCreate,
        response=DnsZone,
        status=201,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_zone,
        "getDnsZone",
        "One zone",
        "dns-zones",
        Access.SIGNED_IN,
        owner=find_zone,
        response=DnsZone,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_zone,
        "deleteDnsZone",
        "Stop serving a zone",
        "dns-zones",
        Access.SIGNED_IN,
        owner=find_zone,
        status=204,
        errors=(404,),
    ),
]
