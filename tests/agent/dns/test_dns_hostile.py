"""Hostile DNS data through the agent's socket (sandbox only): every field of every record type
refuses what could reach the zone file as syntax (newlines, directives, quotes, comments) or
what is not valid for it, with INVALID_ARGUMENT, and the zone's files stay byte for byte as
they were. Data that only looks like zone file syntax is served literally."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import grpc
import pytest
import stack
from jopanel.agent.dns.v1 import dns_pb2

from agent.system.dns.zonefile import MAX_ZONE_BYTES
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
    txt,
    update_request,
    zone_files,
    zones_layer,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub

__all__ = ["dns", "dns_account", "named", "new_zone", "zones_layer"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("named")

# What would be zone file syntax, or is no valid name or host name.
INJECTIONS = [
    "www\n@ IN A 203.0.113.66",
    "www\r\n$INCLUDE /etc/shadow",
    "www\x00",
    "$INCLUDE /etc/passwd",
    "$ORIGIN evil.example.",
    "$TTL 1",
    "$GENERATE 1-100 host$ A 203.0.113.$",
    "www ; comment",
    "www (",
    "www )",
    'w"w',
    "w\\046w",
    "w w",
    "w\tw",
    "WWW",
    "www.",
    ".www",
    "w..w",
    "-www",
    "www-",
    "w_w",
    "*w",
    "w.*",
    "a" * 64,
    "caf\u00e9",
    "",
]
TARGETS = [*INJECTIONS, "localhost", "192.0.2.1", "www.example.net.", "@"]
HOST_TARGETS = [*TARGETS, "_mail.example.net", "."]


def hostile_records() -> list[tuple[str, dns_pb2.DnsRecord]]:
    """(field, record) pairs: each record is wrong in that field only."""
    cases: list[tuple[str, dns_pb2.DnsRecord]] = []

    def add(field: str, **data: Any) -> None:
        cases.append((field, record("hostile1", "www", **data)))

    for name in [*INJECTIONS[:-1], "@@", "@.www", "x." * 127 + "x"]:
        cases.append(("record.name", a("hostile1", name, "192.0.2.1")))
    for address in ["1.2.3", "256.1.1.1", "01.2.3.4", "192.0.2.1\n", " 192.0.2.1", "::1", "1/8"]:
        add("record.a.address", a={"address": address})
    for address in ["192.0.2.1", "fe80::1%eth0", "::1\n", "gggg::1", "1::2::3", "::1 ; x", ""]:
        add("record.aaaa.address", aaaa={"address": address})
    for target in TARGETS:
        add("record.cname.target", cname={"target": target})
    for target in HOST_TARGETS:
        add("record.mx.exchange", mx={"preference": 10, "exchange": target})
        add("record.ns.nameserver", ns={"nameserver": target})
    for target in HOST_TARGETS[:-1]:
        srv = {"priority": 1, "weight": 1, "port": 1, "target": target}
        add("record.srv.target", srv=srv)
    for text in ["", "a\nb", "a\rb", "a\x00b", "\x7f", "\x1b[31m", "a\u0085b", "x" * 4001]:
        add("record.txt.text", txt={"text": text})
    for tag in ["", "Issue", "issue ", "tbs", "issue\n", "issue\x00"]:
        add("record.caa.tag", caa={"flags": 0, "tag": tag, "value": "ca.example"})
    for value in [
        "",
        'ca.example"',
        "ca\\.example",
        "ca.example\n",
        'ca.example; key="x"',
        "ca example",
        "CA.example",
        "ca.example; $INCLUDE",
        "x" * 256,
    ]:
        add("record.caa.value", caa={"flags": 0, "tag": "issue", "value": value})
    for value in ["http:/x", "ftp://ca.example", "mailto:x", 'https://ca.example/"', "ca.example"]:
        add("record.caa.value", caa={"flags": 0, "tag": "iodef", "value": value})
    for flags in (1, 127, 255, 256):
        add("record.caa.flags", caa={"flags": flags, "tag": "issue", "value": "ca.example"})
    for number in (65536, 2**32 - 1):
        add("record.mx.preference", mx={"preference": number, "exchange": "mail.example"})
        for key in ("priority", "weight", "port"):
            srv = {"priority": 1, "weight": 1, "port": 1, "target": "sip.example", key: number}
            add(f"record.srv.{key}", srv=srv)
    for ttl in (1, 59, 604801, 2**32 - 1):
        cases.append(("record.ttl", a("hostile1", "www", "192.0.2.1", ttl=ttl)))
    for record_id in ["", "short", "UPPER123", "abcd1234\n", "../../etc1", "a" * 33]:
        cases.append(("record.id", a(record_id, "www", "192.0.2.1")))
    cases += [
        ("record.name", record("hostile1", "@", cname={"target": "example.net"})),
        ("record.name", record("hostile1", "@", ns={"nameserver": "ns.example.net"})),
        ("record.name", a("hostile1", "_service", "192.0.2.1")),
        ("record.name", record("hostile1", "_x", mx={"preference": 1, "exchange": "m.example"})),
        ("record", dns_pb2.DnsRecord(id="hostile1", name="www")),
    ]
    return cases


HOSTILE_ZONES = [
    "",
    "EXAMPLE.test",
    "example",
    "example.test.",
    "ex ample.test",
    "example.test\n",
    "../../etc/x.test",
    "in-addr.arpa",
    "1.0.10.in-addr.arpa",
    "xn--zz.test",
    "a" * 64 + ".test",
    "192.0.2.1",
    "_tcp.example.test",
]


async def test_hostile_records_are_refused_and_change_nothing(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("hostile1", "www", "192.0.2.1"))
    before = zone_files(zone)
    for field, spec in hostile_records():
        code, message = await rpc_error(create_record(dns, zone, spec))
        assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field), spec
        code, message = await rpc_error(create_zone(dns, zone, dns_account, spec))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, spec
        assert message.startswith(field.replace("record", "zone.records[0]", 1)), spec
        # The same through UpdateDnsRecord, for the A record in place ("hostile1").
        if spec.id == "hostile1" and spec.WhichOneof("data") in ("a", "aaaa"):
            path = {"record.name": "name", "record.ttl": "ttl"}.get(field, "data")
            update = update_request(zone, spec, path)
            code, message = await rpc_error(dns.UpdateDnsRecord(update))
            assert code == grpc.StatusCode.INVALID_ARGUMENT, spec
        assert zone_files(zone) == before, spec


@pytest.mark.parametrize("zone", HOSTILE_ZONES)
async def test_hostile_zone_names_are_refused(dns: Stub, dns_account: str, zone: str) -> None:
    code, message = await rpc_error(create_zone(dns, zone, dns_account))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("zone.name: ")
    for call in (
        dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone)),
        dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone)),
        create_record(dns, zone, a("aaaaaaaa", "www", "192.0.2.1")),
    ):
        code, _ = await rpc_error(call)
        assert code == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("account", ["", "Root", "root", "../etc", "a" * 33, "x\n"])
async def test_hostile_account_names_are_refused(
    dns: Stub, new_zone: Callable[[], str], account: str
) -> None:
    code, message = await rpc_error(create_zone(dns, new_zone(), account))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("zone.account: ")
    code, _ = await rpc_error(dns.ListDnsZones(dns_pb2.ListDnsZonesRequest(account=account or "X")))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


async def test_too_many_or_repeated_records_are_refused(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    twice = [a("aaaaaaaa", "www", "192.0.2.1"), a("aaaaaaaa", "web", "192.0.2.1")]
    code, message = await rpc_error(create_zone(dns, zone, dns_account, *twice))
    assert (code, message) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "zone.records: must not repeat a record id",
    )
    many = [a(f"rec{n:05d}", f"h{n}", "192.0.2.1") for n in range(5001)]
    code, message = await rpc_error(create_zone(dns, zone, dns_account, *many))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("zone.records: ")


async def outcome(call: Awaitable[object]) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def test_no_zone_outgrows_what_get_dns_zone_can_send(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    """5,000 TXT records of 4,000 characters would be 20 MB; GetDnsZone answers a whole zone in
    one message (4 MiB), so a zone that outgrew it could be read by no one, the reconcile
    included. Neither a whole zone nor one record more takes a zone past MAX_ZONE_BYTES, and a
    zone at the bound reads back whole."""
    zone = new_zone()
    big = [txt(f"{n:08x}", f"t{n}", "x" * 4000) for n in range(900)]  # 3.6 MB: one request
    code, message = await rpc_error(create_zone(dns, zone, dns_account, *big))
    assert code == grpc.StatusCode.FAILED_PRECONDITION, message
    assert f"more than {MAX_ZONE_BYTES // 1024} KiB of records" in message
    await create_zone(dns, zone, dns_account, *big[:510])
    codes = [await outcome(create_record(dns, zone, spec)) for spec in big[510:516]]
    ok, full = grpc.StatusCode.OK, grpc.StatusCode.FAILED_PRECONDITION
    assert codes == [ok] * codes.count(ok) + [full] * codes.count(full), codes
    assert codes.count(full) > 0
    served = await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))
    assert len(served.zone.records) == 510 + codes.count(ok)
    assert served.zone.ByteSize() < MAX_ZONE_BYTES + 64 * 1024  # within the message, with room


async def test_text_that_looks_like_zone_file_syntax_is_served_literally(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    text = '" ; $INCLUDE /etc/passwd\\" ( $ORIGIN evil. ) @ IN A 203.0.113.66 \\'
    await create_zone(dns, zone, dns_account, txt("aaaaaaaa", "t", text))
    (served,) = (await dig(named.dns_port, f"t.{zone}", "TXT")).answer
    unescaped = served[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    assert unescaped == text
    zone_file = zone_files(zone)["zone file"]
    assert zone_file is not None
    (line,) = [x for x in zone_file.decode().splitlines() if x.startswith("t ")]
    assert line.startswith('t IN TXT "\\" ; $INCLUDE')
    assert not any(x.startswith("$") for x in zone_file.decode().splitlines()[3:])
    assert (await dig(named.dns_port, zone, "A")).answer == []
