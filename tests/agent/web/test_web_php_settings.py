"""PHP settings per site and the account's pool limits (issue 16 item 4; sandbox only).

The real agent, nginx and PHP-FPM: every answer is a PHP script's, through nginx with the site's
Host header.
"""

from __future__ import annotations

import asyncio
import json
import pwd
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.system.web import php_fpm
from tests.agent.support import field_errors, rpc_error
from tests.agent.web.test_web_backends import curl
from tests.agent.web.web_support import create, docroot, pool_file, spec, tree_digest, write_as

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")

SHOW = """<?php
header('Content-Type: application/json');
$names = ['memory_limit', 'upload_max_filesize', 'post_max_size', 'max_execution_time',
          'max_input_time', 'max_input_vars', 'display_errors', 'opcache.enable'];
$values = ['pid' => getmypid()];
foreach ($names as $name) { $values[$name] = ini_get($name); }
echo json_encode($values);
"""
DEFAULTS = {
    "memory_limit": "256M",
    "upload_max_filesize": "64M",
    "post_max_size": "64M",
    "max_execution_time": "60",
    "max_input_time": "60",
    "max_input_vars": "1000",
    "display_errors": "",  # Off
    "opcache.enable": "1",
}
MINE = web_pb2.PhpSettings(
    memory_limit_mb=512,
    upload_max_filesize_mb=20,
    post_max_size_mb=25,
    max_execution_time_seconds=120,
    max_input_vars=5000,
    display_errors=True,
)
MINE_SHOWN = {
    "memory_limit": "512M",
    "upload_max_filesize": "20M",
    "post_max_size": "25M",
    "max_execution_time": "120",
    "max_input_time": "120",
    "max_input_vars": "5000",
    "display_errors": "1",
    "opcache.enable": "1",
}


def php(settings: web_pb2.PhpSettings | None = None) -> web_pb2.PhpBackend:
    return web_pb2.PhpBackend(version="8.2", settings=settings)


async def shown(port: int, name: str) -> dict[str, Any]:
    status, body = await curl(port, name, "/show.php")
    assert status == 200, body
    values: dict[str, Any] = json.loads(body)
    return values


async def php_site(
    web: Stub, account: str, name: str, settings: web_pb2.PhpSettings | None = None
) -> web_pb2.WebDomain:
    domain = await create(web, spec(name, account, php=php(settings)))
    write_as(account, docroot(account, name) / "show.php", SHOW)
    return domain


async def one_worker_sites(
    web: Stub, account: str, new_domain: Callable[[], str], pm: web_pb2.ProcessManager.ValueType
) -> tuple[str, str]:
    """Two PHP sites of the account, the first with its own settings (MINE), the second with
    the defaults, served by one pool of a single worker."""
    await web.SetPhpPoolLimits(
        web_pb2.SetPhpPoolLimitsRequest(account=account, pm=pm, max_children=1)
    )
    own, plain = new_domain(), new_domain()
    await php_site(web, account, own, MINE)
    await php_site(web, account, plain)
    return own, plain


async def test_a_site_shows_the_settings_it_was_given(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    domain = await php_site(web, account.name, name, MINE)
    assert domain.php.settings == MINE
    values = await shown(web_port, name)
    assert {k: v for k, v in values.items() if k != "pid"} == MINE_SHOWN
    # phpinfo() says the same (its local value column).
    write_as(account.name, docroot(account.name, name) / "info.php", "<?php phpinfo();")
    status, info = await curl(web_port, name, "/info.php")
    assert status == 200
    assert '<tr><td class="e">memory_limit</td><td class="v">512M</td>' in info
    got = await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))
    assert got.domain.php.settings == MINE


