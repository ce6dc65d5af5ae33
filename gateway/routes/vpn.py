"""The VPN: administrators set up the server's OpenVPN; owners (where their plan allows) and
administrators make VPN clients, see their state, download a profile once, and revoke them."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.vpn import (
    VpnClient,
    VpnClientCreate,
    VpnClientCreated,
    VpnClientPage,
    VpnClientQuery,
    VpnServer,
    VpnServerSettings,
    vpn_client_created,
    vpn_client_of,
    vpn_server_of,
)
from gateway.scope import account_for, account_page
from gateway.services import vpn as service
from gateway.store.vpn_clients import VpnClientRecord

PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


async def find_client(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    client = await service.get(call.context, public_id) if public_id else None
    return Owned(client.owner, client) if client else None


def _client(call: Call[Any, Any]) -> VpnClientRecord:
    return call.found(VpnClientRecord, f"VPN client '{call.param('id')}'")


async def get_server(call: Call) -> web.StreamResponse:
    answer = await service.server(call.context)
    return json_response(vpn_server_of(answer.configured, answer.running, answer.server))


async def configure_server(call: Call[VpnServerSettings]) -> web.StreamResponse:
    answer = await service.configure(call.context, call.body.to_agent())
    return json_response(vpn_server_of(True, answer.running, answer.server))


async def list_clients(call: Call[NoBody, VpnClientQuery]) -> web.StreamResponse:
    clients, token = await account_page(call, call.query, service.page, "public_id")
    states = await service.states(call.context, clients)
    items = [vpn_client_of(client, states.get(client.public_id)) for client in clients]
    return json_response(VpnClientPage(items=items, next_page_token=token))


async def create_client(call: Call[VpnClientCreate]) -> web.StreamResponse:
    body, me = call.body, call.me
    if me.is_admin and body.account is None:
        user_id, owner, on_plan = me.user_id, me.name, False
    else:
        account = await account_for(call, body.account)
        user_id, owner, on_plan = account.id, account.name, True
    record, answer = await service.create(call.context, user_id, owner, body.name, on_plan=on_plan)
    return json_response(vpn_client_created(record, answer.client, answer.profile), 201)


async def get_client(call: Call) -> web.StreamResponse:
    client = _client(call)
    states = await service.states(call.context, [client])
    return json_response(vpn_client_of(client, states.get(client.public_id)))


async def renew_client(call: Call) -> web.StreamResponse:
    record, answer = await service.renew(call.context, _client(call))
    return json_response(vpn_client_created(record, answer.client, answer.profile))


async def revoke_client(call: Call) -> web.StreamResponse:
    await service.revoke(call.context, _client(call))
    return web.Response(status=204)


_ONE = "/api/v1/vpn-clients/{id}"
operations = [
    Operation(
        "GET",
        "/api/v1/vpn-server",
        get_server,
        "getVpnServer",
        "The VPN server's settings and whether OpenVPN serves",
        "vpn-server",
        Access.ADMIN,
        response=VpnServer,
    ),
    Operation(
        "PUT",
        "/api/v1/vpn-server",
        configure_server,
        "configureVpnServer",
        "Set up or change the VPN server (made and checked by the agent, then started)",
        "vpn-server",
        Access.ADMIN,
        body=VpnServerSettings,
        response=VpnServer,
        errors=(409, 503),
    ),
    Operation(
        "GET",
        "/api/v1/vpn-clients",
        list_clients,
        "listVpnClients",
        "List VPN clients with their state (an owner's own; administrators may filter)",
        "vpn-clients",
        Access.SIGNED_IN,
        query=VpnClientQuery,
        response=VpnClientPage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/vpn-clients",
        create_client,
        "createVpnClient",
        "Make a VPN client; the answer holds its profile, shown this once",
        "vpn-clients",
        Access.SIGNED_IN,
        body=VpnClientCreate,
        response=VpnClientCreated,
        status=201,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_client,
        "getVpnClient",
        "One VPN client with its state",
        "vpn-clients",
        Access.SIGNED_IN,
        owner=find_client,
        response=VpnClient,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        revoke_client,
        "revokeVpnClient",
        "Revoke a VPN client: its certificate is revoked and its connection dropped at once",
        "vpn-clients",
        Access.SIGNED_IN,
        owner=find_client,
        status=204,
        errors=(404,),
    ),
    Operation(
        "POST",
        _ONE + "/renew",
        renew_client,
        "renewVpnClient",
        "Renew a VPN client's certificate (from 30 days before it expires): the answer holds"
        " the new profile, shown this once; the previous one works until it expires",
        "vpn-clients",
        Access.SIGNED_IN,
        owner=find_client,
        response=VpnClientCreated,
        errors=(404, 409),
    ),
]
