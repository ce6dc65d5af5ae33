"""One owner per name, enforced by the agent from its own state (sandbox only).

Written as the attacks of issue 11, straight at the agent's socket as a compromised gateway
would send them: two real accounts, the real nginx (a request with the Host header) and the
real named (dig). Each attack is refused and serves nothing of the attacker's.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.dns.v1 import dns_pb2
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from tests.agent.dns.dns_support import a, create_zone, dig, dns, named
from tests.agent.support import rpc_error
from tests.agent.web.web_support import NOT_SERVED, create, get, spec

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import AccountStub
    from tests.agent.dns.dns_support import Stub as DnsStub

    WebStub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub

__all__ = ["dns", "named"]
pytestmark = pytest.mark.usefixtures("web_servers", "named")

ALICE_ADDRESS = "192.0.2.10"
MALLORY_ADDRESS = "203.0.113.66"


def _domain() -> str:
    """A registrable name no other test uses."""
    return f"n{uuid.uuid4().hex[:10]}.test"


async def _account(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


async def _zone(dns: DnsStub, name: str, account: str, address: str) -> None:
    await create_zone(dns, name, account, a("aaaa0001", "@", address), a("aaaa0002", "*", address))


@pytest.fixture
async def alice(
    web: WebStub, dns: DnsStub, accounts: AccountStub, new_name: Callable[[], str]
) -> tuple[str, str]:
    """alice's account and her domain, served as a site (alias www.<domain>) and a zone."""
    account = await _account(accounts, new_name)
    domain = _domain()
    await create(web, spec(domain, account, aliases=(f"static.{domain}",)))
    await _zone(dns, domain, account, ALICE_ADDRESS)
    return account, domain


