"""Invoices: the run that makes each account's draft at a period's start, issuing (numbers
given without gaps), payment and voiding by administrators, billing settings and plan prices
(docs/invoices.md). No payment is processed: a billing system drives these through the API."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from gateway import invoicing
from gateway.context import Context
from gateway.invoice_documents import Customer
from gateway.problems import conflict, field_error, not_found
from gateway.store import charges as charges_store
from gateway.store import invoices as store
from gateway.store.accounts import AccountRecord
from gateway.store.charges import ChargeRecord
from gateway.store.invoices import (
    AccountBilling,
    AccountBillingRecord,
    BillingSettingsRecord,
    HistoryRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    NewInvoice,
    PlanBillingRecord,
    Status,
)
from gateway.store.tenants import Tenants

logger = logging.getLogger(__name__)
# After a failed run (MariaDB away), the next try.
RETRY_SECONDS = 300.0

VISIBLE_TO_OWNERS: tuple[Status, ...] = ("issued", "paid", "void")
ALL: tuple[Status, ...] = ("draft", "issued", "paid", "void")


async def run(ctx: Context, at: datetime | None = None) -> int:
    """Makes the drafts of the periods that ended at `at` (a month's start; default: this
    month's); idempotent (an account's invoice of a run is made once). Returns how many were
    made."""
    today = invoicing.current_boundary(datetime.now(UTC))
    boundary = today if at is None else at
    if boundary != invoicing.current_boundary(boundary) or boundary > today:
        raise field_error("period_end", "must be the first day of a month, not in the future")
    async with ctx.audited("invoice.run", f"{boundary:%Y-%m-%d}"):
        settings = await store.settings(ctx.db)
        spans: dict[int, list[HistoryRecord]] = defaultdict(list)
        for record in await store.history(ctx.db, boundary):
            spans[record.account_id].append(record)
        charges = await charges_store.pending(ctx.db, boundary)
        made = 0
        for account_id, records in spans.items():
            made += await _draft(ctx, records, charges.get(account_id, []), boundary, settings)
    return made


# A charge removed while the run bills it makes the run read the account's charges again.
_CHARGE_TRIES = 3


async def _draft(
    ctx: Context,
    records: Sequence[HistoryRecord],
    charges: Sequence[ChargeRecord],
    boundary: datetime,
    settings: BillingSettingsRecord,
) -> int:
    """Makes the account's draft of the run, if it owes anything; 1 when made."""
    for _ in range(_CHARGE_TRIES):
        invoice = _invoice(records, charges, boundary, settings)
        if invoice is None:
            return 0
        try:
            return int(await store.insert_draft(ctx.db, secrets.token_hex(8), invoice))
        except store.ChargesChanged:
            pending = await charges_store.pending(ctx.db, boundary, records[0].account_id)
            charges = pending.get(records[0].account_id, [])
    raise conflict(
        f"The charges of {records[0].account_name} kept changing while the run billed them;"
        " run it again."
    )


async def invoice_runs(ctx: Context) -> None:
    """Runs at start (a month start the gateway was down for is caught up) and then at each
    month's start, for ever: the gateway's background task."""
    while True:
        try:
            made = await run(ctx)
        except Exception:
            logger.exception("the invoice run failed; trying again in %g s", RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)
            continue
        if made:
            logger.info("invoice run: %d drafts made", made)
        now = datetime.now(UTC)
        await asyncio.sleep((invoicing.next_boundary(now) - now).total_seconds() + 1)


def _invoice(
    records: Sequence[HistoryRecord],
    charges: Sequence[ChargeRecord],
    boundary: datetime,
    settings: BillingSettingsRecord,
) -> NewInvoice | None:
    """The account's plan stretches in the periods that end at `boundary`, then its pending
    charges, as a draft; None when it owes nothing."""
    spans = [invoicing.PlanSpan(r.since, r.plan, r.price, r.billing_period) for r in records]
    found: list[invoicing.Line] = []
    starts: list[datetime] = []
    for period in invoicing.periods_ending(boundary):
        start, end = invoicing.window(period, boundary)
        starts.append(start)
        found += invoicing.lines(spans, period, start, end)
    # No tax under the reverse charge; else the account's own rate when it has one (a customer
    # abroad), else the panel's; each as it is when the run happens, as the plan's price.
    reverse_charge = records[0].reverse_charge
    own = records[0].tax_rate
    tax_rate = Decimal("0.00") if reverse_charge else own if own is not None else settings.tax_rate
    totals = invoicing.totals([*found, *charges], tax_rate)
    if not (found or charges) or totals.gross == 0:
        return None
    plan_lines = [
        InvoiceLineRecord(index, line.plan, line.start, line.end, line.price, line.amount)
        for index, line in enumerate(found, start=1)
    ]
    charge_lines = [
        InvoiceLineRecord(index, None, None, None, c.amount, c.amount, c.description)
        for index, c in enumerate(charges, start=len(found) + 1)
    ]
    return NewInvoice(
        account_id=records[0].account_id,
        account_name=records[0].account_name,
        billed_at=boundary,
        period_start=min(starts),
        currency=settings.currency,
        tax_rate=tax_rate,
        reverse_charge=reverse_charge,
        net=totals.net,
        tax=totals.tax,
        gross=totals.gross,
        lines=[*plan_lines, *charge_lines],
        charges=[c.id for c in charges],
    )


