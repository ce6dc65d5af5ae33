"""An account's PHP-FPM pool limits (table php_pools; no row: the defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_one_as

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
