"""One-off charges on the wire (docs/invoices.md, One-off charges). Money is a string with two
decimals, as on invoices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gateway.models.invoices import Money
from gateway.paging import AccountFilter, PageQuery
from gateway.store.charges import ChargeRecord
from gateway.validation import AccountName

# One line as printed on the invoice: no control characters, not blank.
Description = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$",
    ),
]


class ChargeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountName
    description: Description = Field(
        description="The line as the invoice prints it: up to 200 characters, no control"
        " characters",
        examples=["Set-up fee"],
    )
    amount: Money = Field(
        description="More than 0.00, in the billing settings' currency, before tax",
        examples=["25.00"],
    )


class ChargeQuery(PageQuery):
    account: AccountFilter = ""


class Charge(BaseModel):
    id: str
    account: str
    description: str
    amount: str
    created_at: datetime
    invoice: str | None = Field(
        description="The invoice that billed it (its id); null: pending, on the account's next"
        " invoice"
    )


class ChargePage(BaseModel):
    items: list[Charge]
    next_page_token: str | None


def charge_of(record: ChargeRecord) -> Charge:
    return Charge(
        id=record.public_id,
        account=record.account,
        description=record.description,
        amount=str(record.amount),
        created_at=record.created_at,
        invoice=record.invoice,
    )
