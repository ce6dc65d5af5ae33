"""Invoices, their lines, their numbers, the plans' prices and history, and the billing
settings, as recorded (docs/invoices.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one_as, naive_utc, transaction
from gateway.store.tenants import Tenants

Status = Literal["draft", "issued", "paid", "void"]
Period = Literal["month", "year"]


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    id: int
    public_id: str
    number: str | None  # given when issued
    account_id: int | None  # None once the account is deleted
    account_name: str
    billed_at: datetime
    period_start: datetime
    currency: str
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    status: Status
    created_at: datetime
    issued_at: datetime | None
    settled_at: datetime | None
    credit_number: str | None  # the credit note that cancelled it (a voided issued invoice)
    credited_at: datetime | None
    seller: str | None  # the seller's lines when it was issued (None: a draft, or older)
    reverse_charge: bool  # made under the reverse charge: no tax, the customer accounts for it
    customer: str | None  # the customer's lines when it was issued (None: a draft, or older)
    vat_number: str | None  # the customer's VAT number when it was issued


@dataclass(frozen=True, slots=True)
class InvoiceLineRecord:
    """A stretch of a plan (plan, starts_at, ends_at; price: the plan's for a whole period) or
    a one-off charge (description; price: its amount)."""

    position: int
    plan: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    price: Decimal
    amount: Decimal
    description: str | None = None


@dataclass(frozen=True, slots=True)
class BillingSettingsRecord:
    currency: str
    tax_rate: Decimal
    seller: str  # its lines joined with LF, the one line break a line cannot hold

    @property
    def seller_lines(self) -> list[str]:
        return seller_lines(self.seller)


def seller_lines(seller: str) -> list[str]:
    # Split on LF alone: str.splitlines() also splits on NEL, U+2028 and others that a line
    # may hold, and would answer more lines than were given (past the 8 allowed).
    return seller.split("\n") if seller else []


@dataclass(frozen=True, slots=True)
class PlanBillingRecord:
    name: str
    price: Decimal | None
    billing_period: Period


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """A stretch of an account's plan history, with the plan's current price."""

    account_id: int
    account_name: str
    since: datetime
    plan: str
    price: Decimal | None
    billing_period: Period
    tax_rate: Decimal | None  # the account's own (account_billing); None: the panel's
    reverse_charge: bool  # the account's invoices fall under the reverse charge


@dataclass(frozen=True, slots=True)
class AccountBilling:
    """An account's billing details, as set (account_billing)."""

    tax_rate: Decimal | None  # None: the panel's rate
    customer: str  # the customer's name and address: lines joined with LF, as the seller's
    vat_number: str | None
    reverse_charge: bool  # no tax; invoices say the customer accounts for it

    @property
    def customer_lines(self) -> list[str]:
        return seller_lines(self.customer)


@dataclass(frozen=True, slots=True)
class AccountBillingRecord(AccountBilling):
    account: str


@dataclass(frozen=True, slots=True)
class NewInvoice:
    account_id: int
    account_name: str
    billed_at: datetime
    period_start: datetime
    currency: str
    tax_rate: Decimal
    reverse_charge: bool
    net: Decimal
    tax: Decimal
    gross: Decimal
    lines: Sequence[InvoiceLineRecord]
    charges: Sequence[int] = ()  # the ids of the pending charges its lines bill


class ChargesChanged(Exception):
    """A charge the draft was to bill was removed (or billed) meanwhile: nothing recorded."""


_SELECT = (
    "SELECT id, public_id, number, account_id, account_name, billed_at, period_start, currency,"
    " tax_rate, net, tax, gross, status, created_at, issued_at, settled_at, credit_number,"
    " credited_at, invoices.seller, reverse_charge, customer, vat_number"
    " FROM invoices LEFT JOIN credit_notes ON credit_notes.invoice_id = invoices.id"
)


async def get(pool: aiomysql.Pool, public_id: str) -> InvoiceRecord | None:
    return await fetch_one_as(pool, InvoiceRecord, _SELECT + " WHERE public_id = %s", (public_id,))


async def lines(pool: aiomysql.Pool, invoice_id: int) -> list[InvoiceLineRecord]:
    return await fetch_all_as(
        pool,
        InvoiceLineRecord,
        "SELECT position, plan, starts_at, ends_at, price, amount, description FROM invoice_lines"
        " WHERE invoice_id = %s ORDER BY position",
        (invoice_id,),
    )


async def page(
    pool: aiomysql.Pool,
    *,
    after: str,
    tenants: Tenants,
    statuses: Sequence[Status],
    limit: int,
) -> list[InvoiceRecord]:
    where = "public_id > %s AND status IN (" + ", ".join(["%s"] * len(statuses)) + ")"
    args: list[object] = [after, *statuses]
    condition, more = tenants.where("account_id")
    where += condition
    args += more
    return await fetch_all_as(
        pool, InvoiceRecord, f"{_SELECT} WHERE {where} ORDER BY public_id LIMIT %s", [*args, limit]
    )


async def issued_between(
    pool: aiomysql.Pool, start: datetime, end: datetime
) -> list[InvoiceRecord]:
    """Numbered invoices issued in [start, end), in number order: the accounting export."""
    return await fetch_all_as(
        pool,
        InvoiceRecord,
        f"{_SELECT} WHERE number IS NOT NULL AND issued_at >= %s AND issued_at < %s"
        " ORDER BY issued_at, number",
        (naive_utc(start), naive_utc(end)),
    )


async def history(pool: aiomysql.Pool, until: datetime) -> list[HistoryRecord]:
    """Every account's plan history up to `until`, oldest first (one query for a whole run)."""
    return await fetch_all_as(
        pool,
        HistoryRecord,
        "SELECT h.account_id, u.name AS account_name, h.since, p.name AS plan, p.price,"
        " p.billing_period, b.tax_rate, COALESCE(b.reverse_charge, FALSE) AS reverse_charge"
        " FROM account_plan_history h"
        " JOIN plans p ON p.id = h.plan_id JOIN users u ON u.id = h.account_id"
        " LEFT JOIN account_billing b ON b.account_id = h.account_id"
        " WHERE h.since < %s ORDER BY h.account_id, h.since, h.id",
        (naive_utc(until),),
    )


async def insert_draft(pool: aiomysql.Pool, public_id: str, invoice: NewInvoice) -> bool:
    """Records a draft with its lines, and its charges as billed on it; False when the account
    has one for this run already. ChargesChanged (nothing recorded) when one of its charges is
    no longer pending: the run reads them again."""
    async with transaction(pool) as cur:
        await cur.execute(
            # A second run for the same account and boundary changes nothing (0 rows).
            "INSERT INTO invoices (public_id, account_id, account_name, billed_at,"
            " period_start, currency, tax_rate, reverse_charge, net, tax, gross, status)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'draft')"
            " ON DUPLICATE KEY UPDATE id = id",
            (
                public_id,
                invoice.account_id,
                invoice.account_name,
                naive_utc(invoice.billed_at),
                naive_utc(invoice.period_start),
                invoice.currency,
                invoice.tax_rate,
                invoice.reverse_charge,
                invoice.net,
                invoice.tax,
                invoice.gross,
            ),
        )
        if not cur.rowcount:
            return False
        invoice_id = cur.lastrowid
        await cur.executemany(
            "INSERT INTO invoice_lines (invoice_id, position, plan, starts_at, ends_at, price,"
            " amount, description) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    invoice_id,
                    line.position,
                    line.plan,
                    None if line.starts_at is None else naive_utc(line.starts_at),
                    None if line.ends_at is None else naive_utc(line.ends_at),
                    line.price,
                    line.amount,
                    line.description,
                )
                for line in invoice.lines
            ],
        )
        if invoice.charges:
            # Locks the charges' rows until the draft commits: a removal waits, then finds
            # them billed.
            marks = ", ".join(["%s"] * len(invoice.charges))
            await cur.execute(
                f"UPDATE invoice_charges SET invoice_id = %s WHERE id IN ({marks})"
                " AND invoice_id IS NULL",
                (invoice_id, *invoice.charges),
            )
            if cur.rowcount != len(invoice.charges):
                raise ChargesChanged
        return True


