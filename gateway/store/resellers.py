"""Resellers: their totals, and what the accounts on their plans reserve of them.

Every account on a reseller's plan reserves its plan's limits from the reseller's totals (one
account, the plan's disk quota, domains and databases), whatever it uses of them: a reseller
cannot sell what it was not given (no over-commit, docs/resellers.md). Every change that
reserves more (an account created on or moved to one of its plans, a plan made or raised)
locks the reseller's row first and reads what is reserved after the lock, in the same
transaction as its write, so two such changes are checked one after the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiomysql
import pymysql

from gateway.db import execute, fetch_all_as, fetch_one_as, transaction

# The totals an administrator gives a reseller; None is unlimited, 0 none allowed.
TOTALS = ("max_accounts", "disk_quota_mb", "max_domains", "max_databases")
# The plan limit each account reserves of a total (max_accounts: the account itself).
_SHARES = ("disk_quota_mb", "max_domains", "max_databases")
_NOUNS = {
    "max_accounts": "accounts",
    "disk_quota_mb": "MiB of disk",
    "max_domains": "domains",
    "max_databases": "databases",
}
_DUPLICATE_KEY = 1062

Totals = dict[str, int | None]


@dataclass(frozen=True, slots=True)
class ResellerRecord:
    id: int  # the reseller's user id
    name: str
    email: str | None
    max_accounts: int | None
    disk_quota_mb: int | None
    max_domains: int | None
    max_databases: int | None
    plans: int
    created_at: datetime
    updated_at: datetime
    # An administrator's suspension of the reseller (docs/resellers.md): who, why, when.
    status: str  # 'active' or 'suspended'
    suspended_by_user: str | None
    suspension_reason: str | None
    suspended_at: datetime | None

    def totals(self) -> Totals:
        return {key: getattr(self, key) for key in TOTALS}


@dataclass(frozen=True, slots=True)
class Reserved:
    """What the accounts on a reseller's plans reserve of each total; a share is None when
    some account's plan is unlimited in it."""

    max_accounts: int
    disk_quota_mb: int | None
    max_domains: int | None
    max_databases: int | None

    def of(self, key: str) -> int | None:
        value: int | None = getattr(self, key)
        return value


_SELECT = (
    "SELECT u.id, u.name, r.email, r.max_accounts, r.disk_quota_mb, r.max_domains,"
    " r.max_databases, (SELECT COUNT(*) FROM plans p WHERE p.reseller_id = u.id) AS plans,"
    " r.created_at, r.updated_at, r.status, r.suspended_by_user, r.suspension_reason,"
    " r.suspended_at FROM users u JOIN resellers r ON r.user_id = u.id"
)


class NameTaken(Exception):
    pass


class TotalsExceeded(Exception):
    """A change would reserve more than a reseller's totals; the message says which."""


class ResellerSuspended(Exception):
    """An account would be added to a suspended reseller's plans."""


async def get(pool: aiomysql.Pool, name: str) -> ResellerRecord | None:
    return await fetch_one_as(pool, ResellerRecord, _SELECT + " WHERE u.name = %s", (name,))


async def page(pool: aiomysql.Pool, after: str, limit: int) -> list[ResellerRecord]:
    return await fetch_all_as(
        pool,
        ResellerRecord,
        _SELECT + " WHERE u.name > %s ORDER BY u.name LIMIT %s",
        (after, limit),
    )


async def insert(
    pool: aiomysql.Pool, name: str, password_hash: bytes, email: str | None, totals: Totals
) -> int:
    try:
        async with transaction(pool) as cur:
            await cur.execute(
                "INSERT INTO users (name, role, password_hash) VALUES (%s, 'reseller', %s)",
                (name, password_hash),
            )
            user_id = int(cur.lastrowid)
            await cur.execute(
                f"INSERT INTO resellers (user_id, email, {', '.join(TOTALS)})"
                f" VALUES (%s, %s{', %s' * len(TOTALS)})",
                (user_id, email, *(totals.get(k) for k in TOTALS)),
            )
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NameTaken(name) from exc
        raise
    return user_id


async def update(pool: aiomysql.Pool, reseller_id: int, email: str | None, totals: Totals) -> None:
    """New e-mail and totals; refused (TotalsExceeded) below what its accounts reserve."""
    async with transaction(pool) as cur:
        current = await lock(cur, reseller_id)
        reserved = await _reserved(cur, reseller_id)
        wanted = {**current, **totals}
        check(wanted, reserved, {}, accounts=0, shares=0)
        await cur.execute(
            f"UPDATE resellers SET email = %s, {', '.join(f'{k} = %s' for k in TOTALS)}"
            " WHERE user_id = %s",
            (email, *(wanted[k] for k in TOTALS), reseller_id),
        )


async def delete(pool: aiomysql.Pool, reseller_id: int) -> bool:
    """Removes the reseller with its plans; False (nothing removed) while any account is on
    one of them (the plan key of `accounts` refuses the cascade)."""
    try:
        await execute(pool, "DELETE FROM users WHERE id = %s AND role = 'reseller'", (reseller_id,))
    except pymysql.err.IntegrityError:
        return False
    return True


