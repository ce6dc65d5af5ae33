"""Proxy backends belong to their account; site and pool files are root's; PHP errors go to the
site's own log (issue 11, holes 4 and 7; sandbox only).

Two real accounts, the real agent, nginx and PHP-FPM; applications run as their account
(setpriv); every answer is curl's, with the site's Host header.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import socket
import stat
import subprocess
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.config import AgentConfig
from agent.system.base import acl
from tests.agent.support import rpc_error
from tests.agent.web.app_support import PROXY_PORTS, account_app, free_port_in, run_as
from tests.agent.web.web_support import create, docroot, get, pool_file, spec, tree_digest, write_as

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")

APPS = Path("/home/.apps")
NGINX = Path("/etc/nginx")


def socket_of(account: str, name: str = "app") -> str:
    return f"{APPS}/{account}/{name}.sock"


async def curl(port: int, host: str, path: str = "/") -> tuple[int, str]:
    """curl to nginx's loopback port with this Host header: the status and the body."""
    argv = [
        "curl", "-sS", "--max-time", "10", "-H", f"Host: {host}",
        "-w", "\n%{http_code}", f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    done = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True, check=True)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


@pytest.fixture
def other_account(
    accounts: AccountStub, new_name: Callable[[], str]
) -> Callable[[], Awaitable[accounts_pb2.Account]]:
    async def make() -> accounts_pb2.Account:
        request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
        return (await accounts.CreateAccount(request)).account

    return make


@pytest.fixture
def nothing_changes() -> Iterator[None]:
    before = tree_digest(NGINX), tree_digest(APPS)
    yield
    assert (tree_digest(NGINX), tree_digest(APPS)) == before


async def refused(call: Awaitable[object], field: str) -> None:
    code, message = await rpc_error(call)
    assert code == grpc.StatusCode.INVALID_ARGUMENT, message
    assert message.startswith(f"{field}: "), message


def on_socket(path: str) -> web_pb2.ProxyBackend:
    return web_pb2.ProxyBackend(socket_path=path)


async def test_nginx_proxies_to_the_accounts_app_on_its_socket(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name, path = new_domain(), socket_of(account.name)
    domain = await create(web, spec(name, account.name, proxy=on_socket(path)))
    assert domain.proxy.socket_path == path

    with account_app(account.name, path):
        answer = await curl(web_port, name, "/shop/cart?id=7")
    assert answer == (200, f"app of uid {account.uid} saw /shop/cart?id=7 for {name}")
    # Without its application the site answers 502, and nothing else answers for it.
    status, body = await curl(web_port, name)
    assert status == 502
    assert "app of uid" not in body


async def test_the_socket_folder_lets_in_its_account_and_nginx_only(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
) -> None:
    mallory = await other_account()
    await create(web, spec(new_domain(), account.name, proxy=on_socket(socket_of(account.name))))

    folder = APPS / account.name
    info = os.lstat(folder)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, account.gid, 0o770)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        entries = acl.read_entries(fd)
    finally:
        os.close(fd)
    assert entries[(acl.USER, pwd.getpwnam("www-data").pw_uid)] == acl.EXECUTE
    assert os.statvfs(APPS).f_flag & 0x2000  # ST_NOSYMFOLLOW
    # Another account can neither create the socket nor reach one that is there.
    bind = "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])"
    squat = run_as(mallory.name, ["/usr/bin/python3", "-c", bind, socket_of(account.name)])
    assert squat.returncode != 0
    assert "Permission denied" in squat.stderr
    assert not os.path.lexists(socket_of(account.name))
    with account_app(account.name, socket_of(account.name)):
        connect = bind.replace(".bind(", ".connect(")
        reach = run_as(mallory.name, ["/usr/bin/python3", "-c", connect, socket_of(account.name)])
    assert "Permission denied" in reach.stderr


