"""An account's PHP-FPM pool limits (table php_pools; no row: the defaults). Whether its
scripts are kept to its home is its plan's (plans.php_open_basedir)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one_as

ProcessManager = Literal["ondemand", "dynamic"]


@dataclass(frozen=True, slots=True)
class PhpPoolRecord:
    pm: ProcessManager
    max_children: int


async def get(pool: aiomysql.Pool, account_id: int) -> PhpPoolRecord | None:
    return await fetch_one_as(
        pool,
        PhpPoolRecord,
        "SELECT pm, max_children FROM php_pools WHERE account_id = %s",
        (account_id,),
    )


@dataclass(frozen=True, slots=True)
class _AccountPool:
    name: str
    pm: ProcessManager | None
    max_children: int | None


async def on_plan(pool: aiomysql.Pool, plan_id: int) -> dict[str, PhpPoolRecord | None]:
    """The pool limits of each account on the plan that exists on the system (active or
    suspended), by name, in the order the accounts were made (None: the defaults). That is, as
    a rule, the order of their uids, which share the accounts out among PHP-FPM masters (256
    uids each), so the calls a plan's change sends together reach few masters."""
    found = await fetch_all_as(
        pool,
        _AccountPool,
        "SELECT u.name, p.pm, p.max_children FROM users u JOIN accounts a ON a.user_id = u.id"
        " LEFT JOIN php_pools p ON p.account_id = a.user_id"
        " WHERE a.plan_id = %s AND a.status IN ('active', 'suspended') ORDER BY u.id",
        (plan_id,),
    )
    return {f.name: record_of(f.pm, f.max_children) for f in found}


def record_of(pm: ProcessManager | None, max_children: int | None) -> PhpPoolRecord | None:
    """A php_pools row read through a LEFT JOIN (None: no row, the defaults)."""
    if pm is None or max_children is None:
        return None
    return PhpPoolRecord(pm, max_children)


async def put(pool: aiomysql.Pool, account_id: int, record: PhpPoolRecord | None) -> None:
    """Records the limits (None: back to the defaults)."""
    if record is None:
        await execute(pool, "DELETE FROM php_pools WHERE account_id = %s", (account_id,))
        return
    await execute(
        pool,
        "INSERT INTO php_pools (account_id, pm, max_children) VALUES (%s, %s, %s)"
        " ON DUPLICATE KEY UPDATE pm = VALUES(pm), max_children = VALUES(max_children)",
        (account_id, record.pm, record.max_children),
    )
