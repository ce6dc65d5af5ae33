"""`make bench`, websites: hosted sites as fast as hand-tuned ones (issue 14, target 3).

A static file and a PHP "hello" page, served by a site the panel made (through the REST API,
with its own pool) and by minimal hand-written server blocks and pools beside it: same nginx,
same port, the same files (the panel site's own document root, so every path is as deep),
PHP-FPM with its default OPcache (on). The hand-tuned pool is what an administrator would write
for one busy site: `pm = static` with the panel pool's max_children, no open_basedir. Two more
hand-written pools add, one after the other, what the panel's pools hold for every account:
`open_basedir` (the account's home; PHP turns its realpath cache off then) and `pm = ondemand`
(an idle account costs no worker, target 4; its master wakes for each new connection). The
panel's site is measured three times: with the account's default pool (ondemand), after the
account's owner chose "dynamic" (one worker always waiting; PATCH .../php-pool), and then set
up as the hand-tuned pool is: the account moved to a plan without open_basedir that grants
static pools (an administrator's choice for a trusted, busy customer), its pool `static` with
the same max_children. That last group also has the hand-tuned pool with the panel pools'
`pm.max_requests` (a busy worker is replaced about every second here), the one line left that
the two pools differ in: what replacing workers costs the rate and the p99.

wrk on loopback, in the same run: four rounds of every target in turn (first to last, then
last to first, ...); each figure is the median of its rounds, and each ratio the median of the
rounds' ratios (the speed of a shared machine drifts by a tenth within a minute, more than the
differences measured). Beside requests per second, the server's CPU per request (bench_wrk):
the machine's, and nginx's and PHP-FPM's apart (their masters and workers), so where one row
spends more than another is a column, not a trial.

Two p99s. wrk's connections send their next request as soon as an answer comes, so those runs
keep every target saturated, and there a request's latency is mostly its wait in the queue:
connections over the rate served. A target that serves a tenth fewer requests a second shows a
p99 about a tenth worse for that alone. So each round also runs every target at the same load,
PACED_SHARE of the rate the hand-tuned row served in that round's saturated runs (each
connection pauses between an answer and its next request, bench_paced.lua), and the table has
the panel's p99 over each row's at that equal load: what a request waits for a site that is
not overloaded.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import bench_web
import bench_wrk
import stack
from bench_wrk import Row

from agent.system.web import nginx as agent_nginx
from agent.system.web import php_fpm, webroots

SECONDS = max(int(os.environ.get("JOPANEL_BENCH_SECONDS", "10")) // 2, 2)
ROUNDS = 4
WARMUP_SECONDS = 2
CONNECTIONS = 64
# The equal load of the paced runs: this share of the hand-tuned row's saturated rate.
PACED_SHARE = 0.5
PACED_SCRIPT = Path(__file__).with_name("bench_paced.lua")
# Every group's second target is the hand-tuned block and pool: the paced runs' measure.
HAND_TUNED = 1
PANEL = "hello.bench.test"
PANEL_LABEL = "panel-made site"
DYNAMIC_LABEL = "panel-made site, pool dynamic"
UNCONFINED_LABEL = "panel-made site, pool static, plan without open_basedir"
TRUSTED_PLAN = "bench-trusted"
STATIC = "x" * 1024 + "\n"
PHP = '<?php echo "hello\\n";\n'
HTTP_SETTINGS = Path("/etc/nginx/conf.d/bench-production-http.conf")
HAND_BLOCKS = Path("/etc/nginx/conf.d/bench-hand.conf")
# CPU per request read apart: nginx's processes, PHP-FPM's (masters and workers).
KINDS = ("nginx", "php-fpm")


@dataclass(frozen=True)
class Hand:
    """A hand-written server block and its pool."""

    label: str
    host: str
    pool: str  # the pool's own lines: process manager, open_basedir

    @property
    def socket(self) -> Path:
        return Path(f"/run/php/bench-{self.host.split('.')[0]}.sock")


# The panel's pools replace a worker after this many requests (php_fpm.render_pool).
RECYCLED = f"pm.max_requests = {php_fpm.MAX_REQUESTS}\n"


def _hands(account: str) -> tuple[Hand, ...]:
    basedir = f"php_admin_value[open_basedir] = /home/{account}/\n"
    static = f"pm = static\npm.max_children = {php_fpm.MAX_CHILDREN}\n"
    ondemand = (
        f"pm = ondemand\npm.max_children = {php_fpm.MAX_CHILDREN}\npm.process_idle_timeout = 10s\n"
    )
    return (
        Hand("hand-tuned block and pool", "hand.bench.test", static),
        Hand("hand-written, open_basedir", "basedir.bench.test", static + basedir),
        Hand("hand-written, open_basedir, ondemand", "ondemand.bench.test", ondemand + basedir),
        Hand("hand-tuned, workers replaced", "recycled.bench.test", static + RECYCLED),
    )


def _hand_files(account: str, web_port: int, version: str, root: Path) -> None:
    """The hand-written server blocks and pools, as an administrator would write them."""
    blocks = pools = ""
    for hand in _hands(account):
        blocks += f"""server {{
    listen 127.0.0.1:{web_port};
    server_name {hand.host};
    root {root};
    index index.php;
    location ~ \\.php$ {{
        include fastcgi_params;
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
        fastcgi_pass unix:{hand.socket};
    }}
}}
"""
        pools += f"""[bench-{hand.host.split(".")[0]}]
