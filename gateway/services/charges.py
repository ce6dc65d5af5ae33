"""One-off charges: an administrator adds a line to an account's next invoice, and removes it
while no invoice holds it (docs/invoices.md, One-off charges). The invoice run bills them
(services/invoices.py)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from gateway.context import Context
from gateway.problems import conflict, field_error, not_found
from gateway.store import charges as store
from gateway.store.accounts import AccountRecord
from gateway.store.charges import ChargeRecord
from gateway.store.tenants import Tenants


async def get(ctx: Context, public_id: str) -> ChargeRecord | None:
    return await store.get(ctx.db, public_id)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[ChargeRecord]:
    return await store.page(ctx.db, after=after, tenants=tenants, limit=limit)


async def create(
    ctx: Context, account: AccountRecord, description: str, amount: Decimal
) -> ChargeRecord:
    if amount <= 0:
        raise field_error("amount", "must be more than 0.00")
    public_id = secrets.token_hex(8)
    async with ctx.audited("charge.create", account.name, detail=f"{amount} {public_id}"):
        await store.insert(ctx.db, public_id, account.id, description, amount)
    found = await store.get(ctx.db, public_id)
    if found is None:  # the account was deleted meanwhile, and its charges with it
        raise not_found(f"Account '{account.name}'")
    return found


async def delete(ctx: Context, charge: ChargeRecord) -> None:
    async with ctx.audited("charge.delete", charge.account, detail=charge.public_id):
        if not await store.delete_pending(ctx.db, charge.id):
            raise conflict(
                "This charge is on an invoice already; void the invoice to cancel it (its"
                " credit note does), or add a charge of your own."
            )
