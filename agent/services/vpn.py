"""VpnService: the server's OpenVPN and its clients (agent/system/vpn/).

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes.
"""

from __future__ import annotations

from typing import Any, Final

import grpc.aio
from jopanel.agent.vpn.v1 import vpn_pb2, vpn_pb2_grpc

from agent import batch
from agent.config import AgentConfig
from agent.system.vpn.vpn import Client, ServerState, Vpn, vpn
from agent.validators import vpn as vpn_validators
from agent.validators.vpn import Owner, ServerSettings

SERVICE_NAME: Final[str] = vpn_pb2.DESCRIPTOR.services_by_name["VpnService"].full_name

_STATES: Final = {
    "disconnected": vpn_pb2.CLIENT_STATE_DISCONNECTED,
    "connected": vpn_pb2.CLIENT_STATE_CONNECTED,
    "revoked": vpn_pb2.CLIENT_STATE_REVOKED,
}
_PROTOCOLS: Final = {"udp": vpn_pb2.PROTOCOL_UDP, "tcp": vpn_pb2.PROTOCOL_TCP}

Context = grpc.aio.ServicerContext[Any, Any]


class VpnServicer(vpn_pb2_grpc.VpnServiceServicer):
    def __init__(self, vpn: Vpn, answers: batch.Answers) -> None:
        self._vpn = vpn
        self._answers = answers

    async def GetVpnServer(
        self, request: vpn_pb2.GetVpnServerRequest, context: Context
    ) -> vpn_pb2.GetVpnServerResponse:
        state = await self._vpn.server()
        return vpn_pb2.GetVpnServerResponse(
            configured=state.settings is not None, server=_server(state), running=state.running
        )

    async def ConfigureVpnServer(
        self, request: vpn_pb2.ConfigureVpnServerRequest, context: Context
    ) -> vpn_pb2.ConfigureVpnServerResponse:
        settings = vpn_validators.server_settings(request.server)
        state = await self._vpn.configure(settings)
        return vpn_pb2.ConfigureVpnServerResponse(server=_server(state), running=state.running)

    async def ListVpnClients(
        self, request: vpn_pb2.ListVpnClientsRequest, context: Context
    ) -> vpn_pb2.ListVpnClientsResponse:
        owner = vpn_validators.owner(request.owner)
        clients = await self._vpn.clients(owner)
        return vpn_pb2.ListVpnClientsResponse(clients=[_client(client) for client in clients])

    async def BatchListVpnClients(
        self, request: vpn_pb2.BatchListVpnClientsRequest, context: Context
    ) -> vpn_pb2.BatchListVpnClientsResponse:
        owners = batch.names(request.owners, "owners", vpn_validators.owner)
        # One look at OpenVPN's connections for the whole answer.
        connections = await self._vpn.connections()

        async def clients_of(owner: Owner) -> vpn_pb2.OwnerVpnClients:
            clients = self._vpn.clients_with(owner, connections)
            return vpn_pb2.OwnerVpnClients(owner=owner, clients=[_client(c) for c in clients])

        listed = await self._answers.each_named(
            "BatchListVpnClients",
            owners,
            clients_of,
            lambda owner, why: vpn_pb2.OwnerVpnClients(owner=owner, failure=why),
        )
        return vpn_pb2.BatchListVpnClientsResponse(owners=listed)

    async def CreateVpnClient(
        self, request: vpn_pb2.CreateVpnClientRequest, context: Context
    ) -> vpn_pb2.CreateVpnClientResponse:
        owner = vpn_validators.owner(request.owner)
        name = vpn_validators.client_name(request.name)
        client, profile = await self._vpn.create(owner, name)
        return vpn_pb2.CreateVpnClientResponse(client=_client(client), profile=profile)

    async def RevokeVpnClient(
        self, request: vpn_pb2.RevokeVpnClientRequest, context: Context
    ) -> vpn_pb2.RevokeVpnClientResponse:
        owner = vpn_validators.owner(request.owner)
        name = vpn_validators.client_name(request.name)
        return vpn_pb2.RevokeVpnClientResponse(client=_client(await self._vpn.revoke(owner, name)))

    async def RenewVpnClient(
        self, request: vpn_pb2.RenewVpnClientRequest, context: Context
    ) -> vpn_pb2.RenewVpnClientResponse:
        owner = vpn_validators.owner(request.owner)
        name = vpn_validators.client_name(request.name)
        client, profile = await self._vpn.renew(owner, name)
        return vpn_pb2.RenewVpnClientResponse(client=_client(client), profile=profile)


async def prepare(config: AgentConfig) -> None:
    """OpenVPN's configuration as this agent writes it (Vpn.bring_up_to_date)."""
    await vpn(config).bring_up_to_date()


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = VpnServicer(vpn(config), batch.Answers(config.max_message_bytes))
    vpn_pb2_grpc.add_VpnServiceServicer_to_server(servicer, server)


def _server(state: ServerState) -> vpn_pb2.VpnServer | None:
    settings: ServerSettings | None = state.settings
    if settings is None:
        return None
    return vpn_pb2.VpnServer(
        enabled=settings.enabled,
        network=str(settings.network),
        port=settings.port,
        protocol=_PROTOCOLS[settings.protocol],
        public_address=settings.public_address,
        dns_servers=[str(address) for address in settings.dns_servers],
        routes=[str(route) for route in settings.routes],
    )


def _client(client: Client) -> vpn_pb2.VpnClient:
    message = vpn_pb2.VpnClient(owner=client.owner, name=client.name, state=_STATES[client.state])
    if client.expires is not None:
        message.expires_at = int(client.expires.timestamp())
    if client.connection is not None:
        connection = client.connection
        message.tunnel_address = connection.tunnel_address
        message.real_address = connection.real_address
        message.bytes_received = connection.bytes_received
        message.bytes_sent = connection.bytes_sent
        message.connected_since = connection.connected_since
    return message
