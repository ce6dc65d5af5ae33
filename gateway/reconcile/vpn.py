"""VPN clients: the agent's certificates (issued, revoked) against the panel's records.

A client's profile holds its private key and is shown once, in the answer to its creation, so
a `pending` record (the creation's answer was lost) is never marked active: nobody holds its
profile, and a certificate nobody can use must not stay valid. It is revoked on the agent
(NOT_FOUND: it was never made) and the record removed, as the request would have been: the
owner makes it again. `revoking` is finished as asked. An active record whose certificate the
agent lacks or has revoked (by hand on the server) cannot be put back (a new certificate needs
a new profile): drift, which the owner sees as revoked and deletes. A valid certificate with no
record connects someone the panel does not show: drift, a person decides (as an SSH key).

Owners asked: the accounts on the system, the administrators, and every owner a record names.
"""

from __future__ import annotations

import grpc
from jopanel.agent.vpn.v1 import vpn_pb2 as vpn_pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.reconcile.base import RunBase
from gateway.store import reconcile as records
from gateway.store import vpn_clients as store
from gateway.store.reconcile import RecordedVpnClient
from jopanel_rules.accounts import ACCOUNT_NAME_PATTERN

_REVOKED = vpn_pb.CLIENT_STATE_REVOKED


class VpnChecks(RunBase):
    async def vpn_clients(self, system_accounts: list[str]) -> None:
        recorded = await records.vpn_clients(self.pool)
        self.checked["vpn_client"] = len(recorded)
        owners = {*system_accounts, *(c.owner for c in recorded)}
        # An administrator's name the agent would refuse holds no client (the gateway could
        # never have made one).
        owners |= {
            name for name in await records.administrators(self.pool)
            if ACCOUNT_NAME_PATTERN.fullmatch(name)
        }  # fmt: skip
        by_owner: dict[str, list[RecordedVpnClient]] = {}
        for client in recorded:
            by_owner.setdefault(client.owner, []).append(client)
        listed = await self.read_batches("vpn_client", owners, self._vpn_lists, lambda o: o.owner)
        for owner, reply in listed.items():
            await self._owner(owner, by_owner.get(owner, []), list(reply.clients))

    async def _vpn_lists(self, owners: list[str]) -> list[vpn_pb.OwnerVpnClients]:
        reply = await self.agent.vpn.BatchListVpnClients(
            vpn_pb.BatchListVpnClientsRequest(owners=owners), timeout=CALL_TIMEOUT_SECONDS
        )
        return list(reply.owners)

    async def _owner(
        self, owner: str, clients: list[RecordedVpnClient], system: list[vpn_pb.VpnClient]
    ) -> None:
        valid = {c.name for c in system if c.state != _REVOKED}
        listed = {c.name for c in system}
        for client in clients:
            await self._client(client, client.name in valid, client.name in listed)
        for name in sorted(valid - {c.name for c in clients}):
            self.checked["vpn_client"] += 1
            self.drift("vpn_client", f"{owner}.{name}", owner, "a valid certificate with no record")

    async def _client(self, client: RecordedVpnClient, valid: bool, listed: bool) -> None:
        seen = ("vpn_client", client.id, client.status)
        label, owner = client.public_id, client.owner
        if client.status == "pending":
            what = "pending: the profile was never handed out" + (
                ", and the certificate is valid" if valid else ""
            )
            await self.repair(
                "vpn_client", label, owner, what,
                "revoked on the agent and the record removed; the owner makes it again",
                lambda: self._revoke_and_forget(client), seen,
            )  # fmt: skip
        elif client.status == "revoking":
            await self.repair(
                "vpn_client", label, owner, "revoking: the revocation was cut short",
                "revocation finished, as asked", lambda: self._revoke_and_forget(client), seen,
            )  # fmt: skip
        elif not valid:
            state = "revoked" if listed else "missing"
            self.drift("vpn_client", label, owner, f"active, but its certificate is {state}")

    async def _revoke_and_forget(self, client: RecordedVpnClient) -> None:
        try:
            await self.agent.vpn.RevokeVpnClient(
                vpn_pb.RevokeVpnClientRequest(owner=client.owner, name=client.name),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:  # never made: nothing to revoke
                raise
        await store.delete(self.pool, client.id)