async def test_a_link_planted_where_the_socket_goes_is_never_followed(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    victim = await other_account()
    theirs, mine = new_domain(), new_domain()
    await create(web, spec(theirs, victim.name, proxy=on_socket(socket_of(victim.name))))
    await create(web, spec(mine, account.name, proxy=on_socket(socket_of(account.name))))
    planted = run_as(account.name, ["ln", "-s", socket_of(victim.name), socket_of(account.name)])
    assert planted.returncode == 0, planted.stderr

    with account_app(victim.name, socket_of(victim.name)):
        assert (await curl(web_port, theirs))[0] == 200
        status, body = await curl(web_port, mine)
    assert status == 502
    assert "app of uid" not in body


async def test_a_link_already_where_the_socket_goes_is_refused(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
) -> None:
    victim = await other_account()
    await create(web, spec(new_domain(), account.name, proxy=on_socket(socket_of(account.name))))
    link = socket_of(account.name, "stolen")
    planted = run_as(account.name, ["ln", "-s", socket_of(victim.name), link])
    assert planted.returncode == 0, planted.stderr

    before = tree_digest(NGINX)
    name = new_domain()
    domain = spec(name, account.name, proxy=on_socket(link))
    await refused(
        web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain)),
        "domain.proxy.socket_path",
    )
    assert tree_digest(NGINX) == before
    code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name)))
    assert code == grpc.StatusCode.NOT_FOUND
    assert os.path.islink(link)  # the account's own link, left as it is


@pytest.mark.usefixtures("nothing_changes")
async def test_hostile_socket_paths_are_refused(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
) -> None:
    victim = await other_account()
    mine = f"{APPS}/{account.name}"
    hostile = [
        socket_of(victim.name),
        f"{mine}/../{victim.name}/app.sock",
        f"{mine}/..sock",
        f"{mine}/a..b.sock",
        f"{mine}/./app.sock",
        f"{mine}/sub/app.sock",
        f"{mine}/.sock",
        f"{mine}/app",
        f"{mine}/App.sock",
        f"{mine}/a;b.sock",
        f"{mine}/app.sock\n",
        f"{mine}/" + "a" * 65 + ".sock",
        f"{mine}/" + "a" * 100 + ".sock",
        f"{mine}x/app.sock",
        f"/home/{account.name}/web/app.sock",
        f"/run/php/jopanel-{account.name}-8.2.sock",
        "/run/jopanel/agent.sock",
        "",
    ]
    for path in hostile:
        name = new_domain()
        domain = spec(name, account.name, proxy=on_socket(path))
        await refused(
            web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain)),
            "domain.proxy.socket_path",
        )
        code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name)))
        assert code == grpc.StatusCode.NOT_FOUND
    neither = web_pb2.WebDomain(name=new_domain(), account=account.name)
    neither.proxy.SetInParent()
    await refused(
        web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=neither)), "domain.proxy"
    )


async def test_an_update_to_another_accounts_socket_is_refused(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
) -> None:
    victim = await other_account()
    name = new_domain()
    before = await create(web, spec(name, account.name))
    # The account named in the request does not matter: the domain's own account does.
    for claimed in (account.name, victim.name):
        request = web_pb2.UpdateWebDomainRequest(
            domain=spec(name, claimed, proxy=on_socket(socket_of(victim.name)))
        )
        request.update_mask.paths.append("backend")
        with_files = tree_digest(NGINX)
        await refused(web.UpdateWebDomain(request), "domain.proxy.socket_path")
        assert tree_digest(NGINX) == with_files
    after = (await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))).domain
    assert after == before


@pytest.fixture
def held_by_root() -> Iterator[int]:
    """A port in the allowed range on which a program of root's listens."""
    port = free_port_in(*PROXY_PORTS)
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        yield port


@pytest.mark.usefixtures("nothing_changes")
async def test_ports_of_the_server_and_of_others_are_refused(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    held_by_root: int,
) -> None:
    neighbour = await other_account()
    outside = PROXY_PORTS[1] + 1
    server_ports = (0, 22, 80, 443, 1023, 3306, 3307, 8080, 33060, 65536, held_by_root)
    for port in (*server_ports, outside, 65535):
        domain = spec(new_domain(), account.name, proxy=web_pb2.ProxyBackend(port=port))
        await refused(
            web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain)), "domain.proxy.port"
        )
    # A port another account's application holds (while the victim's app restarts, it could
    # be the other way round: that is why sockets are the safe choice).
    port = free_port_in(*PROXY_PORTS)
    with account_app(neighbour.name, str(port)):
        domain = spec(new_domain(), account.name, proxy=web_pb2.ProxyBackend(port=port))
        await refused(
            web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain)), "domain.proxy.port"
        )


