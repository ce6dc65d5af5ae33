"""VpnService in memory, as tests/gateway/fake_agent.py fakes the other services: the
server's settings, and each owner's clients by name with their state."""

from __future__ import annotations

import grpc
from jopanel.agent.vpn.v1 import vpn_pb2 as pb
from jopanel.agent.vpn.v1 import vpn_pb2_grpc

from tests.gateway.fake_agent import Context, Recorder

# When the fake's certificates expire (2029-03-10), and renewed ones.
EXPIRES_AT = 1_867_795_200
RENEWED_EXPIRES_AT = EXPIRES_AT + 825 * 86400


class FakeVpn(Recorder, vpn_pb2_grpc.VpnServiceServicer):
    def __init__(self) -> None:
        self.server: pb.VpnServer | None = None
        self.clients: dict[str, dict[str, pb.VpnClient]] = {}
        self.profiles = 0
        super().__init__()

    def remove_account(self, account: str) -> None:
        """DeleteAccount revokes the account's clients, as the agent's Vpn.removal does."""
        for client in self.clients.get(account, {}).values():
            client.state = pb.CLIENT_STATE_REVOKED
            client.ClearField("tunnel_address")

    def connect(self, owner: str, name: str, address: str = "10.8.0.2") -> None:
        client = self.clients[owner][name]
        client.state = pb.CLIENT_STATE_CONNECTED
        client.tunnel_address, client.real_address = address, "192.0.2.7:40000"
        client.bytes_received, client.bytes_sent, client.connected_since = 100, 200, 1_700_000_000

    async def GetVpnServer(
        self, request: pb.GetVpnServerRequest, context: Context
    ) -> pb.GetVpnServerResponse:
        return pb.GetVpnServerResponse(
            configured=self.server is not None,
            server=self.server,
            running=self.server is not None and self.server.enabled,
        )

    async def ConfigureVpnServer(
        self, request: pb.ConfigureVpnServerRequest, context: Context
    ) -> pb.ConfigureVpnServerResponse:
        await self._enter("ConfigureVpnServer", request.server.network, context)
        self.server = request.server
        return pb.ConfigureVpnServerResponse(server=self.server, running=self.server.enabled)

    async def ListVpnClients(
        self, request: pb.ListVpnClientsRequest, context: Context
    ) -> pb.ListVpnClientsResponse:
        return pb.ListVpnClientsResponse(clients=self._clients_of(request.owner))

    async def BatchListVpnClients(
        self, request: pb.BatchListVpnClientsRequest, context: Context
    ) -> pb.BatchListVpnClientsResponse:
        return pb.BatchListVpnClientsResponse(
            owners=[
                pb.OwnerVpnClients(owner=owner, clients=self._clients_of(owner))
                for owner in await self._batch(request.owners, context)
            ]
        )

    def _clients_of(self, owner: str) -> list[pb.VpnClient]:
        clients = self.clients.get(owner, {})
        return [clients[k] for k in sorted(clients)]

    async def CreateVpnClient(
        self, request: pb.CreateVpnClientRequest, context: Context
    ) -> pb.CreateVpnClientResponse:
        await self._enter("CreateVpnClient", f"{request.owner}.{request.name}", context)
        if self.server is None:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not configured")
        clients = self.clients.setdefault(request.owner, {})
        existing = clients.get(request.name)
        if existing is not None and existing.state != pb.CLIENT_STATE_REVOKED:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, "exists")
        client = pb.VpnClient(
            owner=request.owner,
            name=request.name,
            state=pb.CLIENT_STATE_DISCONNECTED,
            expires_at=EXPIRES_AT,
        )
        clients[request.name] = client
        self.profiles += 1
        profile = f"client\n<key>\nkey {self.profiles} of {request.owner}.{request.name}\n</key>\n"
        return pb.CreateVpnClientResponse(client=client, profile=profile)

    async def RevokeVpnClient(
        self, request: pb.RevokeVpnClientRequest, context: Context
    ) -> pb.RevokeVpnClientResponse:
        await self._enter("RevokeVpnClient", f"{request.owner}.{request.name}", context)
        client = self.clients.get(request.owner, {}).get(request.name)
        if client is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such client")
        client.state = pb.CLIENT_STATE_REVOKED
        return pb.RevokeVpnClientResponse(client=client)

    async def RenewVpnClient(
        self, request: pb.RenewVpnClientRequest, context: Context
    ) -> pb.RenewVpnClientResponse:
        await self._enter("RenewVpnClient", f"{request.owner}.{request.name}", context)
        client = self.clients.get(request.owner, {}).get(request.name)
        if client is None or client.state == pb.CLIENT_STATE_REVOKED:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such client")
        client.expires_at = RENEWED_EXPIRES_AT
        self.profiles += 1
        profile = f"client\n<key>\nkey {self.profiles} of {request.owner}.{request.name}\n</key>\n"
        return pb.RenewVpnClientResponse(client=client, profile=profile)
