"""DNS validators with hostile input, and the zone file text they can produce (runs anywhere)."""

from __future__ import annotations

import datetime
import json
import os
import re
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.config import AgentConfig, ConfigError, _typed_values
from agent.errors import Internal, InvalidArgument
from agent.system.dns import dns_query
from agent.system.dns.bind import (
    Layout,
    checker_message,
    ensure_transfer_key,
    render_zones_conf,
)
from agent.system.dns.zonefile import (
    HEADER,
    Record,
    Soa,
    Zone,
    from_json,
    next_serial,
    quote,
    record_data,
    render,
    to_json,
    txt_strings,
)
from agent.validators import dns as dns_validators
from agent.validators.accounts import AccountName
from agent.validators.dns import DnsRecordId, ZoneName

ZONE = ZoneName("example.test")
SOA = Soa(("ns1.jopanel.test", "ns2.jopanel.test"), "")


@pytest.mark.parametrize(
    "name", ["@", "www", "*", "*.apps", "_dmarc", "_sip._tcp", "a-b.c-d", "x" * 63, "0"]
)
def test_valid_record_names(name: str) -> None:
    assert dns_validators.dns_record_name(name, ZONE) == name


@pytest.mark.parametrize(
    "name",
    ["", "@.www", "www.", ".www", "a..b", "-a", "a-", "A", "w w", "w\n", "**", "a.*", "_", "__a",
     "a_b", "x" * 64, "é", "$ORIGIN", ";", "(", '"', "\\", ".".join(["x"] * 121)],
)  # fmt: skip
def test_invalid_record_names(name: str) -> None:
    with pytest.raises(InvalidArgument):
        dns_validators.dns_record_name(name, ZONE)


def test_a_record_name_must_leave_room_for_the_zone() -> None:
    zone = ZoneName("z" * 60 + ".test")  # 65 characters
    fits = ".".join(["a" * 61] * 3)  # 185: 185 + 1 + 65 = 251
    assert dns_validators.dns_record_name(fits, zone) == fits
    with pytest.raises(InvalidArgument):
        dns_validators.dns_record_name(fits + ".abc", zone)


@pytest.mark.parametrize(
    "target", ["example.net", "mail.example.net", "s1._domainkey.example.net", "a.b.c.d"]
)
def test_valid_targets(target: str) -> None:
    assert dns_validators.dns_target(target, "target") == target


@pytest.mark.parametrize(
    "target",
    ["", ".", "localhost", "example.net.", "EXAMPLE.net", "1.2.3.4", "a..b", "a b.c", "a\n.b",
     "@", "*.example.net", "é.example"],
)  # fmt: skip
def test_invalid_targets(target: str) -> None:
    with pytest.raises(InvalidArgument):
        dns_validators.dns_target(target, "target")


def test_host_targets_refuse_underscores_and_srv_takes_a_dot() -> None:
    with pytest.raises(InvalidArgument):
        dns_validators.dns_host_target("_mail.example.net", "exchange")
    assert dns_validators.dns_host_target(".", "target", service=True) == "."
    with pytest.raises(InvalidArgument):
        dns_validators.dns_host_target(".", "exchange")


def test_addresses() -> None:
    assert dns_validators.ipv4_address("192.0.2.1") == "192.0.2.1"
    assert dns_validators.ipv6_address("2001:DB8:0:0:0:0:0:1") == "2001:db8::1"
    assert dns_validators.ipv6_address("::ffff:192.0.2.1") == "::ffff:c000:201"
    for bad in ("01.2.3.4", "1.2.3", "1.2.3.4 ", "0x1.2.3.4", "::1", ""):
        with pytest.raises(InvalidArgument):
            dns_validators.ipv4_address(bad)
    for bad in ("fe80::1%eth0", "1.2.3.4", "::1\n", "1:" * 30, ""):
        with pytest.raises(InvalidArgument):
            dns_validators.ipv6_address(bad)


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("issue", "letsencrypt.org"),
        ("issue", ";"),
        ("issuewild", "ca.example; validationmethods=dns-01"),
        ("issue", "letsencrypt.org;accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1"),
        ("iodef", "mailto:security@example.net"),
        ("iodef", "https://example.net/caa-report"),
    ],
)
def test_valid_caa_values(tag: str, value: str) -> None:
    assert dns_validators.caa_value(value, dns_validators.caa_tag(tag)) == value


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("issue", ""),
        ("issue", 'ca.example"'),
        ("issue", "ca\\example"),
        ("issue", "ca.example; a=b c"),
        ("issue", "ca.example; =b"),
        ("issue", "CA.example"),
        ("iodef", "ca.example"),
        ("iodef", "mailto:nobody"),
        ("iodef", "https://ca.example/ x"),
    ],
)
def test_invalid_caa_values(tag: str, value: str) -> None:
    with pytest.raises(InvalidArgument):
        dns_validators.caa_value(value, dns_validators.caa_tag(tag))


