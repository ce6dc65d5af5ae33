"""DnsZoneService's fields: zone and record names, targets, addresses, TTLs, TXT and CAA data."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from typing import Final, NewType

from agent.errors import InvalidArgument
from agent.validators.common import RESOURCE_ID_PATTERN, RESOURCE_ID_RULE, Hostname, hostname
from jopanel_rules.hostnames import HOSTNAME_LABEL

DnsRecordId = NewType("DnsRecordId", str)


def dns_record_id(value: str, field: str = "id") -> DnsRecordId:
    if not RESOURCE_ID_PATTERN.fullmatch(value):
        raise InvalidArgument(field, RESOURCE_ID_RULE)
    return DnsRecordId(value)


# DNS zones and records. Every value below ends up in a zone file that named parses, so each is
# held to a form in which no character means anything to the zone file parser: no blank, quote,
# ';', '(', ')', '$', '\\' or newline outside a quoted string the agent escapes itself.

# A zone's name: a hostname (as `hostname`), outside .arpa.
ZoneName = NewType("ZoneName", str)
# A record's name relative to its zone: "@" or labels, '*' allowed as the first.
RecordName = NewType("RecordName", str)
# An absolute host name that a record points to (written with a trailing dot), or "." for SRV.
DnsTarget = NewType("DnsTarget", str)
Ipv4Address = NewType("Ipv4Address", str)  # dotted quad, canonical
Ipv6Address = NewType("Ipv6Address", str)  # canonical (compressed) form
TxtText = NewType("TxtText", str)
CaaTag = NewType("CaaTag", str)
CaaValue = NewType("CaaValue", str)

DNS_NAME_MAX: Final = 253
DNS_LABEL_MAX: Final = 63
DNS_DEFAULT_TTL: Final = 3600
DNS_TTL_MIN: Final = 60
DNS_TTL_MAX: Final = 604800
TXT_MAX: Final = 4000
CAA_VALUE_MAX: Final = 255
CAA_FLAGS: Final = frozenset({0, 128})
CAA_TAGS: Final = ("issue", "issuewild", "iodef")
# A DNS label of a record name or target: '_' may only come first (_dmarc, _sip._tcp).
_DNS_LABEL: Final = re.compile(r"_?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_RECORD_NAME_RULE: Final = (
    "must be '@' for the zone's apex or labels of a-z, 0-9 and '-' (not at either end), each "
    "1 to 63 characters and optionally starting with '_', separated by '.', with '*' allowed "
    "as the first label, and the full name at most 253 characters"
)
# CAA: a CA's domain, then optional "; tag=value" parameters (RFC 8659); values are printable
# ASCII without blanks, quotes, ';' or '\\', so the quoted value needs no escaping.
_CAA_DOMAIN: Final = rf"(?:{HOSTNAME_LABEL}\.)+{HOSTNAME_LABEL}"
_CAA_PARAMETER: Final = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?=[!#-:<-\[\]-~]*"
_CAA_ISSUE: Final = re.compile(
    rf"(?:{_CAA_DOMAIN})?(?: ?; ?(?:{_CAA_PARAMETER}(?: ?; ?{_CAA_PARAMETER})*)?)?"
)
_CAA_IODEF: Final = re.compile(
    rf"mailto:[a-zA-Z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_CAA_DOMAIN}"
    rf"|https?://{_CAA_DOMAIN}(?::[0-9]{{1,5}})?(?:/[!#-\[\]-~]*)?"
)


def dns_zone_name(value: str, field: str = "name") -> ZoneName:
    """A hostname (lowercase IDNA, two or more labels) that is not under .arpa: reverse zones
    and the protocol's own belong to whoever holds the addresses, never to an account; nor
    under .invalid, which never resolves and holds the agent's catalog zone."""
    name = hostname(value, field)
    if name == "arpa" or name.endswith(".arpa"):
        raise InvalidArgument(field, "must not be under .arpa (reverse zones are not served)")
    if name == "invalid" or name.endswith(".invalid"):
        # RFC 6761: never resolved; the agent's catalog zone lives there (dns/catalog.py).
        raise InvalidArgument(field, "must not be under .invalid (a name reserved by RFC 6761)")
    return ZoneName(name)


