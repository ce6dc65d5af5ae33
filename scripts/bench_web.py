"""`make bench`, websites: provisioning through the REST API, and nginx at 1,000 and 5,000 sites.

Creates domains from 16 concurrent clients through the real gateway and agent (real nginx and
PHP-FPM in the sandbox), counts the nginx reloads the agent made (one log line each), reads the
time of one reload at 1,000 and at 5,000 sites, then restarts nginx with 5,000 sites and asks
every one of them for its page.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import bench_floor
import stack

CLIENTS = 16
ACCOUNT = "bench_web"
_RELOAD = re.compile(r"nginx reload #\d+: .* checked in (\d+) ms, reloaded in (\d+) ms")


@dataclass
class Batch:
    label: str
    domains: int
    seconds: float
    latencies: list[float]
    reloads: int
    failures: int

    @property
    def per_second(self) -> float:
        return self.domains / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


@dataclass
class ReloadTime:
    sites: int
    create_ms: float
    check_ms: float
    reload_ms: float


def reload_lines(agent_log: Path) -> list[tuple[int, int]]:
    return [(int(m[1]), int(m[2])) for m in _RELOAD.finditer(agent_log.read_text())]


async def login(base: str, name: str, password: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}/auth/login", json={"username": name, "password": password}
        ) as response,
    ):
        return str((await response.json())["access_token"])


async def post_all(
    base: str, token: str, items: list[tuple[str, dict[str, object]]], clients: int
) -> tuple[float, list[float], int]:
    """POSTs every (path, body) from `clients` concurrent clients: seconds, latencies of each
    request, and how many did not answer 201."""
    queue: asyncio.Queue[tuple[str, dict[str, object]]] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            path, body = queue.get_nowait()
            started = time.perf_counter()
            async with session.post(f"{base}{path}", headers=headers, json=body) as response:
                await response.read()
                failures += response.status != 201
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(600)) as s:
        await asyncio.gather(*(client(s) for _ in range(clients)))
    return time.perf_counter() - started, latencies, failures


async def create_domains(
    base: str, token: str, account: str, names: list[str], clients: int = CLIENTS
) -> tuple[list[float], int]:
    """Creates the domains (each with a www. alias); latencies and failures."""
    items: list[tuple[str, dict[str, object]]] = [
        ("/domains", {"name": n, "account": account, "aliases": [f"www.{n}"]}) for n in names
    ]
    _, latencies, failures = await post_all(base, token, items, clients)
    return latencies, failures


async def batch(
    live: stack.Stack, token: str, label: str, names: list[str], clients: int = CLIENTS
) -> Batch:
    agent_log = live.logs / "agent.log"
    before = len(reload_lines(agent_log))
    started = time.perf_counter()
    latencies, failures = await create_domains(f"{live.url}/api/v1", token, ACCOUNT, names, clients)
    seconds = time.perf_counter() - started
    return Batch(
        label, len(names), seconds, latencies, len(reload_lines(agent_log)) - before, failures
    )


REPEATS = 5  # creates one at a time at each size: the row is their median
# Each create is a change on its own: it starts once the previous one's after-work is over
# (linking the next nginx generation, 0.1-0.3 s at 5,000 sites, docs/web.md), as a change
# on a server that is not already busy would. Back-to-back changes are the provisioning rows.
SETTLE_SECONDS = 1.0


async def one_reload(
    live: stack.Stack, token: str, account: str, names: list[str], sites: int
) -> ReloadTime:
    """Creates on their own, one after the other: the median of their whole times and of the
    check and reload the agent logged for each (one create alone is at the machine's mercy)."""
    rows = []
    for name in names:
        await asyncio.sleep(SETTLE_SECONDS)
        latencies, _ = await create_domains(f"{live.url}/api/v1", token, account, [name])
        check, reload = reload_lines(live.logs / "agent.log")[-1]
        rows.append((latencies[0] * 1000, check, reload))
    columns = zip(*rows, strict=True)
    create_ms, check_ms, reload_ms = (statistics.median(column) for column in columns)
    return ReloadTime(sites, create_ms, round(check_ms), round(reload_ms))


async def serve_all(web_port: int, names: list[str]) -> int:
    """How many of the sites answer 200 with their own page."""
    ok = 0
    semaphore = asyncio.Semaphore(64)

    async def fetch(session: aiohttp.ClientSession, name: str) -> None:
        nonlocal ok
        async with (
            semaphore,
            session.get(f"http://127.0.0.1:{web_port}/", headers={"Host": name}) as response,
        ):
            await response.read()
            ok += response.status == 200

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(fetch(session, n) for n in names))
    return ok


PAGE_READS = 50