Issued = Literal["issued", "not_a_draft", "no_vat_number"]


async def issue(pool: aiomysql.Pool, invoice_id: int, now: datetime) -> Issued:
    """Gives a draft the next number of the year and issues it, with the seller's and the
    customer's details as they are now: a document once issued never changes. A draft made
    under the reverse charge is not issued while its account has no VAT number to print.

    The counter's row stays locked until the transaction ends, and it rolls back with it, so
    numbers are given one after the other without a gap."""
    async with transaction(pool) as cur:
        await cur.execute(
            "SELECT i.status, i.reverse_charge, b.customer, b.vat_number FROM invoices i"
            " LEFT JOIN account_billing b ON b.account_id = i.account_id"
            " WHERE i.id = %s FOR UPDATE",
            (invoice_id,),
        )
        row = await cur.fetchone()
        if row is None or row["status"] != "draft":
            return "not_a_draft"
        if row["reverse_charge"] and row["vat_number"] is None:
            return "no_vat_number"
        await cur.execute(
            "INSERT INTO invoice_numbers (year, last) VALUES (%s, 1)"
            " ON DUPLICATE KEY UPDATE last = last + 1",
            (now.year,),
        )
        await cur.execute("SELECT last FROM invoice_numbers WHERE year = %s", (now.year,))
        last = int((await cur.fetchone())["last"])
        await cur.execute(
            "UPDATE invoices SET number = %s, status = 'issued', issued_at = %s,"
            " seller = (SELECT seller FROM billing_settings WHERE id = 1),"
            " customer = %s, vat_number = %s WHERE id = %s",
            (
                f"{now.year}-{last:06d}",
                naive_utc(now),
                row["customer"] or "",
                row["vat_number"],
                invoice_id,
            ),
        )
        return "issued"


