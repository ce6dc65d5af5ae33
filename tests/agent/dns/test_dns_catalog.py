"""The catalog zone (agent/system/dns/catalog.py), read by a real secondary: a second named in
the sandbox that transfers from 127.0.0.2, the agent's configured secondary, told only the
catalog's name and the primary's address. It serves a zone the agent makes and stops serving
one it deletes, by itself; no one else may transfer the catalog (it lists every tenant's zone
names), and no account may hold the catalog's name, one below it or one above."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.dns.v1 import dns_pb2

from agent.config import AgentConfig
from agent.system.dns import catalog
from agent.system.dns.bind import TRANSFER_KEY_NAME, Layout
from agent.system.dns.catalog import CATALOG_ZONE
from agent.system.dns.zones import DnsZones
from agent.validators.dns import ZoneName
from tests.agent.dns.dns_support import (
    a,
    create_zone,
    dns,
    dns_account,
    named,
    new_zone,
    zones_layer,
)
from tests.agent.dns.test_dns_transfers import SECONDARY, transfer, transfer_key
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub

__all__ = ["dns", "dns_account", "named", "new_zone", "zones_layer"]  # fixtures, used by name

WAIT_SECONDS = 60.0  # the secondary transfers the catalog, then each zone it adds


@dataclass(frozen=True)
class Secondary:
    dns_port: int  # where it answers queries, on 127.0.0.1
    rndc_port: int


@pytest.fixture
def secondary(named: stack.Named, agent_config: AgentConfig) -> Iterator[Secondary]:
    """A named that reads the agent's catalog from the sandbox's named, transferring from the
    secondary's address (127.0.0.2), which the agent allows.

    named listens only on addresses an interface has, and the sandbox shares the host's
    network, whose loopback has 127.0.0.1 alone: so it answers on 127.0.0.1 (its own ports),
    and the NOTIFY the agent's named sends to 127.0.0.2 reaches no one. The test plays that
    NOTIFY's part with `rndc refresh` of the catalog; test_dns_transfers.py shows the NOTIFY
    is sent, for the catalog too."""
    home = Path("/var/cache/bind/jp-secondary")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.chown(home, "bind", "bind")
    ports = Secondary(stack.free_port(), stack.free_port())
    # It signs its transfers with the agent's key, as the administrator's secondary does with
    # the file copied over (docs/dns.md).
    key = Layout.from_config(agent_config).transfer_key
    assert key is not None
    primary = f"127.0.0.1 port {named.dns_port} key {TRANSFER_KEY_NAME}"
    conf = Path("/etc/bind/jp-secondary.conf")
    conf.write_text(
        "options {\n"
        f'    directory "{home}";\n'
        f'    pid-file "{home}/named.pid";\n'
        f'    session-keyfile "{home}/session.key";\n'
        f"    listen-on port {ports.dns_port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    recursion no;\n"
        "    dnssec-validation no;\n"
        "    notify no;\n"
        # Its queries and transfers come from the address the agent allows, and no other.
        f"    transfer-source {SECONDARY};\n"
        "    use-alt-transfer-source no;\n"
        f"    query-source address {SECONDARY};\n"
        "    catalog-zones {\n"
        f'        zone "{CATALOG_ZONE}" default-primaries {{ {primary}; }}'
        " min-update-interval 1;\n"
        "    };\n"
        "};\n"
        f'include "{stack.RNDC_KEY}";\n'
        f'include "{key}";\n'
        f"controls {{ inet 127.0.0.1 port {ports.rndc_port} allow {{ 127.0.0.1; }}"
        ' keys { "rndc-key"; }; };\n'
        f'zone "{CATALOG_ZONE}" {{ type secondary; file "catalog.db";'
        f" primaries {{ {primary}; }}; }};\n"
    )
    conf.chmod(0o644)
    process = stack.Process(
        "secondary named",
        ["named", "-g", "-u", "bind", "-c", str(conf)],
        home.parent / "jp-secondary.log",
    )
    process.start()
    try:
        stack.wait_for(
            "secondary named",
            lambda: stack.rndc(ports.rndc_port, "status").returncode == 0,
            process.popen,
            process.log,
        )
        yield ports
    finally:
        process.stop()


def ask(secondary: Secondary, name: str) -> tuple[str, list[str]]:
    """The secondary's status and answers for the name's A records, after telling it the
    catalog changed (what the agent's NOTIFY would do)."""
    stack.rndc(secondary.rndc_port, "refresh", CATALOG_ZONE)
    argv = ["dig", "@127.0.0.1", "-p", str(secondary.dns_port), "+norec", "+time=2", "+tries=1"]
    out = subprocess.run([*argv, name, "A"], capture_output=True, text=True, check=False).stdout
    status = out.split("status: ", 1)[1].split(",", 1)[0] if "status: " in out else ""
    answers = [line.split()[-1] for line in out.splitlines() if line.split()[3:4] == ["A"]]
    return status, answers


async def until(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.5)
    return False


async def test_a_secondary_serves_the_zones_the_catalog_lists_and_drops_deleted_ones(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    secondary: Secondary,
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaa1111", "www", "192.0.2.7"))

    assert await until(lambda: ask(secondary, f"www.{zone}") == ("NOERROR", ["192.0.2.7"]))

    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone))

    assert await until(lambda: ask(secondary, f"www.{zone}")[0] == "REFUSED")


