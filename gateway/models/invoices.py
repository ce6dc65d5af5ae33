"""Invoices on the wire. Money is a string of digits with two decimals ("12.30"), never a
JSON number, so no client rounds it through a float."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gateway.paging import AccountFilter, PageQuery
from gateway.store import invoices as store
from gateway.store.invoices import (
    AccountBillingRecord,
    BillingSettingsRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    PlanBillingRecord,
    Status,
)

Money = Annotated[str, Field(max_length=13, pattern=r"^[0-9]{1,10}\.[0-9]{2}$")]
TaxRate = Annotated[str, Field(max_length=6, pattern=r"^(100\.00|[0-9]{1,2}\.[0-9]{2})$")]
Period = Literal["month", "year"]
SellerLine = Annotated[str, Field(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
# Two letters of its country (EL for Greece, as VIES writes it), then 2 to 13 letters, digits,
# '+' or '*': every EU member's format, and the UK's, Switzerland's, Norway's.
VatNumber = Annotated[str, Field(max_length=15, pattern=r"^[A-Z]{2}[0-9A-Z+*]{2,13}$")]


class BillingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", max_length=3)] = Field(
        description="ISO 4217 code of every invoice's currency", examples=["EUR"]
    )
    tax_rate: TaxRate = Field(description="Percent put on new invoices", examples=["21.00"])
    seller: Annotated[list[SellerLine], Field(max_length=8)] = Field(
        default=[], description="Name and address printed on invoices, a line each"
    )


class PlanBilling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price: Money | None = Field(
        description="Per billing period, in the settings' currency; null: not billed",
        examples=["9.90"],
    )
    billing_period: Period = "month"


class PlanBillingOut(PlanBilling):
    plan: str


class AccountBilling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tax_rate: TaxRate | None = Field(
        default=None,
        description="Percent put on this account's new invoices (a customer abroad); null:"
        " the panel's rate (billing settings). Under the reverse charge: null or 0.00",
        examples=["19.00"],
    )
    customer: Annotated[list[SellerLine], Field(max_length=8)] = Field(
        default=[],
        description="The customer's name and address, a line each, printed on invoices issued"
        " from now on (a draft prints them as they are)",
        examples=[["Example GmbH", "Hauptstrasse 1", "10115 Berlin", "Germany"]],
    )
    vat_number: VatNumber | None = Field(
        default=None,
        description="The customer's VAT number, its country's two letters first, printed on"
        " invoices issued from now on",
        examples=["DE123456789"],
    )
    reverse_charge: StrictBool = Field(
        default=False,
        description="A business in another EU country: its invoices made from now on bill no"
        " tax and say that the customer accounts for it; needs vat_number",
    )


class AccountBillingOut(AccountBilling):
    account: str


def account_billing_of(record: AccountBillingRecord) -> AccountBillingOut:
    rate = None if record.tax_rate is None else f"{record.tax_rate:.2f}"
    return AccountBillingOut(
        account=record.account,
        tax_rate=rate,
        customer=record.customer_lines,
        vat_number=record.vat_number,
        reverse_charge=record.reverse_charge,
    )


def account_billing_from(body: AccountBilling) -> store.AccountBilling:
    return store.AccountBilling(
        tax_rate=None if body.tax_rate is None else Decimal(body.tax_rate),
        customer="\n".join(body.customer),
        vat_number=body.vat_number,
        reverse_charge=body.reverse_charge,
    )


class InvoiceQuery(PageQuery):
    account: AccountFilter = ""


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date = Field(description="Issued on or after this day (UTC)")
    end: date = Field(description="Issued before this day (UTC)")


class InvoiceRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_end: date | None = Field(
        default=None,
        description="The first day of a month, not in the future: make the drafts of the"
        " periods that ended then (a run that was missed); default: this month's first day",
    )


class InvoiceRun(BaseModel):
    made: int = Field(description="Drafts made by this run (0 when it ran already)")


class InvoiceLine(BaseModel):
    """A stretch of a plan (plan, starts_at, ends_at), or a one-off charge (description)."""

    plan: str | None = Field(description="The plan of a stretch; null for a charge")
    starts_at: datetime | None
    ends_at: datetime | None
    description: str | None = Field(description="A one-off charge's; null for a plan's stretch")
    price: str = Field(description="The plan's price for a whole period; a charge's amount")
    amount: str = Field(description="This stretch's share of the price, to the cent")


class Invoice(BaseModel):
    id: str
    number: str | None = Field(description="Given when issued: YYYY-NNNNNN, without gaps")
    account: str
    status: Status
    period_start: datetime
    period_end: datetime
    currency: str
    net: str
    tax_rate: str
    tax: str
    gross: str
    created_at: datetime
    issued_at: datetime | None
    settled_at: datetime | None
    reverse_charge: bool = Field(
        description="Made under the reverse charge: no tax, the customer accounts for it"
    )
    customer: list[str] | None = Field(
        description="The customer's lines it was issued with; null: a draft (it prints the"
        " account's as they are)"
    )
    vat_number: str | None = Field(description="The customer's VAT number it was issued with")
    credit_note: str | None = Field(
        default=None,
        description="A void invoice's credit note, which cancels it: CN-YYYY-NNNNNN, its own"
        " sequence without gaps (GET .../credit-note for its PDF)",
    )
    credited_at: datetime | None = None


class InvoiceDetail(Invoice):
    lines: list[InvoiceLine]


class InvoicePage(BaseModel):
    items: list[Invoice]
    next_page_token: str | None


def invoice_of(record: InvoiceRecord) -> Invoice:
    return Invoice(
        id=record.public_id,
        number=record.number,
        account=record.account_name,
        status=record.status,
        period_start=record.period_start,
        period_end=record.billed_at,
        currency=record.currency,
        net=str(record.net),
        tax_rate=str(record.tax_rate),
        tax=str(record.tax),
        gross=str(record.gross),
        created_at=record.created_at,
        issued_at=record.issued_at,
        settled_at=record.settled_at,
        reverse_charge=record.reverse_charge,
        customer=None if record.customer is None else store.seller_lines(record.customer),
        vat_number=record.vat_number,
        credit_note=record.credit_number,
        credited_at=record.credited_at,
    )


def invoice_detail_of(record: InvoiceRecord, lines: list[InvoiceLineRecord]) -> InvoiceDetail:
    return InvoiceDetail(
        **invoice_of(record).model_dump(),
        lines=[
            InvoiceLine(
                plan=line.plan,
                starts_at=line.starts_at,
                ends_at=line.ends_at,
                description=line.description,
                price=str(line.price),
                amount=str(line.amount),
            )
            for line in lines
        ],
    )


def billing_settings_of(record: BillingSettingsRecord) -> BillingSettings:
    return BillingSettings(
        currency=record.currency,
        tax_rate=str(record.tax_rate),
        seller=record.seller_lines,
    )


def plan_billing_of(record: PlanBillingRecord) -> PlanBillingOut:
    return PlanBillingOut(
        plan=record.name,
        price=None if record.price is None else str(record.price),
        billing_period=record.billing_period,
    )


def decimal_of(value: str) -> Decimal:
    return Decimal(value)
