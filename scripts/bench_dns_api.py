"""`make bench`, DNS: 10,000 records across 500 zones through the REST API, and how long the
real named takes to load them.

The account gets 500 domains and a zone for each (no default records), then 32 clients add
20 A records per zone in shuffled order, so every batch of the agent touches many zones. Last,
named is restarted with everything and timed until the last record of the last zone answers.
scripts/bench_dns.py measures the same at the agent's socket, without the gateway.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import stack
from bench_dns import RECORDS_PER_ZONE, ZONES, answers, time_restart
from bench_web import create_domains, login, post_all

ACCOUNT = "bench_dns"
CLIENTS = 32


def zone(number: int) -> str:
    return f"zone{number:03d}.bench.test"


@dataclass
class OneZone:
    milliseconds: float
    commands: list[str]  # what named's control channel received for the change
    loaded: int  # zones named's log says it loaded meanwhile


async def one_zone(live: stack.Stack, base: str, token: str, zone: str) -> OneZone:
    """One record created in one zone among all the others (issue 14, target 5): its time
    through the API, and from named's log what named was asked and which zones it loaded."""
    log = live.logs / "named.log"
    start = len(log.read_text(errors="replace"))
    record: dict[str, object] = {"type": "A", "name": "one", "address": "10.9.9.9"}
    seconds, _, failures = await post_all(base, token, [(f"/dns-zones/{zone}/records", record)], 1)
    assert failures == 0
    after = log.read_text(errors="replace")[start:]
    commands = re.findall(r"received control channel command '([^']*)'", after)
    return OneZone(seconds * 1000, commands, len(re.findall(r"/IN: loaded serial", after)))


def percentile(latencies: list[float], fraction: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    token = await login(base, *admin)
    await post_all(base, token, [("/accounts", {"name": ACCOUNT, "password": "bench-pass-1"})], 1)
    names = [zone(i) for i in range(ZONES)]
    _, failed = await create_domains(base, token, ACCOUNT, names, clients=16)
    zones = [
        ("/dns-zones", {"name": n, "account": ACCOUNT, "default_records": False}) for n in names
    ]
    zone_seconds, _, zone_failures = await post_all(base, token, zones, 16)
    records: list[tuple[str, dict[str, object]]] = [
        (
            f"/dns-zones/{n}/records",
            {"type": "A", "name": f"host{r}", "address": f"10.0.{i % 250}.{r + 1}"},
        )
        for i, n in enumerate(names)
        for r in range(RECORDS_PER_ZONE)
    ]
    random.Random(7).shuffle(records)  # noqa: S311 - a fixed order, not a secret
    token = await login(base, *admin)  # access tokens live five minutes
    seconds, latencies, failures = await post_all(base, token, records, CLIENTS)
    token = await login(base, *admin)  # the records may take longer than a token lives
    one = await one_zone(live, base, token, names[ZONES // 2])
    last = names[-1]
    named = next(p for p in live.processes if p.name == "named")
    named.stop()
    restarted = stack.Named(live.dns_port, live.rndc_port, live.logs)
    up, loaded = time_restart(restarted, last, f"10.0.{(ZONES - 1) % 250}.{RECORDS_PER_ZONE}")
    assert restarted.process is not None
    live.processes[live.processes.index(named)] = restarted.process
    served = answers(restarted, last, f"10.0.{(ZONES - 1) % 250}.{RECORDS_PER_ZONE}")
    print("\nDNS through the REST API (real agent and named)\n")
    print("| step | count | seconds | per second | p50 ms | p99 ms | failures |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| zones (16 clients) | {ZONES} | {zone_seconds:.1f} | {ZONES / zone_seconds:.0f} | "
        f"| | {zone_failures + failed} |"
    )
    print(
        f"| records, shuffled across zones ({CLIENTS} clients) | {len(records)} | "
        f"{seconds:.1f} | {len(records) / seconds:.0f} | {percentile(latencies, 0.5):.0f} | "
        f"{percentile(latencies, 0.99):.0f} | {failures} |"
    )
    print(
        f"\nOne record in one zone among {ZONES}, end to end: {one.milliseconds:.0f} ms; named "
        f"was asked {one.commands} and loaded {one.loaded} zone(s)."
    )
    print(
        f"\nnamed restarted with {ZONES} zones and {len(records)} records: control channel up "
        f"in {up:.2f} s, the last record of the last zone answered after {loaded:.2f} s"
        f" ({'served' if served else 'NOT served'})."
    )
