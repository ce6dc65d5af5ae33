"""The name-ownership rule of agent/system/names.py on its own, with hostile names."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from agent.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from agent.system.names import NameOwners
from agent.validators.accounts import AccountName
from jopanel_rules.hostnames import ancestors, first_below

ALICE, MALLORY = AccountName("alice"), AccountName("mallory")


class Held:
    def __init__(self, names: dict[str, AccountName]) -> None:
        self.names = names

    def holder(self, name: str) -> AccountName | None:
        return self.names.get(name)

    def held(self) -> Iterable[tuple[str, AccountName]]:
        return self.names.items()

    def held_below(self, name: str, account: AccountName) -> str | None:
        return first_below(self.names.items(), name, account)


def owners(sites: dict[str, AccountName], zones: dict[str, AccountName]) -> NameOwners:
    return NameOwners(Held(sites), Held(zones), ["panel.example.net", "ns1.example.net"])


def test_ancestors_stop_at_two_labels() -> None:
    assert ancestors("a.b.alice.test") == ["a.b.alice.test", "b.alice.test", "alice.test"]
    assert ancestors("alice.test") == ["alice.test"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("alice.test", "alice.test is held by another account"),
        ("www.alice.test", "www.alice.test is below alice.test, which is held by another account"),
        ("a.b.c.alice.test", "a.b.c.alice.test is below alice.test, which is held"),
        ("mail.zone.test", "mail.zone.test is below zone.test, which is held"),
        ("test.zone.test", "test.zone.test is below zone.test"),
        ("site.test", "site.test is above shop.site.test, which another account holds"),
    ],
)
def test_another_account_s_names_equal_below_and_above_are_refused(name: str, message: str) -> None:
    names = owners({"alice.test": ALICE, "shop.site.test": ALICE}, {"zone.test": ALICE})
    with pytest.raises(AlreadyExists, match=message), names.claiming([name], MALLORY, "f"):
        pass


@pytest.mark.parametrize(
    "name", ["evilalice.test", "alice.test.evil", "alice.tests", "xshop.site.test", "lice.test"]
)
def test_look_alike_names_are_not_related(name: str) -> None:
    names = owners({"alice.test": ALICE, "shop.site.test": ALICE}, {})
    with names.claiming([name], MALLORY, "f"):
        pass


def test_an_account_claims_names_below_and_above_its_own() -> None:
    names = owners({"alice.test": ALICE}, {"www.alice.test": ALICE})
    with names.claiming(["shop.alice.test", "alice.test", "x.www.alice.test"], ALICE, "f"):
        pass


@pytest.mark.parametrize(
    "name", ["panel.example.net", "x.ns1.example.net", "a.b.panel.example.net"]
)
def test_the_server_s_names_and_below_are_nobody_s(name: str) -> None:
    names = owners({}, {})
    expected = re.escape(f"field: {name} is a name of this server")
    with pytest.raises(InvalidArgument, match=expected), names.claiming([name], ALICE, "field"):
        pass


def test_a_name_above_a_server_name_can_be_held() -> None:
    with owners({}, {}).claiming(["example.net"], ALICE, "f"):
        pass


def test_a_claim_is_reserved_until_its_block_ends() -> None:
    names = owners({}, {})
    with names.claiming(["www.alice.test"], ALICE, "f"):
        below = pytest.raises(AlreadyExists, match=re.escape("is below www.alice.test"))
        with below, names.claiming(["x.www.alice.test"], MALLORY, "f"):
            pass
        above = pytest.raises(AlreadyExists, match=re.escape("is above www.alice.test"))
        with above, names.claiming(["alice.test"], MALLORY, "f"):
            pass
    with names.claiming(["alice.test"], MALLORY, "f"):
        pass  # released: nothing went live


def test_a_name_with_a_zone_of_the_account_is_not_dropped() -> None:
    names = owners({}, {"alice.test": ALICE})
    expected = re.escape("zone alice.test is served for this name; delete the zone first")
    with pytest.raises(FailedPrecondition, match=expected):
        names.check_no_zone(["alice.test"], ALICE)
    names.check_no_zone(["www.alice.test"], ALICE)
    names.check_no_zone(["alice.test"], MALLORY)  # not mallory's zone: nothing to keep


def test_a_wildcard_of_another_account_s_name_is_refused() -> None:
    names = owners({"alice.test": ALICE, "*.alice.test": ALICE}, {})
    for name in ("*.alice.test", "*.www.alice.test", "y.alice.test", "a.b.alice.test"):
        refused = pytest.raises(AlreadyExists, match="held by another account")
        with refused, names.claiming([name], MALLORY, "f"):
            pass


def test_a_wildcard_above_another_account_s_name_is_refused_from_the_agent_s_state() -> None:
    """A forged call: alice's *.alice.test while mallory holds z.alice.test (an overlap from
    before the rule); the agent refuses it from its own registries."""
    names = owners({"alice.test": ALICE, "z.alice.test": MALLORY}, {})
    expected = re.escape("alice.test is above z.alice.test, which another account holds")
    with pytest.raises(AlreadyExists, match=expected), names.claiming(["*.alice.test"], ALICE, "f"):
        pass
    zoned = owners({"alice.test": ALICE}, {"z.alice.test": MALLORY})
    with pytest.raises(AlreadyExists), zoned.claiming(["*.alice.test"], ALICE, "f"):
        pass


def test_a_wildcard_is_reserved_as_its_name_until_its_block_ends() -> None:
    names = owners({}, {})
    with (
        names.claiming(["alice.test"], ALICE, "f"),
        names.claiming(["*.alice.test"], ALICE, "f"),
        pytest.raises(AlreadyExists),
        names.claiming(["y.alice.test"], MALLORY, "f"),
    ):
        pass
    with names.claiming(["y.alice.test"], MALLORY, "f"):
        pass  # released


@pytest.mark.parametrize(
    ("name", "server"),
    [
        ("*.panel.example.net", "panel.example.net"),
        ("*.x.panel.example.net", "panel.example.net"),
        ("*.example.net", "panel.example.net"),  # a certificate for it is valid for the panel
        ("*.ns1.example.net", "ns1.example.net"),
    ],
)
def test_a_wildcard_at_above_or_below_a_server_name_is_nobody_s(name: str, server: str) -> None:
    names = owners({}, {})
    expected = re.escape(f"field: {name} would cover {server}")
    with pytest.raises(InvalidArgument, match=expected), names.claiming([name], ALICE, "field"):
        pass


def test_a_wildcard_beside_the_server_s_names_can_be_held() -> None:
    names = ["example.org", "*.example.org", "*.shop.example.org"]
    with owners({}, {}).claiming(names, ALICE, "f"):
        pass
