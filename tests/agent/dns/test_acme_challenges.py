"""ACME DNS-01 challenge records through the agent's socket (sandbox only): a TXT record at
`_acme-challenge.<name>` in the caller's own zone, served by named, removed after; nothing
anywhere else, whatever the caller names (docs/certificates.md, "DNS-01 for wildcards")."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.dns.v1 import dns_pb2

from agent.errors import NotFound
from agent.system.dns.acme_challenges import MAX_PER_ZONE, zone_of
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from tests.agent.dns.dns_support import (
    a,
    create_zone,
    dig,
    dns,
    dns_account,
    named,
    new_zone,
    zone_files,
    zones_layer,
)
from tests.agent.support import field_errors, rpc_error

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import AccountStub, Stub

__all__ = ["dns", "dns_account", "named", "new_zone", "zones_layer"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("named")


def digest(text: str) -> str:
    """A DNS-01 value as RFC 8555 makes it: base64url(SHA-256(key authorization))."""
    raw = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def create(account: str, name: str, value: str) -> dns_pb2.CreateAcmeChallengeRecordRequest:
    return dns_pb2.CreateAcmeChallengeRecordRequest(account=account, name=name, value=value)


def delete(account: str, name: str, value: str) -> dns_pb2.DeleteAcmeChallengeRecordRequest:
    return dns_pb2.DeleteAcmeChallengeRecordRequest(account=account, name=name, value=value)


async def other_account(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


async def test_a_challenge_is_served_at_the_apex_and_below_and_removed_after(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "@", "192.0.2.1"))
    apex, wildcard, below = digest("apex"), digest("wildcard"), digest("shop")
    at_apex = f"_acme-challenge.{zone}"
    # example.test and *.example.test are both validated at _acme-challenge.example.test.
    for value in (apex, wildcard, apex):  # the same challenge twice is one record
        reply = await dns.CreateAcmeChallengeRecord(create(dns_account, at_apex, value))
        assert reply.zone == zone
    await dns.CreateAcmeChallengeRecord(create(dns_account, f"_acme-challenge.shop.{zone}", below))

    served = await dig(named.dns_port, at_apex, "TXT")
    assert sorted(served.answer) == sorted([f'"{apex}"', f'"{wildcard}"'])
    assert (await dig(named.dns_port, f"_acme-challenge.shop.{zone}", "TXT")).answer == [
        f'"{below}"'
    ]
    zone_now = (await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))).zone
    challenge_records = [r for r in zone_now.records if r.name.startswith("_acme-challenge")]
    assert len(challenge_records) == 3
    assert {r.ttl for r in challenge_records} == {60}

    for value in (apex, wildcard, apex):  # removing a missing one succeeds
        await dns.DeleteAcmeChallengeRecord(delete(dns_account, at_apex, value))
    await dns.DeleteAcmeChallengeRecord(delete(dns_account, f"_acme-challenge.shop.{zone}", below))
    assert (await dig(named.dns_port, at_apex, "TXT")).answer == []
    zone_now = (await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))).zone
    assert [r.id for r in zone_now.records] == ["aaaaaaaa"]


async def test_another_accounts_zone_and_names_above_or_between_are_not_found(
    dns: Stub,
    dns_account: str,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
) -> None:
    """mallory names alice's zone, a name below it, the name above it and names that only
    look alike: each is NOT_FOUND, as a zone that does not exist, and no zone file changes.
    (A zone of alice's inside mallory's cannot exist: names.py refuses it.)"""
    alice = await other_account(accounts, new_name)
    mallory = dns_account
    zone = f"shop.{new_zone()}"  # its parent is a name of two labels that no zone holds
    await create_zone(dns, zone, alice, a("aaaaaaaa", "@", "192.0.2.1"))
    own = new_zone()
    await create_zone(dns, own, mallory, a("aaaaaaaa", "@", "192.0.2.1"))
    parent = zone.split(".", 1)[1]
    before = {z: zone_files(z) for z in (zone, own)}
    for name in (
        f"_acme-challenge.{zone}",
        f"_acme-challenge.www.{zone}",
        f"_acme-challenge.{parent}",
        f"_acme-challenge.{own}x",
        f"_acme-challenge.{zone}x",
        f"_acme-challenge.x{zone}",
        "_acme-challenge.example.com",
    ):
        for call in (
            dns.CreateAcmeChallengeRecord(create(mallory, name, digest("x"))),
            dns.DeleteAcmeChallengeRecord(delete(mallory, name, digest("x"))),
        ):
            code, _ = await rpc_error(call)
            assert code == grpc.StatusCode.NOT_FOUND, name
    assert {z: zone_files(z) for z in (zone, own)} == before
    # The account's own zone, below alice's in name order, works.
    await dns.CreateAcmeChallengeRecord(create(mallory, f"_acme-challenge.{own}", digest("x")))
    await dns.DeleteAcmeChallengeRecord(delete(mallory, f"_acme-challenge.{own}", digest("x")))


async def test_names_and_values_that_are_not_a_challenge_are_refused(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "@", "192.0.2.1"))
    before = zone_files(zone)
    good = digest("x")
    names = [
        zone,  # the zone itself, no challenge label
        f"www.{zone}",
        f"_acme-challenge.*.{zone}",  # a wildcard: its base name is what is validated
        f"*.{zone}",
        f"_acme-challenge._acme-challenge.{zone}x",
        f"_dmarc.{zone}",
        f"_ACME-challenge.{zone}",
        f"_acme-challenge.{zone}.",
        f"_acme-challenge.{zone}\n@ IN A 203.0.113.66",
        f"_acme-challenge .{zone}",
        "_acme-challenge.",
        "_acme-challenge",
        "_acme-challenge." + ("a" * 63 + ".") * 4 + zone,  # above 253 characters
        "_acme-challenge." + "x." * 200 + zone,
        "",
    ]
    for name in names:
        errors = await field_errors(dns.CreateAcmeChallengeRecord(create(dns_account, name, good)))
        assert [field for field, _ in errors] == ["name"], name
    values = [
        good[:-1],
        good + "A",
        good + "=",
        base64.b64encode(hashlib.sha256(b"x").digest()).decode(),  # base64, not base64url
        good[:-1] + '"',
        good[:-1] + "\n",
        good[:-1] + " ",
        good[:-1] + ";",
        "A" * 4000,
        "A" * 100_000,
        "",
    ]
    name = f"_acme-challenge.{zone}"
    for value in values:
        errors = await field_errors(dns.CreateAcmeChallengeRecord(create(dns_account, name, value)))
        assert [field for field, _ in errors] == ["value"], value
    for account in ("", "Root", "root;", "a" * 40):
        errors = await field_errors(dns.CreateAcmeChallengeRecord(create(account, name, good)))
        assert [field for field, _ in errors] == ["account"], account
    assert zone_files(zone) == before


async def test_a_zone_holds_at_most_twenty_challenges(
    dns: Stub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, dns_account, a("aaaaaaaa", "@", "192.0.2.1"))
    name = f"_acme-challenge.{zone}"
    for index in range(MAX_PER_ZONE):
        await dns.CreateAcmeChallengeRecord(create(dns_account, name, digest(str(index))))
    before = zone_files(zone)
    code, _ = await rpc_error(
        dns.CreateAcmeChallengeRecord(create(dns_account, name, digest("one more")))
    )
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert zone_files(zone) == before
    # The same challenge again is no more: it is accepted.
    await dns.CreateAcmeChallengeRecord(create(dns_account, name, digest("0")))
    for index in range(MAX_PER_ZONE):
        await dns.DeleteAcmeChallengeRecord(delete(dns_account, name, digest(str(index))))


def test_the_closest_zone_decides_whose_the_name_is() -> None:
    """Were a zone of another account ever inside the caller's (names.py refuses it), the
    closest zone decides: the caller's zone above it does not make the name the caller's."""
    held = {"shop.example.test": "alice", "example.test": "mallory"}
    name = Hostname("www.shop.example.test")
    with pytest.raises(NotFound):
        zone_of(name, AccountName("mallory"), held.get)
    assert zone_of(name, AccountName("alice"), held.get) == "shop.example.test"
    assert zone_of(Hostname("example.test"), AccountName("mallory"), held.get) == "example.test"
    with pytest.raises(NotFound):
        zone_of(Hostname("test"), AccountName("mallory"), held.get)