async def test_only_the_secondary_may_transfer_the_catalog(
    dns: Stub,
    named: stack.Named,
    dns_account: str,
    new_zone: Callable[[], str],
    agent_config: AgentConfig,
    zones_layer: DnsZones,
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaa1111", "www", "192.0.2.1"))

    key = transfer_key(agent_config)
    copied = await asyncio.to_thread(transfer, named.dns_port, CATALOG_ZONE, SECONDARY, key)

    assert f"{catalog.member_label(ZoneName(zone))}.zones.{CATALOG_ZONE}." in "\n".join(copied)
    assert any(line.split()[-2:] == ["PTR", f"{zone}."] for line in copied)
    assert await asyncio.to_thread(transfer, named.dns_port, CATALOG_ZONE, SECONDARY) == []
    for stranger in ("127.0.0.1", "127.0.0.3"):
        for signed in (None, key):
            transferred = await asyncio.to_thread(
                transfer, named.dns_port, CATALOG_ZONE, stranger, signed
            )
            assert transferred == []
    # The file lists exactly the zones the agent serves (other tests' zones too).
    layout = Layout.from_config(agent_config)
    listed = catalog.members(layout.zone_file(CATALOG_ZONE).read_text())
    assert zone in listed
    assert listed == {name for name, _ in zones_layer.held()}


@pytest.mark.parametrize(
    "name",
    [str(CATALOG_ZONE), f"zones.{CATALOG_ZONE}", "jopanel.invalid", "shop.example.invalid"],
)
async def test_no_account_holds_the_catalogs_name_or_one_below_or_above_it(
    dns: Stub, named: stack.Named, dns_account: str, name: str
) -> None:
    request = dns_pb2.CreateDnsZoneRequest(zone=dns_pb2.DnsZone(name=name, account=dns_account))

    code, message = await rpc_error(dns.CreateDnsZone(request))

    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert ".invalid" in message


def test_the_catalog_file_and_its_serial() -> None:
    text = catalog.render(["b.example", "a.example"], 1_800_000_000)  # type: ignore[list-item]
    assert 'version IN TXT "2"' in text
    assert catalog.members(text) == {"a.example", "b.example"}
    assert catalog.serial_of(text) == 1_800_000_000
    # A second change in the same second, or a clock set back, still gets a higher serial.
    assert catalog.next_serial(1_800_000_000, 1_800_000_000) == 1_800_000_001
    assert catalog.next_serial(1_800_000_000, 1_700_000_000) == 1_800_000_001
    # SHA-1 of the name in wire format (7 "example" 3 "com" 0), as BIND's tools make it.
    assert catalog.member_label("example.com") == "c5e4b4da1e5a620ddaa3635e55c3732a5b49c7f4"  # type: ignore[arg-type]