async def get(ctx: Context, public_id: str) -> InvoiceRecord | None:
    invoice = await store.get(ctx.db, public_id)
    if invoice is None or (invoice.status == "draft" and not ctx.me.is_admin):
        return None  # an owner never sees a draft: it may still change or go
    return invoice


async def lines(ctx: Context, invoice: InvoiceRecord) -> list[InvoiceLineRecord]:
    return await store.lines(ctx.db, invoice.id)


async def customer(ctx: Context, invoice: InvoiceRecord) -> Customer:
    """What the invoice prints of its customer: a draft the account's details as they are, an
    issued invoice those it was issued with (none, for one issued before the panel kept them)."""
    if invoice.status == "draft" and invoice.account_id is not None:
        billing = await store.account_billing(ctx.db, invoice.account_id)
        return Customer(billing.customer_lines, billing.vat_number)
    return Customer(store.seller_lines(invoice.customer or ""), invoice.vat_number)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[InvoiceRecord]:
    statuses = ALL if ctx.me.is_admin else VISIBLE_TO_OWNERS
    return await store.page(ctx.db, after=after, tenants=tenants, statuses=statuses, limit=limit)


async def issue(ctx: Context, invoice: InvoiceRecord) -> InvoiceRecord:
    async with ctx.audited("invoice.issue", invoice.public_id):
        outcome = await store.issue(ctx.db, invoice.id, datetime.now(UTC))
        if outcome == "not_a_draft":
            raise conflict("Only a draft can be issued.")
        if outcome == "no_vat_number":
            raise conflict(
                "This invoice was made under the reverse charge, which it must print with the"
                " customer's VAT number: set the account's VAT number"
                f" (PUT /api/v1/accounts/{invoice.account_name}/billing), then issue it."
            )
    return await _read(ctx, invoice.public_id)


async def settle(
    ctx: Context, invoice: InvoiceRecord, status: Literal["paid", "void"]
) -> InvoiceRecord:
    """Paid or void: an issued invoice keeps its number either way (a void one too); voiding
    gives it a credit note with a number of its own (docs/invoices.md)."""
    async with ctx.audited(f"invoice.{'pay' if status == 'paid' else 'void'}", invoice.public_id):
        if not await store.settle(ctx.db, invoice.id, status, datetime.now(UTC)):
            raise conflict("Only an issued invoice can be marked paid or void.")
    return await _read(ctx, invoice.public_id)


async def issued_between(ctx: Context, start: datetime, end: datetime) -> list[InvoiceRecord]:
    return await store.issued_between(ctx.db, start, end)


async def credited_between(ctx: Context, start: datetime, end: datetime) -> list[InvoiceRecord]:
    """Invoices whose credit note was issued in [start, end): the export's credit notes."""
    return await store.credited_between(ctx.db, start, end)


async def settings(ctx: Context) -> BillingSettingsRecord:
    return await store.settings(ctx.db)


async def set_settings(
    ctx: Context, currency: str, tax_rate: Decimal, seller: str
) -> BillingSettingsRecord:
    async with ctx.audited("billing.settings", currency, detail=f"tax {tax_rate}%"):
        await store.set_settings(ctx.db, currency, tax_rate, seller)
    return await store.settings(ctx.db)


async def account_billing(ctx: Context, account: AccountRecord) -> AccountBillingRecord:
    return await store.account_billing(ctx.db, account.id)


async def set_account_billing(
    ctx: Context, account: AccountRecord, billing: AccountBilling
) -> AccountBillingRecord:
    """The account's billing details: its tax rate and reverse charge for invoices made from
    now on, its name, address and VAT number for invoices issued from now on."""
    if billing.reverse_charge and billing.vat_number is None:
        raise field_error("vat_number", "a reverse charge needs the customer's VAT number")
    if billing.reverse_charge and billing.tax_rate not in (None, Decimal(0)):
        raise field_error("tax_rate", "a reverse charge bills no tax: leave it null or 0.00")
    rate = "the panel's rate" if billing.tax_rate is None else f"tax {billing.tax_rate}%"
    detail = "reverse charge" if billing.reverse_charge else rate
    async with ctx.audited("account.billing", account.name, detail=detail):
        await store.set_account_billing(ctx.db, account.id, billing)
    return await store.account_billing(ctx.db, account.id)


async def plan_billing(ctx: Context, name: str) -> PlanBillingRecord | None:
    return await store.plan_billing(ctx.db, name)


async def set_plan_billing(
    ctx: Context, name: str, price: Decimal | None, period: store.Period
) -> PlanBillingRecord:
    async with ctx.audited("plan.billing", name, detail=f"{price} per {period}"):
        await store.set_plan_billing(ctx.db, name, price, period)
    found = await store.plan_billing(ctx.db, name)
    if found is None:
        raise not_found(f"Plan '{name}'")
    return found


async def _read(ctx: Context, public_id: str) -> InvoiceRecord:
    invoice = await store.get(ctx.db, public_id)
    if invoice is None:
        raise not_found(f"Invoice '{public_id}'")
    return invoice
