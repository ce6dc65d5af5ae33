"""Fixtures and helpers for the DnsZoneService tests: the real agent and a real named, queried
with dig. Test modules import the fixtures they use from here."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc.aio
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.dns.v1 import dns_pb2, dns_pb2_grpc

from agent.config import AgentConfig
from agent.system.dns.bind import Layout
from agent.system.dns.zones import RECORD_DIR, DnsZones, dns_zones

if TYPE_CHECKING:
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    Stub: TypeAlias = dns_pb2_grpc.DnsZoneServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub


@pytest.fixture(scope="package")
def named(named_server: stack.Named) -> Iterator[stack.Named]:
    """The session's named (its ports are in the agent's configuration), started for the DNS
    tests and stopped when the agent's tests end, before the end-to-end tests start their own.

    Each test module that imports this fixture gets a definition of its own, so only the first
    starts named: a second named on the same ports would share them (SO_REUSEPORT) and answer
    half of the queries from its own, older view."""
    process = named_server.process
    first = process is None or process.popen is None or process.popen.poll() is not None
    if first:
        named_server.start()
    yield named_server
    if first:
        named_server.stop()


@pytest.fixture(scope="session")
def dns(channel: grpc.aio.Channel) -> Stub:
    return dns_pb2_grpc.DnsZoneServiceStub(channel)


@pytest.fixture(scope="session")
def zones_layer(agent_config: AgentConfig) -> DnsZones:
    """The agent's own DnsZones (the server in this process uses the same one)."""
    return dns_zones(agent_config)


@pytest.fixture
async def dns_account(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


@pytest.fixture
def new_zone() -> Callable[[], str]:
    """Makes zone names no other test uses."""
    prefix = f"z{uuid.uuid4().hex[:8]}"
    count = iter(range(1000))
    return lambda: f"{prefix}-{next(count)}.test"


def record(record_id: str, name: str, ttl: int = 0, **data: Any) -> dns_pb2.DnsRecord:
    """A record with one data field: record("aaaa1111", "www", a={"address": "192.0.2.1"})."""
    ((kind, values),) = data.items()
    message = dns_pb2.DnsRecord(id=record_id, name=name, ttl=ttl)
    getattr(message, kind).CopyFrom(getattr(message, kind).__class__(**values))
    return message


def a(record_id: str, name: str, address: str, ttl: int = 0) -> dns_pb2.DnsRecord:
    return record(record_id, name, ttl, a={"address": address})


def txt(record_id: str, name: str, text: str) -> dns_pb2.DnsRecord:
    return record(record_id, name, txt={"text": text})


async def create_zone(
    dns: Stub, zone: str, account: str, *records: dns_pb2.DnsRecord
) -> dns_pb2.DnsZone:
    spec = dns_pb2.DnsZone(name=zone, account=account, records=list(records))
    return (await dns.CreateDnsZone(dns_pb2.CreateDnsZoneRequest(zone=spec))).zone


async def create_record(dns: Stub, zone: str, spec: dns_pb2.DnsRecord) -> int:
    request = dns_pb2.CreateDnsRecordRequest(zone=zone, record=spec)
    return (await dns.CreateDnsRecord(request)).serial


def update_request(
    zone: str, spec: dns_pb2.DnsRecord, *paths: str
) -> dns_pb2.UpdateDnsRecordRequest:
    request = dns_pb2.UpdateDnsRecordRequest(zone=zone, record=spec)
    request.update_mask.paths.extend(paths)
    return request


@dataclass(frozen=True)
class Answer:
    status: str  # NOERROR, NXDOMAIN, REFUSED, ...
    answer: list[str]  # the answer section's data, as dig prints it
    authority: list[str]  # "<owner> <type> <data>" of the authority section


def query(port: int, name: str, kind: str) -> Answer:
    """dig at the sandbox's named, without recursion."""
    argv = ["dig", "@127.0.0.1", "-p", str(port), "+norec", "+time=5", "+tries=1"]
    out = subprocess.run([*argv, name, kind], capture_output=True, text=True, check=True).stdout
    status = out.split("status: ", 1)[1].split(",", 1)[0]
    return Answer(status, _section(out, "ANSWER", data_only=True), _section(out, "AUTHORITY"))


def _section(out: str, title: str, *, data_only: bool = False) -> list[str]:
    lines: list[str] = []
    inside = False
    for line in out.splitlines():
        if line.startswith(";; "):
            inside = line.startswith(f";; {title} SECTION:")
            continue
        if inside and line.strip():
            owner, _ttl, _class, kind, data = line.split(maxsplit=4)
            lines.append(data if data_only else f"{owner} {kind} {data}")
    return sorted(lines)


async def dig(port: int, name: str, kind: str) -> Answer:
    """query() off the event loop (the agent under test runs on it)."""
    return await asyncio.to_thread(query, port, name, kind)


async def serial_of(port: int, zone: str) -> int:
    (soa,) = (await dig(port, zone, "SOA")).answer
    return int(soa.split()[2])


def zone_files(zone: str) -> dict[str, bytes | None]:
    """What the agent keeps of a zone, and the zone list, byte for byte."""
    layout = Layout.from_config(AgentConfig())
    paths = {
        "zone file": layout.zone_dir / f"{zone}.zone",
        "record": RECORD_DIR / f"{zone}.json",
        "zones.conf": layout.zones_conf,
    }
    return {what: _read(path) for what, path in paths.items()}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