async def set_suspended(
    pool: aiomysql.Pool, reseller_id: int, user: str, reason: str | None
) -> None:
    """Marks the reseller suspended and ends its sessions (a new token version: every access
    and refresh token it holds stops working at its next use)."""
    async with transaction(pool) as cur:
        await cur.execute(
            "UPDATE resellers SET status = 'suspended', suspended_by_user = %s,"
            " suspension_reason = %s, suspended_at = CURRENT_TIMESTAMP(6) WHERE user_id = %s",
            (user, reason, reseller_id),
        )
        await cur.execute(
            "UPDATE users SET token_version = token_version + 1 WHERE id = %s", (reseller_id,)
        )


async def set_active(pool: aiomysql.Pool, reseller_id: int) -> None:
    await execute(
        pool,
        "UPDATE resellers SET status = 'active', suspended_by_user = NULL,"
        " suspension_reason = NULL, suspended_at = NULL WHERE user_id = %s",
        (reseller_id,),
    )


async def reserved(pool: aiomysql.Pool, reseller_id: int) -> Reserved:
    async with pool.acquire() as conn, conn.cursor() as cur:
        return await _reserved(cur, reseller_id)


async def reserve(
    cur: aiomysql.DictCursor,
    reseller_id: int,
    limits: Mapping[str, int | None],
    *,
    accounts: int,
    shares: int,
    except_account: int = 0,
    except_plan: int = 0,
) -> None:
    """Inside the caller's transaction: locks the reseller's row and raises TotalsExceeded
    unless `accounts` more accounts and `shares` more reservations of a plan's `limits` fit
    in what is left, the account `except_account` and the accounts on `except_plan` set
    aside (an account moving, a plan changing)."""
    totals = await lock(cur, reseller_id)
    used = await _reserved(cur, reseller_id, except_account, except_plan)
    check(totals, used, limits, accounts=accounts, shares=shares)


async def reserve_account(
    cur: aiomysql.DictCursor, reseller_id: int, plan_id: int, *, except_account: int = 0
) -> None:
    """`reserve` for one account on the plan `plan_id`, whose limits are read after the lock:
    a plan raised by a request that held the lock just before counts as raised. Refused
    (ResellerSuspended) while the reseller is suspended: its suspension takes in the accounts
    on its plans, and one added after it would be active under a suspended reseller."""
    await lock(cur, reseller_id)
    await cur.execute("SELECT status FROM resellers WHERE user_id = %s", (reseller_id,))
    row = await cur.fetchone()
    if row is not None and row["status"] == "suspended":
        raise ResellerSuspended()
    await cur.execute(f"SELECT {', '.join(_SHARES)} FROM plans WHERE id = %s", (plan_id,))
    limits = await cur.fetchone()
    if limits is None:  # deleted in between: the insert's foreign key refuses it
        return
    await reserve(cur, reseller_id, limits, accounts=1, shares=1, except_account=except_account)


def check(
    totals: Mapping[str, int | None],
    used: Reserved,
    limits: Mapping[str, int | None],
    *,
    accounts: int,
    shares: int,
) -> None:
    """Raises TotalsExceeded when `used` plus `accounts` accounts and `shares` times the plan
    `limits` passes a finite total; an unlimited plan limit never fits a finite total."""
    problems: list[str] = []
    for key in TOTALS:
        total = totals[key]
        if total is None:
            continue
        reserved = used.of(key)
        share = limits.get(key, 0)
        if reserved is None or (share is None and shares):
            problems.append(f"{_NOUNS[key]} unlimited on a plan (total {total})")
            continue
        wanted = reserved + (accounts if key == "max_accounts" else (share or 0) * shares)
        if wanted > total:
            problems.append(f"{wanted} {_NOUNS[key]} (total {total}, reserved {reserved})")
    if problems:
        raise TotalsExceeded(
            "This would reserve more than the reseller's totals: " + "; ".join(problems) + "."
        )


async def lock(cur: aiomysql.DictCursor, reseller_id: int) -> Totals:
    await cur.execute(
        f"SELECT {', '.join(TOTALS)} FROM resellers WHERE user_id = %s FOR UPDATE",
        (reseller_id,),
    )
    row = await cur.fetchone()
    if row is None:  # deleted in between: nothing may be reserved of it
        raise TotalsExceeded("The reseller no longer exists.")
    return {key: row[key] for key in TOTALS}


async def _reserved(
    cur: aiomysql.DictCursor, reseller_id: int, except_account: int = 0, except_plan: int = 0
) -> Reserved:
    # Read after the lock, and in the same transaction: InnoDB takes the read's snapshot at
    # its first plain read, so this sees every change committed by whoever held the lock.
    shares = ", ".join(
        f"COALESCE(SUM(p.{k}), 0) AS {k}, SUM(p.{k} IS NULL) AS {k}_unlimited" for k in _SHARES
    )
    await cur.execute(
        f"SELECT COUNT(*) AS max_accounts, {shares} FROM accounts a"
        " JOIN plans p ON p.id = a.plan_id"
        " WHERE p.reseller_id = %s AND a.user_id <> %s AND p.id <> %s",
        (reseller_id, except_account, except_plan),
    )
    row = await cur.fetchone()
    values = {k: None if row[f"{k}_unlimited"] else int(row[k]) for k in _SHARES}
    return Reserved(max_accounts=int(row["max_accounts"]), **values)