user = {account}
group = {account}
listen = {hand.socket}
listen.owner = www-data
listen.group = www-data
{hand.pool}"""
    HAND_BLOCKS.write_text(blocks)
    _pool_file(version).write_text(pools)


def _pool_file(version: str) -> Path:
    return Path(f"/etc/php/{version}/fpm/pool.d/bench-hand.conf")


def _production_http_settings() -> None:
    """The installer's open_file_cache (deploy/nginx/jopanel-http.conf), which the sandbox's
    Debian nginx.conf lacks: both sites are measured as they run on a server."""
    lines = (stack.TOP / "deploy" / "nginx" / "jopanel-http.conf").read_text().splitlines()
    cache = [line for line in lines if line.startswith("open_file_cache")]
    HTTP_SETTINGS.write_text("\n".join(cache) + "\n")


def _content(folder: Path, account: str) -> None:
    user = pwd.getpwnam(account)
    for name, text in (("hello.txt", STATIC), ("hello.php", PHP)):
        (folder / name).write_text(text)
        os.chown(folder / name, user.pw_uid, user.pw_gid)


def _reload_php(version: str, account: str) -> None:
    """SIGUSR2 to Debian's master (as the agent does), then until the new pools' sockets exist."""
    sockets = [hand.socket for hand in _hands(account)]
    for socket in sockets:
        socket.unlink(missing_ok=True)
    pid = int(Path(f"/run/php/php{version}-fpm.pid").read_text().strip())
    os.kill(pid, signal.SIGUSR2)
    ready = lambda: all(socket.exists() for socket in sockets)  # noqa: E731
    stack.wait_for("bench-hand pools", ready, None, Path("/dev/null"))


def _set_up(account: str, web_port: int) -> str:
    """The content of the sites, the hand-written files; the PHP version all use."""
    # The panel's default backend is the newest PHP; the stack runs one master per version.
    pids = sorted(Path("/run/php").glob("php*-fpm.pid"))
    version = pids[-1].name.removeprefix("php").removesuffix("-fpm.pid")
    root = webroots.document_root(account, PANEL)
    _content(root, account)
    _hand_files(account, web_port, version, root)
    _production_http_settings()
    _reload_php(version, account)
    return version


def _tear_down(version: str) -> None:
    HAND_BLOCKS.unlink()
    HTTP_SETTINGS.unlink()
    _pool_file(version).unlink()


def wrk(name: str, url: str, host: str, pause_ms: int = 0) -> Row:
    """One target's run after a warm-up: saturated, or each connection pausing pause_ms."""
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
    if pause_ms:
        argv += ["-s", str(PACED_SCRIPT)]
    paced = ["--", str(pause_ms)] if pause_ms else []
    subprocess.run([*argv, f"-d{WARMUP_SECONDS}s", url, *paced], capture_output=True, check=True)
    return bench_wrk.run(name, [*argv, f"-d{SECONDS}s", url, *paced], KINDS)


@dataclass(frozen=True)
class Runs:
    """A group's rounds: each a row per target, in target order."""

    saturated: list[list[Row]]
    paced: list[list[Row]]  # every target at the same offered load (PACED_SHARE)


def _runs(kind: str, url: str, targets: tuple[tuple[str, str], ...]) -> Runs:
    """ROUNDS rounds of every target in turn, in target order, then the other way round, and
    so on: the rows of one round ran seconds apart, so their ratio is spared the machine's
    drift, which a whole run of one target after another is not. Each round's paced runs
    follow its saturated ones, at a pause that offers PACED_SHARE of the hand-tuned row's
    rate: each connection sends a request every pause plus a request's time (the pause in whole
    milliseconds, as wrk takes it)."""
    saturated, paced = [], []
    for n in range(ROUNDS):
        order = list(targets) if n % 2 == 0 else list(reversed(targets))
        ran = {label: wrk(f"{kind}, {label}", url, host) for label, host in order}
        saturated.append([ran[label] for label, _ in targets])
        hand = saturated[-1][HAND_TUNED]
        offered = PACED_SHARE * hand.requests_per_second
        # A request's own time adds to the pause, so the load is a little below the share.
        pause_ms = max(round(CONNECTIONS / offered * 1000), 1)
        ran = {label: wrk(f"{kind}, {label}", url, host, pause_ms) for label, host in order}
        paced.append([ran[label] for label, _ in targets])
    return Runs(saturated, paced)


