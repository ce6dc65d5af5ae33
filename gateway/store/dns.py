"""DNS zones and records as recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiomysql
import pymysql

from gateway.db import Row, execute, fetch_all, fetch_all_as, fetch_one_as, transaction
from gateway.store import names
from gateway.store.tenants import Tenants

ZoneStatus = Literal["pending", "active", "deleting"]


@dataclass(frozen=True, slots=True)
class ZoneRecord:
    id: int
    name: str
    account_id: int
    account: str
    status: ZoneStatus
    created_at: datetime
    records: int  # how many records it holds


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """One DNS record of a zone as recorded: the fields of its type are `data`, a JSON object
    (gateway/record_types.py gives it its type)."""

    id: int
    public_id: str  # the id the API and the agent use
    zone_id: int
    name: str
    type: str
    ttl: int
    data: str
    created_at: datetime

    @property
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = json.loads(self.data)
        return values


_ZONE = (
    "SELECT z.id, z.name, z.account_id, u.name AS account, z.status, z.created_at,"
    " (SELECT COUNT(*) FROM dns_records r WHERE r.zone_id = z.id) AS records"
    " FROM dns_zones z JOIN users u ON u.id = z.account_id"
)
_RECORD = "SELECT id, public_id, zone_id, name, type, ttl, data, created_at FROM dns_records"
_DUPLICATE_KEY = 1062


class NameTaken(Exception):
    pass


class NotADomain(Exception):
    """The zone's name is not a domain or alias of the account's websites."""


async def get_zone(pool: aiomysql.Pool, name: str) -> ZoneRecord | None:
    return await fetch_one_as(pool, ZoneRecord, _ZONE + " WHERE z.name = %s", (name,))


async def zones_page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[ZoneRecord]:
    where, args = "z.name > %s", [after]
    condition, more = tenants.where("z.account_id")
    where += condition
    args += more
    return await fetch_all_as(
        pool, ZoneRecord, f"{_ZONE} WHERE {where} ORDER BY z.name LIMIT %s", [*args, limit]
    )


async def account_zones(pool: aiomysql.Pool, account_id: int) -> list[ZoneRecord]:
    return await fetch_all_as(
        pool, ZoneRecord, _ZONE + " WHERE z.account_id = %s ORDER BY z.name", (account_id,)
    )


async def zones_of(pool: aiomysql.Pool, account_id: int) -> list[Row]:
    """For the account cascade still in reconcile/accounts.py (rows: id, name); it goes when
    the agent cascades an account's zones (issue 15)."""
    return await fetch_all(
        pool, "SELECT id, name FROM dns_zones WHERE account_id = %s", (account_id,)
    )


async def insert_zone(pool: aiomysql.Pool, name: str, account_id: int) -> int:
    """Records a zone as pending. Raises NotADomain unless the account's websites serve the
    name (a domain or alias not being deleted), names.NameHeld when another account holds a name
    above or below it, NameTaken when the zone exists."""
    try:
        async with transaction(pool) as cur:
            await names.lock(cur)
            await cur.execute(
                "SELECT 1 FROM host_names h JOIN domains d ON d.id = h.domain_id"
                " WHERE h.name = %s AND d.account_id = %s AND d.status <> 'deleting'"
                " LOCK IN SHARE MODE",
                (name, account_id),
            )
            if await cur.fetchone() is None:
                raise NotADomain(name)
            await names.check_free(cur, [name], account_id)
            await cur.execute(
                "INSERT INTO dns_zones (name, account_id, status) VALUES (%s, %s, 'pending')",
                (name, account_id),
            )
            return int(cur.lastrowid)
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NameTaken(name) from exc
        raise


async def set_zone_status(pool: aiomysql.Pool, zone_id: int, status: ZoneStatus) -> None:
    await execute(pool, "UPDATE dns_zones SET status = %s WHERE id = %s", (status, zone_id))


async def delete_zone(pool: aiomysql.Pool, zone_id: int) -> None:
    await execute(pool, "DELETE FROM dns_zones WHERE id = %s", (zone_id,))


async def get_record(pool: aiomysql.Pool, zone_id: int, public_id: str) -> ResourceRecord | None:
    return await fetch_one_as(
        pool,
        ResourceRecord,
        _RECORD + " WHERE zone_id = %s AND public_id = %s",
        (zone_id, public_id),
    )


async def records_page(
    pool: aiomysql.Pool, zone_id: int, after: str, limit: int
) -> list[ResourceRecord]:
    return await fetch_all_as(
        pool,
        ResourceRecord,
        _RECORD + " WHERE zone_id = %s AND public_id > %s ORDER BY public_id LIMIT %s",
        (zone_id, after, limit),
    )


async def insert_record(
    pool: aiomysql.Pool,
    zone_id: int,
    public_id: str,
    name: str,
    kind: str,
    ttl: int,
    data: dict[str, Any],
) -> int:
    return await execute(
        pool,
        "INSERT INTO dns_records (public_id, zone_id, name, type, ttl, data)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (public_id, zone_id, name, kind, ttl, json.dumps(data)),
    )


async def update_record(
    pool: aiomysql.Pool, record_id: int, name: str, kind: str, ttl: int, data: dict[str, Any]
) -> None:
    await execute(
        pool,
        "UPDATE dns_records SET name = %s, type = %s, ttl = %s, data = %s WHERE id = %s",
        (name, kind, ttl, json.dumps(data), record_id),
    )


async def delete_record(pool: aiomysql.Pool, record_id: int) -> None:
    await execute(pool, "DELETE FROM dns_records WHERE id = %s", (record_id,))


async def replace_records(
    pool: aiomysql.Pool, zone_id: int, records: list[tuple[str, str, str, int, dict[str, Any]]]
) -> None:
    """The zone's records become exactly these (public id, name, type, ttl, data), in one
    transaction, and the zone is active: a whole-account restore served them so."""
    async with transaction(pool) as cur:
        await cur.execute("DELETE FROM dns_records WHERE zone_id = %s", (zone_id,))
        for public_id, name, kind, ttl, data in records:
            await cur.execute(
                "INSERT INTO dns_records (public_id, zone_id, name, type, ttl, data)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (public_id, zone_id, name, kind, ttl, json.dumps(data)),
            )
        await cur.execute("UPDATE dns_zones SET status = 'active' WHERE id = %s", (zone_id,))
