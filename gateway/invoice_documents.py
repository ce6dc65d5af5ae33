"""An invoice as a PDF (fpdf2) and invoices as CSV for accounting (docs/invoices.md).

fpdf2 is pure Python, maintained, and writes PDF without a browser or a system library; the
PDF uses PDF's standard Helvetica, which covers Latin-1: any other character (in the seller's
address, say) is printed as '?'.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Final

from fpdf import FPDF

from gateway.store.invoices import BillingSettingsRecord, InvoiceLineRecord, InvoiceRecord

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
)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def pdf(
    invoice: InvoiceRecord, lines: Sequence[InvoiceLineRecord], settings: BillingSettingsRecord
) -> bytes:
    document = FPDF(format="A4")
    document.set_title(f"Invoice {invoice.number or 'draft'}")
    document.set_creator("JoPanel")
    document.add_page()
    document.set_font("Helvetica", "B", 16)
    title = f"Invoice {invoice.number}" if invoice.number else "Draft invoice (not issued)"
    document.cell(text=title, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", size=10)
    for line in settings.seller_lines:
        document.cell(text=_latin1(line), new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    facts = [
        ("Account", invoice.account_name),
        ("Period", f"{invoice.period_start:%Y-%m-%d} to {invoice.billed_at:%Y-%m-%d}"),
        ("Issued", f"{invoice.issued_at:%Y-%m-%d}" if invoice.issued_at else "-"),
        ("Status", invoice.status),
    ]
    for label, value in facts:
        document.cell(w=30, text=label)
        document.cell(text=_latin1(value), new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    with document.table(col_widths=(90, 30, 30), text_align=("LEFT", "RIGHT", "RIGHT")) as table:
        table.row(("Plan and time", "Price per period", f"Amount ({invoice.currency})"))
        for item in lines:
            span = f"{item.starts_at:%Y-%m-%d %H:%M} to {item.ends_at:%Y-%m-%d %H:%M} UTC"
            table.row((_latin1(f"{item.plan}: {span}"), str(item.price), str(item.amount)))
        table.row(("Net", "", str(invoice.net)))
        table.row((f"Tax {invoice.tax_rate}%", "", str(invoice.tax)))
        table.row((f"Total ({invoice.currency})", "", str(invoice.gross)))
    return bytes(document.output())


def csv_text(invoices: Sequence[InvoiceRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        writer.writerow(
            (
                invoice.number,
                invoice.issued_at.isoformat() if invoice.issued_at else "",
                invoice.status,
                invoice.account_name,
                invoice.period_start.date().isoformat(),
                invoice.billed_at.date().isoformat(),
                invoice.currency,
                invoice.net,
                invoice.tax_rate,
                invoice.tax,
                invoice.gross,
            )
        )
    return out.getvalue()
