"""`make bench`, memory: PHP-FPM's and nginx's memory with N accounts that have a PHP site each,
idle, beside the same with one (issue 14, target 4).

Accounts and sites are made through the REST API (16 clients). No site is asked for a page,
so what is measured is what an idle account costs: its pool (pm = ondemand: no worker until a
request comes, docs/web.md PHP-FPM) and its server block. Memory is summed over each server's
master and children: RSS (what `ps` shows; shared pages counted in every process) and PSS
(shared pages divided among the processes that share them: what they take together).
JOPANEL_BENCH_MEMORY_ACCOUNTS sets N (5,000 by default); JOPANEL_BENCH_MEMORY_ZONES=1 gives
each site its DNS zone too (the reconcile then compares N zones as well).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import stack
from bench_web import login, post_all

ACCOUNTS = int(os.environ.get("JOPANEL_BENCH_MEMORY_ACCOUNTS", "5000"))
ZONES = os.environ.get("JOPANEL_BENCH_MEMORY_ZONES") == "1"
CLIENTS = 16
# Access tokens live five minutes: a fresh one for each slice of work.
SLICE = 250


@dataclass
class Memory:
    accounts: int
    nginx_rss_mb: float
    nginx_pss_mb: float
    php_rss_mb: float
    php_pss_mb: float
    php_workers: int  # worker processes of the panel's pools (jopanel-<account>)


def _status_kb(pid: int, key: str, file: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _processes(kind: str) -> list[int]:
    """Every process whose program's name starts with `kind` (/proc/<pid>/comm), masters and
    workers alike: the agent starts a PHP-FPM master per 256 uids of its own, which are no
    children of the stack's (the sandbox's /proc shows its own processes only)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().startswith(kind):
                    found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def measure(accounts: int) -> Memory:
    nginx = _processes("nginx")
    php = _processes("php-fpm")
    workers = sum(1 for pid in php if _cmdline(pid).startswith(b"php-fpm: pool jopanel-"))
    return Memory(
        accounts,
        sum(_status_kb(p, "VmRSS") for p in nginx) / 1024,
        sum(_status_kb(p, "Pss", "smaps_rollup") for p in nginx) / 1024,
        sum(_status_kb(p, "VmRSS") for p in php) / 1024,
        sum(_status_kb(p, "Pss", "smaps_rollup") for p in php) / 1024,
        workers,
    )


async def add_accounts(
    base: str,
    admin: tuple[str, str],
    first: int,
    last: int,
    *,
    prefix: str = "m",
    plan: str | None = None,
) -> int:
    """Accounts <prefix><first>..<prefix><last - 1> (on `plan`, or the default one), each with a
    PHP site <account>.bench.test: how many requests failed."""
    failures = 0
    on_plan = {} if plan is None else {"plan": plan}
    zone = {"dns_zone": True} if ZONES else {}
    for start in range(first, last, SLICE):
        token = await login(base, *admin)
        names = [f"{prefix}{i:05d}" for i in range(start, min(start + SLICE, last))]
        accounts: list[tuple[str, dict[str, object]]] = [
            ("/accounts", {"name": name, "password": "bench-pass-1", **on_plan}) for name in names
        ]
        sites: list[tuple[str, dict[str, object]]] = [
            ("/domains", {"name": f"{name}.bench.test", "account": name, **zone}) for name in names
        ]
        for items in (accounts, sites):
            _, _, failed = await post_all(base, token, items, CLIENTS)
            failures += failed
    return failures


async def reconcile(base: str, admin: tuple[str, str]) -> tuple[float, int]:
    """Seconds a POST /reconcile takes (the whole server compared with its records), and how
    many findings it reported."""
    headers = {"Authorization": f"Bearer {await login(base, *admin)}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(3600)) as session:
        started = time.perf_counter()
        async with session.post(f"{base}/reconcile", headers=headers) as response:
            report = await response.json()
            seconds = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"POST /reconcile: {response.status} {report}")
    return seconds, len(report["findings"])


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    failures = await add_accounts(base, admin, 0, 1)
    one = measure(1)
    reconcile_one = await reconcile(base, admin)
    failures += await add_accounts(base, admin, 1, ACCOUNTS)
    many = measure(ACCOUNTS)
    reconcile_many = await reconcile(base, admin)
    print("\nMemory with N accounts, a PHP site each, idle (PHP-FPM and nginx, all processes)\n")
    print("| accounts | nginx RSS MB | nginx PSS MB | PHP-FPM RSS MB | PHP-FPM PSS MB |", end="")
    print(" panel pools' workers |")
    print("|---|---|---|---|---|---|")
    for m in (one, many):
        print(
            f"| {m.accounts} | {m.nginx_rss_mb:.0f} | {m.nginx_pss_mb:.0f} | {m.php_rss_mb:.0f} | "
            f"{m.php_pss_mb:.0f} | {m.php_workers} |"
        )
    extra = ACCOUNTS - 1
    if extra:
        per = (many.nginx_pss_mb + many.php_pss_mb - one.nginx_pss_mb - one.php_pss_mb) / extra
        print(f"\nEach idle account with its site: {per * 1024:.0f} KB (PSS); {failures} failures")
    print(
        "\nA reconcile (POST /reconcile) of the whole server, beside the same with one account",
        end="",
    )
    print(" (a DNS zone with each site)\n" if ZONES else "\n")
    print("| accounts | seconds | findings |")
    print("|---|---|---|")
    for accounts, (seconds, findings) in ((1, reconcile_one), (ACCOUNTS, reconcile_many)):
        print(f"| {accounts} | {seconds:.2f} | {findings} |")