def test_zone_names() -> None:
    assert dns_validators.dns_zone_name("example.test") == "example.test"
    assert dns_validators.dns_zone_name("xn--caf-dma.test") == "xn--caf-dma.test"
    for bad in ("arpa.test.arpa", "in-addr.arpa", "example", "example.test.", "_x.example.test"):
        with pytest.raises(InvalidArgument):
            dns_validators.dns_zone_name(bad)


def test_ttls_and_numbers() -> None:
    assert [dns_validators.dns_ttl(t) for t in (0, 60, 604800)] == [0, 60, 604800]
    for bad in (1, 59, 604801):
        with pytest.raises(InvalidArgument):
            dns_validators.dns_ttl(bad)
    with pytest.raises(InvalidArgument):
        dns_validators.uint16(65536, "port")


def test_serials_grow_and_run_past_99_changes_a_day() -> None:
    day = datetime.date(2026, 11, 25)
    assert next_serial(0, day) == 2026112500
    assert next_serial(2026112500, day) == 2026112501
    assert next_serial(2026112599, day) == 2026112600
    assert next_serial(2026112401, day) == 2026112500
    assert next_serial(2026112700, day) == 2026112701  # a day ahead already: keeps growing


@given(st.text(min_size=1, max_size=300))
def test_txt_strings_cut_between_characters(text: str) -> None:
    strings = txt_strings(text)
    assert all(0 < len(s) <= 255 for s in strings)
    assert b"".join(strings).decode() == text


def unquote(quoted: str) -> bytes:
    """A zone file character-string back to its bytes."""
    assert quoted[0] == quoted[-1] == '"'
    out, body, index = bytearray(), quoted[1:-1], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and body[index + 1].isdigit():
            out.append(int(body[index + 1 : index + 4]))
            index += 4
        elif char == "\\":
            out += body[index + 1].encode()
            index += 2
        else:
            assert char != '"'
            out += char.encode()
            index += 1
    return bytes(out)


@given(st.binary(max_size=255))
def test_quoted_strings_are_printable_ascii_and_exact(data: bytes) -> None:
    quoted = quote(data)
    assert all(0x20 <= ord(char) < 0x7F for char in quoted)
    assert unquote(quoted) == data


names = st.sampled_from(["@", "www", "*.apps", "_dmarc", "mail", "x.y"]) | st.text(max_size=12)
texts = st.text(max_size=40) | st.sampled_from(["$INCLUDE /etc/passwd", "a\nb", '"', "\\"])
datas = st.one_of(
    st.builds(lambda v: ("A", {"address": v}), st.sampled_from(["192.0.2.1", "1.2.3", "x\n"])),
    st.builds(lambda v: ("TXT", {"text": v}), texts),
    st.builds(lambda v: ("CNAME", {"target": v}), texts | st.just("example.net")),
    st.builds(
        lambda p, v: ("MX", {"preference": p, "exchange": v}),
        st.integers(-1, 70000),
        texts | st.just("mail.example.net"),
    ),
    st.builds(
        lambda t, v: ("CAA", {"flags": 0, "tag": t, "value": v}),
        st.sampled_from(["issue", "iodef", "x"]),
        texts | st.just("ca.example"),
    ),
)


