"""Who may act on what: the one rule every owner-checked operation is decided by.

An administrator may act on everything; an owner on its own account and what it holds; a
reseller on the accounts on its own plans (an account belongs to its plan's reseller, so the
plan is the one record that says whose an account is) and on those plans. Everything else
answers 404, exactly as if it did not exist. Routes do not decide this themselves: their
`owner` hook says what a request addresses (gateway.api.Owned), and gateway/api.py (per
operation) and gateway/scope.py (per named account, per collection) ask this module. A route
added later gets the reseller's rule by declaring its `owner` hook or by finding its account
through scope.account_for / scope.account_page. docs/resellers.md, Access.
"""

from __future__ import annotations

import aiomysql

from gateway.principal import Principal
from gateway.store import accounts


async def may_act_on(
    db: aiomysql.Pool, me: Principal, account: str | None, reseller_id: int | None = None
) -> bool:
    """Whether `me` may act on what `account` owns; on what belongs to no account (`account`
    None: a plan), whether it is `me`'s as a reseller (`reseller_id`; None: administrators')."""
    if me.is_admin:
        return True
    if account is None:
        return me.is_reseller and reseller_id == me.user_id
    if me.is_reseller:
        return await accounts.reseller_id_of(db, account) == me.user_id
    return me.owns_account(account)


def may_act_for(me: Principal, account: accounts.AccountRecord) -> bool:
    """The same rule for an account record already read (it carries its reseller)."""
    if me.is_reseller:
        return account.reseller_id == me.user_id
    return me.is_admin or me.owns_account(account.name)
