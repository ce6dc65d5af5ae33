"""The VPN as a whole: the server's settings record, the PKI and the OpenVPN process, and the
clients of each owner.

The settings record (`<vpn_dir>/server.json`, 0600 root) is what should run; it is read back
through the validators, so a hand-edited value never reaches the configuration unchecked.
Every change runs under one lock, to its end even when the client hangs up (the servicer
shields it), so the PKI's index and OpenVPN's configuration are never written by two at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from jopanel.agent.vpn.v1 import vpn_pb2

from agent.config import AgentConfig
from agent.errors import AlreadyExists, FailedPrecondition, NotFound
from agent.system.base.files import write_atomic
from agent.system.base.work import Finisher
from agent.system.vpn.openvpn import Connection, OpenVpn, Paths, render_profile, render_server
from agent.system.vpn.pki import Pki
from agent.validators import vpn as vpn_validators
from agent.validators.accounts import AccountName
from agent.validators.vpn import ClientName, Owner, ServerSettings
from jopanel_rules.vpn import MAX_CLIENTS_PER_OWNER, RENEWAL_WINDOW_DAYS

_PROTOCOLS: Final = {"udp": vpn_pb2.PROTOCOL_UDP, "tcp": vpn_pb2.PROTOCOL_TCP}


@dataclass(frozen=True)
class Client:
    owner: Owner
    name: ClientName
    state: Literal["disconnected", "connected", "revoked"]
    connection: Connection | None = None
    expires: datetime | None = None  # the newest certificate's end


@dataclass(frozen=True)
class ServerState:
    settings: ServerSettings | None
    running: bool


class Vpn:
    def __init__(self, config: AgentConfig) -> None:
        limits = config.limits("vpn")
        self._record = config.vpn_dir / "server.json"
        self._suspended_record = config.vpn_dir / "suspended.json"
        self._device = config.vpn_device
        self.pki = Pki(config.vpn_dir, limits, config.vpn_client_days)
        self.openvpn = OpenVpn(
            Paths(
                config=config.openvpn_dir / "jopanel.conf",
                crl=config.openvpn_dir / "jopanel-crl.pem",
                run_dir=config.vpn_run_dir,
                clients=config.openvpn_dir / "jopanel-clients",
            ),
            limits,
            systemd=config.vpn_supervisor == "systemd",
        )
        self._lock = asyncio.Lock()
        self._finisher = Finisher()
        self._removing: set[str] = set()

    async def bring_up_to_date(self) -> None:
        """At the agent's start: the configuration as this version of the agent writes it (a
        new setting, or client-config-dir, which an older one lacked), and the refused
        clients' folder. A running OpenVPN whose configuration changed restarts here, once,
        and never at a tenant's request (a suspension used to do it, for everyone)."""
        async with self._lock:
            settings = self._settings()
            if settings is None or not self.pki.exists():
                return
            self.openvpn.publish_disabled(self._disabled())
            text = render_server(settings, self.pki, self.openvpn.paths, self._device)
            if self.openvpn.write_config(text) and settings.enabled and self.openvpn.running():
                await self.openvpn.stop()
                await self.openvpn.start()

    async def server(self) -> ServerState:
        settings = self._settings()
        return ServerState(settings, settings is not None and await self.openvpn.serving())

    async def configure(self, settings: ServerSettings) -> ServerState:
        return await self._finisher.run(self._configure(settings))

    async def create(self, owner: Owner, name: ClientName) -> tuple[Client, str]:
        """A new client and its profile. A caller that hangs up loses the profile: the key is
        gone all the same, and the client can only be revoked."""
        return await self._finisher.run(self._create(owner, name))

    async def revoke(self, owner: Owner, name: ClientName) -> Client:
        return await self._finisher.run(self._revoke(owner, name))

    async def renew(self, owner: Owner, name: ClientName) -> tuple[Client, str]:
        """A new certificate and profile for a valid client near its certificate's end
        (Pki.renew_client says what happens to the previous one). Shown once, as a creation."""
        return await self._finisher.run(self._renew(owner, name))

    async def _configure(self, settings: ServerSettings) -> ServerState:
        async with self._lock:
            await self.pki.ensure()
            self.openvpn.publish_crl(self.pki)
            self.openvpn.publish_disabled(self._disabled())
            self._write_settings(settings)
            changed = self.openvpn.write_config(
                render_server(settings, self.pki, self.openvpn.paths, self._device)
            )
            if not settings.enabled:
                await self.openvpn.stop()
            elif changed or not await self.openvpn.serving():
                await self.openvpn.stop()
                _require_free_port(settings)
                await self.openvpn.start()
            return ServerState(settings, await self.openvpn.serving())

    async def clients(self, owner: Owner) -> list[Client]:
        return self.clients_with(owner, await self.connections())

    async def connections(self) -> list[Connection]:
        """The clients connected now, as OpenVPN's management interface lists them."""
        return await self.openvpn.connections()

    def clients_with(self, owner: Owner, connections: list[Connection]) -> list[Client]:
        """The owner's clients in name order, each with its connection among `connections`."""
        return [
            _with_connection(client, connections)
            for client in sorted(self._latest(owner).values(), key=lambda c: c.name)
        ]

    async def _create(self, owner: Owner, name: ClientName) -> tuple[Client, str]:
        async with self._lock:
            settings = self._settings()
            if settings is None or not self.pki.exists():
                raise FailedPrecondition("the VPN server is not configured yet")
            if owner in self._removing:
                raise FailedPrecondition(f"account {owner} is being deleted")
            clients = self._latest(owner)
            if name in clients and clients[name].state != "revoked":
                raise AlreadyExists(f"a VPN client named {name!r} exists; revoke it first")
            if sum(c.state != "revoked" for c in clients.values()) >= MAX_CLIENTS_PER_OWNER:
                raise FailedPrecondition(f"at most {MAX_CLIENTS_PER_OWNER} VPN clients per user")
            files = await self.pki.issue_client(_common_name(owner, name))
            # A suspended account's new client starts refused, as its others are.
            self.openvpn.publish_disabled(self._disabled())
            profile = render_profile(settings, self.pki, files.certificate, files.key)
            return self._latest(owner)[name], profile

    async def _renew(self, owner: Owner, name: ClientName) -> tuple[Client, str]:
        async with self._lock:
            settings = self._settings()
            if settings is None or not self.pki.exists():
                raise FailedPrecondition("the VPN server is not configured yet")
            if owner in self._removing:
                raise FailedPrecondition(f"account {owner} is being deleted")
            client = self._latest(owner).get(name)
            if client is None or client.state == "revoked":
                raise NotFound(f"no VPN client named {name!r}")
            common_name = _common_name(owner, name)
            if not self.pki.renewed(common_name).exists():
                _require_renewal_window(client)
            files, revoked = await self.pki.renew_client(common_name)
            if revoked:
                await self.pki.revoke(None)
                self.openvpn.publish_crl(self.pki)
            self.openvpn.publish_disabled(self._disabled())
            profile = render_profile(settings, self.pki, files.certificate, files.key)
            return self._latest(owner)[name], profile

    async def _revoke(self, owner: Owner, name: ClientName) -> Client:
        async with self._lock:
            if name not in self._latest(owner):
                raise NotFound(f"no VPN client named {name!r}")
            common_name = _common_name(owner, name)
            await self.pki.revoke(common_name)
            self.openvpn.publish_crl(self.pki)
            await self.openvpn.drop(common_name)
            return dataclasses.replace(self._latest(owner)[name], state="revoked")

    async def set_account_suspended(self, account: AccountName, suspended: bool) -> None:
        """Refuses the account's clients while it is suspended (SuspendAccount) and drops those
        connected, or lets them connect again (UnsuspendAccount). Their certificates stay valid:
        a suspension is lifted without new profiles, and one created meanwhile starts refused."""
        await self._finisher.run(self._set_account_suspended(Owner(account), suspended))

    async def _set_account_suspended(self, owner: Owner, suspended: bool) -> None:
        async with self._lock:
            owners = self._suspended_owners()
            owners = owners | {owner} if suspended else owners - {owner}
            self._write_suspended_owners(owners)
            if not self.pki.exists():
                return  # no VPN yet, so no client: ConfigureVpnServer publishes the folder
            self.openvpn.publish_disabled(self._disabled())
            if suspended:
                for client in self._latest(owner).values():
                    if client.state != "revoked":
                        await self.openvpn.drop(_common_name(owner, client.name))

    def _disabled(self) -> set[str]:
        """The common names OpenVPN must refuse: the valid clients of suspended owners."""
        owners = self._suspended_owners()
        valid: set[str] = set()
        for entry in self.pki.entries():
            found_owner, dot, _ = entry.common_name.partition(".")
            if not dot or found_owner not in owners:
                continue
            if entry.state == "valid":
                valid.add(entry.common_name)
            else:
                valid.discard(entry.common_name)
        return valid

    def _suspended_owners(self) -> frozenset[Owner]:
        """The suspended accounts, read back through the validator (a hand-edited name that is
        not one never reaches a file name)."""
        try:
            data = json.loads(self._suspended_record.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return frozenset()
        return frozenset(vpn_validators.owner(str(name)) for name in data)

    def _write_suspended_owners(self, owners: frozenset[Owner]) -> None:
        self._suspended_record.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = json.dumps(sorted(owners)) + "\n"
        write_atomic(self._suspended_record, text, 0o600)

    @contextlib.asynccontextmanager
    async def removal(self, account: AccountName) -> AsyncIterator[None]:
        """Revokes every client of the account (AccountService, before deleting it) and drops
        their connections, then refuses new clients for it while the account goes: a deleted
        account's profiles must stop working, and the next account of that name must not
        inherit them."""
        self._removing.add(account)
        try:
            await self._finisher.run(self._revoke_all(Owner(account)))
            yield
        finally:
            self._removing.discard(account)

    async def _revoke_all(self, owner: Owner) -> None:
        async with self._lock:
            # The next account of this name starts unsuspended.
            owners = self._suspended_owners()
            if owner in owners:
                self._write_suspended_owners(owners - {owner})
            names = [c.name for c in self._latest(owner).values() if c.state != "revoked"]
            if not names:
                return
            for name in names:
                await self.pki.revoke(_common_name(owner, name), publish=False)
            await self.pki.revoke(None)
            self.openvpn.publish_crl(self.pki)
            for name in names:
                await self.openvpn.drop(_common_name(owner, name))

    def _latest(self, owner: Owner) -> dict[ClientName, Client]:
        """The owner's clients by name: the last certificate of each name decides its state."""
        latest: dict[ClientName, Client] = {}
        for entry in self.pki.entries():
            found_owner, dot, found_name = entry.common_name.partition(".")
            if not dot or found_owner != owner:
                continue
            name = ClientName(found_name)
            state: Literal["disconnected", "revoked"] = (
                "disconnected" if entry.state == "valid" else "revoked"
            )
            latest[name] = Client(owner, name, state, expires=entry.expires)
        return latest

    def _settings(self) -> ServerSettings | None:
        try:
            data = json.loads(self._record.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        server = vpn_pb2.VpnServer(
            enabled=data["enabled"],
            network=data["network"],
            port=data["port"],
            protocol=_PROTOCOLS[data["protocol"]],
            public_address=data["public_address"],
            dns_servers=data["dns_servers"],
            routes=data["routes"],
        )
        return vpn_validators.server_settings(server)

    def _write_settings(self, settings: ServerSettings) -> None:
        data = {
            "enabled": settings.enabled,
            "network": str(settings.network),
            "port": settings.port,
            "protocol": settings.protocol,
            "public_address": settings.public_address,
            "dns_servers": [str(address) for address in settings.dns_servers],
            "routes": [str(route) for route in settings.routes],
        }
        write_atomic(self._record, json.dumps(data, indent=2) + "\n", 0o600)


@functools.cache
def vpn(config: AgentConfig) -> Vpn:
    """The one Vpn of the agent: VpnService and AccountService (which revokes an account's
    clients before deleting it) share its lock."""
    return Vpn(config)


def _require_free_port(settings: ServerSettings) -> None:
    """Another program on the port is the administrator's choice to undo, not a failure of
    the server: FAILED_PRECONDITION naming the port, before OpenVPN is started in vain."""
    kind = socket.SOCK_DGRAM if settings.protocol == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as probe:
        try:
            probe.bind(("0.0.0.0", settings.port))  # noqa: S104 - where OpenVPN will listen
        except OSError:
            raise FailedPrecondition(
                f"{settings.protocol.upper()} port {settings.port} is in use by another program"
            ) from None


def _require_renewal_window(client: Client) -> None:
    """A renewal keeps the previous certificate valid until it expires: only near its end, so
    two certificates of a client overlap for RENEWAL_WINDOW_DAYS at most. (Replacing a key
    early, say after a device is lost, is revoke and create.)"""
    if client.expires is None:
        return
    opens = client.expires - timedelta(days=RENEWAL_WINDOW_DAYS)
    if datetime.now(UTC) < opens:
        raise FailedPrecondition(
            f"the VPN client {client.name!r} can be renewed from {opens:%Y-%m-%d} (its"
            f" certificate expires on {client.expires:%Y-%m-%d}); to replace its key now,"
            " revoke it and make another"
        )


def _common_name(owner: Owner, name: ClientName) -> str:
    return f"{owner}.{name}"


def _with_connection(client: Client, connections: list[Connection]) -> Client:
    if client.state == "revoked":
        return client
    common_name = _common_name(client.owner, client.name)
    for connection in connections:
        if connection.common_name == common_name:
            return dataclasses.replace(client, state="connected", connection=connection)
    return client