@pytest.fixture
async def mallory(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    return await _account(accounts, new_name)


@pytest.mark.parametrize("below", ["www", "mail", "deep.shop"])
async def test_a_site_below_another_account_s_name_is_refused(
    web: WebStub, alice: tuple[str, str], mallory: str, web_port: int, below: str
) -> None:
    _, domain = alice
    name = f"{below}.{domain}"
    for attempt in (
        spec(name, mallory),
        spec(_domain(), mallory, aliases=(name,)),
        spec(_domain(), mallory, aliases=(f"static.{domain}",)),
    ):
        code, message = await rpc_error(create(web, attempt))
        assert code == grpc.StatusCode.ALREADY_EXISTS, message
        assert "held by another account" in message
        assert alice[0] not in message.replace(domain, "")
    answer = await get(web_port, name)
    assert NOT_SERVED in answer.body
    assert (await get(web_port, f"static.{domain}")).body.count(domain) >= 1


async def test_an_alias_below_another_account_s_name_is_refused_on_update(
    web: WebStub, alice: tuple[str, str], mallory: str, web_port: int
) -> None:
    _, domain = alice
    own = _domain()
    await create(web, spec(own, mallory))
    request = web_pb2.UpdateWebDomainRequest(domain=spec(own, mallory, aliases=(f"www.{domain}",)))
    request.update_mask.paths.append("aliases")
    code, message = await rpc_error(web.UpdateWebDomain(request))
    assert code == grpc.StatusCode.ALREADY_EXISTS, message
    assert f"www.{domain} is below {domain}, which is held by another account" == message
    assert NOT_SERVED in (await get(web_port, f"www.{domain}")).body


async def test_a_zone_below_another_account_s_name_is_refused_and_not_answered(
    dns: DnsStub, alice: tuple[str, str], mallory: str, named: object
) -> None:
    """issue 11: the deeper zone would win in named, and answer mallory's address."""
    _, domain = alice
    port = named.dns_port  # type: ignore[attr-defined]
    for name in (f"shop.{domain}", f"mail.{domain}", domain):
        code, message = await rpc_error(_zone(dns, name, mallory, MALLORY_ADDRESS))
        assert code == grpc.StatusCode.ALREADY_EXISTS, message
        answer = await dig(port, name, "A")
        assert answer.answer == [ALICE_ADDRESS], name


async def test_a_name_above_another_account_s_is_refused(
    web: WebStub, dns: DnsStub, accounts: AccountStub, new_name: Callable[[], str], web_port: int
) -> None:
    """Both directions: mallory's www.<x> keeps x from anyone else, as a site, alias or zone."""
    mallory = await _account(accounts, new_name)
    alice = await _account(accounts, new_name)
    domain = _domain()
    await create(web, spec(f"www.{domain}", mallory))
    expected = f"{domain} is above www.{domain}, which another account holds"
    for attempt in (
        create(web, spec(domain, alice)),
        create(web, spec(_domain(), alice, aliases=(domain,))),
        _zone(dns, domain, alice, ALICE_ADDRESS),
    ):
        code, message = await rpc_error(attempt)
        assert (code, message) == (grpc.StatusCode.ALREADY_EXISTS, expected)
    assert NOT_SERVED in (await get(web_port, domain)).body


async def test_an_account_holds_names_below_its_own(
    web: WebStub, dns: DnsStub, alice: tuple[str, str], named: object
) -> None:
    account, domain = alice
    await create(web, spec(f"blog.{domain}", account))
    await _zone(dns, f"shop.{domain}", account, "192.0.2.11")
    answer = await dig(named.dns_port, f"shop.{domain}", "A")  # type: ignore[attr-defined]
    assert answer.answer == ["192.0.2.11"]


@pytest.mark.parametrize("name", ["ns1.jopanel.test", "evil.ns2.jopanel.test"])
async def test_the_name_servers_names_belong_to_no_account(
    web: WebStub, dns: DnsStub, mallory: str, name: str
) -> None:
    for attempt, field in (
        (create(web, spec(name, mallory)), "domain.name"),
        (create(web, spec(_domain(), mallory, aliases=(name,))), "domain.aliases"),
        (_zone(dns, name, mallory, MALLORY_ADDRESS), "zone.name"),
    ):
        code, message = await rpc_error(attempt)
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message == f"{field}: {name} is a name of this server or below one"


async def test_related_names_claimed_at_once_get_one_owner(
    web: WebStub, dns: DnsStub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    """A site and a zone go live through two different workers; the claims still meet."""
    alice = await _account(accounts, new_name)
    mallory = await _account(accounts, new_name)
    domain = _domain()
    results = await asyncio.gather(
        create(web, spec(domain, alice)),
        _zone(dns, f"www.{domain}", mallory, MALLORY_ADDRESS),
        return_exceptions=True,
    )
    failed = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(failed) == 1, results
    assert failed[0].code() == grpc.StatusCode.ALREADY_EXISTS


# A zone lives and dies with its names: the agent refuses to drop the name first.


async def test_a_site_whose_name_has_a_zone_is_not_deleted(
    web: WebStub, dns: DnsStub, alice: tuple[str, str], web_port: int, named: object
) -> None:
    _, domain = alice
    request = web_pb2.DeleteWebDomainRequest(name=domain, delete_files=True)
    code, message = await rpc_error(web.DeleteWebDomain(request))
    assert (code, message) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        f"zone {domain} is served for this name; delete the zone first",
    )
    assert NOT_SERVED not in (await get(web_port, domain)).body
    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=domain))
    await web.DeleteWebDomain(request)
    assert NOT_SERVED in (await get(web_port, domain)).body
    answer = await dig(named.dns_port, domain, "A")  # type: ignore[attr-defined]
    assert answer.status == "REFUSED"


