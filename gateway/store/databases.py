"""Hosted databases, their users and which user may use which database, as recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql
import pymysql

from gateway.db import execute, fetch_all_as, fetch_one_as, transaction
from gateway.store.plans import check_limit
from gateway.store.tenants import Tenants

Status = Literal["pending", "active", "deleting"]


@dataclass(frozen=True, slots=True)
class DatabaseRecord:
    id: int
    name: str
    account_id: int
    account: str
    status: Status
    created_at: datetime
    linked: str | None  # the users that may use it, in name order, space-separated

    @property
    def users(self) -> list[str]:
        return self.linked.split() if self.linked else []


@dataclass(frozen=True, slots=True)
class DatabaseUserRecord:
    id: int
    name: str
    account_id: int
    account: str
    status: Status
    created_at: datetime
    linked: str | None  # the databases it may use, in name order, space-separated

    @property
    def databases(self) -> list[str]:
        return self.linked.split() if self.linked else []


_DUPLICATE_KEY = 1062
# The two kinds of record share their shape; the table is chosen from this fixed map only.
TABLES = {"database": "hosted_databases", "user": "database_users"}


class NameTaken(Exception):
    pass


def _select(kind: str) -> str:
    other, column = (
        ("hosted_databases", "database_id") if kind == "user" else ("database_users", "user_id")
    )
    mine = "user_id" if kind == "user" else "database_id"
    return (
        f"SELECT r.id, r.name, r.account_id, u.name AS account, r.status, r.created_at,"
        f" (SELECT GROUP_CONCAT(o.name ORDER BY o.name SEPARATOR ' ') FROM database_grants g"
        f"   JOIN {other} o ON o.id = g.{column} WHERE g.{mine} = r.id) AS linked"
        f" FROM {TABLES[kind]} r JOIN users u ON u.id = r.account_id"
    )


async def get_database(pool: aiomysql.Pool, name: str) -> DatabaseRecord | None:
    return await fetch_one_as(
        pool, DatabaseRecord, _select("database") + " WHERE r.name = %s", (name,)
    )


async def get_user(pool: aiomysql.Pool, name: str) -> DatabaseUserRecord | None:
    return await fetch_one_as(
        pool, DatabaseUserRecord, _select("user") + " WHERE r.name = %s", (name,)
    )


async def databases_page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[DatabaseRecord]:
    sql, args = _page("database", after, tenants, limit)
    return await fetch_all_as(pool, DatabaseRecord, sql, args)


async def users_page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[DatabaseUserRecord]:
    sql, args = _page("user", after, tenants, limit)
    return await fetch_all_as(pool, DatabaseUserRecord, sql, args)


def _page(kind: str, after: str, tenants: Tenants, limit: int) -> tuple[str, list[object]]:
    where, args = "r.name > %s", [after]
    condition, more = tenants.where("r.account_id")
    where += condition
    args += more
    return f"{_select(kind)} WHERE {where} ORDER BY r.name LIMIT %s", [*args, limit]


async def insert_pending(pool: aiomysql.Pool, kind: str, account_id: int, name: str) -> int:
    """Records a database or user as pending; a database counts against max_databases."""
    try:
        async with transaction(pool) as cur:
            if kind == "database":
                await cur.execute(
                    "SELECT p.name, p.max_databases, (SELECT COUNT(*) FROM hosted_databases"
                    " WHERE account_id = a.user_id) AS used FROM accounts a"
                    " JOIN plans p ON p.id = a.plan_id WHERE a.user_id = %s FOR UPDATE",
                    (account_id,),
                )
                plan = await cur.fetchone()
                check_limit(plan, "max_databases", plan["used"] + 1)
            await cur.execute(
                f"INSERT INTO {TABLES[kind]} (name, account_id, status) VALUES (%s, %s, 'pending')",
                (name, account_id),
            )
            return int(cur.lastrowid)
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NameTaken(name) from exc
        raise


async def set_status(pool: aiomysql.Pool, kind: str, record_id: int, status: str) -> None:
    await execute(pool, f"UPDATE {TABLES[kind]} SET status = %s WHERE id = %s", (status, record_id))


async def delete(pool: aiomysql.Pool, kind: str, record_id: int) -> None:
    await execute(pool, f"DELETE FROM {TABLES[kind]} WHERE id = %s", (record_id,))


async def grant(pool: aiomysql.Pool, user_id: int, database_id: int) -> None:
    await execute(
        pool,
        "INSERT IGNORE INTO database_grants (user_id, database_id) VALUES (%s, %s)",
        (user_id, database_id),
    )


async def revoke(pool: aiomysql.Pool, user_id: int, database_id: int) -> None:
    await execute(
        pool,
        "DELETE FROM database_grants WHERE user_id = %s AND database_id = %s",
        (user_id, database_id),
    )