async def test_nginx_refuses_a_body_above_the_sites_post_size(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    small = web_pb2.PhpSettings(upload_max_filesize_mb=1, post_max_size_mb=1)
    await php_site(web, account.name, name, small)

    def post(size: int) -> str:
        argv = [
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20",
            "-H", f"Host: {name}", "--data-binary", "@-", f"http://127.0.0.1:{web_port}/show.php",
        ]  # fmt: skip
        done = subprocess.run(argv, input=b"x" * size, capture_output=True, check=True)
        return done.stdout.decode()

    assert await asyncio.to_thread(post, 512 * 1024) == "200"
    assert await asyncio.to_thread(post, 2 * 1024 * 1024) == "413"


async def test_the_front_controller_takes_a_body_up_to_the_sites_post_size(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    """A POST to a route with no .php in it (/upload) reaches index.php through try_files; it
    is measured against the site's post_max_size, not nginx's default 1 MB."""
    name = new_domain()
    settings = web_pb2.PhpSettings(upload_max_filesize_mb=4, post_max_size_mb=4)
    await php_site(web, account.name, name, settings)
    index = "<?php echo strlen(file_get_contents('php://input'));"
    write_as(account.name, docroot(account.name, name) / "index.php", index)

    def post(size: int) -> tuple[str, str]:
        argv = [
            "curl", "-s", "-w", " %{http_code}", "--max-time", "20", "-H", f"Host: {name}",
            "--data-binary", "@-", f"http://127.0.0.1:{web_port}/upload",
        ]  # fmt: skip
        done = subprocess.run(argv, input=b"x" * size, capture_output=True, check=True)
        body, _, code = done.stdout.decode().rpartition(" ")
        return code, body

    assert await asyncio.to_thread(post, 2 * 1024 * 1024) == ("200", str(2 * 1024 * 1024))
    assert (await asyncio.to_thread(post, 5 * 1024 * 1024))[0] == "413"


async def test_settings_never_carry_over_to_another_site_of_the_same_worker(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    """PHP-FPM keeps a PHP_ADMIN_VALUE in the worker after the request that sent it; every
    request sets every value, so a site of defaults served right after one with its own
    settings, by the very same worker (max_children 1), still gets the defaults."""
    own, plain = await one_worker_sites(
        web, account.name, new_domain, web_pb2.PROCESS_MANAGER_ONDEMAND
    )
    pids = set()
    for _ in range(3):
        for name, expected in ((own, MINE_SHOWN), (plain, DEFAULTS)):
            values = await shown(web_port, name)
            pids.add(values.pop("pid"))
            assert values == expected, name
    assert len(pids) == 1  # one worker served them all


@pytest.mark.parametrize("how", ["back to the defaults", "deleted"])
async def test_a_setting_no_site_sends_any_more_is_gone_from_the_workers(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    how: str,
) -> None:
    """A site's own settings are sent by every site of its pool; once no site has them (set
    back, or the site deleted), no request sets them again, so the pool gets new workers: the
    one that served the site last would otherwise keep its values for the others."""
    own, plain = await one_worker_sites(
        web, account.name, new_domain, web_pb2.PROCESS_MANAGER_DYNAMIC
    )
    plain_before, own_before = await shown(web_port, plain), await shown(web_port, own)
    assert plain_before.pop("pid") == own_before.pop("pid")  # one worker, which holds MINE now
    assert (plain_before, own_before) == (DEFAULTS, MINE_SHOWN)
    if how == "deleted":
        await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=own))
    else:
        request = web_pb2.UpdateWebDomainRequest(domain=web_pb2.WebDomain(name=own, php=php()))
        request.update_mask.paths.append("backend")
        await web.UpdateWebDomain(request)
    for name in [plain] if how == "deleted" else [plain, own]:
        values = await shown(web_port, name)
        del values["pid"]
        assert values == DEFAULTS, name


async def test_an_update_changes_the_settings_and_keeps_the_other_sites(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    first, second = new_domain(), new_domain()
    await php_site(web, account.name, first)
    await php_site(web, account.name, second, web_pb2.PhpSettings(max_input_vars=2000))
    request = web_pb2.UpdateWebDomainRequest(domain=web_pb2.WebDomain(name=first, php=php(MINE)))
    request.update_mask.paths.append("backend")
    await web.UpdateWebDomain(request)
    assert (await shown(web_port, first))["memory_limit"] == "512M"
    assert (await shown(web_port, second))["max_input_vars"] == "2000"
    assert (await shown(web_port, second))["memory_limit"] == "256M"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"memory_limit_mb": 31}, "memory_limit_mb"),
        ({"memory_limit_mb": 8193}, "memory_limit_mb"),
        ({"memory_limit_mb": 2**32 - 1}, "memory_limit_mb"),
        ({"upload_max_filesize_mb": 8193}, "upload_max_filesize_mb"),
        ({"post_max_size_mb": 10, "upload_max_filesize_mb": 20}, "post_max_size_mb"),
        ({"upload_max_filesize_mb": 100}, "post_max_size_mb"),  # above the default post size
        ({"max_execution_time_seconds": 301}, "max_execution_time_seconds"),
        ({"max_input_vars": 99}, "max_input_vars"),
        ({"max_input_vars": 100_001}, "max_input_vars"),
    ],
)
async def test_settings_out_of_range_are_refused_and_change_nothing(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    settings: dict[str, int],
    field: str,
) -> None:
    name = new_domain()
    given = web_pb2.PhpSettings()
    for key, value in settings.items():
        setattr(given, key, value)
    before = tree_digest(Path("/etc/nginx"))
    errors = await field_errors(
        web.CreateWebDomain(
            web_pb2.CreateWebDomainRequest(domain=spec(name, account.name, php=php(given)))
        )
    )
    assert [f for f, _ in errors] == [f"domain.php.settings.{field}"]
    assert tree_digest(Path("/etc/nginx")) == before


