"""The VPN on the wire: the server's settings (administrators), and VPN clients with their
connection state and, once, their profile."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal

from jopanel.agent.vpn.v1 import vpn_pb2 as pb
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.paging import AccountFilter, PageQuery
from gateway.store.vpn_clients import Status, VpnClientRecord
from gateway.validation import AccountName, Documented, Unprocessable
from jopanel_rules import vpn as rules
from jopanel_rules.hostnames import HOSTNAME_LABEL

# The shapes the rules (jopanel_rules.vpn) take, stated for the document: dotted quads without
# leading zeros, a prefix of 0 to 32; a tunnel network is inside 10/8, 172.16/12 or 192.168/16
# with a prefix of 16 to 29. What no pattern states, that a network is written as its own
# network address (10.8.0.0/24, not 10.8.0.1/24), answers 422.
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = f"{_OCTET}(?:\\.{_OCTET}){{3}}"
_CIDR = f"^{_IPV4}/(?:3[0-2]|[12]?[0-9])$"
_PRIVATE = (
    f"(?:10(?:\\.{_OCTET}){{3}}"
    f"|172\\.(?:1[6-9]|2[0-9]|3[01])(?:\\.{_OCTET}){{2}}"
    f"|192\\.168(?:\\.{_OCTET}){{2}})"
)
_TUNNEL = f"^{_PRIVATE}/(?:1[6-9]|2[0-9])$"
# A host name of two or more lowercase labels whose last is not all digits, or an IPv4
# address: what the agent writes after `remote` in profiles.
_HOST = f"(?:{HOSTNAME_LABEL}\\.)+(?![0-9]+$){HOSTNAME_LABEL}"
_PUBLIC_ADDRESS = f"^(?:{_IPV4}|{_HOST})$"


def _unprocessable(rule: Callable[[str], object]) -> Callable[[str], str]:
    """The rule's canonical text; a value of the pattern's shape that the rule still refuses
    breaks only what the document cannot state: 422."""

    def check(value: str) -> str:
        try:
            return str(rule(value))
        except ValueError as error:
            raise Unprocessable(str(error)) from None

    return check


TunnelNetwork = Annotated[
    str, Field(max_length=18, pattern=_TUNNEL), AfterValidator(_unprocessable(rules.tunnel_network))
]
Network = Annotated[
    str, Field(max_length=18, pattern=_CIDR), AfterValidator(_unprocessable(rules.ipv4_network))
]
Address = Annotated[
    str,
    Field(max_length=15, pattern=f"^{_IPV4}$"),
    AfterValidator(_unprocessable(rules.ipv4_address)),
]
_PUBLIC_ADDRESS_SHAPE = re.compile(_PUBLIC_ADDRESS)


def _public_address(value: str) -> str:
    # Checked here rather than by pydantic, whose regex engine has no look-ahead.
    if not _PUBLIC_ADDRESS_SHAPE.fullmatch(value):
        raise ValueError("must be a lowercase host name or an IPv4 address")
    return value


PublicAddress = Annotated[
    str,
    Field(min_length=1, max_length=253),
    AfterValidator(_public_address),
    Documented({"pattern": _PUBLIC_ADDRESS}),
]
ClientName = Annotated[str, Field(max_length=31, pattern=r"^[a-z0-9][a-z0-9-]{0,30}$")]
Protocol = Literal["udp", "tcp"]
State = Literal["connected", "disconnected", "revoked", "unknown"]

_PROTOCOLS: dict[Protocol, pb.Protocol.ValueType] = {
    "udp": pb.PROTOCOL_UDP,
    "tcp": pb.PROTOCOL_TCP,
}
_STATES: dict[int, State] = {
    pb.CLIENT_STATE_CONNECTED: "connected",
    pb.CLIENT_STATE_DISCONNECTED: "disconnected",
    pb.CLIENT_STATE_REVOKED: "revoked",
}


class VpnServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Whether OpenVPN runs")
    network: TunnelNetwork = Field(
        description="The clients' private IPv4 network, /16 to /29; the server takes its first"
        " address",
        examples=["10.8.0.0/24"],
    )
    port: Annotated[int, Field(ge=1, le=65535)] = 1194
    protocol: Protocol = "udp"
    public_address: PublicAddress = Field(
        description="The host name or IPv4 address clients connect to (written into profiles)",
        examples=["vpn.example.net"],
    )
    dns_servers: Annotated[list[Address], Field(max_length=rules.MAX_DNS_SERVERS)] = Field(
        default=[], description="DNS servers pushed to clients"
    )
    routes: Annotated[list[Network], Field(max_length=rules.MAX_ROUTES)] = Field(
        default=[], description="Networks routed through the tunnel, pushed to clients"
    )

    def to_agent(self) -> pb.VpnServer:
        return pb.VpnServer(
            enabled=self.enabled,
            network=self.network,
            port=self.port,
            protocol=_PROTOCOLS[self.protocol],
            public_address=self.public_address,
            dns_servers=self.dns_servers,
            routes=self.routes,
        )


class VpnServer(BaseModel):
    configured: bool = Field(description="False until an administrator first sets it up")
    running: bool = Field(description="OpenVPN serves")
    settings: VpnServerSettings | None


class VpnClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ClientName = Field(examples=["laptop"])
    account: AccountName | None = Field(
        default=None,
        description="Administrators: the account it is for (omitted: the administrator's own"
        " client); owners create their own",
    )


class VpnClientQuery(PageQuery):
    account: AccountFilter = ""


class VpnClient(BaseModel):
    id: str
    owner: str = Field(description="The account's or the administrator's user name")
    name: str
    status: Status
    state: State = Field(description="As OpenVPN sees it now; unknown while not made")
    tunnel_address: str | None = None
    real_address: str | None = None
    bytes_received: int = 0
    bytes_sent: int = 0
    connected_since: datetime | None = None
    expires_at: datetime | None = Field(
        default=None,
        description="When its newest certificate expires; it can be renewed (a new profile)"
        " from 30 days before",
    )
    created_at: datetime


class VpnClientCreated(VpnClient):
    profile: str = Field(
        description="The OpenVPN profile (.ovpn) with the client's private key. Shown once:"
        " the server keeps no copy of the key"
    )


class VpnClientPage(BaseModel):
    items: list[VpnClient]
    next_page_token: str | None


def vpn_server_of(configured: bool, running: bool, server: pb.VpnServer) -> VpnServer:
    settings = (
        VpnServerSettings.model_construct(
            enabled=server.enabled,
            network=server.network,
            port=server.port,
            protocol="tcp" if server.protocol == pb.PROTOCOL_TCP else "udp",
            public_address=server.public_address,
            dns_servers=list(server.dns_servers),
            routes=list(server.routes),
        )
        if configured
        else None
    )
    return VpnServer(configured=configured, running=running, settings=settings)


def vpn_client_of(record: VpnClientRecord, state: pb.VpnClient | None) -> VpnClient:
    connected = state is not None and state.state == pb.CLIENT_STATE_CONNECTED
    return VpnClient(
        id=record.public_id,
        owner=record.owner,
        name=record.name,
        status=record.status,
        state=_STATES.get(state.state, "unknown") if state is not None else "unknown",
        tunnel_address=state.tunnel_address if state is not None and connected else None,
        real_address=state.real_address if state is not None and connected else None,
        bytes_received=state.bytes_received if state is not None else 0,
        bytes_sent=state.bytes_sent if state is not None else 0,
        connected_since=(
            datetime.fromtimestamp(state.connected_since, UTC)
            if state is not None and connected and state.connected_since
            else None
        ),
        expires_at=(
            datetime.fromtimestamp(state.expires_at, UTC)
            if state is not None and state.expires_at
            else None
        ),
        created_at=record.created_at,
    )


def vpn_client_created(
    record: VpnClientRecord, state: pb.VpnClient, profile: str
) -> VpnClientCreated:
    return VpnClientCreated(**vpn_client_of(record, state).model_dump(), profile=profile)