def dns_record_name(value: str, zone: ZoneName, field: str = "name") -> RecordName:
    if value == "@":
        return RecordName(value)
    labels = value.split(".")
    named = labels[1:] if labels[0] == "*" else labels
    if not all(_is_dns_label(label) for label in named):
        raise InvalidArgument(field, _RECORD_NAME_RULE)
    if len(value) + 1 + len(zone) > DNS_NAME_MAX:
        raise InvalidArgument(field, _RECORD_NAME_RULE)
    return RecordName(value)


def _is_dns_label(label: str) -> bool:
    return len(label) <= DNS_LABEL_MAX and _DNS_LABEL.fullmatch(label) is not None


def dns_target(value: str, field: str, *, service: bool = False) -> DnsTarget:
    """An absolute host name without the trailing dot; `service` also allows "." (SRV's "no
    service"). Labels may start with '_' (a CNAME to _domainkey names, say)."""
    if service and value == ".":
        return DnsTarget(value)
    labels = value.split(".")
    valid = (
        len(value) <= DNS_NAME_MAX
        and len(labels) >= 2
        and all(map(_is_dns_label, labels))
        and not labels[-1].isdigit()
    )
    if not valid:
        dot = ', or "." for no service' if service else ""
        raise InvalidArgument(
            field,
            "must be a host name of two or more labels of a-z, 0-9 and '-' (optionally starting "
            f"with '_'), without a trailing dot, at most {DNS_NAME_MAX} characters{dot}",
        )
    return DnsTarget(value)


def dns_host_target(value: str, field: str, *, service: bool = False) -> DnsTarget:
    """A target that must name a host (MX exchange, NS name server, SRV target): named's
    check-names refuses labels with '_' there."""
    target = dns_target(value, field, service=service)
    if "_" in target:
        raise InvalidArgument(field, "must be a host name, without '_'")
    return target


def ipv4_address(value: str, field: str = "address") -> Ipv4Address:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise InvalidArgument(field, "must be an IPv4 address in dotted-quad form") from None
    if str(address) != value:  # no leading zeros, no other spelling
        raise InvalidArgument(field, "must be an IPv4 address in dotted-quad form")
    return Ipv4Address(value)


def ipv6_address(value: str, field: str = "address") -> Ipv6Address:
    """Any standard text form; returned in the compressed canonical form."""
    invalid = InvalidArgument(field, "must be an IPv6 address (without a zone index)")
    # ipaddress accepts a zone index ("fe80::1%eth0"), which is no address of the DNS.
    if len(value) > 45 or "%" in value:
        raise invalid
    try:
        return Ipv6Address(str(ipaddress.IPv6Address(value)))
    except ValueError:
        raise invalid from None


def uint16(value: int, field: str) -> int:
    if not 0 <= value <= 65535:
        raise InvalidArgument(field, "must be 0 to 65535")
    return value


def dns_ttl(value: int, field: str = "ttl") -> int:
    """0 means the zone's default."""
    if value != 0 and not DNS_TTL_MIN <= value <= DNS_TTL_MAX:
        raise InvalidArgument(
            field, f"must be {DNS_TTL_MIN} to {DNS_TTL_MAX} seconds, or 0 for the default"
        )
    return value


def txt_text(value: str, field: str = "text") -> TxtText:
    if not 1 <= len(value) <= TXT_MAX:
        raise InvalidArgument(field, f"must be 1 to {TXT_MAX} characters")
    # Cc: C0 (NUL, CR, LF, ...), DEL and C1.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(field, "must not contain control characters")
    return TxtText(value)


def caa_flags(value: int, field: str = "flags") -> int:
    if value not in CAA_FLAGS:
        raise InvalidArgument(field, "must be 0 or 128")
    return value


def caa_tag(value: str, field: str = "tag") -> CaaTag:
    if value not in CAA_TAGS:
        raise InvalidArgument(field, f"must be one of {', '.join(CAA_TAGS)}")
    return CaaTag(value)


