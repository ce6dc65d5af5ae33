"""What AccountService does to the account's other resources, on the real agent, nginx and named
(sandbox only): suspending an account suspends its websites, resuming it resumes only those its
suspension suspended, and deleting it frees every name it held. The gateway sends one RPC for
each; these are the cascades it relies on."""

from __future__ import annotations

import asyncio
import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from tests.agent.dns.dns_support import a, create_zone, dns, named
from tests.agent.support import as_account
from tests.agent.web.web_support import create, docroot, get, spec, write_as

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import AccountStub
    from tests.agent.dns.dns_support import Stub as DnsStub

    WebStub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub

__all__ = ["dns", "named"]
pytestmark = pytest.mark.usefixtures("web_servers")

SUSPENDED_PAGE = "This website is suspended"
SITES = Path("/etc/nginx/jopanel/sites")


async def new_account(accounts: AccountStub, name: str) -> str:
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_BASH)
    return (await accounts.CreateAccount(request)).account.name


async def suspend(accounts: AccountStub, name: str) -> accounts_pb2.Account:
    request = accounts_pb2.SuspendAccountRequest(name=name)
    return (await accounts.SuspendAccount(request)).account


async def unsuspend(accounts: AccountStub, name: str) -> accounts_pb2.Account:
    request = accounts_pb2.UnsuspendAccountRequest(name=name)
    return (await accounts.UnsuspendAccount(request)).account


async def served(port: int, name: str) -> bool:
    """The site itself answers, not the suspended page."""
    answer = await get(port, name)
    if answer.status == 503:
        assert SUSPENDED_PAGE in answer.body
        return False
    assert answer.status == 200
    return True


async def suspended_flag(web: WebStub, name: str) -> bool:
    reply = await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))
    return reply.domain.suspended


async def test_suspending_an_account_suspends_its_websites_and_resuming_restores_them(
    web: WebStub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    owner = await new_account(accounts, new_name())
    static, php = new_domain(), new_domain()
    await create(web, spec(static, owner))
    await create(web, spec(php, owner, php=web_pb2.PhpBackend(version="8.2")))

    assert (await suspend(accounts, owner)).suspended
    for name in (static, php):
        assert not await served(web_port, name)
        assert await suspended_flag(web, name)
    await suspend(accounts, owner)  # idempotent
    assert not await served(web_port, static)

    assert not (await unsuspend(accounts, owner)).suspended
    for name in (static, php):
        assert await served(web_port, name)
        assert not await suspended_flag(web, name)


async def test_a_site_suspended_on_its_own_stays_suspended_when_the_account_resumes(
    web: WebStub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    owner = await new_account(accounts, new_name())
    before, during, untouched = new_domain(), new_domain(), new_domain()
    for name in (before, during, untouched):
        await create(web, spec(name, owner))
    # Suspended on its own before the account, and another while the account is suspended.
    await web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=before))
    await suspend(accounts, owner)
    await web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=during))

    await unsuspend(accounts, owner)
    assert not await served(web_port, before)
    assert not await served(web_port, during)
    assert await served(web_port, untouched)
    assert (await suspended_flag(web, before), await suspended_flag(web, during)) == (True, True)

    await web.UnsuspendWebDomain(web_pb2.UnsuspendWebDomainRequest(name=before))
    assert await served(web_port, before)


async def test_resuming_one_site_of_a_suspended_account_keeps_it_offline(
    web: WebStub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    """UnsuspendWebDomain undoes only SuspendWebDomain: it is no way around the account's
    suspension."""
    owner = await new_account(accounts, new_name())
    name = new_domain()
    await create(web, spec(name, owner))
    await suspend(accounts, owner)

    reply = await web.UnsuspendWebDomain(web_pb2.UnsuspendWebDomainRequest(name=name))
    assert reply.domain.suspended
    assert not await served(web_port, name)
    await unsuspend(accounts, owner)
    assert await served(web_port, name)


async def test_a_site_created_while_the_account_is_suspended_starts_suspended(
    web: WebStub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    owner = await new_account(accounts, new_name())
    await suspend(accounts, owner)
    name = new_domain()
    assert (await create(web, spec(name, owner))).suspended
    assert not await served(web_port, name)
    await unsuspend(accounts, owner)
    assert await served(web_port, name)


async def test_one_accounts_suspension_leaves_a_similarly_named_accounts_sites_alone(
    web: WebStub,
    accounts: AccountStub,
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    """Accounts whose names are a prefix of each other ("x_1", "x_10"): each suspension is
    its own account's only."""
    prefix = f"s{uuid.uuid4().hex[:8]}"
    short = await new_account(accounts, f"{prefix}_1")
    longer = await new_account(accounts, f"{prefix}_10")
    short_site, longer_site = new_domain(), new_domain()
    await create(web, spec(short_site, short))
    await create(web, spec(longer_site, longer))

    await suspend(accounts, short)
    assert not await served(web_port, short_site)
    assert await served(web_port, longer_site)
    await suspend(accounts, longer)
    await unsuspend(accounts, short)
    assert await served(web_port, short_site)
    assert not await served(web_port, longer_site)
    await unsuspend(accounts, longer)


async def test_the_suspension_marker_is_roots_alone(
    web: WebStub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
) -> None:
    """What the account's suspension suspended is kept in the site's record, in a file no
    account can read or change: a tenant cannot unmark a site to have it served."""
    owner = await new_account(accounts, new_name())
    name = new_domain()
    await create(web, spec(name, owner))
    await suspend(accounts, owner)
    record = SITES / f"{name}.conf"
    info = os.stat(record)
    assert (info.st_uid, stat.S_IMODE(info.st_mode) & 0o007) == (0, 0)
    assert '"account_suspended":true' in record.read_text()
    await unsuspend(accounts, owner)  # the tenant can run code again
    assert await _run(as_account(owner, ["cat", str(record)])) != 0
    assert await _run(as_account(owner, ["touch", str(record)])) != 0


async def _run(argv: list[str]) -> int:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    return await process.wait()


@pytest.mark.usefixtures("named")
async def test_deleting_an_account_frees_every_name_it_held(
    web: WebStub, dns: DnsStub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    """Its websites (with their files), zones and the names below them go, so another account
    may take them at once."""
    owner = await new_account(accounts, new_name())
    domain = f"c{uuid.uuid4().hex[:10]}.test"
    await create(web, spec(domain, owner, aliases=(f"www.{domain}",)))
    write_as(owner, docroot(owner, domain) / "mine.html", "mine")
    await create_zone(dns, domain, owner, a("aaaa0001", "@", "192.0.2.10"))

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=owner))
    assert not Path(f"/home/{owner}").exists()
    newcomer = await new_account(accounts, new_name())
    assert (await create(web, spec(f"www.{domain}", newcomer))).account == newcomer
    assert (await create_zone(dns, domain, newcomer)).account == newcomer
