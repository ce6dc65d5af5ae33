"""SSH keys and SSH access as recorded (migration 0014)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one, fetch_one_as, transaction
from gateway.store.tenants import Tenants

Status = Literal["pending", "active", "deleting"]


class KeyTaken(Exception):
    """The account has this key already."""


class TooManyKeys(Exception):
    """The account has as many keys as it may."""


@dataclass(frozen=True, slots=True)
class SshKeyRecord:
    id: int
    public_id: str
    account_id: int
    account: str
    fingerprint: str
    key_type: str
    bits: int
    comment: str
    public_key: str
    status: Status
    created_at: datetime


_SELECT = (
    "SELECT k.id, k.public_id, k.account_id, u.name AS account, k.fingerprint, k.key_type,"
    " k.bits, k.comment, k.public_key, k.status, k.created_at"
    " FROM ssh_keys k JOIN users u ON u.id = k.account_id"
)


async def get(pool: aiomysql.Pool, public_id: str) -> SshKeyRecord | None:
    return await fetch_one_as(pool, SshKeyRecord, _SELECT + " WHERE k.public_id = %s", (public_id,))


async def page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[SshKeyRecord]:
    where, args = "k.public_id > %s", [after]
    condition, more = tenants.where("k.account_id")
    where += condition
    args += more
    return await fetch_all_as(
        pool,
        SshKeyRecord,
        f"{_SELECT} WHERE {where} ORDER BY k.public_id LIMIT %s",
        [*args, limit],
    )


async def insert_pending(
    pool: aiomysql.Pool, account_id: int, public_id: str, key: NewKey, max_keys: int
) -> int:
    """Records the key as pending, under a lock on the account's row so that concurrent adds
    cannot pass the limit or add the same key twice."""
    async with transaction(pool) as cur:
        await cur.execute(
            "SELECT (SELECT COUNT(*) FROM ssh_keys WHERE account_id = a.user_id) AS used,"
            " (SELECT COUNT(*) FROM ssh_keys WHERE account_id = a.user_id AND fingerprint = %s)"
            " AS same FROM accounts a WHERE a.user_id = %s FOR UPDATE",
            (key.fingerprint, account_id),
        )
        counts = await cur.fetchone()
        if counts["same"]:
            raise KeyTaken(key.fingerprint)
        if counts["used"] >= max_keys:
            raise TooManyKeys(max_keys)
        await cur.execute(
            "INSERT INTO ssh_keys (public_id, account_id, fingerprint, key_type, bits, comment,"
            " public_key, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'pending')",
            (
                public_id,
                account_id,
                key.fingerprint,
                key.key_type,
                key.bits,
                key.comment,
                key.public_key,
            ),
        )
        return int(cur.lastrowid)


@dataclass(frozen=True, slots=True)
class NewKey:
    fingerprint: str
    key_type: str
    bits: int
    comment: str
    public_key: str


async def set_status(pool: aiomysql.Pool, key_id: int, status: Status) -> None:
    await execute(pool, "UPDATE ssh_keys SET status = %s WHERE id = %s", (status, key_id))


async def delete(pool: aiomysql.Pool, key_id: int) -> None:
    await execute(pool, "DELETE FROM ssh_keys WHERE id = %s", (key_id,))


async def access(pool: aiomysql.Pool, account_id: int) -> bool:
    """Whether the account's owner may sign in (no row: yes)."""
    row = await fetch_one(
        pool, "SELECT enabled FROM ssh_access WHERE account_id = %s", (account_id,)
    )
    return True if row is None else bool(row["enabled"])


async def set_access(pool: aiomysql.Pool, account_id: int, enabled: bool) -> None:
    await execute(
        pool,
        "INSERT INTO ssh_access (account_id, enabled) VALUES (%s, %s)"
        " ON DUPLICATE KEY UPDATE enabled = VALUES(enabled)",
        (account_id, enabled),
    )
