"""DNS zones as the agent keeps them, and the zone files written from them.

A zone is its name, owning account, SOA serial and typed records; the agent records it as JSON
(root only) and renders the zone file whole from it. Every value in a record passed a validator
(agent/validators/) that leaves nothing the zone file parser reads as syntax: names and
targets are labels of [a-z0-9_-], addresses are canonical, and TXT and CAA values are quoted
here with every byte that is not plain printable ASCII written as \\DDD. So each record is one
line that begins with its owner name, and no newline, '$' directive, ';' comment or '(' can
come from a value.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, TypeAlias

from agent.errors import Internal, InvalidArgument
from agent.validators import accounts as accounts_validators
from agent.validators import dns as dns_validators
from agent.validators.accounts import AccountName
from agent.validators.dns import (
    CaaTag,
    CaaValue,
    DnsRecordId,
    DnsTarget,
    Ipv4Address,
    Ipv6Address,
    RecordName,
    TxtText,
    ZoneName,
)

VERSION: Final = 1
MAX_RECORDS: Final = 5000
# The most a zone's records hold, counted by record_bytes. GetDnsZone answers a whole zone in
# one message (4 MiB by default: max_message_bytes), so a zone outgrowing it could not be read
# any more, by its owner or by the reconcile; 5,000 TXT records of 4,000 characters would be
# 20 MB (docs/dns.md, Limits).
MAX_ZONE_BYTES: Final = 2 * 1024 * 1024
# What a record costs beside its name and data, as GetDnsZone sends it: its id, TTL, type and
# the message's framing.
_RECORD_OVERHEAD: Final = 32
# refresh, retry, expire, negative-answer TTL: the usual values; the negative TTL is short so
# that a name added after someone looked it up answers soon.
SOA_TIMERS: Final = "3600 600 1209600 300"
MAX_SERIAL: Final = 2**32 - 1
TXT_STRING_BYTES: Final = 255
HEADER: Final = (
    "; Managed by JoPanel: written whole from the agent's record of this zone; changes made\n"
    "; here are lost at the next change.\n"
)


@dataclass(frozen=True)
class A:
    TYPE: ClassVar = "A"
    address: Ipv4Address

    def rdata(self) -> str:
        return self.address


@dataclass(frozen=True)
class Aaaa:
    TYPE: ClassVar = "AAAA"
    address: Ipv6Address

    def rdata(self) -> str:
        return self.address


@dataclass(frozen=True)
class Cname:
    TYPE: ClassVar = "CNAME"
    target: DnsTarget

    def rdata(self) -> str:
        return absolute(self.target)


@dataclass(frozen=True)
class Mx:
    TYPE: ClassVar = "MX"
    preference: int
    exchange: DnsTarget

    def rdata(self) -> str:
        return f"{self.preference} {absolute(self.exchange)}"


@dataclass(frozen=True)
class Txt:
    TYPE: ClassVar = "TXT"
    text: TxtText

    def rdata(self) -> str:
        return " ".join(quote(chunk) for chunk in txt_strings(self.text))


@dataclass(frozen=True)
class Srv:
    TYPE: ClassVar = "SRV"
    priority: int
    weight: int
    port: int
    target: DnsTarget

    def rdata(self) -> str:
        return f"{self.priority} {self.weight} {self.port} {absolute(self.target)}"


@dataclass(frozen=True)
class Caa:
    TYPE: ClassVar = "CAA"
    flags: int
    tag: CaaTag
    value: CaaValue

    def rdata(self) -> str:
        return f"{self.flags} {self.tag} {quote(self.value.encode())}"


@dataclass(frozen=True)
class Ns:
    TYPE: ClassVar = "NS"
    nameserver: DnsTarget

    def rdata(self) -> str:
        return absolute(self.nameserver)


RecordData: TypeAlias = A | Aaaa | Cname | Mx | Txt | Srv | Caa | Ns


@dataclass(frozen=True)
class Record:
    id: DnsRecordId
    name: RecordName
    ttl: int  # 0: the zone's default
    data: RecordData

    @functools.cached_property
    def size(self) -> int:
        """What the record weighs against MAX_ZONE_BYTES: its name and data as the zone file
        writes them, and a fixed overhead. Worked out once per record (a TXT record's data
        is split and quoted), as a zone's records outlive the changes that copy them."""
        return len(self.name) + len(self.data.rdata()) + _RECORD_OVERHEAD


