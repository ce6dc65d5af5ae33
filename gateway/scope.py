"""Which account a request acts for, decided once for every owner-scoped collection.

Whether the caller may act for an account is gateway/access.py's rule; this module applies it
to accounts named in a body or a query, and to collections (whose rows a list shows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from gateway.access import may_act_for
from gateway.api import Call
from gateway.context import Context
from gateway.paging import decode_token, page_of
from gateway.principal import Principal
from gateway.problems import field_error, not_found
from gateway.store import accounts
from gateway.store.accounts import AccountRecord
from gateway.store.tenants import EVERY_ACCOUNT, Tenants

R = TypeVar("R")


async def account_for(call: Call[Any, Any], requested: str | None) -> AccountRecord:
    """The account a request acts for: an owner's own; for an administrator or a reseller the
    one named (a reseller's only when it is on one of its plans: else 404, as if absent)."""
    me = call.me
    if not me.is_owner and requested is None:
        raise field_error("account", "name the account it belongs to")
    name = requested or me.name
    row = await accounts.get(call.db, name)
    if row is None or not may_act_for(me, row):
        raise not_found(f"Account '{name}'")
    return row


def tenants_of(me: Principal, account: AccountRecord | None) -> Tenants:
    """The rows a list shows: the account's when one was named (and allowed), else all the
    caller may see: a reseller's accounts', an owner's own, an administrator's every one."""
    if account is not None:
        return Tenants(account_id=account.id)
    if me.is_reseller:
        return Tenants(reseller_id=me.user_id)
    if me.is_owner:
        return Tenants(account_id=me.user_id)  # an owner's account is keyed by its user id
    return EVERY_ACCOUNT


async def account_filter(call: Call[Any, Any], requested: str) -> Tenants:
    """For a collection: the one account to list (an owner's own, or the one named), or
    every account the caller may see when none is named."""
    me = call.me
    if requested or me.is_owner:
        return tenants_of(me, await account_for(call, requested or None))
    return tenants_of(me, None)


class AccountPageQuery(Protocol):
    """A collection's query: whose items (`account`, see account_filter) and which page."""

    @property
    def account(self) -> str: ...
    @property
    def page_token(self) -> str: ...
    @property
    def limit(self) -> int: ...


async def account_page(
    call: Call[Any, Any],
    query: AccountPageQuery,
    fetch: Callable[[Context, Tenants, str, int], Awaitable[list[R]]],
    key: str,
) -> tuple[list[R], str | None]:
    """One page of an owner-scoped collection ordered by `key`: whose rows (account_filter),
    the page token's cursor, and the next page's token. `fetch(context, tenants, after,
    limit)` (a service's `page`) reads the items after the cursor, one more than a page so
    that the next token is known."""
    tenants = await account_filter(call, query.account)
    after = decode_token(query.page_token, "after", str) or ""
    items = await fetch(call.context, tenants, after, query.limit + 1)
    return page_of(items, query.limit, key)
