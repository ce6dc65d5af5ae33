"""Links an account planted in its own tree before an RPC (sandbox only).

Account A owns everything under /home/A and may put a link anywhere in it: at web/, at the
domain's folder, at public_html, at logs, at tmp. The targets here are what such a link would be
aimed at: /etc/shadow, and another account B's home with its website. Whatever A plants, every
RPC must leave each target as it was: content, owner, mode and ACL; and nginx must not serve
through such a link what A may not read. test_boundary_races.py swaps links in while the RPC
runs.

tests/agent/web/test_web_hostile.py has the first cases (links to a root-owned canary folder before
Create and Delete, links inside a document root not served); this module adds the targets
above, the logs and tmp positions, Update, DeleteAccount, and a linked document root.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2

from tests.agent.boundary_support import (
    Victim,
    below_home,
    code_of,
    delete_request,
    layout,
    make_account,
    make_folders,
    move_away,
    php_version,
    tree_state,
    update_request,
    victim,
)
from tests.agent.web.web_support import create, docroot, get, plant_link, spec

if TYPE_CHECKING:
    from tests.agent.boundary_support import AccountStub, Stub

__all__ = ["victim"]  # a fixture, used by name

pytestmark = pytest.mark.usefixtures("web_servers")

SHADOW = Path("/etc/shadow")
# Where a link can sit in A's tree, relative to /home/A (D stands for the domain).
POSITIONS = ("web", "web/D", "web/D/public_html", "web/D/logs")
AIMS = ("shadow", "home")
OK = grpc.StatusCode.OK
FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION


def targets(victim: Victim, aimed_at: str, position: str) -> tuple[Path, Path]:
    """The link's target, and the tree whose state the test compares."""
    if aimed_at == "shadow":
        return SHADOW, SHADOW
    return victim.aim(position), victim.home


@pytest.mark.parametrize("aimed_at", AIMS)
@pytest.mark.parametrize("position", POSITIONS)
async def test_links_planted_before_create_leave_their_targets_alone(
    web: Stub,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
    position: str,
    aimed_at: str,
) -> None:
    name = new_domain()
    link = layout(account.name, name, position)
    make_folders(account.name, *below_home(account.name, link))
    target, watched = targets(victim, aimed_at, position)
    plant_link(account.name, link, target)
    before = tree_state(watched)

    code, message = await code_of(
        web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=spec(name, account.name)))
    )
    if position == "web/D/logs":
        # The logs link is a convenience: whatever the account put there stays, unfollowed.
        assert code == OK, message
        assert os.readlink(link) == str(target)
    else:
        assert code == FAILED_PRECONDITION
        assert str(link) in message
    assert tree_state(watched) == before


@dataclass(frozen=True)
class Planted:
    """A domain of its own account, with a link planted in its tree."""

    account: str
    domain: str
    link: Path
    watched: Path  # the tree the link's target lies in


async def plant_in_new_sites(
    web: Stub,
    accounts: AccountStub,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    victim: Victim,
    position: str,
) -> list[Planted]:
    """For each target, an account with a live domain whose `position` is a link to it. The
    domains are made at once, so they share nginx's reloads."""
    owners = [await make_account(accounts, new_name()) for _ in AIMS]
    names = [new_domain() for _ in AIMS]
    await asyncio.gather(*(create(web, spec(n, o)) for n, o in zip(names, owners, strict=True)))
    planted = []
    for owner, name, aimed_at in zip(owners, names, AIMS, strict=True):
        link = layout(owner, name, position)
        move_away(link)
        target, watched = targets(victim, aimed_at, position)
        plant_link(owner, link, target)
        planted.append(Planted(owner, name, link, watched))
    return planted


def states(planted: list[Planted]) -> dict[Path, dict[str, str]]:
    return {site.watched: tree_state(site.watched) for site in planted}


