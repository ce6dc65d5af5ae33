"""Hosting accounts as the panel records them (the agent holds what exists on the system)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql
import pymysql

from gateway.db import (
    execute,
    fetch_all_as,
    fetch_all_packed,
    fetch_one_as,
    fetch_one_packed,
    packed_columns,
    transaction,
)
from gateway.store import resellers
from gateway.store.plans import PlanRecord
from gateway.store.suspensions import SuspendedBy, Suspension

ShellName = Literal["nologin", "bash", "sh"]
Status = Literal["pending", "active", "suspended", "deleting"]


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: int  # the account's user id
    name: str
    email: str | None
    shell: ShellName
    status: Status
    plan_id: int
    plan: str
    # The reseller whose plan the account is on; None: an administrator's plan.
    reseller_id: int | None
    reseller: str | None
    created_at: datetime
    updated_at: datetime
    suspended_by: SuspendedBy | None  # while suspended
    suspended_by_user: str | None
    suspension_reason: str | None
    suspended_at: datetime | None


# One JSON column instead of 15 (gateway/db.py packed_columns): a GET of an account is the
# panel's most frequent read (issue 14, target 5).
_SELECT = (
    "SELECT "
    + packed_columns(
        {
            "id": "u.id",
            "name": "u.name",
            "email": "a.email",
            "shell": "a.shell",
            "status": "a.status",
            "plan_id": "a.plan_id",
            "plan": "p.name",
            "reseller_id": "p.reseller_id",
            "reseller": "r.name",
            "created_at": "a.created_at",
            "updated_at": "a.updated_at",
            "suspended_by": "a.suspended_by",
            "suspended_by_user": "a.suspended_by_user",
            "suspension_reason": "a.suspension_reason",
            "suspended_at": "a.suspended_at",
        }
    )
    + " FROM users u JOIN accounts a ON a.user_id = u.id JOIN plans p ON p.id = a.plan_id"
    " LEFT JOIN users r ON r.id = p.reseller_id"
)
_DUPLICATE_KEY = 1062


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Reseller:
    reseller_id: int | None


class NameTaken(Exception):
    pass


async def get(pool: aiomysql.Pool, name: str) -> AccountRecord | None:
    return await fetch_one_packed(pool, AccountRecord, _SELECT + " WHERE u.name = %s", (name,))


async def reseller_id_of(pool: aiomysql.Pool, name: str) -> int | None:
    """The reseller of the account with this name (None: an administrator's, or no account):
    one lookup by the user name's key, for the access rule (gateway/access.py)."""
    found = await fetch_one_as(
        pool,
        _Reseller,
        "SELECT p.reseller_id FROM users u JOIN accounts a ON a.user_id = u.id"
        " JOIN plans p ON p.id = a.plan_id WHERE u.name = %s",
        (name,),
    )
    return None if found is None else found.reseller_id


async def page(
    pool: aiomysql.Pool, after: str, prefix: str, limit: int, *, reseller_id: int | None = None
) -> list[AccountRecord]:
    """Accounts in name order after `after`, whose names start with `prefix`: every account,
    or a reseller's."""
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where, args = "u.name > %s AND u.name LIKE %s", [after, like]
    if reseller_id is not None:
        where += " AND p.reseller_id = %s"
        args.append(str(reseller_id))
    return await fetch_all_packed(
        pool, AccountRecord, f"{_SELECT} WHERE {where} ORDER BY u.name LIMIT %s", [*args, limit]
    )


async def insert_pending(
    pool: aiomysql.Pool,
    name: str,
    password_hash: bytes,
    email: str | None,
    shell: str,
    plan: PlanRecord,
) -> int:
    """Records an account as pending (not yet on the system); returns its user id. On a
    reseller's plan, only while it fits in the reseller's totals (resellers.TotalsExceeded),
    checked under the reseller's lock in the same transaction: of two accounts racing for
    the last place, one is recorded."""
    try:
        async with transaction(pool) as cur:
            if plan.reseller_id is not None:
                await resellers.reserve_account(cur, plan.reseller_id, plan.id)
            await cur.execute(
                "INSERT INTO users (name, role, password_hash) VALUES (%s, 'owner', %s)",
                (name, password_hash),
            )
            user_id = int(cur.lastrowid)
            await cur.execute(
                "INSERT INTO accounts (user_id, email, shell, plan_id, status)"
                " VALUES (%s, %s, %s, %s, 'pending')",
                (user_id, email, shell, plan.id),
            )
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NameTaken(name) from exc
        raise
    return user_id


async def set_status(pool: aiomysql.Pool, user_id: int, status: Status) -> None:
    await execute(pool, "UPDATE accounts SET status = %s WHERE user_id = %s", (status, user_id))


async def set_suspended(
    pool: aiomysql.Pool, user_id: int, suspension: Suspension, *, with_reseller: bool = False
) -> None:
    """Marks the account suspended, recording who did it and why: on its own, or as part of
    its reseller's suspension (`with_reseller`: unsuspending the reseller lifts it). A
    suspension made on its own takes over one made with the reseller."""
    await execute(
        pool,
        "UPDATE accounts SET status = 'suspended', suspended_by = %s, suspended_by_user = %s,"
        " suspension_reason = %s, suspended_at = CURRENT_TIMESTAMP(6),"
        " suspended_with_reseller = %s WHERE user_id = %s",
        (suspension.by, suspension.user, suspension.reason, with_reseller, user_id),
    )


async def set_active(pool: aiomysql.Pool, user_id: int) -> None:
    """Lifts the suspension and forgets who made it."""
    await execute(
        pool,
        "UPDATE accounts SET status = 'active', suspended_by = NULL, suspended_by_user = NULL,"
        " suspension_reason = NULL, suspended_at = NULL, suspended_with_reseller = FALSE"
        " WHERE user_id = %s",
        (user_id,),
    )


async def of_reseller(
    pool: aiomysql.Pool, reseller_id: int, status: Status, *, with_reseller: bool | None = None
) -> list[AccountRecord]:
    """The accounts on a reseller's plans in `status`, in name order; with `with_reseller`,
    only those whose suspension was (True) or was not (False) made by the reseller's."""
    where, args = "p.reseller_id = %s AND a.status = %s", [str(reseller_id), status]
    if with_reseller is not None:
        where += " AND a.suspended_with_reseller = %s"
        args.append(str(int(with_reseller)))
    return await fetch_all_packed(
        pool, AccountRecord, f"{_SELECT} WHERE {where} ORDER BY u.name", args
    )


async def move(pool: aiomysql.Pool, user_id: int, plan: PlanRecord) -> None:
    """Puts the account on `plan`; on a reseller's plan only while it fits in the reseller's
    totals with it (its reservation on its old plan set aside), under the reseller's lock."""
    async with transaction(pool) as cur:
        if plan.reseller_id is not None:
            await resellers.reserve_account(cur, plan.reseller_id, plan.id, except_account=user_id)
        await cur.execute("UPDATE accounts SET plan_id = %s WHERE user_id = %s", (plan.id, user_id))


async def update(
    pool: aiomysql.Pool, user_id: int, *, email: str | None, shell: str, plan_id: int
) -> None:
    await execute(
        pool,
        "UPDATE accounts SET email = %s, shell = %s, plan_id = %s WHERE user_id = %s",
        (email, shell, plan_id, user_id),
    )


async def delete(pool: aiomysql.Pool, user_id: int) -> None:
    """Removes the account with its user; the foreign keys remove every row of the account
    (its refresh tokens, sites, zones, databases, cron jobs: migration 0010)."""
    await execute(pool, "DELETE FROM users WHERE id = %s AND role = 'owner'", (user_id,))


async def names_with_shell_on_plan(pool: aiomysql.Pool, plan_id: int) -> list[str]:
    """The accounts on a plan that exist on the system and have a login shell, in name order."""
    found = await fetch_all_as(
        pool,
        _Name,
        "SELECT u.name FROM users u JOIN accounts a ON a.user_id = u.id"
        " WHERE a.plan_id = %s AND a.status IN ('active', 'suspended')"
        " AND a.shell <> 'nologin' ORDER BY u.name",
        (plan_id,),
    )
    return [f.name for f in found]


@dataclass(frozen=True, slots=True)
class PlanWants:
    """What an account's plan, with its login shell, says the system gives it now."""

    name: str
    disk_quota_mb: int | None
    inode_quota: int | None
    ssh_shell: bool  # its login shell over SSH: the plan allows it and it has one
    php_open_basedir: bool


async def plan_wants(pool: aiomysql.Pool, names: Collection[str]) -> dict[str, PlanWants]:
    """What each named account on the system is to have as the records say now (one being
    made or deleted, or gone, is left out): read again after a change is sent, to settle the
    ones a racing change of the plan may have undone (services/quotas.py's settle, ssh's
    settle_shell)."""
    if not names:
        return {}
    marks = ", ".join(["%s"] * len(names))
    return {
        f.name: f
        for f in await fetch_all_as(
            pool,
            PlanWants,
            "SELECT u.name, p.disk_quota_mb, p.inode_quota,"
            " (p.ssh_shell AND a.shell <> 'nologin') AS ssh_shell, p.php_open_basedir"
            " FROM users u JOIN accounts a ON a.user_id = u.id JOIN plans p ON p.id = a.plan_id"
            f" WHERE a.status IN ('active', 'suspended') AND u.name IN ({marks})",
            list(names),
        )
    }


async def names_on_plan(pool: aiomysql.Pool, plan_id: int) -> list[str]:
    """The accounts on a plan that exist on the system (active or suspended), in name order."""
    found = await fetch_all_as(
        pool,
        _Name,
        "SELECT u.name FROM users u JOIN accounts a ON a.user_id = u.id"
        " WHERE a.plan_id = %s AND a.status IN ('active', 'suspended') ORDER BY u.name",
        (plan_id,),
    )
    return [f.name for f in found]
