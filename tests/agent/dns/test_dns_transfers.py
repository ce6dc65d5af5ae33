"""Zone transfers (sandbox only: the real agent and named, whose own options leave transfers
open to anyone, as Debian's do): only the configured secondary (127.0.0.2) may copy a zone,
and it is told of each change by NOTIFY; any other address is refused the transfer, so no one
lists a tenant's records."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import subprocess
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import stack

from agent.system.dns.catalog import CATALOG_ZONE
from tests.agent.dns.dns_support import (
    a,
    create_record,
    create_zone,
    dns,
    dns_account,
    named,
    new_zone,
    txt,
)

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub

__all__ = ["dns", "dns_account", "named", "new_zone"]  # fixtures, used by name

SECONDARY = "127.0.0.2"
NOTIFY = 4  # the DNS header's opcode


def transfer(port: int, zone: str, source: str) -> list[str]:
    """AXFR of the zone from the sandbox's named, asked from `source`: the records, or
    [] when the transfer is refused."""
    argv = ["dig", "@127.0.0.1", "-p", str(port), "-b", source, "+time=5", "+tries=1"]
    out = subprocess.run([*argv, zone, "AXFR"], capture_output=True, text=True, check=True).stdout
    if "Transfer failed" in out:
        return []
    return [line for line in out.splitlines() if line and not line.startswith(";")]


async def test_only_the_secondary_may_transfer_a_zone(
    dns: Stub, named: stack.Named, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaa1111", "www", "192.0.2.1"))
    await create_record(dns, zone, txt("txt11111", "secret", "a tenant's own"))

    copied = await asyncio.to_thread(transfer, named.dns_port, zone, SECONDARY)

    assert any("192.0.2.1" in line for line in copied)
    assert any("a tenant's own" in line for line in copied)
    for stranger in ("127.0.0.1", "127.0.0.3"):
        assert await asyncio.to_thread(transfer, named.dns_port, zone, stranger) == []


def _zone_of_notify(packet: bytes) -> str | None:
    """The zone a NOTIFY names; None for any other message."""
    if len(packet) < 12 or (struct.unpack("!H", packet[2:4])[0] >> 11) & 0xF != NOTIFY:
        return None
    labels, at = [], 12
    while packet[at]:
        labels.append(packet[at + 1 : at + 1 + packet[at]].decode())
        at += 1 + packet[at]
    return ".".join(labels)


async def test_the_secondary_is_notified_of_a_change(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    dns_secondary_port: int,
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaa1111", "www", "192.0.2.1"))
    with secondary_listening(dns_secondary_port) as listener:
        await create_record(dns, zone, a("aaaa2222", "shop", "192.0.2.2"))

        notified = await asyncio.to_thread(_notified_of, listener, zone)

    assert notified


@contextlib.contextmanager
def secondary_listening(port: int) -> Iterator[socket.socket]:
    """A UDP socket where the secondary gets its NOTIFYs."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind((SECONDARY, port))
        listener.settimeout(0.5)
        yield listener


def _notified_of(listener: socket.socket, zone: str, seconds: float = 20.0) -> bool:
    """Whether a NOTIFY for the zone arrives within `seconds` (named spreads them out). Each
    NOTIFY is answered, as a secondary does: named keeps one it sent unanswered in flight for
    46 s and sends no other NOTIFY for that zone to that address meanwhile."""
    for _ in range(int(seconds * 2)):
        try:
            packet, sender = listener.recvfrom(4096)
        except TimeoutError:
            continue
        notified = _zone_of_notify(packet)
        if notified is not None:
            listener.sendto(_answer(packet), sender)
        if notified == zone:
            return True
    return False


def _answer(notify: bytes) -> bytes:
    """The reply to a NOTIFY: its id and question, QR set, NOERROR, no other record."""
    end = 12
    while notify[end]:
        end += 1 + notify[end]
    end += 1 + 4  # the root label, then QTYPE and QCLASS
    flags = struct.unpack("!H", notify[2:4])[0] | 0x8000
    return notify[:2] + struct.pack("!HHHHH", flags & 0xFFF0, 1, 0, 0, 0) + notify[12:end]


async def test_the_secondary_is_notified_of_a_new_zone_through_the_catalog(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    dns_secondary_port: int,
) -> None:
    """A new zone changes the catalog (test_dns_catalog.py), whose NOTIFY sends the secondary
    to learn of it. Earlier tests' new zones sent the catalog's NOTIFY to this address with no
    one to answer: while such a one is in flight (46 s), named sends no other, so a zone is
    added again until one arrives."""
    notified = False
    with secondary_listening(dns_secondary_port) as listener:
        for _ in range(5):
            await create_zone(dns, new_zone(), dns_account, a("aaaa1111", "www", "192.0.2.1"))
            notified = await asyncio.to_thread(_notified_of, listener, CATALOG_ZONE, 15.0)
            if notified:
                break

    assert notified
