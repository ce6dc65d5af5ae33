"""DNS-01 for wildcards (gateway/acme_dns01.py) against Pebble, whose -dnsserver is the
sandbox's named, with the real agent writing each challenge record into the owner's zone
(sandbox only): a wildcard and its apex issued, the records gone afterwards; another
account's zone and a zone this server does not serve refused in the owner's words."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import stack
from acme import messages
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.dns.v1 import dns_pb2

from gateway import acme_dns01
from gateway.acme_orders import AcmeAccount, Directory, IssueFailed
from tests.agent.certificates.certificates_support import (
    csr_for,
    leaf_names,
    pebble,
    zone_pointing_here,
)
from tests.agent.dns.dns_support import dig, dns, dns_account, named, new_zone, zone_files

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import AccountStub
    from tests.agent.dns.dns_support import Stub as DnsStub

__all__ = ["dns", "dns_account", "named", "new_zone", "pebble"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("pebble")


@pytest.fixture(scope="module")
def acme_account(pebble: stack.Pebble) -> AcmeAccount:
    return AcmeAccount.register(Directory(pebble.directory_url, "", str(pebble.api_ca)))


def finish(account: AcmeAccount, order: messages.OrderResource) -> messages.OrderResource:
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
    return account.client.poll_and_finalize(order, deadline)


async def test_a_wildcard_and_its_apex_are_issued_over_dns_and_the_records_removed(
    pebble: stack.Pebble,
    acme_account: AcmeAccount,
    dns: DnsStub,
    dns_account: str,
    new_zone: Callable[[], str],
    named: stack.Named,
) -> None:
    zone = new_zone()
    await zone_pointing_here(dns, zone, dns_account)
    names = [zone, f"*.{zone}"]
    order = await asyncio.to_thread(acme_account.client.new_order, csr_for(names))
    assert sorted(acme_dns01.wants_dns01(authz) for authz in order.authorizations) == [False, True]
    published: list[acme_dns01.DnsChallenge] = []
    try:
        # Both at _acme-challenge.<zone>, each with its own value: named serves both.
        for authz in order.authorizations:
            challenge = await acme_dns01.publish(dns, acme_account.client, dns_account, authz)
            assert challenge is not None
            published.append(challenge)
        served = await dig(named.dns_port, f"_acme-challenge.{zone}", "TXT")
        assert sorted(served.answer) == sorted(f'"{c.value}"' for c in published)
        done = await asyncio.to_thread(finish, acme_account, order)
    finally:
        await acme_dns01.withdraw(dns, dns_account, published)

    assert leaf_names(done.fullchain_pem) == sorted(names)
    assert (await dig(named.dns_port, f"_acme-challenge.{zone}", "TXT")).answer == []
    records = (await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))).zone.records
    assert not [r for r in records if r.name.startswith("_acme-challenge")]


async def test_another_accounts_zone_is_refused_before_the_ca_is_answered(
    pebble: stack.Pebble,
    acme_account: AcmeAccount,
    dns: DnsStub,
    dns_account: str,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
) -> None:
    """mallory (another account) asks for *.<alice's zone>: the agent writes nothing into
    alice's zone, and mallory is told the zone is not one of hers here."""
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    mallory = (await accounts.CreateAccount(request)).account.name
    zone = new_zone()
    await zone_pointing_here(dns, zone, dns_account)
    before = zone_files(zone)
    order = await asyncio.to_thread(acme_account.client.new_order, csr_for([f"*.{zone}"]))
    (authz,) = order.authorizations
    with pytest.raises(IssueFailed) as refused:
        await acme_dns01.publish(dns, acme_account.client, mallory, authz)
    assert refused.value.reason == acme_dns01.no_zone(zone)
    assert zone_files(zone) == before
    # A zone this server does not serve at all: the same answer, nothing written anywhere.
    elsewhere = new_zone()
    order = await asyncio.to_thread(acme_account.client.new_order, csr_for([f"*.{elsewhere}"]))
    (authz,) = order.authorizations
    with pytest.raises(IssueFailed) as refused:
        await acme_dns01.publish(dns, acme_account.client, dns_account, authz)
    assert refused.value.reason == acme_dns01.no_zone(elsewhere)
