"""DnsZoneService through the agent's socket with a real named, queried with dig (sandbox only):
records of every type served, serials, deletion, ownership, and removal with the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.dns.v1 import dns_pb2

from agent.system.dns.zonefile import HEADER
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
    txt,
    update_request,
    zone_files,
    zones_layer,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import AccountStub, Stub

__all__ = ["dns", "dns_account", "named", "new_zone", "zones_layer"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("named")

LONG_TEXT = "v=DKIM1; k=rsa; p=" + "A" * 600  # more than one 255-byte string


async def test_records_of_every_type_are_served(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    records = [
        a("aaaaaaaa", "@", "192.0.2.1"),
        a("aaaaaaab", "www", "192.0.2.2", ttl=300),
        record("aaaa6666", "www", aaaa={"address": "2001:DB8:0:0::1"}),
        record("cname111", "blog", cname={"target": "www.example.net"}),
        record("mx111111", "@", mx={"preference": 10, "exchange": "mail.example.net"}),
        txt("txt11111", "@", 'v=spf1 a mx -all "quoted" \\ back'),
        txt("txt22222", "dkim._domainkey", LONG_TEXT),
        txt("txt33333", "unicode", "caf\u00e9 \u2713"),
        record(
            "srv11111",
            "_sip._tcp",
            srv={"priority": 10, "weight": 5, "port": 5060, "target": "sip.example.net"},
        ),
        record(
            "srv22222", "_imap._tcp", srv={"priority": 0, "weight": 0, "port": 0, "target": "."}
        ),
        record("caa11111", "@", caa={"flags": 0, "tag": "issue", "value": "letsencrypt.org"}),
        record(
            "caa22222", "@", caa={"flags": 128, "tag": "iodef", "value": "mailto:sec@example.net"}
        ),
        record("ns111111", "sub", ns={"nameserver": "ns1.example.net"}),
        a("wildcard", "*.apps", "192.0.2.9"),
    ]
    created = await create_zone(dns, zone, dns_account, *records)
    assert created.name == zone
    assert created.account == dns_account
    assert str(created.serial).startswith(("20", "21"))
    # Returned in id order, as given (AAAA in canonical form).
    assert [r.id for r in created.records] == sorted(r.id for r in records)
    aaaa = next(r for r in created.records if r.id == "aaaa6666")
    assert aaaa.aaaa.address == "2001:db8::1"

    port = named.dns_port
    assert (await dig(port, zone, "A")).answer == ["192.0.2.1"]
    assert (await dig(port, f"www.{zone}", "A")).answer == ["192.0.2.2"]
    assert (await dig(port, f"www.{zone}", "AAAA")).answer == ["2001:db8::1"]
    assert (await dig(port, f"blog.{zone}", "CNAME")).answer == ["www.example.net."]
    assert (await dig(port, zone, "MX")).answer == ["10 mail.example.net."]
    assert (await dig(port, zone, "TXT")).answer == ['"v=spf1 a mx -all \\"quoted\\" \\\\ back"']
    (dkim,) = (await dig(port, f"dkim._domainkey.{zone}", "TXT")).answer
    strings = dkim.removeprefix('"').removesuffix('"').split('" "')
    assert [len(s) for s in strings] == [255, 255, 108]
    assert "".join(strings) == LONG_TEXT
    assert (await dig(port, f"unicode.{zone}", "TXT")).answer == ['"caf\\195\\169 \\226\\156\\147"']
    assert (await dig(port, f"_sip._tcp.{zone}", "SRV")).answer == ["10 5 5060 sip.example.net."]
    assert (await dig(port, f"_imap._tcp.{zone}", "SRV")).answer == ["0 0 0 ."]
    assert (await dig(port, zone, "CAA")).answer == [
        '0 issue "letsencrypt.org"',
        '128 iodef "mailto:sec@example.net"',
    ]
    referral = await dig(port, f"host.sub.{zone}", "A")
    assert referral.answer == []
    assert referral.authority == [f"sub.{zone}. NS ns1.example.net."]
    assert (await dig(port, f"any.apps.{zone}", "A")).answer == ["192.0.2.9"]
    # SOA and NS at the apex come from the agent's configuration.
    assert (await dig(port, zone, "NS")).answer == [f"{ns}." for ns in stack.DNS_NAMESERVERS]
    (soa,) = (await dig(port, zone, "SOA")).answer
    assert soa == f"ns1.jopanel.test. hostmaster.{zone}. {created.serial} 3600 600 1209600 300"


async def test_the_zone_file_is_written_whole_from_the_record(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    created = await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1", 300))
    text = zone_files(zone)["zone file"]
    assert text is not None
    assert text.decode() == (
        f"{HEADER}$TTL 3600\n"
        f"@ IN SOA ns1.jopanel.test. hostmaster.{zone}. ( {created.serial} 3600 600 1209600 300 )\n"
        "@ IN NS ns1.jopanel.test.\n@ IN NS ns2.jopanel.test.\n"
        "www 300 IN A 192.0.2.1\n"
    )
    conf = zone_files(zone)["zones.conf"]
    assert conf is not None
    line = f'zone "{zone}" {{ type primary; file "/etc/bind/jopanel/zones/{zone}.zone"; '
    assert any(listed.startswith(line) for listed in conf.decode().splitlines())


async def test_every_change_raises_the_serial(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    serials = [(await create_zone(dns, zone, dns_account)).serial]
    serials.append(await create_record(dns, zone, a("aaaaaaaa", "www", "192.0.2.1")))
    assert await serial_of(named.dns_port, zone) == serials[-1]
    reply = await dns.UpdateDnsRecord(
        update_request(zone, a("aaaaaaaa", "www", "192.0.2.2"), "data")
    )
    serials.append(reply.serial)
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.2"]
    request = dns_pb2.DeleteDnsRecordRequest(zone=zone, id="aaaaaaaa")
    serials.append((await dns.DeleteDnsRecord(request)).serial)
    assert serials == sorted(set(serials))
    assert await serial_of(named.dns_port, zone) == serials[-1]
    # Deleting it again changes nothing, the serial included.
    assert (await dns.DeleteDnsRecord(request)).serial == serials[-1]


async def test_a_deleted_record_is_gone(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    await dns.DeleteDnsRecord(dns_pb2.DeleteDnsRecordRequest(zone=zone, id="aaaaaaaa"))
    gone = await dig(named.dns_port, f"www.{zone}", "A")
    assert (gone.status, gone.answer) == ("NXDOMAIN", [])


async def test_a_deleted_zone_is_no_longer_served(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "@", "192.0.2.1"))
    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone))
    assert (await dig(named.dns_port, zone, "A")).status == "REFUSED"
    assert zone_files(zone)["zone file"] is None
    assert zone_files(zone)["record"] is None
    assert f'"{zone}"' not in (zone_files(zone)["zones.conf"] or b"").decode()
    code, _ = await rpc_error(dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone)))
    assert code == grpc.StatusCode.NOT_FOUND
    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone))  # again: fine


async def test_get_and_list(dns: Stub, dns_account: str, new_zone: Callable[[], str]) -> None:
    names = sorted(new_zone() for _ in range(3))
    for name in names:
        await create_zone(dns, name, dns_account, a("aaaaaaaa", "@", "192.0.2.1"))
    got = (await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=names[0]))).zone
    assert [r.id for r in got.records] == ["aaaaaaaa"]

    pages: list[str] = []
    token = ""
    while True:
        request = dns_pb2.ListDnsZonesRequest(account=dns_account, page_size=2, page_token=token)
        reply = await dns.ListDnsZones(request)
        assert all(not zone.records and zone.serial for zone in reply.zones)
        pages.append(",".join(zone.name for zone in reply.zones))
        token = reply.next_page_token
        if not token:
            break
    assert pages == [",".join(names[:2]), names[2]]
    everyone = await dns.ListDnsZones(dns_pb2.ListDnsZonesRequest(page_size=1000))
    assert set(names) <= {zone.name for zone in everyone.zones}


async def test_creating_a_zone_again_sets_its_records(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    first = await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    same = await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    assert same.serial == first.serial  # nothing changed
    other = await create_zone(dns, zone, dns_account, a("bbbbbbbb", "web", "192.0.2.2"))
    assert other.serial > first.serial
    assert [r.id for r in other.records] == ["bbbbbbbb"]
    assert (await dig(named.dns_port, f"www.{zone}", "A")).status == "NXDOMAIN"
    assert (await dig(named.dns_port, f"web.{zone}", "A")).answer == ["192.0.2.2"]


async def test_a_zone_belongs_to_one_account(
    dns: Stub,
    dns_account: str,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    before = zone_files(zone)
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(request)).account.name
    code, message = await rpc_error(create_zone(dns, zone, other))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    assert message == f"{zone} is held by another account"
    assert zone_files(zone) == before


async def test_the_account_must_exist(
    dns: Stub, new_zone: Callable[[], str], stranger: str
) -> None:
    for account in ("nosuchaccount", stranger):
        code, message = await rpc_error(create_zone(dns, new_zone(), account))
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert message == f"account {account} does not exist; create it first"


async def test_records_need_an_existing_zone(dns: Stub, new_zone: Callable[[], str]) -> None:
    zone = new_zone()
    code, _ = await rpc_error(create_record(dns, zone, a("aaaaaaaa", "www", "192.0.2.1")))
    assert code == grpc.StatusCode.NOT_FOUND
    request = update_request(zone, a("aaaaaaaa", "www", "192.0.2.1"), "data")
    code, _ = await rpc_error(dns.UpdateDnsRecord(request))
    assert code == grpc.StatusCode.NOT_FOUND
    delete = dns_pb2.DeleteDnsRecordRequest(zone=zone, id="aaaaaaaa")
    code, _ = await rpc_error(dns.DeleteDnsRecord(delete))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_a_cname_stands_alone(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1"))
    before = zone_files(zone)
    cname = record("cname111", "www", cname={"target": "example.net"})
    code, message = await rpc_error(create_record(dns, zone, cname))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert message == "record cname111: a CNAME cannot stand beside other records of its name"

    await create_record(dns, zone, record("cname222", "blog", cname={"target": "example.net"}))
    before = zone_files(zone)
    code, message = await rpc_error(create_record(dns, zone, txt("txt11111", "blog", "x")))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert message == "record txt11111: its name holds a CNAME, which stands alone"
    # Moving a record onto the CNAME's name, or the CNAME to the apex, is refused too.
    moved = update_request(zone, a("aaaaaaaa", "blog", "192.0.2.1"), "name")
    code, _ = await rpc_error(dns.UpdateDnsRecord(moved))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    to_apex = update_request(zone, dns_pb2.DnsRecord(id="cname222", name="@"), "name")
    code, message = await rpc_error(dns.UpdateDnsRecord(to_apex))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("record.name: must not be '@' for a CNAME")
    assert zone_files(zone) == before
    # Replacing the CNAME itself by id is fine.
    await create_record(dns, zone, record("cname222", "blog", cname={"target": "example.org"}))


async def test_update_changes_only_the_fields_in_the_mask(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "www", "192.0.2.1", ttl=300))
    spec = txt("aaaaaaaa", "web", "now text")
    spec.ttl = 600
    reply = await dns.UpdateDnsRecord(update_request(zone, spec, "ttl"))
    assert reply.record == a("aaaaaaaa", "www", "192.0.2.1", ttl=600)
    reply = await dns.UpdateDnsRecord(update_request(zone, spec, "name", "data"))
    assert reply.record == record("aaaaaaaa", "web", 600, txt={"text": "now text"})
    assert (await dig(named.dns_port, f"web.{zone}", "TXT")).answer == ['"now text"']
    for paths in ((), ("id",), ("name", "zone")):
        code, message = await rpc_error(dns.UpdateDnsRecord(update_request(zone, spec, *paths)))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message.startswith("update_mask: ")
    missing = update_request(zone, a("bbbbbbbb", "www", "192.0.2.1"), "data")
    code, message = await rpc_error(dns.UpdateDnsRecord(missing))
    assert (code, message) == (grpc.StatusCode.NOT_FOUND, "record bbbbbbbb does not exist")


async def test_creating_a_record_twice_changes_nothing(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account)
    serial = await create_record(dns, zone, a("aaaaaaaa", "www", "192.0.2.1"))
    before = zone_files(zone)
    assert await create_record(dns, zone, a("aaaaaaaa", "www", "192.0.2.1")) == serial
    assert zone_files(zone) == before


async def test_deleting_the_account_stops_serving_its_zones(
    dns: Stub,
    dns_account: str,
    accounts: AccountStub,
    new_zone: Callable[[], str],
    named: stack.Named,
) -> None:
    zones = [new_zone(), new_zone()]
    for zone in zones:
        await create_zone(dns, zone, dns_account, a("aaaaaaaa", "@", "192.0.2.1"))
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=dns_account))
    for zone in zones:
        assert (await dig(named.dns_port, zone, "A")).status == "REFUSED"
        assert zone_files(zone)["record"] is None
    listed = await dns.ListDnsZones(dns_pb2.ListDnsZonesRequest(account=dns_account))
    assert list(listed.zones) == []


async def test_a_batch_answers_each_zone_as_its_own_get_does(
    dns: Stub,
    dns_account: str,
    new_zone: Callable[[], str],
    accounts: AccountStub,
    new_name: Callable[[], str],
) -> None:
    """BatchGetDnsZones, the reconcile's read: each zone once, in name order, as GetDnsZone
    gives it, another account's zone with its own records only; a name below or above a
    zone, or no zone at all, is NOT_FOUND on its own."""
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(request)).account.name
    mine, theirs = sorted((new_zone(), new_zone()))
    await create_zone(dns, mine, dns_account, a("aaaa1111", "www", "192.0.2.1"))
    await create_zone(dns, theirs, other, txt("bbbb2222", "@", "theirs"))
    asked = [theirs, f"sub.{mine}", mine, f"x{mine}", "nosuchzone.test", theirs]
    answer = await dns.BatchGetDnsZones(dns_pb2.BatchGetDnsZonesRequest(names=asked))
    assert [entry.name for entry in answer.zones] == sorted(set(asked))
    by_name = {entry.name: entry for entry in answer.zones}
    for zone in (mine, theirs):
        single = (await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))).zone
        assert (by_name[zone].zone, by_name[zone].failure) == (single, "")
    assert by_name[mine].zone.account == dns_account
    assert [r.id for r in by_name[theirs].zone.records if r.id == "bbbb2222"] == ["bbbb2222"]
    assert "aaaa1111" not in {r.id for r in by_name[theirs].zone.records}
    for name in (f"sub.{mine}", f"x{mine}", "nosuchzone.test"):
        assert by_name[name].failure.startswith("NOT_FOUND: "), by_name[name]
        assert not by_name[name].HasField("zone")


@pytest.mark.parametrize(
    ("names", "field"),
    [
        ([], "names"),
        ([f"z{i}.test" for i in range(1001)], "names"),
        (["ok.test", "1.0.0.10.in-addr.arpa"], "names[1]"),
        (["../etc/passwd"], "names[0]"),
        (["catalog.invalid"], "names[0]"),
        (["test"], "names[0]"),
        (["a.test\n"], "names[0]"),
        (["x" * 300 + ".test"], "names[0]"),
    ],
)
async def test_a_batch_with_a_name_that_is_no_zone_name_is_refused_whole(
    dns: Stub, names: list[str], field: str
) -> None:
    request = dns_pb2.BatchGetDnsZonesRequest(names=names)
    code, message = await rpc_error(dns.BatchGetDnsZones(request))
    assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
