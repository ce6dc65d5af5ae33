"""`make bench`, websites: hosted sites as fast as hand-tuned ones (issue 14, target 3).

A static file and a PHP "hello" page, served by a site the panel made (through the REST API,
with its own pool) and by a minimal hand-written server block and pool beside it: same nginx,
same port, same account, the same files, PHP-FPM with its default OPcache (on). The hand-written
pool is what an administrator would tune by hand: `pm = static` with the panel pool's
max_children, no max_requests. wrk on loopback, in the same run: each site twice, in both
orders, the better of its two runs. For PHP, a third: the hand-written block and pool with the
panel's `open_basedir` (the account's home), which turns PHP's realpath cache off per request:
what the panel's isolation costs, beside what the rest of the panel's site costs.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import stack

from agent.system.web import nginx as agent_nginx
from agent.system.web import php_fpm, webroots

SECONDS = int(os.environ.get("JOPANEL_BENCH_SECONDS", "10"))
WARMUP_SECONDS = 2
CONNECTIONS = 64
PANEL = "hello.bench.test"
HAND = "hand.bench.test"
BASEDIR = "basedir.bench.test"
TARGETS = (("panel-made site", PANEL), ("hand-written block and pool", HAND))
BASEDIR_TARGET = ("hand-written, with open_basedir", BASEDIR)
HAND_ROOT = Path("/srv/bench-hand")
HAND_SOCKET = Path("/run/php/bench-hand.sock")
BASEDIR_SOCKET = Path("/run/php/bench-basedir.sock")
HTTP_SETTINGS = Path("/etc/nginx/conf.d/bench-production-http.conf")
STATIC = "x" * 1024 + "\n"
PHP = '<?php echo "hello\\n";\n'


@dataclass
class Row:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _hand_files(account: str, web_port: int, version: str) -> None:
    """The hand-written server blocks and pools, as an administrator would write them."""
    blocks = pools = ""
    for name, host, sock, extra in (
        ("bench-hand", HAND, HAND_SOCKET, ""),
        (
            "bench-basedir",
            BASEDIR,
            BASEDIR_SOCKET,
            f"php_admin_value[open_basedir] = {HAND_ROOT}/\n",
        ),
    ):
        blocks += f"""server {{
    listen 127.0.0.1:{web_port};
    server_name {host};
    root {HAND_ROOT};
    index index.php;
    location ~ \\.php$ {{
        include fastcgi_params;
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
        fastcgi_pass unix:{sock};
    }}
}}
"""
        pools += f"""[{name}]
user = {account}
group = {account}
listen = {sock}
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = {php_fpm.MAX_CHILDREN}
{extra}"""
    Path("/etc/nginx/conf.d/bench-hand.conf").write_text(blocks)
    Path(f"/etc/php/{version}/fpm/pool.d/bench-hand.conf").write_text(pools)


def _production_http_settings() -> None:
    """The installer's open_file_cache (deploy/nginx/jopanel-http.conf), which the sandbox's
    Debian nginx.conf lacks: both sites are measured as they run on a server."""
    lines = (stack.TOP / "deploy" / "nginx" / "jopanel-http.conf").read_text().splitlines()
    cache = [line for line in lines if line.startswith("open_file_cache")]
    HTTP_SETTINGS.write_text("\n".join(cache) + "\n")


def _content(folder: Path, account: str) -> None:
    user = pwd.getpwnam(account)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("hello.txt", STATIC), ("hello.php", PHP)):
        (folder / name).write_text(text)
        os.chown(folder / name, user.pw_uid, user.pw_gid)
    os.chown(folder, user.pw_uid, user.pw_gid)


def _reload_php(version: str) -> None:
    """SIGUSR2 to the master (as the agent does), then until the new pool's socket exists."""
    pid = int(Path(f"/run/php/php{version}-fpm.pid").read_text().strip())
    HAND_SOCKET.unlink(missing_ok=True)
    BASEDIR_SOCKET.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR2)
    ready = lambda: HAND_SOCKET.exists() and BASEDIR_SOCKET.exists()  # noqa: E731
    stack.wait_for("bench-hand pools", ready, None, Path("/dev/null"))


def _set_up(account: str, web_port: int) -> str:
    """The content of both sites, the hand-written files; the PHP version both use."""
    # The panel's default backend is the newest PHP; the stack runs one master per version.
    pids = sorted(Path("/run/php").glob("php*-fpm.pid"))
    version = pids[-1].name.removeprefix("php").removesuffix("-fpm.pid")
    _content(webroots.document_root(account, PANEL), account)
    _content(HAND_ROOT, account)
    _hand_files(account, web_port, version)
    _production_http_settings()
    _reload_php(version)
    return version


def _tear_down(version: str) -> None:
    Path("/etc/nginx/conf.d/bench-hand.conf").unlink()
    HTTP_SETTINGS.unlink()
    Path(f"/etc/php/{version}/fpm/pool.d/bench-hand.conf").unlink()
    shutil.rmtree(HAND_ROOT)


def wrk(name: str, url: str, host: str) -> Row:
    argv = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"Host: {host}",
    ]
    subprocess.run([*argv, f"-d{WARMUP_SECONDS}s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*argv, f"-d{SECONDS}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: .*?):? (\d+)", out)
    )
    return Row(name, rps, _percentile(out, "50"), _percentile(out, "99"), errors)


def _runs(kind: str, url: str, targets: tuple[tuple[str, str], ...]) -> list[Row]:
    """Each site twice, in both orders (panel, hand, hand, panel); the better run of each, so
    that none gains from going first or last."""
    best: dict[str, Row] = {}
    for label, host in (*targets, *reversed(targets)):
        row = wrk(f"{kind}, {label}", url, host)
        if label not in best or row.requests_per_second > best[label].requests_per_second:
            best[label] = row
    return [best[label] for label, _ in targets]


def _percentile(out: str, which: str) -> float:
    value, unit = re.search(rf"\s{which}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def run(live: stack.Stack, token: str, account: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{live.url}/api/v1/domains", headers=headers, json={"name": PANEL, "account": account}
        ) as response,
    ):
        assert response.status == 201, await response.text()
    version = await asyncio.to_thread(_set_up, account, live.web_port)
    try:
        await agent_nginx.reload(Path("/run/nginx.pid"))
        base = f"http://127.0.0.1:{live.web_port}"
        groups = []
        for kind, path, targets in (
            ("static 1 KB file", "/hello.txt", TARGETS),
            ('PHP "hello"', "/hello.php", (*TARGETS, BASEDIR_TARGET)),
        ):
            groups.append(await asyncio.to_thread(_runs, kind, base + path, targets))
    finally:
        await asyncio.to_thread(_tear_down, version)
    print_table(groups)


def print_table(groups: list[list[Row]]) -> None:
    print(
        f"\nHosted sites: panel-made vs hand-written (wrk, {CONNECTIONS} connections, "
        f"{SECONDS}s per run, the better of two in both orders, OPcache on, same run)\n"
    )
    print("| target | req/s | p50 ms | p99 ms | errors | panel / this (req/s) |")
    print("|---|---|---|---|---|---|")
    for panel, *others in groups:
        for row in (panel, *others):
            ratio = f"{panel.requests_per_second / row.requests_per_second:.2f}"
            print(
                f"| {row.name} | {row.requests_per_second:.0f} | {row.p50_ms:.2f} | "
                f"{row.p99_ms:.2f} | {row.errors} | {ratio if row is not panel else ''} |"
            )