async def test_a_tenant_neither_reads_nor_flushes_anothers_cached_php(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    """Pools of one master share its OPcache: a tenant's script includes no script another
    tenant's PHP has cached, lists none of them, and flushes or invalidates nothing."""
    mallory = await other_account()
    victim_site, own_site = new_domain(), new_domain()
    php = web_pb2.PhpBackend(version="8.2")
    await create(web, spec(victim_site, account.name, php=php))
    await create(web, spec(own_site, mallory.name, php=php))
    secret = docroot(account.name, victim_site) / "secret.php"
    write_as(account.name, secret, "<?php return 'the victim secret';")
    secret.chmod(0o600)
    page = "<?php echo include __DIR__ . '/secret.php';"
    write_as(account.name, docroot(account.name, victim_site) / "index.php", page)
    for _ in range(2):  # compiled and cached by the victim's own PHP
        assert (await get(web_port, victim_site, "/index.php")).body == "the victim secret"
    probe = f"""<?php
echo json_encode([
    @include '{secret}',
    @include_once '{secret}',
    @opcache_get_status(true),
    @opcache_is_script_cached('{secret}'),
    @opcache_invalidate('{secret}', true),
    @opcache_reset(),
]);"""
    write_as(mallory.name, docroot(mallory.name, own_site) / "probe.php", probe)

    answer = await get(web_port, own_site, "/probe.php")

    assert (answer.status, answer.body) == (200, "[false,false,false,false,false,false]")


async def test_a_tenants_fork_bomb_stops_at_its_process_limit(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
    agent_config: AgentConfig,
) -> None:
    """A tenant's script starts processes until the kernel refuses: it gets no more than
    account_processes (its PHP workers count too), and another tenant's PHP is served while
    they run."""
    other = await other_account()
    bomb_site, other_site = new_domain(), new_domain()
    php = web_pb2.PhpBackend(version="8.2")
    await create(web, spec(bomb_site, account.name, php=php))
    await create(web, spec(other_site, other.name, php=php))
    bomb = """<?php
$made = 0;
$running = [];
for ($i = 0; $i < 2000; $i++) {
    $process = @proc_open(['/bin/sleep', '3'], [], $pipes);
    if ($process === false) {
        break;
    }
    $running[] = $process;
    $made++;
}
echo $made;"""
    write_as(account.name, docroot(account.name, bomb_site) / "bomb.php", bomb)
    write_as(other.name, docroot(other.name, other_site) / "index.php", "<?php echo 'served';")

    async def served_meanwhile() -> int:
        await asyncio.sleep(1)
        return (await get(web_port, other_site, "/index.php")).status

    answer, other_status = await asyncio.gather(
        get(web_port, bomb_site, "/bomb.php"), served_meanwhile()
    )

    limit = agent_config.account_processes
    assert answer.status == 200, answer.body
    assert limit - 16 <= int(answer.body) < limit  # the workers are the account's too
    assert other_status == 200


async def test_a_tenant_reads_no_site_file_and_no_pool_file(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    mallory = await other_account()
    name = new_domain()
    await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version="8.2")))
    site_file = NGINX / "jopanel" / "sites" / f"{name}.conf"
    pool = pool_file(account.name)
    for path in (site_file, pool):
        info = os.stat(path)
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o640)
    assert stat.S_IMODE(os.stat(NGINX / "jopanel" / "sites").st_mode) == 0o750

    for argv in (
        ["cat", str(site_file)],
        ["cat", str(pool)],
        ["ls", str(NGINX / "jopanel" / "sites")],
        ["ls", "-R", "/etc/php/8.2/fpm/jopanel"],
        ["grep", "-r", name, str(NGINX)],
    ):
        attempt = run_as(mallory.name, argv)
        assert name not in attempt.stdout
        assert account.name not in attempt.stdout
    # nginx, whose master reads them as root, still serves the site.
    write_as(account.name, docroot(account.name, name) / "ok.php", "<?php echo 'served';")
    assert await curl(web_port, name, "/ok.php") == (200, "served")