@given(st.lists(st.tuples(names, datas), max_size=8))
def test_a_zone_file_holds_one_line_per_record_and_no_directive(
    specs: list[tuple[str, tuple[str, dict[str, object]]]],
) -> None:
    records: dict[DnsRecordId, Record] = {}
    for number, (name, (kind, values)) in enumerate(specs):
        try:
            checked = dns_validators.dns_record_name(name, ZONE)
            data = record_data(kind, values, "record")
            dns_validators.dns_record_placement(checked, kind)
        except InvalidArgument:
            continue
        record_id = DnsRecordId(f"rec{number:05d}")
        records[record_id] = Record(record_id, checked, 0, data)
    zone = Zone(ZONE, AccountName("alice"), 2026112500, records)
    rendered = render(zone, SOA)
    lines = rendered.text.splitlines()
    head = len(HEADER.splitlines()) + 2 + len(SOA.nameservers)
    assert len(lines) == head + len(records)
    assert lines[len(HEADER.splitlines())] == "$TTL 3600"
    for number, line in enumerate(lines[head:], start=head + 1):
        record = records[rendered.lines[number]]
        assert line.startswith(f"{record.name} IN {record.data.TYPE} ")
        assert all(0x20 <= ord(char) < 0x7F for char in line)
        # Outside quoted strings: the owner, IN, the type, then names and numbers only.
        outside = re.sub(r'"(?:[^"\\]|\\.)*"', "", line).split()
        assert outside[:3] == [record.name, "IN", record.data.TYPE]
        assert all(re.fullmatch(r"[a-z0-9_.:-]+", token) for token in outside[3:]), line
    assert from_json(to_json(zone).encode()) == zone


@pytest.mark.parametrize(
    "damage",
    [
        {"name": "evil.test\n$INCLUDE /etc/shadow"},
        {"account": "root"},
        {"serial": -1},
        {"serial": "1"},
        {"version": 2},
        {"records": [{"id": "aaaaaaaa", "name": "www", "ttl": 0, "type": "PTR", "x": "y"}]},
        {"records": [{"id": "aaaaaaaa", "name": "w\nw", "ttl": 0, "type": "A", "address": "1"}]},
        {"records": [{"id": "aaaaaaaa", "name": "w", "ttl": True, "type": "TXT", "text": "x"}]},
        {"records": [{"id": "aaaaaaaa", "name": "@", "ttl": 0, "type": "CNAME", "target": "a.b"}]},
    ],
)
def test_a_damaged_zone_record_is_refused(damage: dict[str, object]) -> None:
    zone = Zone(ZONE, AccountName("alice"), 2026112500, {})
    document = {**json.loads(to_json(zone)), **damage}
    with pytest.raises(ValueError, match=r".*"):
        from_json(json.dumps(document).encode())


def test_checker_messages_name_the_record() -> None:
    output = (
        b"dns_master_load: /etc/bind/jopanel/zones/.x.test.1a2b.tmp:9: *.x.test: invalid NS "
        b"owner name (wildcard)\nzone x.test/IN: loading from master file "
        b"/etc/bind/jopanel/zones/.x.test.1a2b.tmp failed: invalid NS owner name (wildcard)\n"
        b"zone x.test/IN: not loaded due to errors.\n"
    )
    message = checker_message(output, {9: DnsRecordId("abcd1234")})
    assert message == "record abcd1234: *.x.test: invalid NS owner name (wildcard)"
    integrity = b"zone x.test/IN: NS 'ns1.x.test' has no address records (A or AAAA)\n"
    assert checker_message(integrity, {}) == "NS 'ns1.x.test' has no address records (A or AAAA)"
    only_summary = b"zone x.test/IN: loading from master file f failed: file not found\n"
    assert checker_message(only_summary, {}) == "file not found"


def test_the_zone_list_names_each_zone_file_and_lets_no_one_transfer_it() -> None:
    layout = Layout.from_config(AgentConfig())
    text = render_zones_conf([ZoneName("b.test"), ZoneName("a.test")], layout)
    closed = "allow-transfer { none; }; notify no;"
    assert text.splitlines()[1:] == [
        f'zone "a.test" {{ type primary; file "/etc/bind/jopanel/zones/a.test.zone"; {closed} }};',
        f'zone "b.test" {{ type primary; file "/etc/bind/jopanel/zones/b.test.zone"; {closed} }};',
    ]


