"""Who holds a name: one owner per name, in both directions (docs/security.md, Names).

A name (a domain, an alias, a zone, or any name below them) belongs to the account holding its
closest registered ancestor, so an account may claim a name only where no other account holds
the name itself, one of its ancestors or one of its descendants. Held names are the host names
of websites (domains and aliases, `host_names`) and DNS zones (`dns_zones`).

Each check is a few index lookups, whatever the number of names: the ancestors of a name are
exact lookups on the name keys; its descendants are one range scan of the `reversed` key
(REVERSE(name): every name below `alice.test` reversed starts with `tset.ecila.`).
Claims take the lock of the one row of `name_claims` before any plain read, so two accounts
claiming related names at once are checked one after the other, each seeing the other's claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import aiomysql

from gateway.db import transaction
from jopanel_rules.hostnames import ancestors, claimed_name


class NameHeld(Exception):
    """Another account holds the name, one of its ancestors or one of its descendants. The
    message names the name held, never the account."""

    def __init__(self, name: str, held: str) -> None:
        if held == name:
            text = f"'{name}' is held by another account."
        elif held.endswith("." + name):
            text = f"'{name}' is above '{held}', which another account holds."
        else:
            text = f"'{name}' is below '{held}', which another account holds."
        super().__init__(text)
        self.name = name
        self.held = held


def reserved_by(name: str, server_names: Iterable[str]) -> str | None:
    """The server name that `name` is equal to or below, if any."""
    return next((s for s in server_names if name == s or name.endswith("." + s)), None)


async def lock(cur: aiomysql.DictCursor) -> None:
    """Orders every claim of a name; held until the caller's transaction ends."""
    await cur.execute("SELECT id FROM name_claims WHERE id = 1 FOR UPDATE")


async def check_free(cur: aiomysql.DictCursor, names: Sequence[str], account_id: int) -> None:
    """Raises NameHeld when another account holds one of the names, an ancestor of one or a
    descendant of one. Call under lock(), with no plain read before lock() in the transaction:
    InnoDB takes a transaction's snapshot at its first plain read, so these reads then see
    every claim committed before the lock was granted."""
    for given in names:
        # `*.X` holds every name below X: it is as free as X itself (docs/security.md).
        name = claimed_name(given)
        held = await _held_by_others(cur, name, account_id)
        if held is not None:
            raise NameHeld(name, held)


def held_query(name: str, account_id: int) -> tuple[str, list[object]]:
    """The SQL that finds the names of other accounts equal to, above or below `name`: exact
    lookups of its ancestors, and one range of the reversed-name index for its descendants."""
    above = ancestors(name)
    marks = ", ".join(["%s"] * len(above))
    # '/' follows '.' in ASCII: [X., X/) is every string that starts with X.
    low = name[::-1] + "."
    high = name[::-1] + "/"
    sql = (
        "(SELECT h.name FROM host_names h JOIN domains d ON d.id = h.domain_id"
        f"  WHERE h.name IN ({marks}) AND d.account_id <> %s)"
        " UNION ALL (SELECT z.name FROM dns_zones z"
        f"  WHERE z.name IN ({marks}) AND z.account_id <> %s)"
        " UNION ALL (SELECT h.name FROM host_names h JOIN domains d ON d.id = h.domain_id"
        "  WHERE h.reversed >= %s AND h.reversed < %s AND d.account_id <> %s LIMIT 1)"
        " UNION ALL (SELECT z.name FROM dns_zones z"
        "  WHERE z.reversed >= %s AND z.reversed < %s AND z.account_id <> %s LIMIT 1)"
    )
    return sql, [
        *above,
        account_id,
        *above,
        account_id,
        low,
        high,
        account_id,
        low,
        high,
        account_id,
    ]


async def _held_by_others(cur: aiomysql.DictCursor, name: str, account_id: int) -> str | None:
    await cur.execute(*held_query(name, account_id))
    held = [str(row["name"]) for row in await cur.fetchall()]
    # The name itself first, then its closest ancestor, then a name below it.
    return min(held, key=lambda h: (h != name, not name.endswith("." + h), -len(h)), default=None)


async def first_held(pool: aiomysql.Pool, names: Sequence[str]) -> NameHeld | None:
    """Before an account exists (a restore onto a fresh server): the first of the names that
    any account holds, or one above or below it; None when all are free. The claims are made
    later, each under lock(), by the services that make the sites and zones."""
    async with transaction(pool) as cur:
        await lock(cur)
        try:
            await check_free(cur, names, 0)
        except NameHeld as held:
            return held
    return None
