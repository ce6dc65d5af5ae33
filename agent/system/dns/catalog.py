"""The catalog zone (RFC 9432): the list of every zone the agent serves, for the secondaries.

A secondary name server that reads catalog zones (BIND 9.18's `catalog-zones`, Knot, PowerDNS)
is told one zone's name and this server's address once; from then on it adds and removes the
member zones by itself as accounts add and delete them. The agent keeps the catalog only
where agent.toml names `dns_secondaries`: only they may transfer it (it lists every tenant's
zone names) and only they are notified of its changes, as for every other zone (bind.py).

Its name lies under .invalid (RFC 6761: never resolved, never delegated), which no account may
hold (validators/dns.py), so it can never collide with a tenant's zone, one below or one above.

    $TTL 0
    @ IN SOA invalid. invalid. <serial> 3600 600 2147483646 0
    @ IN NS invalid.
    version IN TXT "2"
    <sha1 of the member's wire-format name>.zones IN PTR <member>.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Final

from agent.validators.dns import ZoneName

CATALOG_ZONE: Final = ZoneName("catalog.jopanel.invalid")
_MEMBER: Final = re.compile(r"^[0-9a-f]{40}\.zones IN PTR (\S+)\.$", re.MULTILINE)
_SERIAL: Final = re.compile(r"^@ IN SOA invalid\. invalid\. (\d+) ", re.MULTILINE)


def member_label(zone: ZoneName) -> str:
    """The member's unique label: the SHA-1 of its name in wire format, as BIND's own
    documentation and tools make it (any label unique within the catalog would do)."""
    wire = b"".join(bytes([len(label)]) + label.encode("ascii") for label in zone.split("."))
    return hashlib.sha1(wire + b"\0", usedforsecurity=False).hexdigest()


def render(zones: Iterable[ZoneName], serial: int) -> str:
    lines = [
        "; Written by jopanel-agent: the catalog of the zones it serves (RFC 9432).",
        "$TTL 0",
        f"@ IN SOA invalid. invalid. {serial} 3600 600 2147483646 0",
        "@ IN NS invalid.",
        'version IN TXT "2"',
    ]
    lines += [f"{member_label(zone)}.zones IN PTR {zone}." for zone in sorted(set(zones))]
    return "\n".join(lines) + "\n"


def members(text: str | None) -> set[str]:
    """The member zones a catalog file lists (none for no file)."""
    return set(_MEMBER.findall(text or ""))


def serial_of(text: str | None) -> int:
    found = _SERIAL.search(text or "")
    return int(found[1]) if found else 0


def next_serial(previous: int, now: int) -> int:
    """The clock's seconds, or one more than the last serial when the clock has not moved on
    (two changes in one second, or a clock set back): a secondary takes only a higher one."""
    return max(previous + 1, now)