@pytest.mark.parametrize(
    ("pm", "children", "field"),
    [
        (web_pb2.PROCESS_MANAGER_UNSPECIFIED, 4, "pm"),
        (7, 4, "pm"),
        (web_pb2.PROCESS_MANAGER_DYNAMIC, 0, "max_children"),
        (web_pb2.PROCESS_MANAGER_DYNAMIC, 65, "max_children"),
        (web_pb2.PROCESS_MANAGER_DYNAMIC, 2**32 - 1, "max_children"),
    ],
)
async def test_pool_limits_out_of_range_are_refused(
    web: Stub, account: accounts_pb2.Account, pm: int, children: int, field: str
) -> None:
    request = web_pb2.SetPhpPoolLimitsRequest(
        account=account.name,
        pm=pm,  # type: ignore[arg-type]
        max_children=children,
    )
    assert [f for f, _ in await field_errors(web.SetPhpPoolLimits(request))] == [field]


async def test_pool_limits_reach_every_pool_of_the_account_and_go_with_it(
    web: Stub,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    pool = pool_file(account.name)
    assert "pm = ondemand\npm.max_children = 8\n" in pool.read_text()
    assert "php_admin_flag[opcache.enable] = on" in pool.read_text()
    request = web_pb2.SetPhpPoolLimitsRequest(
        account=account.name, pm=web_pb2.PROCESS_MANAGER_DYNAMIC, max_children=2
    )
    await web.SetPhpPoolLimits(request)
    limits = Path("/etc/php/jopanel-pool-limits.json")  # in the file once the call answers
    assert json.loads(limits.read_text())[account.name] == {
        "pm": "dynamic",
        "max_children": 2,
        "open_basedir": True,
    }
    await web.SetPhpPoolLimits(request)  # idempotent
    listed = (await web.ListPhpPoolLimits(web_pb2.ListPhpPoolLimitsRequest())).limits
    assert (
        web_pb2.PhpPoolLimits(
            account=account.name, pm=web_pb2.PROCESS_MANAGER_DYNAMIC, max_children=2
        )
        in listed
    )
    text = pool.read_text()
    assert "pm = dynamic\npm.max_children = 2\npm.start_servers = 1\n" in text
    assert "pm.max_spare_servers = 2" in text
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))
    assert account.name not in (limits.read_text() if limits.exists() else "")
    assert account.name not in await listed_accounts(web)


async def test_a_static_pool_keeps_every_worker_running_and_ondemand_none(
    web: Stub,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    new_name: Callable[[], str],
    web_port: int,
) -> None:
    """pm static (a plan's grant, docs/web.md): all max_children workers run, idle, as the
    account, and serve; set back to ondemand, an idle account runs none. Another account's
    pool in the same master keeps its own limits."""
    name = new_domain()
    await php_site(web, account.name, name)
    mallory = (
        await accounts.CreateAccount(
            accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
        )
    ).account
    await php_site(web, mallory.name, new_domain())
    static = web_pb2.SetPhpPoolLimitsRequest(
        account=account.name, pm=web_pb2.PROCESS_MANAGER_STATIC, max_children=3
    )
    await web.SetPhpPoolLimits(static)
    text = pool_file(account.name).read_text()
    assert "pm = static\npm.max_children = 3\n" in text
    assert "pm.process_idle_timeout" not in text
    listed = (await web.ListPhpPoolLimits(web_pb2.ListPhpPoolLimitsRequest())).limits
    assert web_pb2.PhpPoolLimits(account=account.name, pm=static.pm, max_children=3) in listed
    assert await workers_become(account.name, 3)
    assert (await shown(web_port, name))["memory_limit"] == "256M"
    assert workers(account.name) == 3  # no more for a request
    assert await workers_become(mallory.name, 0)  # ondemand: idle, none
    assert "pm = ondemand\n" in pool_file(mallory.name).read_text()

    await web.SetPhpPoolLimits(
        web_pb2.SetPhpPoolLimitsRequest(
            account=account.name, pm=web_pb2.PROCESS_MANAGER_ONDEMAND, max_children=3
        )
    )
    assert await workers_become(account.name, 0)


