"""An account's PHP-FPM pool limits (table php_pools; no row: the defaults). Whether its
scripts are kept to its home is its plan's (plans.php_open_basedir)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one_as

ProcessManager = Literal["ondemand", "dynamic", "static"]


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
class PoolState:
    """What an account's pools are to be: its limits (None: the defaults) and whether its
    plan keeps its PHP in its home."""

    record: PhpPoolRecord | None
    open_basedir: bool


@dataclass(frozen=True, slots=True)
class _AccountPool:
    name: str
    pm: ProcessManager | None
    max_children: int | None
    php_open_basedir: bool


_STATES: Final = (
    "SELECT u.name, p.pm, p.max_children, pl.php_open_basedir"
    " FROM users u JOIN accounts a ON a.user_id = u.id JOIN plans pl ON pl.id = a.plan_id"
    " LEFT JOIN php_pools p ON p.account_id = a.user_id"
    " WHERE a.status IN ('active', 'suspended') AND "
)


async def on_plan(pool: aiomysql.Pool, plan_id: int) -> dict[str, PoolState]:
    """The pools of each account on the plan that exists on the system (active or
    suspended), by name, in the order the accounts were made. That is, as a rule, the order of
    their uids, which share the accounts out among PHP-FPM masters (256 uids each), so the
    calls a plan's change sends together reach few masters."""
    sql = _STATES + "a.plan_id = %s ORDER BY u.id"
    found = await fetch_all_as(pool, _AccountPool, sql, (plan_id,))
    return {f.name: _state(f) for f in found}


async def state_of(pool: aiomysql.Pool, name: str) -> PoolState | None:
    """The account's pools as its records say now; None when it is not on the system (being
    made or deleted, or gone)."""
    found = await fetch_one_as(pool, _AccountPool, _STATES + "u.name = %s", (name,))
    return None if found is None else _state(found)


def _state(found: _AccountPool) -> PoolState:
    return PoolState(record_of(found.pm, found.max_children), found.php_open_basedir)


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


async def static(
    pool: aiomysql.Pool, *, plan_id: int | None = None, account_id: int | None = None
) -> list[str]:
    """The accounts on the plan, or the one account, whose pools are static: at most five
    names, for a message (a plan that stops granting static pools must not have any)."""
    where, arg = ("a.plan_id", plan_id) if plan_id is not None else ("a.user_id", account_id)
    found = await fetch_all_as(
        pool,
        _Name,
        "SELECT u.name FROM php_pools p JOIN accounts a ON a.user_id = p.account_id"
        f" JOIN users u ON u.id = a.user_id WHERE p.pm = 'static' AND {where} = %s"
        " ORDER BY u.name LIMIT 5",
        (arg,),
    )
    return [f.name for f in found]


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
