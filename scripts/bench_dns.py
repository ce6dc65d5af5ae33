"""DNS benchmark: 10,000 records across 500 zones through the agent's socket, and how long named
takes to load them.

Runs inside the sandbox (scripts/sandbox.sh RUN .venv/bin/python scripts/bench_dns.py), with a
real named on free loopback ports and the real agent in this process on a socket of its own.
32 concurrent clients create the records in a shuffled order, so every batch of the agent
touches many zones (the hard case for coalescing), then replace them all in zone order (the
easy case); then named is restarted with everything and timed until the last zone answers.
`main()` prints the figures; bench.py may call `measure()` and `print_figures()`.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import grpc.aio
import stack
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.dns.v1 import dns_pb2, dns_pb2_grpc

from agent.config import AgentConfig
from agent.daemon import start
from agent.system.dns.zones import dns_zones

ZONES = 500
RECORDS_PER_ZONE = 20
CLIENTS = 32
ACCOUNT = "bench_dns"


@dataclass
class Figures:
    zones: int
    records: int
    zones_seconds: float
    records_seconds: float
    latencies: list[float]
    reloads: int
    # The same records replaced in zone order: changes to one zone arrive together.
    ordered_seconds: float
    ordered_reloads: int
    one_client_ms: float
    named_start_seconds: float
    named_load_seconds: float

    @property
    def records_per_second(self) -> float:
        return self.records / self.records_seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def zone_name(number: int) -> str:
    return f"bench{number:04d}.test"


def spec(zone: int, number: int, generation: int = 0) -> dns_pb2.CreateDnsRecordRequest:
    """Record `number` of a zone; a later generation replaces it with another address."""
    record = dns_pb2.DnsRecord(id=f"rec{number:05d}", name=f"host{number}")
    record.a.address = f"10.{zone // 250 + 2 * generation}.{zone % 250}.{number + 1}"
    return dns_pb2.CreateDnsRecordRequest(zone=zone_name(zone), record=record)


async def add_records(
    dns: dns_pb2_grpc.DnsZoneServiceAsyncStub, requests: list[dns_pb2.CreateDnsRecordRequest]
) -> list[float]:
    """The requests from CLIENTS concurrent clients; each request's latency in seconds."""
    queue = list(reversed(requests))
    latencies: list[float] = []

    async def client() -> None:
        while queue:
            request = queue.pop()
            started = time.monotonic()
            await dns.CreateDnsRecord(request)
            latencies.append(time.monotonic() - started)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies


def answers(named: stack.Named, zone: str, address: str) -> bool:
    argv = ["dig", "@127.0.0.1", "-p", str(named.dns_port), "+short", "+time=1", "+tries=1"]
    done = subprocess.run([*argv, f"host{RECORDS_PER_ZONE - 1}.{zone}", "A"], capture_output=True)
    return done.stdout.decode().strip() == address


def time_restart(named: stack.Named, zone: str, address: str) -> tuple[float, float]:
    """Restarts named: seconds until it answers rndc, and until the zone's last record answers."""
    named.stop()
    started = time.monotonic()
    named.start()  # returns when named answers rndc
    up = time.monotonic() - started
    # Bounded: a record that failed to be created (a loaded machine's 503) never answers, and
    # the bench must end by itself; the caller reports the zone as not served then.
    deadline = started + RESTART_SECONDS
    while not answers(named, zone, address) and time.monotonic() < deadline:
        time.sleep(0.01)
    return up, time.monotonic() - started


RESTART_SECONDS = 60


async def measure(logs: Path) -> Figures:
    stack.ensure_gateway_user()
    named = stack.Named(stack.free_port(), stack.free_port(), logs)
    named.start()
    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="jp-bench-dns-"))
    config = AgentConfig(
        socket_path=folder / "agent.sock",
        gateway_group=stack.GATEWAY_USER,
        rndc_port=named.rndc_port,
        dns_nameservers=stack.DNS_NAMESERVERS,
    )
    agent = await start(config)
    try:
        async with grpc.aio.insecure_channel(f"unix:{config.socket_path}") as channel:
            figures = await _run(channel, named, config)
    finally:
        await agent.stop(grace=None)
        named.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return figures