def record_bytes(records: Iterable[Record]) -> int:
    """What the records weigh against MAX_ZONE_BYTES."""
    return sum(record.size for record in records)


@dataclass(frozen=True)
class Zone:
    name: ZoneName
    account: AccountName
    serial: int
    # By id. A Zone is never changed in place: a change makes a new one (see dns.py).
    records: Mapping[DnsRecordId, Record] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Soa:
    """What the agent's configuration puts at every zone's apex."""

    nameservers: tuple[str, ...]
    hostmaster: str  # a host name whose first label is the mailbox; "" for hostmaster.<zone>

    def mailbox(self, zone: ZoneName) -> str:
        return absolute(self.hostmaster or f"hostmaster.{zone}")


@dataclass(frozen=True)
class Rendered:
    text: str
    # Which record each line holds (1-based, as named-checkzone reports positions).
    lines: Mapping[int, DnsRecordId]


def absolute(name: str) -> str:
    return "." if name == "." else f"{name}."


def txt_strings(text: str) -> list[bytes]:
    """The UTF-8 of the text in strings of at most 255 bytes, cut between characters."""
    strings = [b""]
    for char in text:
        encoded = char.encode()
        if len(strings[-1]) + len(encoded) > TXT_STRING_BYTES:
            strings.append(b"")
        strings[-1] += encoded
    return strings


def quote(data: bytes) -> str:
    """A zone file character-string: '"' and '\\' escaped, bytes outside printable ASCII as
    \\DDD, so the quoted string is plain ASCII on one line whatever the value holds."""
    out = []
    for byte in data:
        if byte in b'"\\':
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def render(zone: Zone, soa: Soa) -> Rendered:
    head = [
        *HEADER.splitlines(),
        f"$TTL {dns_validators.DNS_DEFAULT_TTL}",
        f"@ IN SOA {absolute(soa.nameservers[0])} {soa.mailbox(zone.name)} "
        f"( {zone.serial} {SOA_TIMERS} )",
        *(f"@ IN NS {absolute(nameserver)}" for nameserver in soa.nameservers),
    ]
    lines: dict[int, DnsRecordId] = {}
    body = []
    for record in sorted(zone.records.values(), key=_order):
        ttl = f" {record.ttl}" if record.ttl else ""
        body.append(f"{record.name}{ttl} IN {record.data.TYPE} {record.data.rdata()}")
        lines[len(head) + len(body)] = record.id
    return Rendered("\n".join([*head, *body]) + "\n", lines)


def _order(record: Record) -> tuple[str, str, str]:
    """Names together (the apex first), then types: easy to read, and the same every time."""
    return ("" if record.name == "@" else record.name, record.data.TYPE, record.id)


def next_serial(previous: int, today: datetime.date) -> int:
    """YYYYMMDDnn for today's first change, else one more than before: after 99 changes in a
    day it runs into tomorrow's numbers, and only ever grows."""
    serial = max(previous + 1, int(today.strftime("%Y%m%d")) * 100)
    if serial > MAX_SERIAL:
        raise Internal("the zone's SOA serial cannot grow any further")
    return serial


def conflicts(records: Iterable[Record], record: Record) -> str | None:
    """Why `record` cannot join the others at its name (a CNAME stands alone), or None."""
    others = [r for r in records if r.name == record.name and r.id != record.id]
    if not others:
        return None
    if isinstance(record.data, Cname):
        return "a CNAME cannot stand beside other records of its name"
    if any(isinstance(other.data, Cname) for other in others):
        return "its name holds a CNAME, which stands alone"
    return None


