"""One owner per name, from the agent's own state (docs/security.md, Names).

A name (a website's domain or alias, a DNS zone, or any name below them) belongs to the account
holding its closest registered ancestor. No account may claim a name that is equal to, below or
above a name another account holds, and nobody may claim the server's own names (the configured
`server_names`, the name servers, this machine's host name) or a name below them. The agent
checks this itself, as if the gateway were compromised, from the two places that hold names:
the website registry (the records in the live nginx site files) and the zone records.

WebDomainService and DnsZoneService ask the one NameOwners of the agent before they claim a
name. A claim is reserved from its check until its change is live (or refused), so two calls
claiming related names at once (alice.test as a site, www.alice.test as another account's
zone) cannot both pass, although sites and zones go live through two different workers.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Protocol

from agent.config import AgentConfig
from agent.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from agent.system.dns.zones import dns_zones
from agent.system.web.domains import web_domains
from agent.validators.accounts import AccountName
from jopanel_rules.hostnames import ancestors, claimed_name, first_below, wildcard_server_name


class HeldNames(Protocol):
    """Names held by accounts, as one of the agent's stores knows them."""

    def holder(self, name: str) -> AccountName | None: ...

    def held(self) -> Iterable[tuple[str, AccountName]]: ...

    def held_below(self, name: str, account: AccountName) -> str | None:
        """A name another account holds below `name` (a.name, b.a.name), if any."""
        ...


def own_host_name() -> str:
    """This machine's host name, when it is a full one (a name with a dot)."""
    name = socket.getfqdn().lower().rstrip(".")
    return name if "." in name else ""


class NameOwners:
    def __init__(self, sites: HeldNames, zones: HeldNames, server_names: Sequence[str]) -> None:
        self._sites = sites
        self._zones = zones
        self.server_names: Final = tuple(server_names)
        self._pending: dict[str, AccountName] = {}  # claims checked, not yet live

    @contextlib.contextmanager
    def claiming(self, names: Sequence[str], account: AccountName, field: str) -> Iterator[None]:
        """Checks the names are the account's to claim and reserves them while the block
        makes them live. INVALID_ARGUMENT for a server's name; ALREADY_EXISTS when another
        account holds the name, a name above it or a name below it."""
        for name in names:
            self._check(name, account, field)
        # `*.X` is held as X: every name below X is then the account's (docs/security.md).
        claimed = [claimed_name(name) for name in names]
        mine = [name for name in dict.fromkeys(claimed) if name not in self._pending]
        self._pending.update(dict.fromkeys(mine, account))
        try:
            yield
        finally:
            for name in mine:
                del self._pending[name]

    def check_no_zone(self, names: Iterable[str], account: AccountName) -> None:
        """FAILED_PRECONDITION when the account serves a zone for one of the names: a zone
        lives only while its account holds the name (docs/dns.md), so it must go first."""
        for name in names:
            if self._zones.holder(name) == account:
                raise FailedPrecondition(
                    f"zone {name} is served for this name; delete the zone first"
                )

    def _check(self, given: str, account: AccountName, field: str) -> None:
        server = wildcard_server_name(given, self.server_names)
        if server is not None:
            raise InvalidArgument(
                field, f"{given} would cover {server}, a name of this server, or lie below it"
            )
        # A wildcard's X must be as free as X itself (its own site claims X too, but the
        # names below X are checked here whatever the gateway sent).
        name = claimed_name(given)
        for server_name in self.server_names:
            if name == server_name or name.endswith("." + server_name):
                raise InvalidArgument(field, f"{name} is a name of this server or below one")
        for above in ancestors(name):
            if self._holder(above) not in (None, account):
                where = "" if above == name else f" is below {above}, which"
                raise AlreadyExists(f"{name}{where} is held by another account")
        below = self._held_below(name, account)
        if below is not None:
            raise AlreadyExists(f"{name} is above {below}, which another account holds")

    def _holder(self, name: str) -> AccountName | None:
        return self._sites.holder(name) or self._zones.holder(name) or self._pending.get(name)

    def _held_below(self, name: str, account: AccountName) -> str | None:
        return (
            self._sites.held_below(name, account)
            or self._zones.held_below(name, account)
            or first_below(self._pending.items(), name, account)
        )


@functools.cache
def name_owners(config: AgentConfig) -> NameOwners:
    """The one NameOwners of the agent, over its one website registry and its zone records."""
    own = own_host_name()
    server_names = [*config.server_names, *config.dns_nameservers, *([own] if own else [])]
    return NameOwners(web_domains(config), dns_zones(config), server_names)
