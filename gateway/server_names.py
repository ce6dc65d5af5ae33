"""Names the server itself uses belong to no account (docs/security.md, Names)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.api import Call
from gateway.problems import field_error
from gateway.store.names import reserved_by
from jopanel_rules.hostnames import wildcard_server_name


def check_not_reserved(call: Call[Any, Any], field: str, names: Iterable[str]) -> None:
    """A 400 naming the field when a name is one the server uses, or below one: the panel's,
    the machine's and the name servers' host names are nobody's to claim."""
    server_names = call.config.reserved_names()
    for name in names:
        covered = wildcard_server_name(name, server_names)
        if covered is not None:
            # A certificate for *.example.net is valid for panel.example.net.
            raise field_error(
                field, f"'{name}' would cover '{covered}', a name of this server, or lie below it"
            )
        reserved = reserved_by(name, server_names)
        if reserved is not None:
            where = "is" if reserved == name else f"is below '{reserved}', which is"
            raise field_error(field, f"'{name}' {where} a name of this server")
