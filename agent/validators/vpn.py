"""VpnService's fields: owners, client names, and the server's settings (jopanel_rules.vpn)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, NewType, TypeVar

from jopanel.agent.vpn.v1 import vpn_pb2

from agent.errors import InvalidArgument
from agent.validators import common as common_validators
from jopanel_rules import vpn as rules

# A user name (an account's, or an administrator's: so reserved names such as "admin" pass).
Owner = NewType("Owner", str)
ClientName = NewType("ClientName", str)
Protocol = Literal["udp", "tcp"]
T = TypeVar("T")

_OWNER_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{2,31}")
_PROTOCOLS: Final[dict[int, Protocol]] = {vpn_pb2.PROTOCOL_UDP: "udp", vpn_pb2.PROTOCOL_TCP: "tcp"}


@dataclass(frozen=True)
class ServerSettings:
    """Every value the server's configuration and the clients' profiles are rendered from."""

    enabled: bool
    network: ipaddress.IPv4Network
    port: int
    protocol: Protocol
    public_address: str
    dns_servers: tuple[ipaddress.IPv4Address, ...]
    routes: tuple[ipaddress.IPv4Network, ...]


def owner(value: str, field: str = "owner") -> Owner:
    if not _OWNER_PATTERN.fullmatch(value):
        raise InvalidArgument(field, "must match ^[a-z][a-z0-9_]{2,31}$")
    return Owner(value)


def client_name(value: str, field: str = "name") -> ClientName:
    if not rules.VPN_CLIENT_NAME_PATTERN.fullmatch(value):
        raise InvalidArgument(field, rules.VPN_CLIENT_NAME_RULE)
    return ClientName(value)


def server_settings(server: vpn_pb2.VpnServer, field: str = "server") -> ServerSettings:
    if server.protocol not in _PROTOCOLS:
        raise InvalidArgument(f"{field}.protocol", "must be PROTOCOL_UDP or PROTOCOL_TCP")
    if not 1 <= server.port <= 65535:
        raise InvalidArgument(f"{field}.port", "must be 1 to 65535")
    return ServerSettings(
        enabled=server.enabled,
        network=_checked(rules.tunnel_network, server.network, f"{field}.network"),
        port=server.port,
        protocol=_PROTOCOLS[server.protocol],
        public_address=public_address(server.public_address, f"{field}.public_address"),
        dns_servers=_addresses(server.dns_servers, f"{field}.dns_servers"),
        routes=_routes(server.routes, f"{field}.routes"),
    )


def public_address(value: str, field: str) -> str:
    """A host name or an IPv4 address: it is written after `remote` in every profile."""
    try:
        return str(rules.ipv4_address(value))
    except ValueError:
        pass
    try:
        return common_validators.hostname(value, field)
    except InvalidArgument:
        raise InvalidArgument(field, "must be a lowercase host name or an IPv4 address") from None


def _addresses(values: Sequence[str], field: str) -> tuple[ipaddress.IPv4Address, ...]:
    if len(values) > rules.MAX_DNS_SERVERS:
        raise InvalidArgument(field, f"give at most {rules.MAX_DNS_SERVERS} addresses")
    return tuple(
        _checked(rules.ipv4_address, value, f"{field}[{index}]")
        for index, value in enumerate(values)
    )


def _routes(values: Sequence[str], field: str) -> tuple[ipaddress.IPv4Network, ...]:
    if len(values) > rules.MAX_ROUTES:
        raise InvalidArgument(field, f"give at most {rules.MAX_ROUTES} networks")
    return tuple(
        _checked(rules.ipv4_network, value, f"{field}[{index}]")
        for index, value in enumerate(values)
    )


def _checked(rule: Callable[[str], T], value: str, field: str) -> T:
    try:
        return rule(value)
    except ValueError as error:
        raise InvalidArgument(field, str(error)) from None
