"""Host names (websites, their aliases, DNS zones): the stored form is lowercase IDNA."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, TypeVar

from jopanel_rules import RuleError

T = TypeVar("T")

HOSTNAME_MAX: Final = 253
# One label: 1 to 63 of a-z, 0-9 and '-', not at either end.
HOSTNAME_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# The shape of a host name of two or more labels (its length is checked apart).
HOSTNAME_PATTERN: Final = re.compile(rf"(?:{HOSTNAME_LABEL}\.)+{HOSTNAME_LABEL}")


# A website's alias may be a wildcard: `*.` then a host name X (docs/security.md, Names).
WILDCARD_PREFIX: Final = "*."


def wildcard_base(name: str) -> str | None:
    """X of a wildcard alias `*.X`; None for a plain host name."""
    return name[len(WILDCARD_PREFIX) :] if name.startswith(WILDCARD_PREFIX) else None


def ancestors(name: str) -> list[str]:
    """The name and every name above it of two labels or more (a.b.c.d: itself, b.c.d, c.d)."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def first_below(held: Iterable[tuple[str, T]], name: str, holder: T) -> str | None:
    """The first of the `held` names (each with its holder) that lies below `name` (a.name,
    b.a.name, *.name) and is not `holder`'s; a look-alike (xname, name.evil) is not below."""
    suffix = "." + name
    return next(
        (other for other, whose in held if whose != holder and other.endswith(suffix)), None
    )


def claimed_name(name: str) -> str:
    """The name a claim of `name` is checked as: `*.X` holds every name below X, so it is
    checked (and held) as X itself; a plain host name is itself."""
    return wildcard_base(name) or name


def check_wildcard(alias: str, name: str, aliases: Iterable[str]) -> None:
    """A wildcard alias `*.X` of a site has its X among the site's own plain names (its domain
    `name` or another of its `aliases`), so the wildcard lives and dies with X: no account gets
    `*.X` without holding X, and X cannot go (an alias dropped, a domain deleted or moved)
    while the wildcard stays. The shape of X (a host name of two labels or more) is each
    side's host-name check. Raises RuleError; a plain host name passes."""
    base = wildcard_base(alias)
    if base is not None and base != name and base not in aliases:
        raise RuleError(
            "a wildcard *.X needs X itself among the site's names (its domain or an alias)"
        )


def wildcard_server_name(name: str, server_names: Iterable[str]) -> str | None:
    """The server name (the panel's, a name server's, the machine's) that a wildcard `*.X`
    touches: X is one, is below one, or is above one. A certificate for `*.example.net` is
    valid for `panel.example.net`, so no tenant may hold the wildcard of a name at, above or
    below the server's names. None for a plain host name or a wildcard clear of them."""
    base = wildcard_base(name)
    if base is None:
        return None
    return next(
        (s for s in server_names if s == base or s.endswith("." + base) or base.endswith("." + s)),
        None,
    )
