"""DNS zones: an owner serves DNS for its own domains; administrators for any account's.

The flows live in gateway/services/dns_zones.py; here are the operations.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.dns_zones import DnsZone, DnsZoneCreate, DnsZonePage, DnsZoneQuery, zone_of
from gateway.scope import account_for, account_page
from gateway.server_names import check_not_reserved
from gateway.services import dns_zones as service
from gateway.store.dns import ZoneRecord


async def find_zone(call: Call) -> Owned | None:
    zone = await service.find(call.context, call.param("zone"))
    return Owned(zone.account, zone) if zone else None


async def delete_zones_of(call: Call[Any, Any], account_id: int) -> None:
    """Kept for routes/accounts.py's account deletion until it leaves that cascade to the
    agent (issue 15, the accounts side); the flow is services.dns_zones.delete_zones_of."""
    await service.delete_zones_of(call.context, account_id)


def _zone(call: Call[Any, Any]) -> ZoneRecord:
    return call.found(ZoneRecord, f"DNS zone '{call.param('zone')}'")


async def list_zones(call: Call[NoBody, DnsZoneQuery]) -> web.StreamResponse:
    zones, token = await account_page(call, call.query, service.page, "name")
    return json_response(DnsZonePage(items=[zone_of(z) for z in zones], next_page_token=token))


async def post_zone(call: Call[DnsZoneCreate]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    check_not_reserved(call, "name", [body.name])
    address = call.config.server_ipv4 if body.default_records else None
    zone = await service.create(call.context, account, body.name, address=address)
    return json_response(zone_of(zone), 201)


async def get_zone(call: Call) -> web.StreamResponse:
    return json_response(zone_of(_zone(call)))


async def delete_zone(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _zone(call))
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