async def run(live: stack.Stack, admin: tuple[str, str], account: str) -> None:
    """Access tokens live five minutes, less than the section: each API call signs in."""
    api = _Api(live, admin)
    await api.call("POST", "/domains", {"name": PANEL, "account": account}, 201)
    version = await asyncio.to_thread(_set_up, account, live.web_port)
    try:
        await agent_nginx.reload(Path("/run/nginx.pid"))
        base = f"http://127.0.0.1:{live.web_port}"
        hands = [(hand.label, hand.host) for hand in _hands(account)]
        panel = (PANEL_LABEL, PANEL)
        static = await asyncio.to_thread(
            _runs, "static 1 KB file", base + "/hello.txt", (panel, hands[0])
        )
        php = await asyncio.to_thread(
            _runs, 'PHP "hello"', base + "/hello.php", (panel, *hands[:3])
        )
        # The account's owner (or the administrator) keeps one worker waiting.
        await api.call("PATCH", f"/accounts/{account}/php-pool", {"pm": "dynamic"}, 200)
        dynamic = await asyncio.to_thread(
            _runs, 'PHP "hello"', base + "/hello.php", ((DYNAMIC_LABEL, PANEL), *hands[:2])
        )
        # The account on a plan whose accounts' PHP is not kept to their homes and may keep
        # every worker running, its pool static: as the hand-tuned pool is.
        plan = {"name": TRUSTED_PLAN, "php_open_basedir": False, "php_static_pools": True}
        await api.call("POST", "/plans", plan, 201)
        await api.call("PATCH", f"/accounts/{account}", {"plan": TRUSTED_PLAN}, 200)
        await api.call("PATCH", f"/accounts/{account}/php-pool", {"pm": "static"}, 200)
        unconfined = await asyncio.to_thread(
            _runs,
            'PHP "hello"',
            base + "/hello.php",
            ((UNCONFINED_LABEL, PANEL), hands[0], hands[3]),
        )
    finally:
        await asyncio.to_thread(_tear_down, version)
    print_table([static, php, dynamic, unconfined])


@dataclass(frozen=True)
class _Api:
    live: stack.Stack
    admin: tuple[str, str]

    async def call(self, method: str, path: str, body: dict[str, object], status: int) -> None:
        base = f"{self.live.url}/api/v1"
        token = await bench_web.login(base, *self.admin)
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession(headers=headers) as session,
            session.request(method, base + path, json=body) as response,
        ):
            assert response.status == status, await response.text()


def print_table(groups: list[Runs]) -> None:
    """Each group's rows (the panel's first): the medians of their rounds, and the panel's
    ratio to each row as the median of the rounds' ratios (with their range)."""
    print(
        f"\nHosted sites: panel-made vs hand-written (wrk, {CONNECTIONS} connections, "
        f"{ROUNDS} rounds of {SECONDS}s per target in turns, medians, OPcache on, same run; "
        "CPU: the server's per request, and nginx's and PHP-FPM's of it; equal load: every "
        f"target offered {PACED_SHARE:.0%} of the hand-tuned row's rate in each round)\n"
    )
    print(
        "| target | req/s | p50 ms | p99 ms | errors | CPU us/req | nginx us/req "
        "| PHP-FPM us/req | panel / this (req/s) | panel / this (by CPU) "
        "| panel's p99 / this, saturated | equal load: req/s | p99 ms "
        "| panel's p99 / this (at most 1) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for runs in groups:
        rounds, paced = runs.saturated, runs.paced
        for i, name in enumerate(row.name for row in rounds[0]):
            r = bench_wrk.medians([round_[i] for round_ in rounds])
            even = bench_wrk.medians([round_[i] for round_ in paced])
            by_rate = by_cpu = p99 = even_p99 = ""
            if i:
                by_rate = bench_wrk.shown(bench_wrk.rate_ratios(rounds, 0, i))
                by_cpu = bench_wrk.shown(bench_wrk.cpu_ratios(rounds, i, 0))
                p99 = bench_wrk.shown(bench_wrk.p99_ratios(rounds, 0, i))
                even_p99 = bench_wrk.shown(bench_wrk.p99_ratios(paced, 0, i))
            nginx, php = r.kinds_us
            print(
                f"| {name} | {r.requests_per_second:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
                f"{r.errors + even.errors} | {r.cpu_us:.1f} | {nginx:.1f} | {php:.1f} | "
                f"{by_rate} | {by_cpu} | {p99} | {even.requests_per_second:.0f} | "
                f"{even.p99_ms:.2f} | {even_p99} |"
            )
