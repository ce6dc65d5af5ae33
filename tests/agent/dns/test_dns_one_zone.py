"""A change to one zone reloads that zone alone (issue 14, target 5): named loads it, and no
other zone, whose serial and answers stay as they were (sandbox only, with a real named)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import stack

from agent.system.dns.zones import DnsZones
from tests.agent.dns.dns_support import (
    a,
    create_record,
    create_zone,
    dig,
    dns,
    dns_account,
    named,
    new_zone,
    serial_of,
    zones_layer,
)

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub

__all__ = ["dns", "dns_account", "named", "new_zone", "zones_layer"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("named")


def log_of(named: stack.Named) -> str:
    assert named.process is not None
    return named.process.log.read_text(errors="replace")


def loads(named: stack.Named, zone: str) -> list[int]:
    """The serials named's log says it loaded the zone at ("zone Z/IN: loaded serial N")."""
    found = re.findall(rf"zone {re.escape(zone)}/IN: loaded serial (\d+)", log_of(named))
    return [int(n) for n in found]


async def test_a_change_to_one_zone_loads_it_and_no_other(
    dns: Stub,
    dns_account: str,
    new_zone: Callable[[], str],
    named: stack.Named,
    zones_layer: DnsZones,
) -> None:
    # The zone below and the zone above the changed one in name order, and a look-alike.
    changed = new_zone()
    others = [f"a{changed}", f"z{changed}", changed.replace(".test", "x.test")]
    for zone in others:
        await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    await create_zone(dns, changed, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    before = {zone: (await serial_of(named.dns_port, zone), loads(named, zone)) for zone in others}
    reloads = zones_layer.reloads
    logged = len(log_of(named))

    serial = await create_record(dns, changed, a("bbbbbbbb", "new", "192.0.2.2"))

    assert zones_layer.reloads - reloads == 1
    # `rndc reload <zone>`: named is asked for this zone, and reads neither its configuration
    # nor any other zone's file (a plain `rndc reload` would log "reloading zones succeeded").
    commands = re.findall(r"received control channel command '([^']*)'", log_of(named)[logged:])
    assert commands == [f"reload {changed}"]
    assert "reloading" not in log_of(named)[logged:]
    assert loads(named, changed)[-1] == serial
    assert (await dig(named.dns_port, f"new.{changed}", "A")).answer == ["192.0.2.2"]
    for zone in others:
        assert (await serial_of(named.dns_port, zone), loads(named, zone)) == before[zone]
        assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.1"]
        assert (await dig(named.dns_port, f"new.{zone}", "A")).status == "NXDOMAIN"