@pytest.mark.parametrize("position", POSITIONS)
async def test_links_planted_before_update_and_delete_leave_their_targets_alone(
    web: Stub,
    accounts: AccountStub,
    victim: Victim,
    new_name: Callable[[], str],
    new_domain: Callable[[], str],
    position: str,
) -> None:
    planted = await plant_in_new_sites(web, accounts, new_name, new_domain, victim, position)
    before = states(planted)
    php = web_pb2.PhpBackend(version=await php_version(web))

    updates = [
        update_request(spec(site.domain, site.account, php=php), new_domain()) for site in planted
    ]
    await asyncio.gather(*(web.UpdateWebDomain(update) for update in updates))
    assert states(planted) == before

    deletes = [code_of(web.DeleteWebDomain(delete_request(site.domain))) for site in planted]
    for site, (code, message) in zip(planted, await asyncio.gather(*deletes), strict=True):
        if position == "web":
            # A web/ that is a link stops delete_files before anything changes.
            assert code == FAILED_PRECONDITION
            assert str(site.link) in message
        else:
            assert code == OK, message
            assert not os.path.lexists(layout(site.account, site.domain, "web/D"))
    assert states(planted) == before


@pytest.mark.parametrize("aimed_at", AIMS)
async def test_a_linked_php_tmp_folder_is_not_followed(
    web: Stub,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
    aimed_at: str,
) -> None:
    """/home/A/tmp is made for PHP by Create and by an Update to PHP."""
    tmp = Path("/home") / account.name / "tmp"
    target, watched = (SHADOW, SHADOW) if aimed_at == "shadow" else (victim.home, victim.home)
    plant_link(account.name, tmp, target)
    before = tree_state(watched)
    php = web_pb2.PhpBackend(version=await php_version(web))

    code, message = await code_of(
        web.CreateWebDomain(
            web_pb2.CreateWebDomainRequest(domain=spec(new_domain(), account.name, php=php))
        )
    )
    assert code == FAILED_PRECONDITION
    assert str(tmp) in message
    name = new_domain()
    await create(web, spec(name, account.name))
    code, message = await code_of(
        web.UpdateWebDomain(update_request(spec(name, account.name, php=php), new_domain()))
    )
    assert code == FAILED_PRECONDITION
    assert str(tmp) in message
    assert tree_state(watched) == before


async def test_deleting_an_account_removes_its_links_not_their_targets(
    web: Stub,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
) -> None:
    """userdel --remove takes the home with everything the account planted in it."""
    name = new_domain()
    await create(web, spec(name, account.name))
    home = Path("/home") / account.name
    canary = Path("/etc") / f"jp-canary-{account.name}"
    canary.write_text("root's\n")
    try:
        plant_link(account.name, home / "root-file", canary)
        plant_link(account.name, home / "neighbour", victim.home)
        public = docroot(account.name, name)
        move_away(public)
        plant_link(account.name, public, docroot(victim.name, victim.domain))
        before = {canary: tree_state(canary), victim.home: tree_state(victim.home)}

        await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))
        assert not os.path.lexists(home)
        assert {path: tree_state(path) for path in before} == before
    finally:
        canary.unlink()


@pytest.mark.parametrize("aimed_at", ["victim", "system"])
async def test_a_document_root_swapped_for_a_link_serves_nothing_of_others(
    web: Stub,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
    web_port: int,
    aimed_at: str,
) -> None:
    """What the attacker would fetch: B's PHP source (database passwords) or /etc/passwd,
    through A's own domain."""
    name = new_domain()
    await create(web, spec(name, account.name))
    public = docroot(account.name, name)
    move_away(public)
    if aimed_at == "victim":
        plant_link(account.name, public, docroot(victim.name, victim.domain))
        path, secret = "/config.php", "password"
    else:
        plant_link(account.name, public, Path("/etc"))
        path, secret = "/passwd", "root:"
    answer = await get(web_port, name, path)
    assert secret not in answer.body
    assert answer.status == 404
