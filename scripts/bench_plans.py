"""`make bench`, plans: a plan's change reaching every account on it (issue 14, scale).

N accounts (JOPANEL_BENCH_PLAN_ACCOUNTS, 500 by default), each with a PHP site, on a plan of
their own, made through the REST API (16 clients). The plan's php_open_basedir is then turned
off and on again: each is one PATCH of the plan, which changes the PHP-FPM pool of every
account on it (the pool files rewritten, their masters checked and reloaded). The baseline is
the same change for one account alone (PATCH /accounts/{name}/php-pool, which makes the same
agent call), in the same run: the ratio says what the plan's change costs per account, as a
share of one account's own change.
"""

from __future__ import annotations

import os
import statistics
import time

import aiohttp
import stack
from bench_memory import add_accounts
from bench_web import login, post_all

ACCOUNTS = int(os.environ.get("JOPANEL_BENCH_PLAN_ACCOUNTS", "500"))
PLAN = "bench-plan"
SINGLE_CHANGES = 6


async def _patch(base: str, admin: tuple[str, str], path: str, body: dict[str, object]) -> float:
    """Seconds until the PATCH answered 200 (with a fresh token: a plan's change may take
    longer than a token lives)."""
    headers = {"Authorization": f"Bearer {await login(base, *admin)}"}
    timeout = aiohttp.ClientTimeout(3600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        async with session.patch(f"{base}{path}", headers=headers, json=body) as response:
            text = await response.text()
            seconds = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"PATCH {path}: {response.status} {text}")
    return seconds


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    token = await login(base, *admin)
    _, _, failures = await post_all(base, token, [("/plans", {"name": PLAN})], 1)
    failures += await add_accounts(base, admin, 0, ACCOUNTS, prefix="p", plan=PLAN)
    pool = "/accounts/p00000/php-pool"
    single = [
        await _patch(base, admin, pool, {"pm": "dynamic" if i % 2 == 0 else "ondemand"})
        for i in range(SINGLE_CHANGES)
    ]
    one = statistics.median(single)
    print(f"\nA plan's change reaching its {ACCOUNTS} accounts, each with a PHP site (REST API)\n")
    print("| change | seconds | ms per account | per account / one account's own change |")
    print("|---|---|---|---|")
    print(
        f"| one account's pool (median of {SINGLE_CHANGES}) | {one:.3f} | {one * 1000:.1f} | 1.00 |"
    )
    for label, basedir in (("off", False), ("on", True)):
        seconds = await _patch(base, admin, f"/plans/{PLAN}", {"php_open_basedir": basedir})
        per = seconds / ACCOUNTS
        print(
            f"| the plan's php_open_basedir {label} | {seconds:.1f} | {per * 1000:.1f} |"
            f" {per / one:.2f} |",
            flush=True,
        )
    print(f"\n{failures} failures while adding the accounts")