async def settle(
    pool: aiomysql.Pool, invoice_id: int, status: Literal["paid", "void"], now: datetime
) -> bool:
    """Marks an issued invoice paid or void; False when it is not issued. Voiding gives it a
    credit note with the year's next credit note number, in the same transaction (the
    counter's row locked until it commits, rolled back with it), so that sequence has no gap
    either."""
    async with transaction(pool) as cur:
        await cur.execute(
            "UPDATE invoices SET status = %s, settled_at = %s WHERE id = %s AND status = 'issued'",
            (status, naive_utc(now), invoice_id),
        )
        if not cur.rowcount:
            return False
        if status == "void":
            await cur.execute(
                "INSERT INTO credit_note_numbers (year, last) VALUES (%s, 1)"
                " ON DUPLICATE KEY UPDATE last = last + 1",
                (now.year,),
            )
            await cur.execute("SELECT last FROM credit_note_numbers WHERE year = %s", (now.year,))
            last = int((await cur.fetchone())["last"])
            await cur.execute(
                "INSERT INTO credit_notes (invoice_id, credit_number, credited_at)"
                " VALUES (%s, %s, %s)",
                (invoice_id, f"CN-{now.year}-{last:06d}", naive_utc(now)),
            )
        return True


async def credited_between(
    pool: aiomysql.Pool, start: datetime, end: datetime
) -> list[InvoiceRecord]:
    """Invoices cancelled by a credit note issued in [start, end), in credit note order."""
    return await fetch_all_as(
        pool,
        InvoiceRecord,
        f"{_SELECT} WHERE credited_at >= %s AND credited_at < %s"
        " ORDER BY credited_at, credit_number",
        (naive_utc(start), naive_utc(end)),
    )


async def settings(pool: aiomysql.Pool) -> BillingSettingsRecord:
    found = await fetch_one_as(
        pool, BillingSettingsRecord, "SELECT currency, tax_rate, seller FROM billing_settings"
    )
    assert found is not None  # the migration inserts the one row
    return found


async def set_settings(pool: aiomysql.Pool, currency: str, tax_rate: Decimal, seller: str) -> None:
    await execute(
        pool,
        "UPDATE billing_settings SET currency = %s, tax_rate = %s, seller = %s WHERE id = 1",
        (currency, tax_rate, seller),
    )


async def account_billing(pool: aiomysql.Pool, account_id: int) -> AccountBillingRecord:
    found = await fetch_one_as(
        pool,
        AccountBillingRecord,
        "SELECT u.name AS account, b.tax_rate, COALESCE(b.customer, '') AS customer,"
        " b.vat_number, COALESCE(b.reverse_charge, FALSE) AS reverse_charge FROM users u"
        " LEFT JOIN account_billing b ON b.account_id = u.id WHERE u.id = %s",
        (account_id,),
    )
    assert found is not None  # the caller holds the account
    return found


async def set_account_billing(
    pool: aiomysql.Pool, account_id: int, billing: AccountBilling
) -> None:
    """The account's details as given; an account of defaults keeps no row."""
    if billing == AccountBilling(None, "", None, False):
        await execute(pool, "DELETE FROM account_billing WHERE account_id = %s", (account_id,))
        return
    await execute(
        pool,
        "INSERT INTO account_billing (account_id, tax_rate, customer, vat_number, reverse_charge)"
        " VALUES (%s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE tax_rate = VALUES(tax_rate),"
        " customer = VALUES(customer), vat_number = VALUES(vat_number),"
        " reverse_charge = VALUES(reverse_charge)",
        (
            account_id,
            billing.tax_rate,
            billing.customer,
            billing.vat_number,
            billing.reverse_charge,
        ),
    )


async def plan_billing(pool: aiomysql.Pool, name: str) -> PlanBillingRecord | None:
    return await fetch_one_as(
        pool,
        PlanBillingRecord,
        "SELECT name, price, billing_period FROM plans WHERE name = %s",
        (name,),
    )


async def set_plan_billing(
    pool: aiomysql.Pool, name: str, price: Decimal | None, period: Period
) -> None:
    await execute(
        pool,
        "UPDATE plans SET price = %s, billing_period = %s WHERE name = %s",
        (price, period, name),
    )