async def test_an_alias_with_a_zone_is_not_dropped(
    web: WebStub, dns: DnsStub, accounts: AccountStub, new_name: Callable[[], str], named: object
) -> None:
    """issue 11: mallory adds victim's name as an alias, serves its zone, drops the alias, and
    the zone would keep answering."""
    mallory = await _account(accounts, new_name)
    own, victim = _domain(), _domain()
    await create(web, spec(own, mallory, aliases=(victim,)))
    await _zone(dns, victim, mallory, MALLORY_ADDRESS)
    request = web_pb2.UpdateWebDomainRequest(domain=spec(own, mallory))
    request.update_mask.paths.append("aliases")
    code, message = await rpc_error(web.UpdateWebDomain(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION, message
    assert message == f"zone {victim} is served for this name; delete the zone first"
    assert list((await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=own))).domain.aliases) == [
        victim
    ]
    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=victim))
    await web.UpdateWebDomain(request)
    answer = await dig(named.dns_port, victim, "A")  # type: ignore[attr-defined]
    assert answer.status == "REFUSED"


async def test_a_wildcard_alias_serves_every_name_below_and_keeps_them_from_others(
    web: WebStub, dns: DnsStub, alice: tuple[str, str], mallory: str, web_port: int
) -> None:
    account, domain = alice
    await create(web, spec(f"blog.{domain}", account))
    request = web_pb2.UpdateWebDomainRequest(
        domain=spec(domain, account, aliases=(f"static.{domain}", f"*.{domain}"))
    )
    request.update_mask.paths.append("aliases")
    await web.UpdateWebDomain(request)
    assert f"<h1>{domain}</h1>" in (await get(web_port, f"anything.{domain}")).body
    # An exact name of the same account still wins, as nginx picks exact names first.
    assert f"<h1>blog.{domain}</h1>" in (await get(web_port, f"blog.{domain}")).body
    for attempt in (
        create(web, spec(f"y.{domain}", mallory)),
        create(web, spec(_domain(), mallory, aliases=(f"y.{domain}",))),
        create(web, spec(domain.replace("n", "m", 1), mallory, aliases=(f"*.{domain}",))),
        _zone(dns, f"y.{domain}", mallory, MALLORY_ADDRESS),
    ):
        code, message = await rpc_error(attempt)
        assert code in (grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.INVALID_ARGUMENT), message
    assert f"<h1>{domain}</h1>" in (await get(web_port, f"y.{domain}")).body


async def test_a_forged_wildcard_above_another_account_s_name_is_refused(
    web: WebStub, accounts: AccountStub, new_name: Callable[[], str], web_port: int
) -> None:
    """A compromised gateway sends alice's *.<x> while mallory serves z.<x>: the agent refuses
    from its own registry, and mallory's site keeps its name."""
    alice = await _account(accounts, new_name)
    mallory = await _account(accounts, new_name)
    domain = _domain()
    await create(web, spec(f"z.{domain}", mallory))
    for attempt in (
        create(web, spec(domain, alice, aliases=(f"*.{domain}",))),
        create(web, spec(f"q.{domain}", alice, aliases=(f"*.q.{domain}", f"*.{domain}"))),
    ):
        code, message = await rpc_error(attempt)
        assert code in (grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.INVALID_ARGUMENT), message
    assert f"<h1>z.{domain}</h1>" in (await get(web_port, f"z.{domain}")).body
    assert NOT_SERVED in (await get(web_port, f"other.{domain}")).body


async def test_the_name_of_a_wildcard_is_not_dropped_alone(
    web: WebStub, alice: tuple[str, str]
) -> None:
    account, domain = alice
    request = web_pb2.UpdateWebDomainRequest(
        domain=spec(domain, account, aliases=(f"static.{domain}", f"*.static.{domain}"))
    )
    request.update_mask.paths.append("aliases")
    await web.UpdateWebDomain(request)
    request = web_pb2.UpdateWebDomainRequest(
        domain=spec(domain, account, aliases=(f"*.static.{domain}",))
    )
    request.update_mask.paths.append("aliases")
    code, message = await rpc_error(web.UpdateWebDomain(request))
    assert (code, message) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "domain.aliases[0]: a wildcard *.X needs X itself among the site's names (its domain"
        " or an alias)",
    )