async def page_reads(base: str, token: str) -> list[tuple[str, float, float]]:
    """Issue 14, target 5: pages of 200 domains out of 5,000, one request at a time on
    loopback (so the time is the server's, plus a loopback round trip of about 0.1 ms):
    label, median and best in ms."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{base}/domains", params={"limit": "200"}) as response:
            middle = str((await response.json())["next_page_token"])
        queries = [
            ("the first 200 of 5,000 domains", {"limit": "200"}),
            ("the next 200", {"limit": "200", "page_token": middle}),
            ("the account's first 200", {"limit": "200", "account": ACCOUNT}),
        ]
        rows = []
        for label, params in queries:
            times = []
            for _ in range(PAGE_READS):
                started = time.perf_counter()
                async with session.get(f"{base}/domains", params=params) as response:
                    assert response.status == 200, await response.text()
                    await response.read()
                times.append((time.perf_counter() - started) * 1000)
            rows.append((label, sorted(times)[len(times) // 2], min(times)))
    return rows


def print_pages(pages: list[tuple[str, float, float]]) -> None:
    print(f"\nGET /api/v1/domains?limit=200 at 5,002 sites, {PAGE_READS} requests one at a time\n")
    print("| page | median ms | best ms |")
    print("|---|---|---|")
    for label, median, best in pages:
        print(f"| {label} | {median:.1f} | {best:.1f} |")


def restart_nginx(live: stack.Stack) -> float:
    """Stops the stack's nginx and starts it again on the same configuration: seconds."""
    old = next(p for p in live.processes if p.name == "nginx")
    old.stop()
    started = time.perf_counter()
    nginx = stack.Nginx(live.logs)
    nginx.start()
    assert nginx.process is not None
    live.processes[live.processes.index(old)] = nginx.process
    return time.perf_counter() - started


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    token = await login(base, *admin)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}/accounts",
            headers={"Authorization": f"Bearer {token}"},
            json={"name": ACCOUNT, "password": "bench-pass-1"},
        ) as response,
    ):
        assert response.status == 201, await response.text()
    names = [f"site{i:05d}.bench.test" for i in range(5000)]
    first = await batch(live, token, "1,000 domains, 16 clients", names[:1000])
    ones = [f"one{i}.bench.test" for i in range(REPEATS)]
    twos = [f"two{i}.bench.test" for i in range(REPEATS)]
    at_1000 = await one_reload(live, token, ACCOUNT, ones, 1001)
    floors = [await asyncio.to_thread(bench_floor.measure, 1001, REPEATS)]
    token = await login(base, *admin)  # access tokens live five minutes
    rest: list[Batch] = []
    for start in range(1000, 5000, 1000):
        rest.append(await batch(live, token, "", names[start : start + 1000], clients=64))
        token = await login(base, *admin)
    more = Batch(
        "4,000 more domains (to 5,000), 64 clients",
        4000,
        sum(b.seconds for b in rest),
        [x for b in rest for x in b.latencies],
        sum(b.reloads for b in rest),
        sum(b.failures for b in rest),
    )
    at_5000 = await one_reload(live, token, ACCOUNT, twos, 5000 + REPEATS + 1)
    pages = await page_reads(base, token)
    floors.append(await asyncio.to_thread(bench_floor.measure, at_5000.sites, REPEATS))
    start_seconds = restart_nginx(live)
    served = await serve_all(live.web_port, [*names, *ones, *twos])
    print_tables([first, more], [at_1000, at_5000], start_seconds, served, len(names) + 2 * REPEATS)
    print_floor([at_1000, at_5000], floors)
    print_pages(pages)


def print_tables(
    batches: list[Batch], reloads: list[ReloadTime], start_seconds: float, served: int, sites: int
) -> None:
    print("\nProvisioning through the REST API (real agent, nginx and PHP-FPM)\n")
    print("| batch | domains/s | p50 ms | p99 ms | nginx reloads | failures |")
    print("|---|---|---|---|---|---|")
    for b in batches:
        print(
            f"| {b.label} | {b.per_second:.1f} | {b.percentile(0.5):.0f} | "
            f"{b.percentile(0.99):.0f} | {b.reloads} | {b.failures} |"
        )
    print("\n| sites | one create, end to end (ms) | stage + nginx -t (ms) | reload (ms) |")
    print("|---|---|---|---|")
    for r in reloads:
        print(f"| {r.sites} | {r.create_ms:.0f} | {r.check_ms} | {r.reload_ms} |")
    print(
        f"\nnginx restarted with {sites} sites in {start_seconds:.1f} s and served "
        f"{served} of {sites} sites (200 with the site's page)."
    )


def print_floor(reloads: list[ReloadTime], floors: list[bench_floor.Floor]) -> None:
    """Issue 14's target 1: one change, end to end, at most 2x nginx's own floor."""
    print("\nOne more site vs nginx's floor (N minimal server blocks: nginx -t, reload until")
    print(f"new workers serve), same run, medians of {REPEATS}\n")
    print("| sites | panel, one create (ms) | floor nginx -t (ms) | floor reload (ms) |", end="")
    print(" floor total (ms) | panel / floor |")
    print("|---|---|---|---|---|---|")
    for r, f in zip(reloads, floors, strict=True):
        print(
            f"| {r.sites} | {r.create_ms:.0f} | {f.check_ms:.0f} | {f.reload_ms:.0f} | "
            f"{f.total_ms:.0f} | {r.create_ms / f.total_ms:.2f} |"
        )
