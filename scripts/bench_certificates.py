"""`make bench`, certificates: issuing against the sandbox's Pebble, and nginx with 1,000 HTTPS
sites beside the same 1,000 sites over plain HTTP, in the same run (issue 12, Benchmark).

One account, one zone (`certs.bench.test`, a wildcard A record at this server), 1,000 sites
below it, each with a www. alias. First as plain HTTP sites: one more site is created and its
time (end to end, and the stage + `nginx -t` and reload the agent logged) and nginx's memory
are read. Then every site is issued a certificate through the REST API, the real flow with its
pre-flight checks and real HTTP-01 validation by Pebble through named and nginx; the first 200
are the timed batch. Then the same figures again, now with 1,000 HTTPS server blocks, and one
more certificate on its own. Before all that, nginx alone with 1,000 blocks, HTTP vs HTTPS
(bench_tls_floor.py). `JOPANEL_BENCH_CERT_SITES` makes a smaller run (a smoke test of the
section): installs share nginx generations a few at a time, but each generation checks every
installed certificate, so 1,000 take about 20 minutes on the development VM.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import bench_tls_floor
import bench_web
import stack

ACCOUNT = "bench_certs"
ZONE = "certs.bench.test"
SITES = int(os.environ.get("JOPANEL_BENCH_CERT_SITES", "1000"))
TIMED = min(200, SITES)
CLIENTS = 8
NGINX_PID = Path("/run/nginx.pid")
TOKEN_SECONDS = 120


@dataclass
class Session:
    """An administrator's access token, signed in again before its five minutes run out: one
    batch of issues takes longer than that on a busy machine."""

    base: str
    admin: tuple[str, str]
    token: str = ""
    since: float = 0.0

    async def current(self) -> str:
        if time.monotonic() - self.since > TOKEN_SECONDS:
            self.token = await bench_web.login(self.base, *self.admin)
            self.since = time.monotonic()
        return self.token


@dataclass
class OneMore:
    label: str
    end_to_end_ms: float
    check_ms: int
    reload_ms: int
    nginx_mb: float


@dataclass
class Issued:
    label: str
    certificates: int
    seconds: float
    latencies: list[float]
    failures: int

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def _kib(pid: int, key: str, file: str) -> int:
    """A /proc figure in KiB; 0 for a process that has gone meanwhile."""
    try:
        text = Path(f"/proc/{pid}/{file}").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def nginx_memory_mb() -> float:
    """Proportional set size of nginx's master and workers, summed (PSS splits the pages they
    share, so the sum is what they cost together; their RSS would count shared pages once per
    process). Waits until the workers of an earlier generation have gone."""
    master = int(NGINX_PID.read_text().strip())
    deadline = time.monotonic() + 30
    while True:
        children = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _kib(int(p.name), "PPid:", "status") == master
        ]
        titles = [_cmdline(pid) for pid in children]
        if not any(b"shutting down" in t for t in titles) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return sum(_kib(pid, "Pss:", "smaps_rollup") for pid in [master, *children]) / 1024


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return b""


async def _call(
    session: aiohttp.ClientSession, method: str, url: str, token: str, body: object
) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.request(method, url, headers=headers, json=body) as response:
        return response.status, await response.text()


async def _set_up(base: str, token: str) -> None:
    async with aiohttp.ClientSession() as session:
        for url, body in (
            (f"{base}/accounts", {"name": ACCOUNT, "password": "bench-pass-1"}),
            # A zone needs its website first; the sites below it are the account's too.
            (f"{base}/domains", {"name": ZONE, "account": ACCOUNT}),
            (f"{base}/dns-zones", {"name": ZONE, "account": ACCOUNT, "default_records": True}),
            (
                f"{base}/dns-zones/{ZONE}/records",
                {"type": "A", "name": "*", "ttl": 0, "address": "127.0.0.1"},
            ),
        ):
            status, text = await _call(session, "POST", url, token, body)
            assert status == 201, text


async def _settled(http: aiohttp.ClientSession, base: str, token: str, job_id: str) -> str:
    """Follows the order's job over its server-sent events; its final state and error."""
    headers = {"Authorization": f"Bearer {token}"}
    last: dict[str, str] = {}
    async with http.get(f"{base}/jobs/{job_id}/events", headers=headers) as response:
        async for line in response.content:
            if line.startswith(b"data: "):
                last = json.loads(line[len(b"data: ") :])
    return f"{last.get('state', '')} {last.get('error', '')}".strip()


