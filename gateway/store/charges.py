"""One-off charges: lines an administrator adds to an account's next invoice, as recorded
(docs/invoices.md, One-off charges)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one_as, naive_utc
from gateway.store.tenants import Tenants


@dataclass(frozen=True, slots=True)
class ChargeRecord:
    id: int
    public_id: str
    account_id: int
    account: str
    description: str
    amount: Decimal
    created_at: datetime
    invoice: str | None  # the invoice it was billed on (its public id); None: pending


_SELECT: Final = (
    "SELECT c.id, c.public_id, c.account_id, u.name AS account, c.description, c.amount,"
    " c.created_at, i.public_id AS invoice FROM invoice_charges c"
    " JOIN users u ON u.id = c.account_id LEFT JOIN invoices i ON i.id = c.invoice_id"
)


async def get(pool: aiomysql.Pool, public_id: str) -> ChargeRecord | None:
    return await fetch_one_as(pool, ChargeRecord, _SELECT + " WHERE c.public_id = %s", (public_id,))


async def page(
    pool: aiomysql.Pool, *, after: str, tenants: Tenants, limit: int
) -> list[ChargeRecord]:
    where, args = "c.public_id > %s", [after]
    condition, more = tenants.where("c.account_id")
    return await fetch_all_as(
        pool,
        ChargeRecord,
        f"{_SELECT} WHERE {where}{condition} ORDER BY c.public_id LIMIT %s",
        [*args, *more, limit],
    )


async def insert(
    pool: aiomysql.Pool, public_id: str, account_id: int, description: str, amount: Decimal
) -> None:
    await execute(
        pool,
        "INSERT INTO invoice_charges (public_id, account_id, description, amount)"
        " VALUES (%s, %s, %s, %s)",
        (public_id, account_id, description, amount),
    )


async def delete_pending(pool: aiomysql.Pool, charge_id: int) -> bool:
    """Removes a charge no invoice holds yet; False when one does (or it is gone). A run that
    is billing it holds its row locked until the draft is recorded, so the two never cross."""
    sql = "DELETE FROM invoice_charges WHERE id = %s AND invoice_id IS NULL"
    return bool(await execute(pool, sql, (charge_id,)))


async def pending(
    pool: aiomysql.Pool, before: datetime, account_id: int | None = None
) -> dict[int, list[ChargeRecord]]:
    """Every account's (or the one's) charges that no invoice holds and that were added before
    `before` (a run's boundary), by account id, oldest first: what a run bills."""
    where = "c.invoice_id IS NULL AND c.created_at < %s"
    args: list[object] = [naive_utc(before)]
    if account_id is not None:
        where += " AND c.account_id = %s"
        args.append(account_id)
    found = await fetch_all_as(
        pool,
        ChargeRecord,
        f"{_SELECT} WHERE {where} ORDER BY c.account_id, c.created_at, c.id",
        args,
    )
    by_account: dict[int, list[ChargeRecord]] = defaultdict(list)
    for charge in found:
        by_account[charge.account_id].append(charge)
    return by_account