def test_secondaries_alone_may_transfer_signed_with_the_key_and_are_notified_signed() -> None:
    secondaries = ("203.0.113.5", "[2001:DB8::5]:5353", "203.0.113.5:5300")
    layout = Layout.from_config(AgentConfig(dns_secondaries=secondaries))
    policy = (
        " allow-transfer { !{ !203.0.113.5; !2001:db8::5; any; }; key jopanel-transfer; };"
        " also-notify { 203.0.113.5 key jopanel-transfer;"
        " 2001:db8::5 port 5353 key jopanel-transfer;"
        " 203.0.113.5 port 5300 key jopanel-transfer; };"
        " notify explicit; };"
    )
    # The key, then the zone, and the catalog of the zones for the secondaries
    # (test_dns_catalog.py); the test above shows no catalog without them.
    lines = render_zones_conf([ZoneName("a.test")], layout).splitlines()[1:]
    assert lines == [
        'include "/etc/bind/jopanel/transfer.key";',
        'zone "a.test" { type primary; file "/etc/bind/jopanel/zones/a.test.zone";' + policy,
        'zone "catalog.jopanel.invalid" { type primary;'
        ' file "/etc/bind/jopanel/zones/catalog.jopanel.invalid.zone";' + policy,
    ]


def test_without_the_transfer_key_the_secondaries_address_alone_lets_them() -> None:
    config = AgentConfig(
        dns_secondaries=("203.0.113.5", "[2001:db8::5]:5353"), dns_transfer_key=False
    )
    lines = render_zones_conf([ZoneName("a.test")], Layout.from_config(config)).splitlines()[1:]
    assert lines[0] == (
        'zone "a.test" { type primary; file "/etc/bind/jopanel/zones/a.test.zone";'
        " allow-transfer { 203.0.113.5; 2001:db8::5; };"
        " also-notify { 203.0.113.5; 2001:db8::5 port 5353; }; notify explicit; };"
    )


def test_a_transfer_key_is_made_once_and_a_foreign_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "transfer.key"
    gid = os.getgid()
    ensure_transfer_key(path, gid)
    made = path.read_text()
    assert re.fullmatch(
        r'key "jopanel-transfer" \{\n\talgorithm hmac-sha256;\n'
        r'\tsecret "[A-Za-z0-9+/]{43}=";\n\};\n',
        made,
    )
    assert path.stat().st_mode & 0o777 == 0o640
    ensure_transfer_key(path, gid)
    assert path.read_text() == made  # kept: the secondaries hold it
    other = tmp_path / "other.key"
    ensure_transfer_key(other, gid)
    assert other.read_text() != made  # random
    for foreign in (
        made.replace("hmac-sha256", "hmac-md5"),
        made + 'include "/etc/shadow";\n',
        'key "jopanel-transfer" { algorithm hmac-sha256; secret "c2hvcnQ="; };\n',
        "",
    ):
        path.write_text(foreign)
        with pytest.raises(Internal, match="remove it for a new one"):
            ensure_transfer_key(path, gid)
        assert path.read_text() == foreign


def test_dns_transfer_key_is_true_or_false() -> None:
    with pytest.raises(ConfigError, match="dns_transfer_key: must be true or false"):
        _typed_values({"dns_transfer_key": "yes"})


@pytest.mark.parametrize(
    "value",
    ["ns2.example.net", "203.0.113.0/24", "203.0.113.5:0", "203.0.113.5:70000", "[::1]", "::1:x",
     "203.0.113.5; any", "any", "", "203.0.113.5 ", "1.2.3.4:53:53"],
)  # fmt: skip
def test_secondaries_other_than_addresses_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="dns_secondaries"):
        AgentConfig(dns_secondaries=(value,))


def soa_reply(rcode: int = 0, answers: int = 1) -> bytes:
    """An answer as named sends it: the question, then the SOA with compressed names."""
    header = struct.pack("!HHHHHH", 0x1234, 0x8400 | rcode, 1, answers, 0, 0)
    question = b"\x01x\x04test\x00" + struct.pack("!HH", 6, 1)
    mname = b"\x03ns1\x07jopanel\x04test\x00"
    rdata = mname + b"\x0ahostmaster\xc0\x0c" + struct.pack("!IIIII", 2026112501, 1, 2, 3, 4)
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 6, 1, 3600, len(rdata)) + rdata
    return header + question + answer * answers


def test_the_serial_is_read_from_named_answers() -> None:
    assert dns_query._serial(soa_reply()) == 2026112501
    assert dns_query._serial(soa_reply(rcode=5)) is None  # REFUSED: not served
    assert dns_query._serial(soa_reply(rcode=3)) is None  # NXDOMAIN
    assert dns_query._serial(soa_reply(answers=0)) is None
    assert dns_query._name("x.test") == b"\x01x\x04test\x00"
