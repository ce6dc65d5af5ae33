"""Names the server itself uses belong to no account (docs/security.md, Names)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.api import Call
from gateway.problems import field_error
from gateway.store.names import reserved_by


def check_not_reserved(call: Call[Any, Any], field: str, names: Iterable[str]) -> None:
    """A 400 naming the field when a name is one the server uses, or below one: the panel's,
    the machine's and the name servers' host names are nobody's to claim."""
    server_names = call.config.reserved_names()
    for name in names:
        reserved = reserved_by(name, server_names)
        if reserved is not None:
            where = "is" if reserved == name else f"is below '{reserved}', which is"
            raise field_error(field, f"'{name}' {where} a name of this server")
