"""PHP-FPM benchmark (`make bench` section `php`): a new account's pool among 5,000, added to
one master of every pool (as before, Debian's) and to the accounts' own masters of 256 uids.

Runs inside the sandbox (bench.py, or scripts/sandbox.sh RUN .venv/bin/python
scripts/bench_php.py). The accounts are lines of /etc/passwd and /etc/group (the sandbox's
copy) with uids from 200,000, and no home: `php-fpm -t` and a master's start read the user,
not the home, and no request is made. Each layout has a folder of its own and its own real
php-fpm masters, driven by the agent's PhpPools. The time of one change is PhpPools.ensure
for the wanted set with one account more: the pool files compared and written, `php-fpm -t`
and the reload until every socket is back. Its baseline is the same change at 2 accounts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import time
from pathlib import Path

from agent.system.web.php_fpm import SHARD_SIZE, PhpPools, PhpSettings, installed_versions
from agent.validators.accounts import AccountName

ACCOUNTS = 5000
FIRST_UID = 200_000
REPEATS = 3


def _users(count: int) -> list[AccountName]:
    names = [AccountName(f"bphp{i:05d}") for i in range(count)]
    with Path("/etc/passwd").open("a") as passwd, Path("/etc/group").open("a") as group:
        for i, name in enumerate(names):
            uid = FIRST_UID + i
            passwd.write(f"{name}:x:{uid}:{uid}::/nonexistent:/usr/sbin/nologin\n")
            group.write(f"{name}:x:{uid}:\n")
    return names


async def _timed(pools: PhpPools, version: str, accounts: list[AccountName]) -> float:
    start = time.perf_counter()
    await pools.ensure({version: set(accounts)})  # type: ignore[dict-item]
    return (time.perf_counter() - start) * 1000


async def _layout(
    label: str, shard_size: int, names: list[AccountName], version: str, root: Path
) -> tuple[str, float, float, int, float]:
    run = Path(f"/run/bphp-{shard_size}")
    run.mkdir(exist_ok=True)  # noqa: ASYNC240 (nothing else runs)
    (root / version / "fpm").mkdir(parents=True)
    settings = PhpSettings(root, run, log_dir=root, shard_size=shard_size)
    pools = PhpPools(settings)
    try:
        await pools.ensure({version: {names[0]}})  # type: ignore[dict-item]
        small = [await _timed(pools, version, names[: 2 + i]) for i in range(REPEATS)]
        await pools.ensure({version: set(names[: ACCOUNTS - REPEATS])})  # type: ignore[dict-item]
        large = [
            await _timed(pools, version, names[: ACCOUNTS - REPEATS + 1 + i])
            for i in range(REPEATS)
        ]
        pids = [int(path.read_text()) for path in run.glob("*.pid")]  # noqa: ASYNC240
        pss = sum(_pss_kb(pid) for pid in pids) / 1024
    finally:
        for pid_file in run.glob("*.pid"):  # noqa: ASYNC240
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
    return label, statistics.median(small), statistics.median(large), len(pids), pss


def _pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


async def run(work: Path) -> None:
    version = installed_versions()[0]
    saved = {path: path.read_text() for path in (Path("/etc/passwd"), Path("/etc/group"))}
    try:
        names = _users(ACCOUNTS + 1)
        rows = [
            await _layout(
                "one master of every pool (as before)", 10**9, names, version, work / "one"
            ),
            await _layout(
                f"a master per {SHARD_SIZE} uids (after)",
                SHARD_SIZE,
                names,
                version,
                work / "shards",
            ),
        ]
    finally:  # the sections after this one see the sandbox's users only
        for path, text in saved.items():
            path.write_text(text)
    print(
        f"\nJoPanel bench: a new account's PHP {version} pool (PhpPools.ensure: files, php-fpm -t,"
        f" reload until its sockets serve), median of {REPEATS}, {os.cpu_count()} cores\n"
    )
    print(
        f"| {'layout':<36} | at 2 accounts ms | at {ACCOUNTS:,} ms | ratio | masters | "
        "masters' PSS MB |"
    )
    print(f"|{'-' * 38}|-----------------:|-------------:|------:|--------:|----------------:|")
    for label, small, large, masters, pss in rows:
        print(
            f"| {label:<36} | {small:16.0f} | {large:12.0f} | {large / small:5.1f} | {masters:7} |"
            f" {pss:15.0f} |"
        )


if __name__ == "__main__":
    asyncio.run(run(Path(os.environ["JOPANEL_SANDBOX"]) / "bench-php"))
