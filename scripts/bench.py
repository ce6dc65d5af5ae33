"""`make bench`: load from wrk (a separate process) on loopback against the real gateway and
two baselines measured in the same run, then a table. Runs inside its own sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median
from typing import Any

import bench_backups
import bench_certificates
import bench_dns_api
import bench_files
import bench_memory
import bench_php
import bench_plans
import bench_sites
import bench_ui
import bench_web
import bench_wrk
import stack
from bench_wrk import Row

CONNECTIONS = 64
SECONDS = int(os.environ.get("JOPANEL_BENCH_SECONDS", "10"))
WARMUP_SECONDS = 2
# The api table's rows run in turns, ROUNDS rounds of ROUND_SECONDS each, and each figure is the
# median of its rounds: on a shared machine the speed drifts by more than the differences
# measured within a minute, and a ratio of two rows from the same round (seconds apart) is
# what that drift spares.
ROUNDS = 3
ROUND_SECONDS = max(SECONDS // 2, 2)
B_ROW = "baseline B: JWT + PK SELECT + gRPC health"


def wrk(name: str, url: str, token: str = "", seconds: int = SECONDS) -> Row:
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    return bench_wrk.run(name, [*argv, url])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def api(method: str, url: str, body: dict[str, object] | None = None, token: str = "") -> Any:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def start_baseline(kind: str, port: int, *args: str, log: Path) -> stack.Process:
    process = stack.Process(
        f"baseline-{kind}",
        [
            "setpriv",
            f"--reuid={stack.GATEWAY_USER}",
            f"--regid={stack.GATEWAY_USER}",
            "--init-groups",
            sys.executable,
            str(stack.TOP / "scripts" / "bench_baselines.py"),
            kind,
            str(port),
            *args,
        ],
        log,
    )
    process.start()
    stack.wait_for(process.name, stack.tcp_ready(port), process.popen, log)
    return process


# The bare grpc.aio server's socket: in a folder of the gateway's user, who runs it and the
# baselines that call it.
BARE_SOCKET = "/run/jopanel-bench/bare-grpc.sock"


def start_bare_grpc(log: Path) -> stack.Process:
    Path(BARE_SOCKET).parent.mkdir(mode=0o700, exist_ok=True)
    shutil.chown(Path(BARE_SOCKET).parent, stack.GATEWAY_USER, stack.GATEWAY_USER)
    process = stack.Process(
        "bare-grpc",
        [
            "setpriv",
            f"--reuid={stack.GATEWAY_USER}",
            f"--regid={stack.GATEWAY_USER}",
            "--init-groups",
            sys.executable,
            str(stack.TOP / "scripts" / "bench_baselines.py"),
            "grpc",
            BARE_SOCKET,
        ],
        log,
    )
    process.start()
    stack.wait_for(process.name, stack.unix_socket_ready(BARE_SOCKET), process.popen, log)
    return process


def main() -> None:
    """Every section, or those named: `scripts/bench.sh api web`."""
    sections = sys.argv[1:] or [
        *("api", "web", "sites", "php", "dns", "ui", "backups", "files", "plans", "certificates"),
    ]
    run_dir = Path(os.environ["JOPANEL_SANDBOX"])
    logs = run_dir / "logs"
    mariadb = stack.MariaDB(stack.free_port(), logs)
    dist = stack.TOP / "webui" / "dist"
    static_dir = str(dist) if (dist / "index.html").exists() else ""
    live = stack.Stack(run_dir, stack.free_port(), mariadb, static_dir=static_dir)
    with stack.running_mariadb(mariadb), stack.running(live):
        time.sleep(2)
        idle = {p.name: rss_mb(p.pid) for p in live.processes}
        name, password = live.ensure_admin()
        base = f"{live.url}/api/v1"
        session = api("POST", f"{base}/auth/login", {"username": name, "password": password})
        token = str(session["access_token"])
        api("POST", f"{base}/accounts", {"name": "bench_site", "password": "bench-pass-1"}, token)
        # Access tokens live 5 minutes; the run is shorter than that.
        ports = [stack.free_port() for _ in range(4)]
        secret = str(stack.ETC / "jwt.secret")
        bare = start_bare_grpc(logs / "bare-grpc.log")
        baselines = [
            bare,
            start_baseline("a", ports[0], log=logs / "baseline-a.log"),
            start_baseline("b", ports[1], secret, stack.AGENT_SOCKET, log=logs / "baseline-b.log"),
            start_baseline("j", ports[2], secret, BARE_SOCKET, log=logs / "baseline-j.log"),
            start_baseline("b", ports[3], secret, BARE_SOCKET, log=logs / "baseline-b-bare.log"),
        ]
        rounds: list[list[Row]] = []
        try:
            # B between the two rows compared with it (targets 5 and 6), so each ratio is of
            # rows run seconds apart.
            targets = [
                ("baseline A: bare aiohttp JSON", f"http://127.0.0.1:{ports[0]}/", ""),
                ("GET /api/v1/accounts/{name}", f"{base}/accounts/bench_site", token),
                (B_ROW, f"http://127.0.0.1:{ports[1]}/", token),
                # What the bare parts allow (issue 14, target 6): the same gRPC health check
                # answered by a bare grpc.aio server on its own socket instead of the agent.
                ("B's work, bare grpc.aio server", f"http://127.0.0.1:{ports[3]}/", token),
                ("JWT + health, bare grpc.aio server", f"http://127.0.0.1:{ports[2]}/", token),
                ("GET /api/v1/me", f"{base}/me", token),
            ]
            if "api" in sections:
                for label, url, auth in targets:
                    wrk(label, url, auth, WARMUP_SECONDS)
                for _ in range(ROUNDS):
                    rounds.append([wrk(*target, ROUND_SECONDS) for target in targets])
        finally:
            for process in baselines:
                process.stop()
        after = {p.name: rss_mb(p.pid) for p in live.processes}
        if rounds:
            print_table(rounds, idle, after)
        if "web" in sections:
            asyncio.run(bench_web.run(live, (name, password)))
        if "sites" in sections:  # after "web": beside its 5,000 sites when both run
            asyncio.run(bench_sites.run(live, (name, password), "bench_site"))
        if "php" in sections:
            asyncio.run(bench_php.run(run_dir / "bench-php"))
        if "dns" in sections:
            asyncio.run(bench_dns_api.run(live, (name, password)))
        if "ui" in sections:
            bench_ui.run(live, (name, password))
        if "backups" in sections:
            asyncio.run(bench_backups.run(live, (name, password)))
        if "files" in sections:
            asyncio.run(bench_files.run(live, (name, password)))
        if "plans" in sections:
            asyncio.run(bench_plans.run(live, (name, password)))
        if "memory" in sections:  # not in the default list: 5,000 accounts take a while
            asyncio.run(bench_memory.run(live, (name, password)))
        if "certificates" in sections:
            asyncio.run(bench_certificates.run(live, (name, password)))


def print_table(rounds: list[list[Row]], idle: dict[str, float], after: dict[str, float]) -> None:
    """The api table: each row's medians over the rounds, and beside them its ratios to B as
    the median of each round's ratio (the rows of one round ran seconds apart)."""
    print(
        f"\nJoPanel bench: wrk, {CONNECTIONS} connections, {len(rounds)} rounds of "
        f"{ROUND_SECONDS}s per row in turns (medians), {os.cpu_count()} cores, "
        "all rows in this run\n"
    )
    print(
        f"| {'target':<42} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'vs B':>5} "
        f"| {'CPU us/req':>10} | {'vs B, CPU':>9} | errors |"
    )
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 7}|{'-' * 12}|{'-' * 11}|--------|")
    names = [row.name for row in rounds[0]]
    b = names.index(B_ROW)
    for i, name in enumerate(names):
        r = bench_wrk.medians([round_[i] for round_ in rounds])
        print(
            f"| {name:<42} | {r.requests_per_second:>8.0f} | {r.p50_ms:>7.2f} | "
            f"{r.p99_ms:>7.2f} | {median(bench_wrk.rate_ratios(rounds, i, b)):>5.2f} | "
            f"{r.cpu_us:>10.1f} | {median(bench_wrk.cpu_ratios(rounds, b, i)):>9.2f} | "
            f"{r.errors:>6} |"
        )
    if "B's work, bare grpc.aio server" in names:  # issue 14: target 6 asks >= 0.8
        bare = names.index("B's work, bare grpc.aio server")
        print(
            "\nB / B's work on a bare grpc.aio server: "
            f"{bench_wrk.shown(bench_wrk.rate_ratios(rounds, b, bare))} (req/s), "
            f"{bench_wrk.shown(bench_wrk.cpu_ratios(rounds, bare, b))} (CPU per request)"
        )
    if "GET /api/v1/accounts/{name}" in names:  # target 5 asks >= 0.9
        account = names.index("GET /api/v1/accounts/{name}")
        print(
            "GET /api/v1/accounts/{name} / B: "
            f"{bench_wrk.shown(bench_wrk.rate_ratios(rounds, account, b))} (req/s), "
            f"{bench_wrk.shown(bench_wrk.cpu_ratios(rounds, b, account))} (CPU per request)"
        )
    total = idle.get("gateway", 0) + idle.get("agent", 0)
    print(
        f"\nResident memory (MB): gateway {idle.get('gateway', 0):.1f} idle, "
        f"{after.get('gateway', 0):.1f} after load; agent {idle.get('agent', 0):.1f} idle, "
        f"{after.get('agent', 0):.1f} after load; together idle {total:.1f}"
    )


if __name__ == "__main__":
    main()
