"""`make bench`, plans: a change reaching every account of a plan or of a reseller (issue 14,
scale).

N accounts (JOPANEL_BENCH_PLAN_ACCOUNTS, 500 by default), each with a PHP site, on a plan of
their own, made through the REST API (16 clients). The plan's php_open_basedir is then turned
off and on again: each is one PATCH of the plan, which changes the PHP-FPM pool of every
account on it (the pool files rewritten, their masters checked and reloaded). The baseline is
the same change for one account alone (PATCH /accounts/{name}/php-pool, which makes the same
agent call), in the same run: the ratio says what the plan's change costs per account, as a
share of one account's own change.

Then a reseller with N accounts of its own, each with a PHP site, is suspended and unsuspended
(each account suspended: its user locked, its sites offline, one nginx reload per batch),
against one account's own suspension and unsuspension.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

import aiohttp
import stack
from bench_memory import add_accounts
from bench_web import login, post_all

ACCOUNTS = int(os.environ.get("JOPANEL_BENCH_PLAN_ACCOUNTS", "500"))
PLAN = "bench-plan"
RESELLER = ("benchres", "bench-pass-1")
SINGLE_CHANGES = 6


async def _timed(
    base: str, user: tuple[str, str], method: str, path: str, body: dict[str, object]
) -> tuple[float, Any]:
    """Seconds until the call answered 200, and its answer (with a fresh token: a change to
    hundreds of accounts may take longer than a token lives)."""
    headers = {"Authorization": f"Bearer {await login(base, *user)}"}
    timeout = aiohttp.ClientTimeout(3600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        call = session.request(method, f"{base}{path}", headers=headers, json=body)
        async with call as response:
            text = await response.text()
            seconds = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: {response.status} {text}")
    return seconds, json.loads(text)


def _row(label: str, seconds: float, one: float) -> None:
    per = seconds / ACCOUNTS
    print(f"| {label} | {seconds:.1f} | {per * 1000:.1f} | {per / one:.2f} |", flush=True)


def _header(title: str, one: float, label: str) -> None:
    print(f"\n{title}\n")
    print("| change | seconds | ms per account | per account / one account's own change |")
    print("|---|---|---|---|")
    print(f"| {label} (median of {SINGLE_CHANGES}) | {one:.3f} | {one * 1000:.1f} | 1.00 |")


async def _plan(base: str, admin: tuple[str, str]) -> int:
    token = await login(base, *admin)
    _, _, failures = await post_all(base, token, [("/plans", {"name": PLAN})], 1)
    failures += await add_accounts(base, admin, 0, ACCOUNTS, prefix="p", plan=PLAN)
    pool = "/accounts/p00000/php-pool"
    single = [
        (await _timed(base, admin, "PATCH", pool, {"pm": "dynamic" if i % 2 == 0 else "ondemand"}))[
            0
        ]
        for i in range(SINGLE_CHANGES)
    ]
    one = statistics.median(single)
    title = f"A plan's change reaching its {ACCOUNTS} accounts, each with a PHP site (REST API)"
    _header(title, one, "one account's pool")
    for label, basedir in (("off", False), ("on", True)):
        body: dict[str, object] = {"php_open_basedir": basedir}
        seconds, _ = await _timed(base, admin, "PATCH", f"/plans/{PLAN}", body)
        _row(f"the plan's php_open_basedir {label}", seconds, one)
    return failures


async def _reseller(base: str, admin: tuple[str, str]) -> int:
    name, password = RESELLER
    token = await login(base, *admin)
    _, _, failures = await post_all(
        base, token, [("/resellers", {"name": name, "password": password})], 1
    )
    plan = f"{name}_gold"
    _, _, failed = await post_all(
        base, await login(base, *RESELLER), [("/plans", {"name": plan})], 1
    )
    failures += failed
    failures += await add_accounts(base, RESELLER, 0, ACCOUNTS, prefix="r", plan=plan)
    single = [
        (await _timed(base, admin, "POST", f"/accounts/r00000/{action}", {}))[0]
        for _ in range(SINGLE_CHANGES // 2)
        for action in ("suspend", "unsuspend")
    ]
    one = statistics.median(single)
    title = f"A reseller suspended with its {ACCOUNTS} accounts, each with a PHP site (REST API)"
    _header(title, one, "one account suspended or unsuspended")
    for action in ("suspend", "unsuspend"):
        seconds, cascade = await _timed(base, admin, "POST", f"/resellers/{name}/{action}", {})
        if len(cascade["accounts"]) != ACCOUNTS:
            raise RuntimeError(f"{action}: not done {cascade['not_done']}")
        _row(f"the reseller's {action}", seconds, one)
    return failures


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    failures = await _plan(base, admin)
    failures += await _reseller(base, admin)
    print(f"\n{failures} failures while adding the accounts")
