"""named-checkzone before anything goes live, coalesced reloads, named being down, and what the
agent repairs after a crash (sandbox only, with a real named)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.dns.v1 import dns_pb2

from agent.config import AgentConfig
from agent.system.dns import bind
from agent.system.dns.zones import RECORD_DIR, DnsZones
from agent.validators.accounts import AccountName
from agent.validators.dns import ZoneName
from tests.agent.dns.dns_support import (
    a,
    create_record,
    create_zone,
    dig,
    dns,
    dns_account,
    named,
    new_zone,
    record,
    serial_of,
    zone_files,
    zones_layer,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub

__all__ = ["dns", "dns_account", "named", "new_zone", "zones_layer"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("named")

# named-checkzone refuses it ("invalid NS owner name (wildcard)"); each field is valid alone.
WILDCARD_NS = record("badns111", "*", ns={"nameserver": "ns1.example.net"})


async def test_a_zone_the_checker_refuses_changes_nothing(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    created = await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    before = zone_files(zone)

    code, message = await rpc_error(create_record(dns, zone, WILDCARD_NS))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert message == (
        f"named-checkzone refused zone {zone}: record badns111: *.{zone}: "
        "invalid NS owner name (wildcard)"
    )
    assert zone_files(zone) == before
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.1"]
    assert await serial_of(named.dns_port, zone) == created.serial
    got = await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))
    assert [r.id for r in got.zone.records] == ["aaaaaaaa"]


async def test_a_new_zone_the_checker_refuses_is_not_served(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    code, _ = await rpc_error(create_zone(dns, zone, dns_account, WILDCARD_NS))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert (await dig(named.dns_port, zone, "SOA")).status == "REFUSED"
    files = zone_files(zone)
    assert (files["zone file"], files["record"]) == (None, None)


async def test_concurrent_changes_share_reloads(
    dns: Stub,
    dns_account: str,
    new_zone: Callable[[], str],
    named: stack.Named,
    zones_layer: DnsZones,
) -> None:
    zone = new_zone()
    first = await create_zone(dns, zone, dns_account)
    reloads = zones_layer.reloads
    serials = await asyncio.gather(
        *(create_record(dns, zone, a(f"rec{n:05d}", f"host{n}", f"192.0.2.{n}")) for n in range(50))
    )
    assert zones_layer.reloads - reloads <= 5
    assert min(serials) > first.serial
    final = await serial_of(named.dns_port, zone)
    assert max(serials) == final
    answers = await asyncio.gather(
        *(dig(named.dns_port, f"host{n}.{zone}", "A") for n in range(50))
    )
    assert [answer.answer for answer in answers] == [[f"192.0.2.{n}"] for n in range(50)]


async def test_zones_created_together_share_one_reconfiguration(
    dns: Stub,
    dns_account: str,
    new_zone: Callable[[], str],
    named: stack.Named,
    zones_layer: DnsZones,
) -> None:
    zones = [new_zone() for _ in range(20)]
    reloads, catalogs = zones_layer.reloads, zones_layer.catalog_reloads
    await asyncio.gather(
        *(create_zone(dns, zone, dns_account, a("aaaaaaaa", "@", "192.0.2.7")) for zone in zones)
    )
    assert zones_layer.reloads - reloads <= 3
    # The catalog (the tests' agent has a secondary) is reloaded once per new zone list.
    assert 1 <= zones_layer.catalog_reloads - catalogs <= zones_layer.reloads - reloads
    answers = await asyncio.gather(*(dig(named.dns_port, zone, "A") for zone in zones))
    assert all(answer.answer == ["192.0.2.7"] for answer in answers)
    await asyncio.gather(
        *(dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone)) for zone in zones)
    )
    answers = await asyncio.gather(*(dig(named.dns_port, zone, "A") for zone in zones))
    assert all(answer.status == "REFUSED" for answer in answers)


async def test_in_a_refused_batch_only_the_offending_change_fails(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account)
    good = [a(f"rec{n:05d}", f"host{n}", "192.0.2.1") for n in range(5)]
    results = await asyncio.gather(
        *(create_record(dns, zone, spec) for spec in [*good[:2], WILDCARD_NS, *good[2:]]),
        return_exceptions=True,
    )
    refused = results.pop(2)
    assert isinstance(refused, grpc.aio.AioRpcError)
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert all(isinstance(serial, int) for serial in results)
    for n in range(5):
        assert (await dig(named.dns_port, f"host{n}.{zone}", "A")).answer == ["192.0.2.1"]
    assert (await dig(named.dns_port, f"x.{zone}", "NS")).status == "NXDOMAIN"


async def test_while_named_is_down_nothing_changes(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    before = zone_files(zone)
    named.stop()
    try:
        code, message = await rpc_error(create_record(dns, zone, a("bbbbbbbb", "x", "192.0.2.2")))
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert message.startswith("named does not answer rndc (")
        assert zone_files(zone) == before
    finally:
        named.start()
    await create_record(dns, zone, a("bbbbbbbb", "x", "192.0.2.2"))
    assert (await dig(named.dns_port, f"x.{zone}", "A")).answer == ["192.0.2.2"]


async def test_after_a_crash_the_files_are_brought_back_in_line(
    dns: Stub,
    dns_account: str,
    new_zone: Callable[[], str],
    named: stack.Named,
    agent_config: AgentConfig,
) -> None:
    """A crash may leave a zone file behind its record, or zones.conf behind the records: an
    agent that starts again rewrites them at its first change, and named serves the records."""
    zone, listed = new_zone(), new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    await create_zone(dns, listed, dns_account, a("aaaaaaaa", "@", "192.0.2.3"))
    layout = bind.Layout.from_config(agent_config)
    zone_file = layout.zone_file(ZoneName(zone))
    zone_file.write_text(zone_file.read_text().replace("192.0.2.1", "192.0.2.66"))
    conf = layout.zones_conf.read_text()
    layout.zones_conf.write_text("\n".join(x for x in conf.splitlines() if listed not in x))
    (layout.zone_dir / ".leftover.tmp").write_text("half a zone")

    restarted = DnsZones(agent_config)
    other = new_zone()
    await restarted.create_zone(ZoneName(other), AccountName(dns_account), [])
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.1"]
    assert (await dig(named.dns_port, listed, "A")).answer == ["192.0.2.3"]
    assert f'"{listed}"' in layout.zones_conf.read_text()
    assert not (layout.zone_dir / ".leftover.tmp").exists()
    # The agent under test never knew of this zone: it goes the way it came.
    await restarted.delete_zone(ZoneName(other))


async def test_a_starting_agent_serves_what_the_records_hold_before_any_change(
    dns: Stub,
    dns_account: str,
    new_zone: Callable[[], str],
    named: stack.Named,
    agent_config: AgentConfig,
) -> None:
    """What a kill in a batch left: a zone named serves that no record holds (killed between
    the reconfig and the record, as the agent once wrote them), and a recorded zone missing
    from zones.conf. The start puts both right before any request: named serves neither the
    ghost (a tenant's zone the panel no longer knows) nor misses the recorded one."""
    ghost, listed = new_zone(), new_zone()
    await create_zone(dns, ghost, dns_account, a("aaaaaaaa", "www", "192.0.2.9"))
    await create_zone(dns, listed, dns_account, a("aaaaaaaa", "@", "192.0.2.3"))
    layout = bind.Layout.from_config(agent_config)
    (RECORD_DIR / f"{ghost}.json").unlink()
    conf = layout.zones_conf.read_text()
    layout.zones_conf.write_text("\n".join(x for x in conf.splitlines() if listed not in x))
    assert stack.rndc(named.rndc_port, "reconfig").returncode == 0
    assert (await dig(named.dns_port, listed, "A")).status == "REFUSED"

    await DnsZones(agent_config).bring_up_to_date()
    assert (await dig(named.dns_port, f"www.{ghost}", "A")).status == "REFUSED"
    assert (await dig(named.dns_port, listed, "A")).answer == ["192.0.2.3"]
    assert f'"{ghost}"' not in layout.zones_conf.read_text()
    assert not layout.zone_file(ZoneName(ghost)).exists()
    # This process's agent still holds the ghost: its deletion ends it there too.
    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=ghost))


async def test_without_answers_on_dns_port_rndc_tells_what_is_served(
    dns_account: str, new_zone: Callable[[], str], named: stack.Named, agent_config: AgentConfig
) -> None:
    """named may not answer on 127.0.0.1:dns_port (its listen-on says otherwise): the agent
    asks rndc zonestatus instead, and the call still returns once the zone is served."""
    elsewhere = DnsZones(dataclasses.replace(agent_config, dns_port=stack.free_port()))
    zone = ZoneName(new_zone())
    created = await elsewhere.create_zone(zone, AccountName(dns_account), [])
    assert await serial_of(named.dns_port, zone) == created.serial
    await elsewhere.delete_zone(zone)
    assert (await dig(named.dns_port, zone, "SOA")).status == "REFUSED"
