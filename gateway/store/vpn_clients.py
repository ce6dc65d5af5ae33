"""VPN clients as recorded: whose they are, their name, and where their making stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql
import pymysql

from gateway.db import execute, fetch_all_as, fetch_one_as, transaction
from gateway.store.plans import check_limit
from gateway.store.tenants import Tenants

Status = Literal["pending", "active", "revoking"]
_DUPLICATE_KEY = 1062


@dataclass(frozen=True, slots=True)
class VpnClientRecord:
    id: int
    public_id: str  # the id the API uses
    user_id: int
    owner: str  # the user's name: an account's, or an administrator's
    name: str
    status: Status
    created_at: datetime


class NameTaken(Exception):
    pass


_SELECT = (
    "SELECT v.id, v.public_id, v.user_id, u.name AS owner, v.name, v.status, v.created_at"
    " FROM vpn_clients v JOIN users u ON u.id = v.user_id"
)


async def get(pool: aiomysql.Pool, public_id: str) -> VpnClientRecord | None:
    return await fetch_one_as(
        pool, VpnClientRecord, _SELECT + " WHERE v.public_id = %s", (public_id,)
    )


async def page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[VpnClientRecord]:
    where, args = "v.public_id > %s", [after]
    condition, more = tenants.where("v.user_id")
    where += condition
    args += more
    return await fetch_all_as(
        pool,
        VpnClientRecord,
        f"{_SELECT} WHERE {where} ORDER BY v.public_id LIMIT %s",
        [*args, limit],
    )


async def insert_pending(
    pool: aiomysql.Pool, user_id: int, public_id: str, name: str, *, on_plan: bool
) -> int:
    """Records a client; for an account (`on_plan`) within its plan's max_vpn_clients, read
    under a lock on the account's row so that concurrent creates cannot pass it."""
    async with transaction(pool) as cur:
        if on_plan:
            await cur.execute(
                "SELECT p.name, p.max_vpn_clients, (SELECT COUNT(*) FROM vpn_clients"
                " WHERE user_id = a.user_id) AS used FROM accounts a"
                " JOIN plans p ON p.id = a.plan_id WHERE a.user_id = %s FOR UPDATE",
                (user_id,),
            )
            plan = await cur.fetchone()
            check_limit(plan, "max_vpn_clients", plan["used"] + 1)
        try:
            await cur.execute(
                "INSERT INTO vpn_clients (public_id, user_id, name, status)"
                " VALUES (%s, %s, %s, 'pending')",
                (public_id, user_id, name),
            )
        except pymysql.err.IntegrityError as exc:
            if exc.args[0] == _DUPLICATE_KEY:
                raise NameTaken(name) from exc
            raise
        return int(cur.lastrowid)


async def set_status(pool: aiomysql.Pool, client_id: int, status: Status) -> None:
    await execute(pool, "UPDATE vpn_clients SET status = %s WHERE id = %s", (status, client_id))


async def delete(pool: aiomysql.Pool, client_id: int) -> None:
    await execute(pool, "DELETE FROM vpn_clients WHERE id = %s", (client_id,))
