"""Zone transfers (sandbox only: the real agent and named, whose own options leave transfers
open to anyone, as Debian's do): only the configured secondary (127.0.0.2), signing with the
agent's TSIG key, may copy a zone, and it is told of each change by a NOTIFY signed with that
key; any other address, or the secondary without the key, is refused the transfer, so no one
lists a tenant's records."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import stack
from dns import message as dns_message
from dns import opcode as dns_opcode
from dns import tsigkeyring
from dns.name import Name
from dns.tsig import Key

from agent.config import AgentConfig
from agent.system.dns.bind import Layout
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


def transfer_key(config: AgentConfig) -> str:
    """The agent's transfer key as dig's -y takes it: algorithm:name:secret."""
    path = Layout.from_config(config).transfer_key
    assert path is not None
    secret = re.search(r'secret "([^"]+)"', path.read_text())
    assert secret is not None
    return f"hmac-sha256:jopanel-transfer:{secret[1]}"


def transfer(port: int, zone: str, source: str, key: str | None = None) -> list[str]:
    """AXFR of the zone from the sandbox's named, asked from `source` (signed with `key`, as
    dig's -y takes it): the records, or [] when the transfer is refused."""
    argv = ["dig", "@127.0.0.1", "-p", str(port), "-b", source, "+time=5", "+tries=1"]
    if key is not None:
        argv += ["-y", key]
    out = subprocess.run([*argv, zone, "AXFR"], capture_output=True, text=True, check=True).stdout
    if "Transfer failed" in out or "; TSIG error" in out or "tsig verify failure" in out:
        return []
    return [line for line in out.splitlines() if line and not line.startswith(";")]


async def test_only_the_secondary_with_the_key_may_transfer_a_zone(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    agent_config: AgentConfig,
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaa1111", "www", "192.0.2.1"))
    await create_record(dns, zone, txt("txt11111", "secret", "a tenant's own"))
    key = transfer_key(agent_config)

    copied = await asyncio.to_thread(transfer, named.dns_port, zone, SECONDARY, key)

    assert any("192.0.2.1" in line for line in copied)
    assert any("a tenant's own" in line for line in copied)
    # The secondary's address without the key, or with another key, is not enough.
    assert await asyncio.to_thread(transfer, named.dns_port, zone, SECONDARY) == []
    forged = "hmac-sha256:jopanel-transfer:" + "A" * 43 + "="
    assert await asyncio.to_thread(transfer, named.dns_port, zone, SECONDARY, forged) == []
    # Nor is the key from any other address.
    for stranger in ("127.0.0.1", "127.0.0.3"):
        for signed in (None, key):
            assert await asyncio.to_thread(transfer, named.dns_port, zone, stranger, signed) == []


def transfer_keyring(config: AgentConfig) -> dict[Name, Key]:
    algorithm, name, secret = transfer_key(config).split(":")
    keyring: dict[Name, Key] = tsigkeyring.from_text({name: (algorithm, secret)})
    return keyring


async def test_the_secondary_is_notified_of_a_change_signed_with_the_key(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    dns_secondary_port: int,
    agent_config: AgentConfig,
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaa1111", "www", "192.0.2.1"))
    with secondary_listening(dns_secondary_port) as listener:
        await create_record(dns, zone, a("aaaa2222", "shop", "192.0.2.2"))

        notified = await asyncio.to_thread(
            _notified_of, listener, zone, transfer_keyring(agent_config)
        )

    assert notified


@contextlib.contextmanager
def secondary_listening(port: int) -> Iterator[socket.socket]:
    """A UDP socket where the secondary gets its NOTIFYs."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind((SECONDARY, port))
        listener.settimeout(0.5)
        yield listener


def _notified_of(
    listener: socket.socket,
    zone: str,
    keyring: dict[Name, Key],
    seconds: float = 20.0,
) -> bool:
    """Whether a NOTIFY for the zone, signed with the key, arrives within `seconds` (named
    spreads them out). Each NOTIFY is answered signed, as a secondary does: named keeps one it
    sent unanswered in flight for 46 s and sends no other NOTIFY for that zone to that address
    meanwhile. A NOTIFY with a bad signature raises; one without a signature is not counted."""
    for _ in range(int(seconds * 2)):
        try:
            packet, sender = listener.recvfrom(4096)
        except TimeoutError:
            continue
        message = dns_message.from_wire(packet, keyring=keyring)
        if message.opcode() != dns_opcode.NOTIFY:
            continue
        listener.sendto(dns_message.make_response(message).to_wire(), sender)
        if message.had_tsig and message.question[0].name.to_text() == f"{zone}.":
            return True
    return False


async def test_the_secondary_is_notified_of_a_new_zone_through_the_catalog(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    dns_secondary_port: int,
    agent_config: AgentConfig,
) -> None:
    """A new zone changes the catalog (test_dns_catalog.py), whose NOTIFY sends the secondary
    to learn of it. Earlier tests' new zones sent the catalog's NOTIFY to this address with no
    one to answer: while such a one is in flight (46 s), named sends no other, so a zone is
    added again until one arrives."""
    notified = False
    with secondary_listening(dns_secondary_port) as listener:
        for _ in range(5):
            await create_zone(dns, new_zone(), dns_account, a("aaaa1111", "www", "192.0.2.1"))
            notified = await asyncio.to_thread(
                _notified_of, listener, CATALOG_ZONE, transfer_keyring(agent_config), 15.0
            )
            if notified:
                break

    assert notified
