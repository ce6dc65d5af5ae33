"""One resource's stuck program or server holds up no other resource (sandbox only).

The agent under test is one of its own, with short timeouts, an nginx configuration root and
an nginx of its own (so its web resource can be made to hang without touching the session's),
and everything else on the sandbox's real paths and services. Its web resource is held by
turning that root's mime.types into a FIFO: `nginx -t` then blocks opening it, as it would on a
broken file system (no writer ever opens the other end). MariaDB is held with
SIGSTOP: it still accepts connections on its socket and never answers.

Meanwhile the other resources' RPCs must answer in their usual time: at most FACTOR times
their median, measured unstuck in the same test, plus SLACK. The held RPC then fails with
UNAVAILABLE after its timeout, and the agent goes on serving, the held resource included.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import signal
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import grpc.aio
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.cron.v1 import cron_pb2, cron_pb2_grpc
from jopanel.agent.databases.v1 import databases_pb2, databases_pb2_grpc
from jopanel.agent.dns.v1 import dns_pb2, dns_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.config import AgentConfig
from agent.daemon import start
from agent.system.databases import mariadb as mariadb_layer
from agent.validators.databases import DatabaseName
from tests.agent.dns.dns_support import dig, named
from tests.agent.support import rpc_error, short_temp_dir, until
from tests.agent.web.web_support import get, spec

__all__ = ["named"]  # a fixture, used by name

pytestmark = pytest.mark.usefixtures("named")

# The timeouts of the agent under test: long enough for every measurement below to happen
# while the held RPC is still waiting, short enough for a quick test.
WEB_TIMEOUT = 10.0
DNS_TIMEOUT = 10.0
MARIADB_TIMEOUT = 10.0
FACTOR = 5
# Seconds: a 2-core machine shared with other work. Still 20 times below the stall a held
# lock would cause (the held resource's timeout), so a shared lock cannot hide in it.
SLACK = 0.5
BASELINE_ROUNDS = 5
HELD_ROUNDS = 3
REDIRECT = web_pb2.RedirectBackend(
    url="https://target.example.org/", code=web_pb2.REDIRECT_CODE_PERMANENT
)

Op = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Agent:
    config: AgentConfig
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub
    web: web_pb2_grpc.WebDomainServiceAsyncStub
    cron: cron_pb2_grpc.CronJobServiceAsyncStub
    dns: dns_pb2_grpc.DnsZoneServiceAsyncStub
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub


@pytest.fixture
def nginx_root(sandbox: Path) -> Iterator[Path]:
    """An nginx configuration root of the agent under test, and an empty PHP root (its worker
    would otherwise prune the PHP-FPM pools of the session's agent, which it does not know)."""
    folder = Path("/srv/jp-timeouts")
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "conf.d").mkdir(parents=True)
    (folder / "php").mkdir()
    shutil.copy("/etc/nginx/mime.types", folder)
    shutil.copy("/etc/nginx/fastcgi_params", folder)  # _http.conf includes it
    (folder / "nginx.conf").write_text(
        f"user www-data;\nerror_log stderr;\npid {folder}/nginx.pid;\nevents {{}}\n"
        f"http {{\n include {folder}/mime.types;\n include {folder}/conf.d/*.conf;\n}}\n"
    )
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
async def nginx(nginx_root: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """nginx of that root, as the sandbox's is run (in the foreground)."""
    argv = ["nginx", "-c", str(nginx_root / "nginx.conf"), "-g", "daemon off;"]
    process = await asyncio.create_subprocess_exec(*argv)
    try:
        ready = stack.pid_file_names(nginx_root / "nginx.pid", process.pid)
        await until(ready, "nginx wrote its pid file")
        yield process
    finally:
        process.terminate()
        await process.wait()


@pytest.fixture
async def agent_under_test(
    agent_config: AgentConfig, nginx_root: Path, nginx: asyncio.subprocess.Process
) -> AsyncIterator[Agent]:
    directory = short_temp_dir()
    config = dataclasses.replace(
        agent_config,
        socket_path=directory / "run" / "agent.sock",
        # Its own ACME worker's socket too: the session's agent listens on the shared one.
        acme_socket_path=str(directory / "acme" / "agent.sock"),
        web_listen=(f"127.0.0.1:{stack.free_port()}",),
        web_tls_listen=(f"127.0.0.1:{stack.free_port()}",),
        nginx_dir=nginx_root,
        nginx_pid_file=nginx_root / "nginx.pid",
        php_dir=nginx_root / "php",
        web_timeout=WEB_TIMEOUT,
        dns_timeout=DNS_TIMEOUT,
        mariadb_connect_timeout=MARIADB_TIMEOUT,
        mariadb_timeout=MARIADB_TIMEOUT,
    )
    running = await start(config)
    try:
        async with grpc.aio.insecure_channel(f"unix:{config.socket_path}") as channel:
            yield Agent(
                config,
                accounts_pb2_grpc.AccountServiceStub(channel),
                web_pb2_grpc.WebDomainServiceStub(channel),
                cron_pb2_grpc.CronJobServiceStub(channel),
                dns_pb2_grpc.DnsZoneServiceStub(channel),
                databases_pb2_grpc.DatabaseServiceStub(channel),
            )
    finally:
        await running.stop(grace=None)
        shutil.rmtree(directory, ignore_errors=True)


def fresh(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


async def new_account(agent: Agent) -> str:
    request = accounts_pb2.CreateAccountRequest(name=fresh("to"), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await agent.accounts.CreateAccount(request)).account.name


def operations(agent: Agent, account: str, zones: list[str]) -> dict[str, Op]:
    """RPCs of accounts, cron and DNS, each making something new (zones made are noted)."""

    def get_account() -> Awaitable[object]:
        return agent.accounts.GetAccount(accounts_pb2.GetAccountRequest(name=account))

    def create_account() -> Awaitable[object]:
        return new_account(agent)

    def create_cron_job() -> Awaitable[object]:
        job = cron_pb2.CronJob(id=fresh("j"), schedule="*/5 * * * *", command="true")
        return agent.cron.CreateCronJob(cron_pb2.CreateCronJobRequest(account=account, job=job))

    def create_zone() -> Awaitable[object]:
        zones.append(f"{fresh('z')}.test")
        zone = dns_pb2.DnsZone(name=zones[-1], account=account)
        return agent.dns.CreateDnsZone(dns_pb2.CreateDnsZoneRequest(zone=zone))

    return {
        "GetAccount": get_account,
        "CreateAccount": create_account,
        "CreateCronJob": create_cron_job,
        "CreateDnsZone": create_zone,
    }


async def measure(ops: dict[str, Op], rounds: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(rounds):
        for name, op in ops.items():
            started = time.perf_counter()
            await op()
            seconds[name].append(time.perf_counter() - started)
    return seconds


def assert_usual(baseline: dict[str, list[float]], held: dict[str, list[float]]) -> None:
    for name, taken in held.items():
        usual = statistics.median(baseline[name])
        assert max(taken) <= FACTOR * usual + SLACK, (
            f"{name} took {max(taken):.3f} s while another resource was held; usually {usual:.3f} s"
        )


async def delete_zones(agent: Agent, zones: list[str]) -> None:
    """The zones go again: the session's agent shares named and does not know them."""
    for zone in zones:
        await agent.dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone))


@contextlib.asynccontextmanager
async def nginx_check_held(nginx_root: Path) -> AsyncIterator[Path]:
    """mime.types as a FIFO: `nginx -t` opens it and waits there for a writer, which never
    comes. Yields the configuration that the agent's `nginx -t` checks."""
    mime_types = nginx_root / "mime.types"
    mime_types.unlink()
    os.mkfifo(mime_types, 0o644)
    try:
        yield nginx_root / "jopanel" / "test.conf"
    finally:
        mime_types.unlink()
        shutil.copy("/etc/nginx/mime.types", mime_types)


async def stop(pid: int) -> None:
    """SIGSTOP, and the wait until every thread of the process has stopped (the signal is
    delivered asynchronously, and a thread already awake might still answer)."""
    os.kill(pid, signal.SIGSTOP)

    def stopped() -> bool:
        states = [
            (task / "stat").read_text().rpartition(")")[2].split()[0]
            for task in Path(f"/proc/{pid}/task").iterdir()
        ]
        return all(state in ("T", "t") for state in states)

    await until(stopped, f"every thread of {pid} stopped")


def checks_running(test_config: Path) -> list[int]:
    """Processes whose command line names the agent's nginx -t configuration."""
    return running(str(test_config))


def running(argument: str) -> list[int]:
    """Processes with this argument in their command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if argument.encode() in cmdline.split(b"\0"):
                found.append(int(entry.name))
    return found


async def test_a_stuck_nginx_check_holds_up_no_other_resource(
    agent_under_test: Agent, nginx_root: Path
) -> None:
    agent = agent_under_test
    account, zones = await new_account(agent), list[str]()
    ops = operations(agent, account, zones)
    try:
        baseline = await measure(ops, BASELINE_ROUNDS)

        domain = f"{fresh('w')}.example.com"
        request = web_pb2.CreateWebDomainRequest(domain=spec(domain, account, redirect=REDIRECT))
        async with nginx_check_held(nginx_root) as test_config:
            started = time.monotonic()
            creating = asyncio.ensure_future(agent.web.CreateWebDomain(request))
            await until(lambda: bool(checks_running(test_config)), "nginx -t started")
            held = await measure(ops, HELD_ROUNDS)
            assert not creating.done(), "the web RPC must still be held while others answer"
            # Reads of the held resource take no part in its worker either.
            listing = web_pb2.ListWebDomainsRequest(account=account)
            listed = await agent.web.ListWebDomains(listing)
            code, message = await rpc_error(creating)
            waited = time.monotonic() - started
        assert_usual(baseline, held)
        assert domain not in [site.name for site in listed.domains]
        assert code == grpc.StatusCode.UNAVAILABLE
        assert message == (
            f"nginx did not finish within {WEB_TIMEOUT:g} s (web_timeout) and was stopped; "
            "try again, or ask the administrator to check the server"
        )
        assert waited >= WEB_TIMEOUT
        # Killed with its process group and reaped: nothing of the check is left running.
        assert checks_running(test_config) == []

        # With the file system healthy again, the same request goes live and is served.
        await agent.web.CreateWebDomain(request)
        port = int(agent.config.web_listen[0].rpartition(":")[2])
        answer = await get(port, domain, "/")
        assert (answer.status, answer.headers["location"]) == (301, "https://target.example.org/")
    finally:
        await delete_zones(agent, zones)


async def test_a_mariadb_that_does_not_answer_holds_up_no_other_resource(
    agent_under_test: Agent, mariadb: stack.MariaDB
) -> None:
    agent = agent_under_test
    account, zones = await new_account(agent), list[str]()
    ops = operations(agent, account, zones)

    def create_site() -> Awaitable[object]:
        domain = spec(f"{fresh('w')}.example.com", account, redirect=REDIRECT)
        return agent.web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain))

    ops["CreateWebDomain"] = create_site
    database = f"{account}_db"
    create = databases_pb2.CreateDatabaseRequest(account=account, name=database)
    assert mariadb.process is not None
    try:
        baseline = await measure(ops, BASELINE_ROUNDS)

        try:
            await stop(mariadb.process.pid)
            started = time.monotonic()
            creating = asyncio.ensure_future(agent.databases.CreateDatabase(create))
            held = await measure(ops, HELD_ROUNDS)
            assert not creating.done(), "the database RPC must still be held while others answer"
            code, message = await rpc_error(creating)
            waited = time.monotonic() - started
        finally:
            os.kill(mariadb.process.pid, signal.SIGCONT)
        assert_usual(baseline, held)
        assert code == grpc.StatusCode.UNAVAILABLE
        assert message == (
            f"MariaDB did not answer on {agent.config.mariadb_socket} within "
            f"{MARIADB_TIMEOUT:g} s (mariadb_connect_timeout); check that it runs, then try again"
        )
        assert waited >= MARIADB_TIMEOUT

        # MariaDB answers again, and so does DatabaseService: its lock was not kept.
        created = await agent.databases.CreateDatabase(create)
        assert created.database.name == database
    finally:
        await agent.databases.DeleteDatabase(
            databases_pb2.DeleteDatabaseRequest(account=account, name=database)
        )
        await delete_zones(agent, zones)


async def test_a_statement_that_gets_no_answer_ends_at_its_timeout(
    sandbox: Path, mariadb: stack.MariaDB
) -> None:
    """A connection that MariaDB stops answering halfway (SIGSTOP after it connected)."""
    assert mariadb.process is not None
    timeouts = mariadb_layer.Timeouts(connect=10.0, statement=1.0)
    async with mariadb_layer.session(Path(stack.MARIADB_SOCKET), timeouts) as session:
        mysql = [DatabaseName("mysql")]
        assert "mysql" in await session.existing_schemas(mysql)
        try:
            await stop(mariadb.process.pid)
            with pytest.raises(mariadb_layer.MariaDBUnavailable) as raised:
                await session.existing_schemas(mysql)
        finally:
            os.kill(mariadb.process.pid, signal.SIGCONT)
    assert raised.value.message == "MariaDB did not answer within 1 s (mariadb_timeout); try again"


async def test_deleting_an_account_whose_site_is_held_holds_up_no_other_account(
    agent_under_test: Agent, nginx_root: Path, mariadb: stack.MariaDB
) -> None:
    """The deletion cascade waits for the held web worker; the accounts, cron and database
    locks are not held meanwhile, so other accounts' changes go on."""
    agent = agent_under_test
    leaving, staying = await new_account(agent), await new_account(agent)
    site = spec(f"{fresh('w')}.example.com", leaving, redirect=REDIRECT)
    await agent.web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=site))
    zones, databases = list[str](), list[str]()
    ops = operations(agent, staying, zones)

    def create_database() -> Awaitable[object]:
        databases.append(f"{staying}_{len(databases)}")
        request = databases_pb2.CreateDatabaseRequest(account=staying, name=databases[-1])
        return agent.databases.CreateDatabase(request)

    ops["CreateDatabase"] = create_database
    delete = accounts_pb2.DeleteAccountRequest(name=leaving)
    try:
        baseline = await measure(ops, BASELINE_ROUNDS)
        async with nginx_check_held(nginx_root) as test_config:
            deleting = asyncio.ensure_future(agent.accounts.DeleteAccount(delete))
            await until(lambda: bool(checks_running(test_config)), "nginx -t started")
            held = await measure(ops, HELD_ROUNDS)
            assert not deleting.done(), "the deletion must still be held while others answer"
            update = accounts_pb2.UpdateAccountRequest(name=leaving, shell=accounts_pb2.SHELL_BASH)
            update.update_mask.paths.append("shell")
            refused = await rpc_error(agent.accounts.UpdateAccount(update))
            code, message = await rpc_error(deleting)
        assert_usual(baseline, held)
        assert refused == (
            grpc.StatusCode.FAILED_PRECONDITION,
            f"account {leaving} is being deleted; try again when it is gone",
        )
        assert code == grpc.StatusCode.UNAVAILABLE
        assert message.startswith("nginx did not finish within")

        # Cut short, the deletion left the account; run again, it goes.
        await agent.accounts.GetAccount(accounts_pb2.GetAccountRequest(name=leaving))
        await agent.accounts.DeleteAccount(delete)
        code, _ = await rpc_error(
            agent.accounts.GetAccount(accounts_pb2.GetAccountRequest(name=leaving))
        )
        assert code == grpc.StatusCode.NOT_FOUND
    finally:
        for name in databases:
            request = databases_pb2.DeleteDatabaseRequest(account=staying, name=name)
            await agent.databases.DeleteDatabase(request)
        await delete_zones(agent, zones)