async def _run(channel: grpc.aio.Channel, named: stack.Named, config: AgentConfig) -> Figures:
    accounts = accounts_pb2_grpc.AccountServiceStub(channel)
    dns = dns_pb2_grpc.DnsZoneServiceStub(channel)
    account = accounts_pb2.CreateAccountRequest(name=ACCOUNT, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(account)

    started = time.monotonic()
    await asyncio.gather(
        *(
            dns.CreateDnsZone(
                dns_pb2.CreateDnsZoneRequest(
                    zone=dns_pb2.DnsZone(name=zone_name(z), account=ACCOUNT)
                )
            )
            for z in range(ZONES)
        )
    )
    zones_seconds = time.monotonic() - started

    # One client alone first: the latency of a change that shares its reload with nothing.
    alone = [spec(0, n) for n in range(10)]
    one_client = []
    for request in alone:
        began = time.monotonic()
        await dns.CreateDnsRecord(request)
        one_client.append(time.monotonic() - began)

    requests = [spec(z, n) for z in range(ZONES) for n in range(RECORDS_PER_ZONE)][len(alone) :]
    random.Random(1).shuffle(requests)  # noqa: S311 - an order, not a secret
    reloads = dns_zones(config).reloads
    started = time.monotonic()
    latencies = await add_records(dns, requests)
    records_seconds = time.monotonic() - started
    reloads = dns_zones(config).reloads - reloads

    ordered = [spec(z, n, 1) for z in range(ZONES) for n in range(RECORDS_PER_ZONE)]
    ordered_reloads = dns_zones(config).reloads
    started = time.monotonic()
    await add_records(dns, ordered)
    ordered_seconds = time.monotonic() - started
    ordered_reloads = dns_zones(config).reloads - ordered_reloads

    last = zone_name(ZONES - 1)
    address = spec(ZONES - 1, RECORDS_PER_ZONE - 1, 1).record.a.address
    assert answers(named, last, address), "the last record is not served"
    start_seconds, load_seconds = await asyncio.to_thread(time_restart, named, last, address)
    return Figures(
        zones=ZONES,
        records=len(requests),
        zones_seconds=zones_seconds,
        records_seconds=records_seconds,
        latencies=latencies,
        reloads=reloads,
        ordered_seconds=ordered_seconds,
        ordered_reloads=ordered_reloads,
        one_client_ms=sum(one_client) / len(one_client) * 1000,
        named_start_seconds=start_seconds,
        named_load_seconds=load_seconds,
    )


def print_figures(figures: Figures) -> None:
    print(f"DNS: {figures.zones} zones created together in {figures.zones_seconds:.1f} s")
    print(
        f"DNS: {figures.records} records from {CLIENTS} clients in {figures.records_seconds:.1f} s"
        f" = {figures.records_per_second:.0f} records/s; latency p50"
        f" {figures.percentile(0.5):.0f} ms, p99 {figures.percentile(0.99):.0f} ms;"
        f" {figures.reloads} zone reloads"
    )
    ordered = ZONES * RECORDS_PER_ZONE
    print(
        f"DNS: the same {ordered} records replaced in zone order in"
        f" {figures.ordered_seconds:.1f} s = {ordered / figures.ordered_seconds:.0f} records/s;"
        f" {figures.ordered_reloads} zone reloads"
    )
    print(f"DNS: one client alone: {figures.one_client_ms:.0f} ms per record")
    print(
        f"DNS: named restarted with {figures.zones} zones: control channel up in"
        f" {figures.named_start_seconds:.2f} s, last zone answers after"
        f" {figures.named_load_seconds:.2f} s"
    )


def main() -> None:
    run = Path(os.environ["JOPANEL_SANDBOX"])
    print_figures(asyncio.run(measure(run / "logs")))


if __name__ == "__main__":
    main()