async def issue_all(session: Session, label: str, names: list[str]) -> Issued:
    """POST .../certificate for every name from CLIENTS concurrent clients, each waiting for
    its order's job to end (the request answers 202 at once): the latency is the order's."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for name in names:
        queue.put_nowait(name)
    latencies: list[float] = []
    failures = 0

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            name = queue.get_nowait()
            started = time.perf_counter()
            url = f"{session.base}/domains/{name}/certificate"
            token = await session.current()
            status, text = await _call(http, "POST", url, token, {})
            outcome = f"{status} {text[:200]}"
            if status == 202:
                outcome = await _settled(http, session.base, token, json.loads(text)["id"])
            if outcome != "succeeded":
                failures += 1
                print(f"certificate for {name}: {outcome[:300]}")
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=None, sock_read=600)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    return Issued(label, len(names), time.perf_counter() - started, latencies, failures)


async def one_more_site(live: stack.Stack, session: Session, label: str, name: str) -> OneMore:
    token = await session.current()
    latencies, failures = await bench_web.create_domains(session.base, token, ACCOUNT, [name], 1)
    assert failures == 0
    check, reload = bench_web.reload_lines(live.logs / "agent.log")[-1]
    memory = await asyncio.to_thread(nginx_memory_mb)
    return OneMore(label, latencies[0] * 1000, check, reload, memory)


async def one_more_certificate(live: stack.Stack, session: Session, name: str) -> OneMore:
    issued = await issue_all(session, "", [name])
    assert issued.failures == 0
    check, reload = bench_web.reload_lines(live.logs / "agent.log")[-1]
    memory = await asyncio.to_thread(nginx_memory_mb)
    return OneMore(
        f"one more certificate, at {SITES + 1:,} HTTPS sites",
        issued.latencies[0] * 1000,
        check,
        reload,
        memory,
    )


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    """Prints each row when it is measured: at 1,000 sites every certificate installed is its
    own nginx generation, so the run is long, and a run stopped early keeps what it found."""
    print_floor = bench_tls_floor.print_table
    print_floor(
        [await asyncio.to_thread(bench_tls_floor.measure, https) for https in (False, True)]
    )
    session = Session(f"{live.url}/api/v1", admin)
    await _set_up(session.base, await session.current())
    names = [f"s{i:04d}.{ZONE}" for i in range(SITES)]
    _, failures = await bench_web.create_domains(
        session.base, await session.current(), ACCOUNT, names
    )
    assert failures == 0
    print_header()
    print_row(await one_more_site(live, session, f"one more site, at {SITES:,} HTTP-only sites",
                                  f"plain.{ZONE}"))  # fmt: skip
    print_batch(
        await issue_all(session, f"first {TIMED} of {SITES:,} (2 names each)", names[:TIMED])
    )
    for start in range(TIMED, SITES, TIMED):
        label = f"{start + 1:,} to {start + TIMED:,}"
        print_batch(await issue_all(session, label, names[start : start + TIMED]))
    print_row(await one_more_site(live, session, f"one more site, at {SITES:,} HTTPS sites",
                                  f"tls.{ZONE}"))  # fmt: skip
    print_row(await one_more_certificate(live, session, f"tls.{ZONE}"))


def print_header() -> None:
    print(
        f"\nCertificates from Pebble through the REST API ({CLIENTS} clients; pre-flight, "
        "HTTP-01 through named and nginx, install and reload: the real flow), and one more "
        "site or certificate (end to end; the agent's stage + nginx -t and reload; nginx's "
        "PSS after it)\n",
        flush=True,
    )
    print("| row | certificates/s or end to end (ms) | p50 / stage + nginx -t (ms) |", end="")
    print(" p99 / reload (ms) | failures / nginx PSS (MB) |")
    print("|---|---|---|---|---|", flush=True)


def print_batch(b: Issued) -> None:
    print(
        f"| {b.label} | {b.certificates / b.seconds:.2f}/s | {b.percentile(0.5):.0f} | "
        f"{b.percentile(0.99):.0f} | {b.failures} |",
        flush=True,
    )


def print_row(r: OneMore) -> None:
    print(
        f"| {r.label} | {r.end_to_end_ms:.0f} ms | {r.check_ms} | {r.reload_ms} | "
        f"{r.nginx_mb:.1f} MB |",
        flush=True,
    )
