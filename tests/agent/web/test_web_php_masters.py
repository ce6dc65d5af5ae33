"""The accounts' PHP-FPM masters: one per shard of uids, each reloaded alone (sandbox only).

Most tests drive a PhpPools of their own (its files under tmp_path, its sockets and pid files
in a folder of /run) with real php-fpm masters and the accounts' real users: one account per
shard (shard_size = 1), so that "the other master" is a real one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import struct
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.errors import FailedPrecondition, Internal
from agent.system.web import php_fpm
from agent.system.web.php_fpm import PhpPools, PhpSettings
from agent.validators.accounts import AccountName
from agent.validators.web import PhpVersion
from tests.agent.web.web_support import create, docroot, get, pool_file, spec, write_as

if TYPE_CHECKING:
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")

V = PhpVersion("8.2")


@pytest.fixture
async def settings(tmp_path: Path, two: list[accounts_pb2.Account]) -> AsyncIterator[PhpSettings]:
    """Stops the masters it started before the accounts go (their workers are theirs)."""
    run = Path(f"/run/jp-{uuid.uuid4().hex[:8]}")  # a socket's path has at most 107 bytes
    run.mkdir()
    (tmp_path / "php" / V / "fpm").mkdir(parents=True)
    yield PhpSettings(tmp_path / "php", run, log_dir=tmp_path, shard_size=1)
    pids = []
    for pid_file in run.glob("*.pid"):  # the masters this test started, and their workers
        with contextlib.suppress(OSError, ValueError):
            pids.append(int(pid_file.read_text()))
            os.kill(pids[-1], signal.SIGTERM)
    for _ in range(500):
        if not any(map(running, pids)):
            break
        await asyncio.sleep(0.01)


def running(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.fixture
async def two(
    accounts: AccountStub, new_name: Callable[[], str]
) -> AsyncIterator[list[accounts_pb2.Account]]:
    made = []
    for _ in range(2):
        request = accounts_pb2.CreateAccountRequest(
            name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN
        )
        made.append((await accounts.CreateAccount(request)).account)
    yield made
    for account in made:
        await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))


def names(*accounts: accounts_pb2.Account) -> set[AccountName]:
    return {AccountName(account.name) for account in accounts}


def master(settings: PhpSettings, account: accounts_pb2.Account) -> tuple[int, int]:
    """The pid of the account's master and its pid file's inode: a reload writes a new one."""
    pid_file = settings.pid_file(V, settings.shard(account.uid))
    return int(pid_file.read_text()), pid_file.stat().st_ino


def fastcgi(sock: Path, script: Path) -> str:
    """What PHP answers a FastCGI request for `script` on `sock` (what nginx would get)."""

    def record(kind: int, content: bytes) -> bytes:
        return struct.pack("!BBHHBx", 1, kind, 1, len(content), 0) + content

    params = b""
    for key, value in (("SCRIPT_FILENAME", str(script)), ("REQUEST_METHOD", "GET")):
        params += bytes([len(key), len(value)]) + key.encode() + value.encode()
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(10)
        client.connect(str(sock))
        client.sendall(
            record(1, struct.pack("!HB5x", 1, 0))
            + record(4, params)
            + record(4, b"")
            + record(5, b"")
        )
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer.decode("latin-1")


def serves(settings: PhpSettings, account: accounts_pb2.Account) -> bool:
    """Whether the account's pool runs a script of its home, as the account."""
    script = Path(f"/home/{account.name}/hello.php")
    write_as(account.name, script, "<?php echo 'hello from ', posix_geteuid();")
    sock = php_fpm.socket_path(settings.run_dir, account.name, V)
    return f"hello from {account.uid}" in fastcgi(sock, script)


