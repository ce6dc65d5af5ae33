"""Which account a request acts for, decided once for every owner-scoped collection."""

from __future__ import annotations

from typing import Any

from gateway.api import Call
from gateway.problems import field_error, not_found
from gateway.store import accounts
from gateway.store.accounts import AccountRecord


async def account_for(call: Call[Any, Any], requested: str | None) -> AccountRecord:
    """The account a request acts for: an owner's own; for an administrator the one named."""
    me = call.me
    if me.is_admin and requested is None:
        raise field_error("account", "name the account it belongs to")
    name = requested or me.name
    row = await accounts.get(call.db, name)
    if row is None or not (me.is_admin or me.owns_account(name)):
        raise not_found(f"Account '{name}'")
    return row


async def account_filter(call: Call[Any, Any], requested: str) -> AccountRecord | None:
    """For a collection: the one account to list (an owner's own, or the one an administrator
    asked for), or None when an administrator lists every account's."""
    if requested or not call.me.is_admin:
        return await account_for(call, requested or None)
    return None
