"""Which account a request acts for, decided once for every owner-scoped collection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from gateway.api import Call
from gateway.context import Context
from gateway.paging import decode_token, page_of
from gateway.problems import field_error, not_found
from gateway.store import accounts
from gateway.store.accounts import AccountRecord

R = TypeVar("R")


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
    fetch: Callable[[Context, AccountRecord | None, str, int], Awaitable[list[R]]],
    key: str,
) -> tuple[list[R], str | None]:
    """One page of an owner-scoped collection ordered by `key`: the account to list, the
    page token's cursor, and the next page's token. `fetch(context, account, after, limit)`
    (a service's `page`) reads the items after the cursor, one more than a page so that the
    next token is known."""
    account = await account_filter(call, query.account)
    after = decode_token(query.page_token, "after", str) or ""
    items = await fetch(call.context, account, after, query.limit + 1)
    return page_of(items, query.limit, key)
