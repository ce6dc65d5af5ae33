"""An invoice as a PDF (fpdf2) and invoices as CSV for accounting (docs/invoices.md).

fpdf2 is pure Python, maintained, and writes PDF without a browser or a system library; the
PDF uses PDF's standard Helvetica, which covers Latin-1: any other character (in the seller's
address, say) is printed as '?'.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from fpdf import FPDF

from gateway.store.invoices import (
    BillingSettingsRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    seller_lines,
)

CSV_COLUMNS: Final = (
    "number",
    "issued_at",
    "status",
    "account",
    "period_start",
    "period_end",
    "currency",
    "net",
    "tax_rate",
    "tax",
    "gross",
    "cancels",  # a credit note's row: the invoice number it cancels
    "vat_number",  # the customer's, as the invoice was issued
    "reverse_charge",  # "yes": no tax billed, the customer accounts for it
)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


# The mention an invoice under the reverse charge must carry (Council Directive 2006/112/EC,
# Article 226(11a)), with the article that puts the tax on the customer.
REVERSE_CHARGE: Final = (
    "Reverse charge: the customer accounts for the VAT (Article 196, Council Directive"
    " 2006/112/EC)."
)


@dataclass(frozen=True, slots=True)
class Customer:
    """What an invoice prints of its customer."""

    lines: Sequence[str]
    vat_number: str | None


def _described(line: InvoiceLineRecord) -> str:
    """A charge's own words; a plan's stretch, its plan and times (its price is per period)."""
    if line.description is not None:
        return line.description
    span = f"{line.starts_at:%Y-%m-%d %H:%M} to {line.ends_at:%Y-%m-%d %H:%M} UTC"
    return f"Plan {line.plan}: {span} (price per period)"


def pdf(
    invoice: InvoiceRecord,
    lines: Sequence[InvoiceLineRecord],
    settings: BillingSettingsRecord,
    customer: Customer,
    *,
    credit_note: bool = False,
) -> bytes:
    """The invoice, or (credit_note) the credit note that cancels it: the same lines and
    totals, negated, under the credit note's own number and date."""
    sign = Decimal(-1) if credit_note else Decimal(1)
    document = FPDF(format="A4")
    if credit_note:
        title = f"Credit note {invoice.credit_number}"
    elif invoice.number:
        title = f"Invoice {invoice.number}"
    else:
        title = "Draft invoice (not issued)"
    document.set_title(title)
    document.set_creator("JoPanel")
    document.add_page()
    document.set_font("Helvetica", "B", 16)
    document.cell(text=title, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", size=10)
    # An issued invoice prints the seller it was issued with; a draft (or one issued before the
    # panel kept it) the billing settings as they are.
    seller = settings.seller_lines if invoice.seller is None else seller_lines(invoice.seller)
    for line in seller:
        document.cell(text=_latin1(line), new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    if customer.lines:
        document.set_font("Helvetica", "B", 10)
        document.cell(text="Bill to", new_x="LMARGIN", new_y="NEXT")
        document.set_font("Helvetica", size=10)
        for line in customer.lines:
            document.cell(text=_latin1(line), new_x="LMARGIN", new_y="NEXT")
        document.ln(4)
    facts = [("Account", invoice.account_name)]
    if customer.vat_number:
        facts.append(("VAT number", customer.vat_number))
    facts += [
        ("Period", f"{invoice.period_start:%Y-%m-%d} to {invoice.billed_at:%Y-%m-%d}"),
    ]
    if credit_note:
        facts += [
            ("Issued", f"{invoice.credited_at:%Y-%m-%d}"),
            ("Cancels", f"invoice {invoice.number} of {invoice.issued_at:%Y-%m-%d}"),
        ]
    else:
        facts += [
            ("Issued", f"{invoice.issued_at:%Y-%m-%d}" if invoice.issued_at else "-"),
            ("Status", invoice.status),
        ]
        if invoice.credit_number:
            facts.append(("Cancelled by", f"credit note {invoice.credit_number}"))
    for label, value in facts:
        document.cell(w=30, text=label)
        document.cell(text=_latin1(value), new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    with document.table(col_widths=(90, 30, 30), text_align=("LEFT", "RIGHT", "RIGHT")) as table:
        table.row(("Description", "Price", f"Amount ({invoice.currency})"))
        for item in lines:
            amount = str(sign * item.amount)
            table.row((_latin1(_described(item)), str(item.price), amount))
        table.row(("Net", "", str(sign * invoice.net)))
        table.row((f"Tax {invoice.tax_rate}%", "", str(sign * invoice.tax)))
        table.row((f"Total ({invoice.currency})", "", str(sign * invoice.gross)))
    if invoice.reverse_charge:
        document.ln(4)
        document.multi_cell(w=0, text=REVERSE_CHARGE)
    return bytes(document.output())


def csv_text(invoices: Sequence[InvoiceRecord], credited: Sequence[InvoiceRecord] = ()) -> str:
    """The invoices issued and the credit notes issued in a range, in the order they were
    issued: a credit note is a row of its own, with its number, its date, the amounts negated
    and the number of the invoice it cancels."""
    rows: list[tuple[datetime, tuple[object, ...]]] = []
    for invoice in invoices:
        assert invoice.issued_at is not None  # only issued invoices are exported
        rows.append((invoice.issued_at, _row(invoice, invoice.number, invoice.issued_at, 1, "")))
    for invoice in credited:
        assert invoice.credited_at is not None
        row = _row(invoice, invoice.credit_number, invoice.credited_at, -1, invoice.number)
        rows.append((invoice.credited_at, (*row[:2], "credit_note", *row[3:])))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(row for _, row in sorted(rows, key=lambda item: (item[0], str(item[1][0]))))
    return out.getvalue()


def _row(
    invoice: InvoiceRecord, number: str | None, at: datetime, sign: int, cancels: str | None
) -> tuple[object, ...]:
    return (
        number,
        at.isoformat(),
        invoice.status,
        invoice.account_name,
        invoice.period_start.date().isoformat(),
        invoice.billed_at.date().isoformat(),
        invoice.currency,
        sign * invoice.net,
        invoice.tax_rate,
        sign * invoice.tax,
        sign * invoice.gross,
        cancels or "",
        invoice.vat_number or "",
        "yes" if invoice.reverse_charge else "no",
    )