async def test_deleting_an_account_whose_zone_is_held_holds_up_no_other_account(
    agent_under_test: Agent, named: stack.Named, mariadb: stack.MariaDB
) -> None:
    """named held with SIGSTOP: the account's zone cannot go (rndc waits), and the deletion
    waits with it, after the account's crontab went; cron jobs, databases, sites and accounts
    of other accounts go on."""
    agent = agent_under_test
    leaving, staying = await new_account(agent), await new_account(agent)
    zone = dns_pb2.DnsZone(name=f"{fresh('z')}.test", account=leaving)
    await agent.dns.CreateDnsZone(dns_pb2.CreateDnsZoneRequest(zone=zone))
    zones, databases = list[str](), list[str]()
    ops = operations(agent, staying, zones)
    del ops["CreateDnsZone"]

    def create_database() -> Awaitable[object]:
        databases.append(f"{staying}_{len(databases)}")
        request = databases_pb2.CreateDatabaseRequest(account=staying, name=databases[-1])
        return agent.databases.CreateDatabase(request)

    def create_site() -> Awaitable[object]:
        domain = spec(f"{fresh('w')}.example.com", staying, redirect=REDIRECT)
        return agent.web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain))

    ops["CreateDatabase"] = create_database
    ops["CreateWebDomain"] = create_site
    delete = accounts_pb2.DeleteAccountRequest(name=leaving)
    assert named.process is not None
    try:
        baseline = await measure(ops, BASELINE_ROUNDS)
        try:
            await stop(named.process.pid)
            deleting = asyncio.ensure_future(agent.accounts.DeleteAccount(delete))
            await until(lambda: bool(running("rndc")), "rndc started")
            held = await measure(ops, HELD_ROUNDS)
            assert not deleting.done(), "the deletion must still be held while others answer"
            code, message = await rpc_error(deleting)
        finally:
            os.kill(named.process.pid, signal.SIGCONT)
        assert_usual(baseline, held)
        assert code == grpc.StatusCode.UNAVAILABLE
        assert message.startswith(f"rndc did not finish within {DNS_TIMEOUT:g} s (dns_timeout)")
        assert running("rndc") == []

        # named answers again: the deletion, run again, goes through, zone and all.
        await agent.accounts.DeleteAccount(delete)
        code, _ = await rpc_error(
            agent.accounts.GetAccount(accounts_pb2.GetAccountRequest(name=leaving))
        )
        assert code == grpc.StatusCode.NOT_FOUND
        code, _ = await rpc_error(agent.dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone.name)))
        assert code == grpc.StatusCode.NOT_FOUND
        assert (await dig(named.dns_port, zone.name, "SOA")).status == "REFUSED"
    finally:
        for name in databases:
            request = databases_pb2.DeleteDatabaseRequest(account=staying, name=name)
            await agent.databases.DeleteDatabase(request)