async def test_a_new_accounts_pool_reloads_no_other_master(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    first, second = two
    pools = PhpPools(settings)
    await pools.ensure({V: names(first)})
    before = master(settings, first)

    await pools.ensure({V: names(first, second)})

    assert master(settings, first) == before  # not reloaded: no pause for first's visitors
    assert master(settings, second)[0] != before[0]
    for account in two:
        assert serves(settings, account)
    config = settings.main_config(V, second.uid).read_text()
    assert f"include = {settings.pool_dir(V, second.uid)}/*.conf" in config
    assert "process_control_timeout = 10s" in config
    for path in (settings.shards_dir(V), settings.pool_dir(V, first.uid)):
        assert path.stat().st_mode & 0o777 == 0o700  # no tenant lists the accounts' pools


async def test_a_masters_last_pool_stops_it_and_takes_its_files(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    first, second = two
    pools = PhpPools(settings)
    await pools.ensure({V: names(first, second)})
    pid, _ = master(settings, first)

    await pools.prune({V: names(second)})

    assert not running(pid)
    assert not settings.shard_dir(V, first.uid).exists()
    assert not php_fpm.socket_path(settings.run_dir, first.name, V).exists()
    assert settings.pool_file(V, second.uid, second.name).exists()


async def one_shard(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> tuple[PhpSettings, int, PhpPools]:
    """The default shards (so both accounts share one master, unless their uids fall on each
    side of a boundary: skipped), its number, and pools with the first account's running."""
    first, second = two
    settings = PhpSettings(settings.root, settings.run_dir, log_dir=settings.log_dir)
    shard = settings.shard(first.uid)
    if settings.shard(second.uid) != shard:
        pytest.skip("the two accounts' uids fall on each side of a shard's boundary")
    pools = PhpPools(settings)
    await pools.ensure({V: names(first)})
    return settings, shard, pools


async def test_a_refused_change_leaves_the_master_and_its_files_as_they_were(
    settings: PhpSettings, two: list[accounts_pb2.Account], caplog: pytest.LogCaptureFixture
) -> None:
    first, second = two
    settings, shard, pools = await one_shard(settings, two)
    before = master(settings, first)
    bad = settings.pool_dir(V, shard) / "zz-broken.conf"
    bad.write_text("[broken]\nlisten = \n")  # what php-fpm -t refuses
    files = sorted(settings.pool_dir(V, shard).iterdir())

    with pytest.raises(
        FailedPrecondition, match=r"php-fpm 8\.2 refused the pool configuration"
    ) as (refused):
        await pools.ensure({V: names(first, second)})
    # php-fpm's words name the shard's pools, other accounts' among them: the agent's log
    # has them, the client (a tenant's site) does not.
    assert "broken" not in refused.value.message
    assert "[pool broken]" in caplog.text

    assert sorted(settings.pool_dir(V, shard).iterdir()) == files
    assert master(settings, first) == before
    assert serves(settings, first)
    bad.unlink()
    await pools.ensure({V: names(first, second)})
    assert master(settings, first)[1] != before[1]  # reloaded once the change passes


async def test_a_master_that_exits_while_reloading_says_why_in_the_agents_log(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    """A configuration php-fpm -t passes but the master cannot start with (a socket it cannot
    bind): the master exits at the reload, and the error's detail, which the agent logs and
    never sends, holds the master's own words."""
    first, second = two
    settings, shard, pools = await one_shard(settings, two)
    unbindable = settings.pool_dir(V, shard) / "zz-unbindable.conf"
    unbindable.write_text(
        f"[unbindable]\nuser = {first.name}\nlisten = /nonexistent-{uuid.uuid4().hex}/x.sock\n"
        "pm = ondemand\npm.max_children = 1\n"
    )

    with pytest.raises(Internal, match=r"php-fpm 8\.2 exited while reloading") as raised:
        await pools.ensure({V: names(first, second)})

    assert "unable to bind listening socket" in raised.value.detail
    assert "unbindable" not in raised.value.message  # the client gets no pool's name


async def test_a_reload_waits_for_the_new_master_of_a_master_in_the_background(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    """In the background (the sandbox's masters), php-fpm forks anew at each reload and the
    pid it had ends. A reload whose new master is not ready yet when the old pid ends (here:
    a socket it waits for comes later) is still a reload, not a master that exited (ci43 read
    one so, on a loaded machine)."""
    first = two[0]
    pools = PhpPools(settings)
    await pools.ensure({V: names(first)})
    shard = settings.shard(first.uid)
    pid_file, config = settings.pid_file(V, shard), settings.main_config(V, shard)
    old = int(pid_file.read_text())
    later = settings.run_dir / "later.sock"
    reload = asyncio.create_task(
        pools._signal_reload(V, (pid_file, config), old, [later], "master")
    )
    async with asyncio.timeout(10):
        while running(old):  # noqa: ASYNC110 - /proc has no event for it
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    assert not reload.done(), reload
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(later))
        await asyncio.wait_for(reload, 10)
    assert int(pid_file.read_text()) != old
    assert serves(settings, first)


async def test_pools_leave_debians_master_for_their_own(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    """An upgrade: the pools were in Debian's master (php-fpm.conf, pool.d), which keeps its
    own pools; the agent's start moves the accounts' pools to their masters."""
    first = two[0]
    fpm = settings.root / V / "fpm"
    legacy = fpm / "pool.d"
    legacy.mkdir()
    (fpm / "php-fpm.conf").write_text(
        f"[global]\npid = {settings.legacy_pid_file(V)}\n"
        f"error_log = {settings.log_dir}/legacy.log\ninclude = {legacy}/*.conf\n"
    )
    (legacy / "www.conf").write_text(
        f"[www]\nuser = www-data\nlisten = {settings.run_dir}/www.sock\npm = ondemand\n"
        "pm.max_children = 1\n"
    )
    for account in two:
        link = php_fpm.ErrorLogLinks(settings.error_links).path(account.name, V)
        text = php_fpm.render_pool(AccountName(account.name), V, settings.run_dir, link)
        (legacy / f"jopanel-{account.name}.conf").write_text(text)
    subprocess.run([f"php-fpm{V}", "--fpm-config", str(fpm / "php-fpm.conf")], check=True)
    debian = int(settings.legacy_pid_file(V).read_text())
    assert serves(settings, first)

    await PhpPools(settings).start()

    assert sorted(path.name for path in legacy.iterdir()) == ["www.conf"]
    assert Path(f"/proc/{debian}").exists()  # Debian's master serves on, without them
    for account in two:
        assert serves(settings, account)
        assert master(settings, account)[0] != debian
    assert (settings.run_dir / "www.sock").is_socket()


async def test_a_masters_start_again_with_the_agent(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    """The sandbox started again (or a master that died): the agent's start brings it back."""
    first, second = two
    pools = PhpPools(settings)
    await pools.ensure({V: names(first, second)})
    pid, _ = master(settings, first)
    os.kill(pid, signal.SIGKILL)
    for _ in range(500):
        if not running(pid):
            break
        await asyncio.sleep(0.01)
    untouched = master(settings, second)

    await PhpPools(settings).start()

    assert master(settings, first)[0] != pid
    assert master(settings, second) == untouched
    assert serves(settings, first)


async def test_a_running_request_outlives_a_reload_of_its_master(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    """A reload waits for running requests (process_control_timeout): with Debian's 0, each
    new pool of the master cut every running request of its accounts (a 502)."""
    name = new_domain()
    await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version=V)))
    write_as(account.name, docroot(account.name, name) / "slow.php", "<?php sleep(2); echo 'done';")
    assert (pool_file(account.name).parent.parent / "php-fpm.conf").exists()  # its own master
    slow = asyncio.create_task(get(web_port, name, "/slow.php"))
    await asyncio.sleep(0.5)

    request = web_pb2.SetPhpPoolLimitsRequest(
        account=account.name, pm=web_pb2.PROCESS_MANAGER_ONDEMAND, max_children=3
    )
    await web.SetPhpPoolLimits(request)  # rewrites its pool: its master reloads

    answer = await slow
    assert (answer.status, answer.body) == (200, "done")
    assert "pm.max_children = 3\n" in pool_file(account.name).read_text()


def test_the_masters_unit_holds_every_worker_to_the_accounts_process_limit() -> None:
    """On a server the masters' unit sets RLIMIT_NPROC (account_processes) from their start;
    the agent sets it on each master too (the sandbox, and masters started before it)."""
    settings = PhpSettings(Path("/etc/php"), Path("/run/php"), "systemd", processes=300)

    unit = php_fpm.render_unit(settings, "8.2").splitlines()

    assert "LimitNPROC=300" in unit


def test_the_masters_unit_keeps_tenants_code_from_the_kernels_surface_and_the_systems_shm() -> None:
    """tests/install/checks.sh shows them at work on the booted Debian: a PHP script's dd
    stops at 64M in a /dev/shm of the master's, and its unshare --user is refused."""
    settings = PhpSettings(Path("/etc/php"), Path("/run/php"), "systemd")

    unit = set(php_fpm.render_unit(settings, "8.2").splitlines())

    assert {
        "RestrictNamespaces=yes",
        "RestrictSUIDSGID=yes",
        "SystemCallArchitectures=native",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectControlGroups=yes",
        "TemporaryFileSystem=/dev/shm:size=64M,mode=1777,nosuid,nodev",
    } <= unit
    # Not these: PHP's JIT writes code it runs, and mail() runs Postfix's setgid sendmail.
    assert not {line for line in unit if line.startswith(("MemoryDenyWrite", "NoNewPriv"))}


async def test_a_links_temporary_name_left_by_a_crash_goes_at_the_next_start(
    settings: PhpSettings, two: list[accounts_pb2.Account]
) -> None:
    """A crash between a new error_log link and its rename leaves the temporary name; the next
    agent's first look at the links removes it and keeps the links themselves."""
    first = AccountName(two[0].name)
    target = Path(f"/home/{first}/web/a.test/php-error.log")
    php_fpm.ErrorLogLinks(settings.error_links).set({(first, V): target})
    folder = settings.error_links / first
    leftover = folder / f".{V}.0123456789abcdef"
    os.symlink(Path(f"/home/{first}/web/b.test/php-error.log"), leftover)

    links = php_fpm.ErrorLogLinks(settings.error_links)
    links.load()

    assert sorted(path.name for path in folder.iterdir()) == [f"{V}.log"]
    assert links.target((first, V)) == target
    assert os.readlink(links.path(first, V)) == str(target)


def test_a_recycle_returns_once_each_worker_has_taken_its_quit() -> None:
    """A worker that has not run yet since its SIGQUIT may still accept a new connection and
    serve it with the values it held (a flaky CI run showed it): the recycle waits until the
    signal is no longer pending, bounded, whether the worker then ends or not."""
    program = (
        "import signal, sys, time\n"
        "if sys.argv[1] == 'blocks':\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGQUIT])\n"
        "else:\n"
        "    signal.signal(signal.SIGQUIT, lambda *_: None)\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    workers = {
        how: subprocess.Popen(["python3", "-c", program, how], stdout=subprocess.PIPE)
        for how in ("blocks", "takes")
    }
    handles = {}
    try:
        for how, worker in workers.items():
            assert worker.stdout is not None
            assert worker.stdout.readline() == b"ready\n"
            handles[how] = os.pidfd_open(worker.pid)
            signal.pidfd_send_signal(handles[how], signal.SIGQUIT)
        taken = [(workers["takes"].pid, handles["takes"])]
        php_fpm._until_taken(taken, 10.0)
        assert not php_fpm._quit_pending(*taken[0])
        assert workers["takes"].poll() is None  # taken, and still running
        blocked = (workers["blocks"].pid, handles["blocks"])
        php_fpm._until_taken([blocked], 0.2)  # bounded: returns with it still pending
        assert php_fpm._quit_pending(*blocked)
    finally:
        for how, worker in workers.items():
            worker.kill()
            worker.wait()
            if how in handles:
                os.close(handles[how])
