"""Baseline B and GET /api/v1/accounts/{name} measured alternately (issue 14, target 5).

One `make bench` row after another differs by more than a change on a shared machine, so this
runs the two in turns, ROUNDS rounds of SECONDS each, and prints each round's ratio, then the
medians of req/s and of each process's CPU per request (utime + stime from /proc, so time
spent waiting for a loaded CPU is not counted). Inside the sandbox:

    run=$(mktemp -d /tmp/jp-XXXXXX)
    scripts/sandbox.sh "$run" .venv/bin/python scripts/bench_reads.py
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import stack
from bench import api, start_baseline, wrk

ROUNDS = 5
SECONDS = 5


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, token: str, pids: dict[str, int]) -> tuple[float, dict[str, float]]:
    """Requests per second, and each process's CPU per request in microseconds."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    row = wrk(url, url, token, SECONDS)
    requests = max(row.requests_per_second * SECONDS, 1.0)
    spent = {name: (cpu_seconds(pid) - before[name]) / requests * 1e6 for name, pid in pids.items()}
    return row.requests_per_second, spent


def main() -> None:
    run_dir = Path(os.environ["JOPANEL_SANDBOX"])
    logs = run_dir / "logs"
    mariadb = stack.MariaDB(stack.free_port(), logs)
    live = stack.Stack(run_dir, stack.free_port(), mariadb, static_dir="")
    with stack.running_mariadb(mariadb), stack.running(live):
        name, password = live.ensure_admin()
        base = f"{live.url}/api/v1"
        login = api("POST", f"{base}/auth/login", {"username": name, "password": password})
        token = str(login["access_token"])
        api("POST", f"{base}/accounts", {"name": "bench_site", "password": "bench-pass-1"}, token)
        port = stack.free_port()
        secret = str(stack.ETC / "jwt.secret")
        baseline = start_baseline("b", port, secret, stack.AGENT_SOCKET, log=logs / "b.log")
        try:
            time.sleep(2)  # its pool and channel
            pids = {p.name: p.pid for p in live.processes if p.name in ("gateway", "agent")}
            assert baseline.popen is not None
            pids["B"] = baseline.popen.pid
            targets = {"B": f"http://127.0.0.1:{port}/", "accounts": f"{base}/accounts/bench_site"}
            for url in targets.values():
                wrk(url, url, token, 2)  # warm-up
            _rounds(targets, token, pids)
        finally:
            baseline.stop()


def _rounds(targets: dict[str, str], token: str, pids: dict[str, int]) -> None:
    seen: dict[str, list[tuple[float, dict[str, float]]]] = {label: [] for label in targets}
    ratios = []
    for _ in range(ROUNDS):
        for label, url in targets.items():
            seen[label].append(measure(url, token, pids))
        ratio = seen["accounts"][-1][0] / seen["B"][-1][0]
        ratios.append(ratio)
        print(f"accounts / B {ratio:.2f}, load {os.getloadavg()[0]:.1f}", flush=True)
    for label, rows in seen.items():
        rate = statistics.median(r[0] for r in rows)
        cost = {p: f"{statistics.median(r[1][p] for r in rows):.0f} us" for p in pids}
        print(f"{label}: {rate:.0f} req/s, CPU per request {cost}")
    print(
        f"accounts / B: median {statistics.median(ratios):.2f}, {min(ratios):.2f}-{max(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
