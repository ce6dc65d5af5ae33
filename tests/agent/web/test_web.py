"""WebDomainService against real nginx and PHP-FPM, through the agent's socket (sandbox only).

Every check is a real HTTP request to nginx's loopback port with the site's Host header.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.config import AgentConfig
from agent.system.accounts.users import Users
from agent.system.base import acl
from agent.system.web.domains import WebDomains, web_domains
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from tests.agent.support import rpc_error
from tests.agent.web.app_support import PROXY_PORTS, account_app, free_port_in
from tests.agent.web.web_support import NOT_SERVED, create, docroot, get, pool_file, spec, write_as

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")


async def test_a_new_static_site_serves_its_default_page(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    domain = await create(web, spec(name, account.name))

    assert domain == spec(
        name,
        account.name,
        document_root=str(docroot(account.name, name)),
        log_retention_days=14,  # the default, as it applies
    )
    answer = await get(web_port, name)
    assert answer.status == 200
    assert f"<h1>{name}</h1>" in answer.body
    index = os.lstat(docroot(account.name, name) / "index.html")
    assert (index.st_uid, stat.S_IMODE(index.st_mode)) == (account.uid, 0o644)


async def test_a_php_script_runs_as_the_account(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    php = web_pb2.PhpBackend(version="8.2")
    domain = await create(web, spec(name, account.name, php=php))
    assert domain.php.version == "8.2"
    write_as(account.name, docroot(account.name, name) / "id.php", "<?php echo posix_geteuid();")

    answer = await get(web_port, name, "/id.php")
    assert (answer.status, answer.body) == (200, str(account.uid))
    pool = pool_file(account.name).read_text()
    assert f"user = {account.name}\n" in pool
    assert "pm = ondemand\n" in pool
    socket = os.lstat(f"/run/php/jopanel-{account.name}-8.2.sock")
    www_data = pwd.getpwnam("www-data")
    assert (socket.st_uid, socket.st_gid) == (www_data.pw_uid, www_data.pw_gid)
    assert stat.S_IMODE(socket.st_mode) == 0o660


async def test_php_is_confined_to_the_accounts_home(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version="8.2")))
    script = "<?php echo ini_get('open_basedir'), '|', sys_get_temp_dir(), '|', "
    script += "var_export(@file_get_contents('/etc/hostname'), true), '|', "
    # A program the script starts puts its temporary files there too, not in the shared /tmp.
    script += "trim(shell_exec('mktemp'));"
    write_as(account.name, docroot(account.name, name) / "env.php", script)

    answer = await get(web_port, name, "/env.php")
    home = f"/home/{account.name}"
    confined, made = answer.body.rsplit("|", 1)
    assert confined == f"{home}/|{home}/tmp|false"
    assert made.startswith(f"{home}/tmp/tmp.")


async def test_the_last_php_domain_takes_its_pool_along(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    first, second = new_domain(), new_domain()
    php = web_pb2.PhpBackend(version="8.2")
    await create(web, spec(first, account.name, php=php))
    await create(web, spec(second, account.name, php=php))
    pool = pool_file(account.name)

    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=first))
    assert pool.exists()
    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=second))
    assert not pool.exists()


async def test_an_alias_serves_the_same_site(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name, alias = new_domain(), new_domain()
    await create(web, spec(name, account.name, aliases=(alias,)))
    write_as(account.name, docroot(account.name, name) / "which.txt", "the one site")

    assert (await get(web_port, alias, "/which.txt")).body == "the one site"
    assert (await get(web_port, name, "/which.txt")).body == "the one site"


@pytest.mark.parametrize(
    ("code", "status"),
    [(web_pb2.REDIRECT_CODE_PERMANENT, 301), (web_pb2.REDIRECT_CODE_TEMPORARY, 302)],
)
async def test_redirects_send_their_code_and_location(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    code: web_pb2.RedirectCode.ValueType,
    status: int,
) -> None:
    plain, keeping = new_domain(), new_domain()
    target = "https://target.example.org/landing"
    redirect = web_pb2.RedirectBackend(url=target, code=code)
    await create(web, spec(plain, account.name, redirect=redirect))
    keep = web_pb2.RedirectBackend(url="https://target.example.org/", code=code, preserve_path=True)
    await create(web, spec(keeping, account.name, redirect=keep))

    answer = await get(web_port, plain, "/some/page?x=1")
    assert (answer.status, answer.headers["location"]) == (status, target)
    answer = await get(web_port, keeping, "/some/page?x=1")
    location = "https://target.example.org/some/page?x=1"
    assert (answer.status, answer.headers["location"]) == (status, location)


async def test_a_proxied_domain_reaches_the_accounts_application_on_an_allowed_port(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    name = new_domain()
    port = free_port_in(*PROXY_PORTS)
    with account_app(account.name, str(port)):
        await create(web, spec(name, account.name, proxy=web_pb2.ProxyBackend(port=port)))

        answer = await get(web_port, name, "/api/items?page=2")
    assert (answer.status, answer.body) == (
        200,
        f"app of uid {account.uid} saw /api/items?page=2 for {name}",
    )


async def test_suspend_shows_the_suspended_page_and_unsuspend_restores(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version="8.2")))
    write_as(account.name, docroot(account.name, name) / "id.php", "<?php echo 'running';")

    suspended = (await web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=name))).domain
    assert suspended.suspended
    for path in ("/", "/id.php", "/index.html", "/no/such/page"):
        answer = await get(web_port, name, path)
        assert answer.status == 503
        assert "This website is suspended" in answer.body
    again = (await web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=name))).domain
    assert again == suspended

    request = web_pb2.UnsuspendWebDomainRequest(name=name)
    restored = (await web.UnsuspendWebDomain(request)).domain
    assert not restored.suspended
    assert (await get(web_port, name, "/id.php")).body == "running"


async def test_delete_stops_serving_and_keeps_the_files_unless_asked(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    kept, removed = new_domain(), new_domain()
    for name in (kept, removed):
        await create(web, spec(name, account.name))

    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=kept))
    answer = await get(web_port, kept)
    assert (answer.status, answer.body.strip()) == (404, NOT_SERVED)
    assert (docroot(account.name, kept) / "index.html").exists()
    assert not Path(f"/var/log/jopanel/web/{kept}").exists()

    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=removed, delete_files=True))
    assert (await get(web_port, removed)).status == 404
    assert not Path(f"/home/{account.name}/web/{removed}").exists()
    # Deleting again (a retry) is fine.
    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=removed, delete_files=True))
    code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=removed)))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_another_account_cannot_claim_a_name_or_an_alias(
    web: Stub,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    name, alias = new_domain(), new_domain()
    await create(web, spec(name, account.name, aliases=(alias,)))
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(request)).account

    for claim in (
        spec(name, other.name),
        spec(alias, other.name),
        spec(new_domain(), other.name, aliases=(name,)),
        spec(new_domain(), other.name, aliases=(alias,)),
    ):
        code, message = await rpc_error(
            web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=claim))
        )
        assert code == grpc.StatusCode.ALREADY_EXISTS, message
    owner = (await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))).domain.account
    assert owner == account.name
    assert "<h1>" + name in (await get(web_port, alias)).body


async def test_create_again_brings_the_site_to_the_new_spec(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name, alias = new_domain(), new_domain()
    first = await create(web, spec(name, account.name))
    assert await create(web, spec(name, account.name)) == first
    write_as(account.name, docroot(account.name, name) / "index.html", "mine")

    changed = await create(web, spec(name, account.name, aliases=(alias,)))
    assert list(changed.aliases) == [alias]
    # The account's own content is never replaced.
    assert (await get(web_port, alias)).body == "mine"


async def test_create_needs_a_managed_account(
    web: Stub, new_name: Callable[[], str], new_domain: Callable[[], str], stranger: str
) -> None:
    request = web_pb2.CreateWebDomainRequest(domain=spec(new_domain(), new_name()))
    code, message = await rpc_error(web.CreateWebDomain(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "does not exist" in message

    request = web_pb2.CreateWebDomainRequest(domain=spec(new_domain(), stranger))
    code, message = await rpc_error(web.CreateWebDomain(request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("domain.account: ")


async def test_update_changes_aliases_and_backend(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name, alias = new_domain(), new_domain()
    await create(web, spec(name, account.name))
    write_as(account.name, docroot(account.name, name) / "id.php", "<?php echo 'php now';")

    request = web_pb2.UpdateWebDomainRequest(
        domain=spec(name, "ignored", aliases=(alias,), php=web_pb2.PhpBackend(version="8.2"))
    )
    request.update_mask.paths.extend(["aliases", "backend"])
    updated = (await web.UpdateWebDomain(request)).domain
    assert (updated.account, list(updated.aliases)) == (account.name, [alias])
    assert updated.php.version == "8.2"
    assert (await get(web_port, alias, "/id.php")).body == "php now"

    request = web_pb2.UpdateWebDomainRequest(domain=spec(name, ""))
    request.update_mask.paths.append("aliases")
    assert list((await web.UpdateWebDomain(request)).domain.aliases) == []
    assert (await get(web_port, alias)).status == 404


async def test_update_needs_a_mask_and_an_existing_domain(
    web: Stub, new_domain: Callable[[], str]
) -> None:
    request = web_pb2.UpdateWebDomainRequest(domain=spec(new_domain(), ""))
    code, message = await rpc_error(web.UpdateWebDomain(request))
    assert (code, message.split(":")[0]) == (grpc.StatusCode.INVALID_ARGUMENT, "update_mask")
    request.update_mask.paths.append("aliases")
    code, _ = await rpc_error(web.UpdateWebDomain(request))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_list_pages_through_an_accounts_domains(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    names = sorted(new_domain() for _ in range(5))
    for name in names:
        await create(web, spec(name, account.name))

    listed: list[str] = []
    token = ""
    while True:
        request = web_pb2.ListWebDomainsRequest(account=account.name, page_size=2, page_token=token)
        response = await web.ListWebDomains(request)
        listed += [domain.name for domain in response.domains]
        token = response.next_page_token
        if not token:
            break
    assert listed == names


async def test_records_survive_a_restart(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    agent_config: AgentConfig,
) -> None:
    name, alias = new_domain(), new_domain()
    created = await create(web, spec(name, account.name, aliases=(alias,)))
    await web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=name))

    # The session's agent readies its next generation after answering, from the folder the
    # last change replaced; a second layer's start removes that folder as stale. Both at once
    # once left a next generation without its http-level files (bare Debian's make test; the
    # agent now links such a folder afresh, Staging.copies): the two take turns here.
    await web_domains(agent_config).settled()
    # A second system layer reads only the live configuration tree, as a restarted agent does.
    restarted = WebDomains(agent_config, Users())
    site = await restarted.get(common_validators.hostname(name))
    assert (site.account, site.aliases, site.suspended) == (account.name, (alias,), True)
    sites, _ = await restarted.page(accounts_validators.account_name(account.name), None, 100)
    assert name in [site.name for site in sites]
    assert created.document_root == str(docroot(account.name, name))


async def test_folders_are_the_accounts_and_nginx_only_traverses(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name))
    www_data = pwd.getpwnam("www-data").pw_uid

    home = Path(f"/home/{account.name}")
    for path, wanted in [
        (home, acl.EXECUTE),
        (home / "web", acl.EXECUTE),
        (home / "web" / name, acl.EXECUTE),
        (docroot(account.name, name), acl.READ | acl.EXECUTE),
    ]:
        info = os.lstat(path)
        assert (info.st_uid, info.st_gid) == (account.uid, account.gid)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            assert acl.read_entries(fd)[(acl.USER, www_data)] == wanted
        finally:
            os.close(fd)
    assert account.name not in grp.getgrnam("www-data").gr_mem
    logs = os.lstat(f"/var/log/jopanel/web/{name}")
    assert (logs.st_uid, logs.st_gid, stat.S_IMODE(logs.st_mode)) == (www_data, account.gid, 0o750)
    assert os.readlink(home / "web" / name / "logs") == f"/var/log/jopanel/web/{name}"


async def test_php_versions_are_those_installed(web: Stub) -> None:
    response = await web.ListPhpVersions(web_pb2.ListPhpVersionsRequest())
    assert list(response.versions) == stack.php_versions()[::-1]
    assert "8.2" in response.versions


async def test_deleting_the_account_takes_its_sites_and_pools_offline(
    web: Stub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    owner = (await accounts.CreateAccount(request)).account
    static, php = new_domain(), new_domain()
    await create(web, spec(static, owner.name))
    await create(web, spec(php, owner.name, php=web_pb2.PhpBackend(version="8.2")))
    pool = pool_file(owner.name)
    assert pool.exists()

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=owner.name))
    for name in (static, php):
        code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name)))
        assert code == grpc.StatusCode.NOT_FOUND
        assert (await get(web_port, name)).status == 404
        assert not Path(f"/var/log/jopanel/web/{name}").exists()
    assert not pool.exists()


async def test_a_site_file_removed_by_hand_lists_as_a_missing_site(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    """A first page reads the live files again: what the gateway's reconcile reads to create
    the site again, after which it serves as before."""
    name = new_domain()
    await create(web, spec(name, account.name))
    before = await get(web_port, name)

    async def listed() -> set[str]:
        reply = await web.ListWebDomains(web_pb2.ListWebDomainsRequest(account=account.name))
        return {d.name for d in reply.domains}

    assert name in await listed()
    (Path("/etc/nginx/jopanel/sites") / f"{name}.conf").unlink()
    assert name not in await listed()
    await create(web, spec(name, account.name))
    assert name in await listed()
    again = await get(web_port, name)
    assert (again.status, again.body) == (before.status, before.body)