async def test_php_errors_go_to_the_sites_own_log(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    mallory = await other_account()
    first, second = new_domain(), new_domain()
    for name in (first, second):
        await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version="8.2")))
        marker = f"jopanel-marker-{uuid.uuid4().hex}-{name}"
        script = f"<?php trigger_error('{marker}', E_USER_WARNING); echo 'done';"
        write_as(account.name, docroot(account.name, name) / "fail.php", script)

        assert await curl(web_port, name, "/fail.php") == (200, "done")

        log = f"/home/{account.name}/web/{name}/php-error.log"
        own = run_as(account.name, ["cat", log])
        assert own.returncode == 0, own.stderr
        assert marker in own.stdout
        assert os.stat(log).st_uid == account.uid
        theirs = run_as(mallory.name, ["cat", log])
        assert theirs.returncode != 0
        assert marker not in theirs.stdout
        server_log = Path("/var/log/nginx/error.log")
        assert marker not in (server_log.read_text() if server_log.exists() else "")
    # Each site's errors in its own log only, though both share the account's pool.
    first_log = Path(f"/home/{account.name}/web/{first}/php-error.log").read_text()
    assert second not in first_log


async def test_a_pools_only_site_logs_through_its_link_and_the_link_follows_the_pool(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    """A pool's only site sends no error_log with its requests: the pool's own names a link
    of root's to the site's log. Beside a second site each sends its own; once the first is
    gone, the second's errors reach its own log again, even from the worker that served the
    first site last."""
    mallory = await other_account()
    link = Path(f"/var/log/jopanel/php/{account.name}/8.2.log")
    await web.SetPhpPoolLimits(
        web_pb2.SetPhpPoolLimitsRequest(
            account=account.name, pm=web_pb2.PROCESS_MANAGER_DYNAMIC, max_children=1
        )
    )
    first, second = new_domain(), new_domain()

    def log(name: str) -> Path:
        return Path(f"/home/{account.name}/web/{name}/php-error.log")

    async def fails(name: str) -> tuple[str, str]:
        """A PHP warning on the site: its marker, and the error_log the worker had."""
        marker = f"jopanel-marker-{uuid.uuid4().hex}"
        script = f"<?php trigger_error('{marker}', E_USER_WARNING); echo ini_get('error_log');"
        write_as(account.name, docroot(account.name, name) / "fail.php", script)
        status, seen = await curl(web_port, name, "/fail.php")
        assert status == 200, seen
        return marker, seen

    await create(web, spec(first, account.name, php=web_pb2.PhpBackend(version="8.2")))
    marker, seen = await fails(first)
    assert seen == str(link)
    assert marker in log(first).read_text()
    assert os.readlink(link) == str(log(first))
    # Another account neither lists nor reads it; the account cannot replace it.
    assert run_as(mallory.name, ["readlink", str(link)]).returncode != 0
    assert run_as(mallory.name, ["ls", str(link.parent)]).returncode != 0
    assert run_as(account.name, ["ls", str(link.parent)]).stdout == "8.2.log\n"
    assert run_as(account.name, ["ln", "-sfn", "/etc/passwd", str(link)]).returncode != 0
    assert run_as(account.name, ["rm", "-f", str(link)]).returncode != 0
    assert os.readlink(link) == str(log(first))

    await create(web, spec(second, account.name, php=web_pb2.PhpBackend(version="8.2")))
    for name in (second, first):  # the pool's one worker serves the first site last
        marker, seen = await fails(name)
        assert seen == str(log(name))
        assert marker in log(name).read_text()

    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=first))
    marker, seen = await fails(second)
    assert seen == str(link)
    assert marker in log(second).read_text()
    assert marker not in log(first).read_text()  # kept with the deleted site's files
    assert os.readlink(link) == str(log(second))

    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=second))
    assert not link.parent.exists()  # the account's last pool took its link along


async def test_deleting_the_account_takes_its_socket_folder(
    web: Stub, accounts: AccountStub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    await create(web, spec(new_domain(), account.name, proxy=on_socket(socket_of(account.name))))
    assert (APPS / account.name).is_dir()
    with account_app(account.name, socket_of(account.name)):
        pass  # its socket stays behind as a file, as after any crash
    assert os.path.lexists(socket_of(account.name))
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))
    # A later account given the name (or the uid) finds nothing of this one's there.
    assert not os.path.lexists(APPS / account.name)