def caa_value(value: str, tag: CaaTag, field: str = "value") -> CaaValue:
    if tag == "iodef":
        pattern, rule = _CAA_IODEF, "must be a mailto: address or an http(s): URL"
    else:
        pattern = _CAA_ISSUE
        rule = (
            "must be a CA's domain and/or ';' parameters tag=value (printable ASCII without "
            "blanks, quotes, ';' or '\\')"
        )
    if not 1 <= len(value) <= CAA_VALUE_MAX or not pattern.fullmatch(value):
        raise InvalidArgument(field, f"{rule}, at most {CAA_VALUE_MAX} characters")
    return CaaValue(value)


# Record types by their names in zone files; which rules of placement each follows.
_HOST_OWNER_TYPES: Final = frozenset({"A", "AAAA", "MX"})


def dns_record_placement(name: RecordName, record_type: str, field: str = "name") -> None:
    """The rules between a record's name and its type that hold in every zone. Whether a CNAME
    stands beside other data depends on the zone: the system layer checks that."""
    if name == "@" and record_type == "CNAME":
        raise InvalidArgument(field, "must not be '@' for a CNAME (the apex holds SOA and NS)")
    if name == "@" and record_type == "NS":
        raise InvalidArgument(
            field, "must not be '@' for NS (the zone's own name servers come from the agent)"
        )
    if record_type in _HOST_OWNER_TYPES and any(part.startswith("_") for part in name.split(".")):
        raise InvalidArgument(field, "must not have labels starting with '_' for A, AAAA and MX")


# ACME DNS-01 (RFC 8555 section 8.4): the TXT record's owner name and its value.
ACME_CHALLENGE_LABEL: Final = "_acme-challenge"
_ACME_DIGEST: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def acme_challenge_name(value: str, field: str = "name") -> Hostname:
    """`_acme-challenge.<hostname>`: the hostname being validated (without any "*."), which
    is what the caller's zone must hold. Any other name, a wildcard or a second challenge
    label included, is refused: this RPC writes nowhere else."""
    prefix = ACME_CHALLENGE_LABEL + "."
    if not value.startswith(prefix) or len(value) > DNS_NAME_MAX:
        raise InvalidArgument(field, f"must be {prefix}<a name of one of the account's zones>")
    return hostname(value.removeprefix(prefix), field)


def acme_challenge_value(value: str, field: str = "value") -> TxtText:
    """base64url (no padding) of a SHA-256: 43 characters, nothing a zone file could read."""
    if not _ACME_DIGEST.fullmatch(value):
        raise InvalidArgument(field, "must be a SHA-256 digest in base64url: 43 of [A-Za-z0-9_-]")
    return TxtText(value)


@dataclass(frozen=True)
class Secondary:
    """A secondary name server that copies every zone (agent.toml's dns_secondaries): an
    address that may transfer them, and where NOTIFY goes (its port: 53 unless given)."""

    address: str  # canonical: no blank, quote, ';' or brace can reach named.conf
    port: int | None = None

    @property
    def notify_target(self) -> str:
        return self.address if self.port is None else f"{self.address} port {self.port}"


_SECONDARY_WITH_PORT: Final = re.compile(
    r"(?:(?P<v4>[0-9.]+)|\[(?P<v6>[0-9a-fA-F:]+)\]):(?P<port>[0-9]{1,5})"
)


def secondary(value: str) -> Secondary:
    """ "203.0.113.5", "2001:db8::5", "203.0.113.5:5353" or "[2001:db8::5]:5353" (one
    address, not a network); ValueError otherwise."""
    match = _SECONDARY_WITH_PORT.fullmatch(value)
    text, port = (match["v4"] or match["v6"], int(match["port"])) if match else (value, None)
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"{value!r}: the port must be 1 to 65535")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(
            f"{value!r}: must be an IP address, with ':PORT' ('[IPv6]:PORT') if not 53"
        ) from None
    return Secondary(str(address), port)
