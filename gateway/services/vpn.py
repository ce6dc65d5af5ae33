"""The VPN: the server's settings, passed to the agent (which keeps them), and VPN clients,
recorded pending, made by the agent, then active; revoked through the agent, then deleted.

Administrators hold clients of their own, on no plan; an account's clients count against its
plan's max_vpn_clients (0 by default: no VPN).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import grpc
from jopanel.agent.vpn.v1 import vpn_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import conflict, not_found, plan_limit
from gateway.store import vpn_clients as store
from gateway.store.plans import LimitReached
from gateway.store.tenants import Tenants
from gateway.store.vpn_clients import VpnClientRecord


async def server(ctx: Context) -> pb.GetVpnServerResponse:
    answer: pb.GetVpnServerResponse = await ctx.agent.vpn.GetVpnServer(
        pb.GetVpnServerRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    return answer


async def configure(ctx: Context, settings: pb.VpnServer) -> pb.ConfigureVpnServerResponse:
    """Sets the server up (the agent makes the PKI the first time) and (re)starts it."""
    detail = f"{settings.network} {settings.port} enabled={settings.enabled}"
    async with ctx.audited("vpn.configure", "server", detail=detail):
        answer: pb.ConfigureVpnServerResponse = await ctx.agent.vpn.ConfigureVpnServer(
            pb.ConfigureVpnServerRequest(server=settings), timeout=CALL_TIMEOUT_SECONDS
        )
    return answer


async def get(ctx: Context, public_id: str) -> VpnClientRecord | None:
    return await store.get(ctx.db, public_id)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[VpnClientRecord]:
    """Clients in id order after `after`: one account's, or (administrators) everyone's."""
    return await store.page(ctx.db, after=after, tenants=tenants, limit=limit)


async def states(ctx: Context, clients: Iterable[VpnClientRecord]) -> dict[str, pb.VpnClient]:
    """What OpenVPN says of each client, by public id: one agent call per owner on the page."""
    wanted = list(clients)
    found: dict[str, pb.VpnClient] = {}
    for owner in sorted({client.owner for client in wanted}):
        answer = await ctx.agent.vpn.ListVpnClients(
            pb.ListVpnClientsRequest(owner=owner), timeout=CALL_TIMEOUT_SECONDS
        )
        by_name = {state.name: state for state in answer.clients}
        found.update(
            {c.public_id: by_name[c.name] for c in wanted if c.owner == owner and c.name in by_name}
        )
    return found


async def create(
    ctx: Context, user_id: int, owner: str, name: str, *, on_plan: bool
) -> tuple[VpnClientRecord, pb.CreateVpnClientResponse]:
    public_id = secrets.token_hex(8)
    async with ctx.audited("vpn_client.create", f"{owner}/{name}"):
        try:
            client_id = await store.insert_pending(
                ctx.db, user_id, public_id, name, on_plan=on_plan
            )
        except LimitReached as exc:
            raise plan_limit(exc) from exc
        except store.NameTaken as exc:
            raise conflict(f"A VPN client named '{name}' exists already.") from exc
        async with applying(undo=lambda: store.delete(ctx.db, client_id)):
            answer: pb.CreateVpnClientResponse = await ctx.agent.vpn.CreateVpnClient(
                pb.CreateVpnClientRequest(owner=owner, name=name), timeout=CALL_TIMEOUT_SECONDS
            )
        await store.set_status(ctx.db, client_id, "active")
    return await _read(ctx, public_id), answer


async def revoke(ctx: Context, client: VpnClientRecord) -> None:
    """Revokes the certificate (its connection is dropped at once) and forgets the client."""
    async with ctx.audited("vpn_client.revoke", f"{client.owner}/{client.name}"):
        await store.set_status(ctx.db, client.id, "revoking")
        async with applying(undo=lambda: store.set_status(ctx.db, client.id, client.status)):
            try:
                await ctx.agent.vpn.RevokeVpnClient(
                    pb.RevokeVpnClientRequest(owner=client.owner, name=client.name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
            except grpc.aio.AioRpcError as error:
                # Never made (a create cut short): there is nothing to revoke.
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    raise
        await store.delete(ctx.db, client.id)


async def renew(
    ctx: Context, client: VpnClientRecord
) -> tuple[VpnClientRecord, pb.RenewVpnClientResponse]:
    """A new certificate and profile for the client (from 30 days before its certificate
    expires; the agent says 409 earlier). The record does not change: a lost answer leaves the
    previous certificate valid, and renewing again revokes the lost one (docs/vpn.md)."""
    if client.status != "active":
        raise conflict(f"The VPN client '{client.name}' is {client.status}.")
    async with ctx.audited("vpn_client.renew", f"{client.owner}/{client.name}"):
        answer: pb.RenewVpnClientResponse = await ctx.agent.vpn.RenewVpnClient(
            pb.RenewVpnClientRequest(owner=client.owner, name=client.name),
            timeout=CALL_TIMEOUT_SECONDS,
        )
    return client, answer


async def _read(ctx: Context, public_id: str) -> VpnClientRecord:
    client = await store.get(ctx.db, public_id)
    if client is None:  # revoked by another request in between
        raise not_found(f"VPN client '{public_id}'")
    return client