# The JSON record of a zone. Loading validates every value again: the file decides what lands
# in a zone file, so a hand-edited value must never get there unchecked.


def to_json(zone: Zone) -> str:
    records = [_record_json(zone.records[key]) for key in sorted(zone.records)]
    document = {
        "version": VERSION,
        "name": zone.name,
        "account": zone.account,
        "serial": zone.serial,
        "records": records,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _record_json(record: Record) -> dict[str, Any]:
    data = dataclasses.asdict(record.data)
    return {
        "id": record.id,
        "name": record.name,
        "ttl": record.ttl,
        "type": record.data.TYPE,
        **data,
    }


def from_json(text: bytes) -> Zone:
    """A zone from its record; raises ValueError when it is damaged in any way."""
    try:
        document = json.loads(text)
        if document["version"] != VERSION:
            raise ValueError("unknown version")
        name = dns_validators.dns_zone_name(document["name"])
        records = [_record_from(entry, name) for entry in document["records"]]
        serial = document["serial"]
        if not isinstance(serial, int) or not 0 <= serial <= MAX_SERIAL:
            raise ValueError("serial")
        zone = Zone(
            name=name,
            account=accounts_validators.account_name(document["account"]),
            serial=serial,
            records={record.id: record for record in records},
        )
    except (InvalidArgument, KeyError, TypeError, AttributeError) as error:
        raise ValueError(str(error)) from None
    if len(zone.records) != len(records) or len(records) > MAX_RECORDS:
        raise ValueError("records")
    return zone


def _record_from(entry: dict[str, Any], zone: ZoneName) -> Record:
    name = dns_validators.dns_record_name(entry["name"], zone)
    kind = entry["type"]
    dns_validators.dns_record_placement(name, kind)
    return Record(
        id=dns_validators.dns_record_id(entry["id"]),
        name=name,
        ttl=dns_validators.dns_ttl(_integer(entry["ttl"])),
        data=record_data(kind, entry, "record"),
    )


def record_data(kind: str, values: Mapping[str, Any], field: str) -> RecordData:
    """Typed data of a record of type `kind` from plain values (a JSON record, or the fields of
    a proto message), each through its validator; `field` names the data in errors."""
    if kind == "A":
        return A(dns_validators.ipv4_address(values["address"], f"{field}.address"))
    if kind == "AAAA":
        return Aaaa(dns_validators.ipv6_address(values["address"], f"{field}.address"))
    if kind == "CNAME":
        return Cname(dns_validators.dns_target(values["target"], f"{field}.target"))
    if kind == "MX":
        return Mx(
            _uint16(values, "preference", field),
            dns_validators.dns_host_target(values["exchange"], f"{field}.exchange"),
        )
    if kind == "TXT":
        return Txt(dns_validators.txt_text(values["text"], f"{field}.text"))
    if kind == "SRV":
        target = dns_validators.dns_host_target(values["target"], f"{field}.target", service=True)
        return Srv(
            _uint16(values, "priority", field),
            _uint16(values, "weight", field),
            _uint16(values, "port", field),
            target,
        )
    if kind == "CAA":
        return _caa(values, field)
    if kind == "NS":
        return Ns(dns_validators.dns_host_target(values["nameserver"], f"{field}.nameserver"))
    raise InvalidArgument(field, "must be an A, AAAA, CNAME, MX, TXT, SRV, CAA or NS record")


def _caa(values: Mapping[str, Any], field: str) -> Caa:
    flags = dns_validators.caa_flags(_integer(values["flags"]), f"{field}.flags")
    tag = dns_validators.caa_tag(values["tag"], f"{field}.tag")
    return Caa(flags, tag, dns_validators.caa_value(values["value"], tag, f"{field}.value"))


def _uint16(values: Mapping[str, Any], key: str, field: str) -> int:
    return dns_validators.uint16(_integer(values[key]), f"{field}.{key}")


def _integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value
