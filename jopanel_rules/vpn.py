"""OpenVPN: the shapes of client names and of the networks the server uses and pushes.

Both sides read these rules: the gateway to answer 400 early, the agent because it trusts no
caller. Every value here ends up in the server's configuration or a client's profile, so each
rule admits only text that cannot carry a second OpenVPN directive.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

# A client's name within its owner: it becomes half of a certificate's common name
# ("<owner>.<name>") and so an easy-rsa file name; no '.', so the split is never ambiguous.
VPN_CLIENT_NAME_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")
VPN_CLIENT_NAME_RULE: Final = "must match ^[a-z0-9][a-z0-9-]{0,30}$"
# The clients one owner may hold that are not revoked, whatever its plan says.
MAX_CLIENTS_PER_OWNER: Final = 100
# A client's certificate can be renewed (a new profile) from this many days before it expires;
# the previous one stays valid until then, so the overlap is at most this long.
RENEWAL_WINDOW_DAYS: Final = 30
MAX_DNS_SERVERS: Final = 4
MAX_ROUTES: Final = 32
# A tunnel network smaller than /29 has no room for clients; larger than /16 is a mistake.
NETWORK_PREFIX_MIN: Final = 16
NETWORK_PREFIX_MAX: Final = 29
_DOTTED_QUAD: Final = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}")
_CIDR: Final = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}/[0-9]{1,2}")


def ipv4_address(value: str) -> ipaddress.IPv4Address:
    """A dotted-quad IPv4 address, written canonically; ValueError says what is valid."""
    if not _DOTTED_QUAD.fullmatch(value):
        raise ValueError("must be an IPv4 address such as 10.0.0.53")
    return ipaddress.IPv4Address(value)


def ipv4_network(value: str) -> ipaddress.IPv4Network:
    """An IPv4 network in CIDR form written as its own network address ("10.8.0.0/24")."""
    rule = "must be an IPv4 network in CIDR form such as 10.8.0.0/24, written as its network"
    if not _CIDR.fullmatch(value):
        raise ValueError(rule)
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise ValueError(f"{rule} address") from None


def tunnel_network(value: str) -> ipaddress.IPv4Network:
    """The clients' network: private (RFC 1918), /16 to /29."""
    network = ipv4_network(value)
    private = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    if not any(network.subnet_of(block) for block in private):
        raise ValueError("must be a private network (10/8, 172.16/12 or 192.168/16)")
    if not NETWORK_PREFIX_MIN <= network.prefixlen <= NETWORK_PREFIX_MAX:
        raise ValueError(f"must have a prefix of {NETWORK_PREFIX_MIN} to {NETWORK_PREFIX_MAX}")
    return network