def workers(account: str) -> int:
    """How many PHP-FPM processes run as the account (its pools' workers)."""
    uid = str(pwd.getpwnam(account).pw_uid)
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:  # gone meanwhile
            continue
        fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
        if fields.get("Name", "").startswith("php-fpm") and fields["Uid"].split()[0] == uid:
            count += 1
    return count


async def workers_become(account: str, count: int, within: float = 15.0) -> bool:
    """Whether the account's workers number `count`, within `within` seconds (a reload's
    workers start and stop over a moment)."""
    for _ in range(int(within / 0.25)):
        if workers(account) == count:
            return True
        await asyncio.sleep(0.25)
    return workers(account) == count


async def listed_accounts(web: Stub) -> list[str]:
    reply = await web.ListPhpPoolLimits(web_pb2.ListPhpPoolLimitsRequest())
    return [entry.account for entry in reply.limits]


async def test_pool_limits_a_master_refuses_fail_and_never_come_in_later(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    """A plan's open_basedir taken away, refused by the account's master: the call fails, the
    pool keeps its line, and the master's next change does not bring the refused limits in
    (the panel took the plan's change back, docs/web.md open_basedir per plan)."""
    await php_site(web, account.name, new_domain())
    pool = pool_file(account.name)
    before = pool.read_text()
    broken = pool.parent / "zz-broken.conf"
    broken.write_text("[broken]\nlisten = \n")  # what php-fpm -t refuses
    ondemand = web_pb2.PROCESS_MANAGER_ONDEMAND
    request = web_pb2.SetPhpPoolLimitsRequest(
        account=account.name, pm=ondemand, max_children=8, without_open_basedir=True
    )
    try:
        code, _ = await rpc_error(web.SetPhpPoolLimits(request))
    finally:
        broken.unlink()
    assert code.name == "FAILED_PRECONDITION"
    assert pool.read_text() == before
    assert account.name not in await listed_accounts(web)

    request = web_pb2.SetPhpPoolLimitsRequest(account=account.name, pm=ondemand, max_children=3)
    await web.SetPhpPoolLimits(request)
    text = pool.read_text()
    assert "pm.max_children = 3\n" in text
    assert f"php_admin_value[open_basedir] = /home/{account.name}/\n" in text


async def test_pool_limits_of_an_unknown_account_are_refused(web: Stub) -> None:
    request = web_pb2.SetPhpPoolLimitsRequest(
        account="nosuchaccount", pm=web_pb2.PROCESS_MANAGER_ONDEMAND, max_children=2
    )
    code, _ = await rpc_error(web.SetPhpPoolLimits(request))
    assert code.name == "FAILED_PRECONDITION"


# What a script can open: the server's world-readable files, its own account's tree, and
# another account's script (0600, which that account's PHP has compiled and cached).
REACH = """<?php
echo json_encode([
    ini_get('open_basedir'),
    @file_get_contents('/etc/hostname') !== false,
    @file_get_contents(__DIR__ . '/reach.php') !== false,
    @include '{secret}',
    @file_get_contents('{secret}'),
    @scandir('{victim_root}'),
]);"""


async def test_a_plan_without_open_basedir_opens_the_server_but_never_another_account(
    web: Stub,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    """The account's own user, not open_basedir, keeps a tenant from another's files: with
    open_basedir off, its PHP reads the server's world-readable files, and still neither
    includes, reads nor lists another account's (even a script OPcache holds compiled)."""
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
    mallory = (await accounts.CreateAccount(request)).account
    victim_site, own_site = new_domain(), new_domain()
    await php_site(web, account.name, victim_site)
    await php_site(web, mallory.name, own_site)
    secret = docroot(account.name, victim_site) / "secret.php"
    write_as(account.name, secret, "<?php return 'the victim secret';")
    secret.chmod(0o600)
    page = "<?php echo include 'secret.php';"
    write_as(account.name, docroot(account.name, victim_site) / "index.php", page)
    # The victim lets everyone through its folders (its own choice), the script stays its own.
    for folder in (secret.parent, *list(secret.parents)[1:4]):
        folder.chmod(0o751)
    for _ in range(2):  # compiled and cached by the victim's own PHP
        assert (await curl(web_port, victim_site, "/index.php"))[1] == "the victim secret"
    probe = REACH.format(secret=secret, victim_root=docroot(account.name, victim_site))
    write_as(mallory.name, docroot(mallory.name, own_site) / "reach.php", probe)
    home = f"/home/{mallory.name}/"
    assert await reach(web_port, own_site) == [home, False, True, False, False, False]

    await web.SetPhpPoolLimits(
        web_pb2.SetPhpPoolLimitsRequest(
            account=mallory.name,
            pm=web_pb2.PROCESS_MANAGER_ONDEMAND,
            max_children=8,
            without_open_basedir=True,
        )
    )
    assert "open_basedir" not in pool_file(mallory.name).read_text()
    reply = await web.ListPhpPoolLimits(web_pb2.ListPhpPoolLimitsRequest())
    assert [e.without_open_basedir for e in reply.limits if e.account == mallory.name] == [True]
    assert await reach(web_port, own_site) == ["", True, True, False, False, False]
    # The victim's own pool keeps it.
    assert "php_admin_value[open_basedir]" in pool_file(account.name).read_text()

    await web.SetPhpPoolLimits(
        web_pb2.SetPhpPoolLimitsRequest(
            account=mallory.name, pm=web_pb2.PROCESS_MANAGER_ONDEMAND, max_children=8
        )
    )
    assert await reach(web_port, own_site) == [home, False, True, False, False, False]
    assert mallory.name not in await listed_accounts(web)


async def reach(port: int, name: str) -> list[object]:
    status, body = await curl(port, name, "/reach.php")
    assert status == 200, body
    found: list[object] = json.loads(body)
    return found


def test_pool_limits_written_before_open_basedir_keep_scripts_in_the_home(
    tmp_path: Path,
) -> None:
    path = tmp_path / "limits.json"
    path.write_text(
        json.dumps(
            {
                "older": {"dynamic": True, "max_children": 4},
                "oldest": {"dynamic": False, "max_children": 2},
                "unconfined": {"pm": "static", "max_children": 8, "open_basedir": False},
                "bad": {"pm": "ondemand", "max_children": 8, "open_basedir": "no"},
                "badpm": {"pm": "Static", "max_children": 8},
                "both": {"pm": "forked", "dynamic": True, "max_children": 8},
            }
        )
    )
    limits = php_fpm.PoolLimitsFile(path)
    assert limits.get("older") == php_fpm.PoolLimits("dynamic", 4, open_basedir=True)
    assert limits.get("oldest") == php_fpm.PoolLimits("ondemand", 2, open_basedir=True)
    assert limits.get("unconfined") == php_fpm.PoolLimits("static", 8, open_basedir=False)
    for refused in ("bad", "badpm", "both"):
        assert limits.get(refused) == php_fpm.PoolLimits(), refused
    limits.set("older", None)
    assert json.loads(path.read_text()) == {
        "oldest": {"pm": "ondemand", "max_children": 2, "open_basedir": True},
        "unconfined": {"pm": "static", "max_children": 8, "open_basedir": False},
    }


def test_pool_limits_noted_are_rendered_at_once_and_written_together(tmp_path: Path) -> None:
    """A plan's change notes every account's limits, and its batch writes the file once."""
    path = tmp_path / "limits.json"
    limits = php_fpm.PoolLimitsFile(path)
    for account in ("alice", "bob"):
        limits.note(account, php_fpm.PoolLimits(open_basedir=False))
    assert limits.get("bob") == php_fpm.PoolLimits(open_basedir=False)
    assert not path.exists()
    limits.write()
    entry = {"pm": "ondemand", "max_children": 8, "open_basedir": False}
    assert json.loads(path.read_text()) == {"alice": entry, "bob": entry}
    limits.note("alice", None)
    limits.write()
    assert json.loads(path.read_text()) == {"bob": entry}
    assert php_fpm.PoolLimitsFile(path).recorded() == {
        "bob": php_fpm.PoolLimits(open_basedir=False)
    }
