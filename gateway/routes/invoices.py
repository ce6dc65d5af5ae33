"""Invoices: administrators price plans, set billing, run the period's invoices, issue them and
mark them paid or void; owners read and download their own (PDF), administrators export CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.invoice_documents import csv_text, pdf
from gateway.models.invoices import (
    AccountBilling,
    AccountBillingOut,
    BillingSettings,
    ExportQuery,
    InvoiceDetail,
    InvoicePage,
    InvoiceQuery,
    InvoiceRun,
    InvoiceRunRequest,
    PlanBilling,
    PlanBillingOut,
    account_billing_from,
    account_billing_of,
    billing_settings_of,
    invoice_detail_of,
    invoice_of,
    plan_billing_of,
)
from gateway.problems import not_found
from gateway.scope import account_page
from gateway.services import accounts as accounts_service
from gateway.services import invoices as service
from gateway.store.accounts import AccountRecord
from gateway.store.invoices import InvoiceRecord
from jopanel_rules.accounts import ACCOUNT_NAME_PATTERN

PUBLIC_ID = re.compile(r"[0-9a-f]{16}")
PLAN_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


async def find_invoice(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    invoice = await service.get(call.context, public_id) if public_id else None
    # An invoice of a deleted account belongs to no owner: administrators only.
    return Owned(invoice.account_name if invoice.account_id else "", invoice) if invoice else None


def _invoice(call: Call[Any, Any]) -> InvoiceRecord:
    return call.found(InvoiceRecord, f"Invoice '{call.param('id')}'")


async def get_settings(call: Call) -> web.StreamResponse:
    return json_response(billing_settings_of(await service.settings(call.context)))


async def set_settings(call: Call[BillingSettings]) -> web.StreamResponse:
    body = call.body
    found = await service.set_settings(
        call.context, body.currency, Decimal(body.tax_rate), "\n".join(body.seller)
    )
    return json_response(billing_settings_of(found))


async def get_plan_billing(call: Call) -> web.StreamResponse:
    name = call.param_like("name", PLAN_NAME)
    found = await service.plan_billing(call.context, name) if name else None
    if found is None:
        raise not_found(f"Plan '{call.param('name')}'")
    return json_response(plan_billing_of(found))


async def set_plan_billing(call: Call[PlanBilling]) -> web.StreamResponse:
    name = call.param_like("name", PLAN_NAME)
    if not name or await service.plan_billing(call.context, name) is None:
        raise not_found(f"Plan '{call.param('name')}'")
    body = call.body
    price = None if body.price is None else Decimal(body.price)
    found = await service.set_plan_billing(call.context, name, price, body.billing_period)
    return json_response(plan_billing_of(found))


async def _account(call: Call[Any, Any]) -> AccountRecord:
    name = call.param_like("name", ACCOUNT_NAME_PATTERN)
    account = await accounts_service.get(call.context, name) if name else None
    if account is None:
        raise not_found(f"Account '{call.param('name')}'")
    return account


async def get_account_billing(call: Call) -> web.StreamResponse:
    found = await service.account_billing(call.context, await _account(call))
    return json_response(account_billing_of(found))


async def set_account_billing(call: Call[AccountBilling]) -> web.StreamResponse:
    account = await _account(call)
    billing = account_billing_from(call.body)
    return json_response(
        account_billing_of(await service.set_account_billing(call.context, account, billing))
    )


async def run_invoices(call: Call[InvoiceRunRequest]) -> web.StreamResponse:
    end = call.body.period_end
    at = datetime.combine(end, time(), UTC) if end else None
    return json_response(InvoiceRun(made=await service.run(call.context, at)))


async def list_invoices(call: Call[NoBody, InvoiceQuery]) -> web.StreamResponse:
    invoices, token = await account_page(call, call.query, service.page, "public_id")
    return json_response(
        InvoicePage(items=[invoice_of(i) for i in invoices], next_page_token=token)
    )


async def get_invoice(call: Call) -> web.StreamResponse:
    invoice = _invoice(call)
    return json_response(invoice_detail_of(invoice, await service.lines(call.context, invoice)))


async def invoice_pdf(call: Call) -> web.StreamResponse:
    invoice = _invoice(call)
    body = pdf(
        invoice,
        await service.lines(call.context, invoice),
        await service.settings(call.context),
        await service.customer(call.context, invoice),
    )
    name = invoice.number or f"draft-{invoice.public_id}"
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="invoice-{name}.pdf"'},
    )


async def credit_note_pdf(call: Call) -> web.StreamResponse:
    invoice = _invoice(call)
    if invoice.credit_number is None:
        raise not_found(f"A credit note of invoice '{call.param('id')}'")
    body = pdf(
        invoice,
        await service.lines(call.context, invoice),
        await service.settings(call.context),
        await service.customer(call.context, invoice),
        credit_note=True,
    )
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{invoice.credit_number}.pdf"'},
    )


async def issue_invoice(call: Call) -> web.StreamResponse:
    invoice = await service.issue(call.context, _invoice(call))
    return json_response(invoice_detail_of(invoice, await service.lines(call.context, invoice)))


async def pay_invoice(call: Call) -> web.StreamResponse:
    invoice = await service.settle(call.context, _invoice(call), "paid")
    return json_response(invoice_detail_of(invoice, await service.lines(call.context, invoice)))


async def void_invoice(call: Call) -> web.StreamResponse:
    invoice = await service.settle(call.context, _invoice(call), "void")
    return json_response(invoice_detail_of(invoice, await service.lines(call.context, invoice)))


async def export_invoices(call: Call[NoBody, ExportQuery]) -> web.StreamResponse:
    start = datetime.combine(call.query.start, time(), UTC)
    end = datetime.combine(call.query.end, time(), UTC)
    issued = await service.issued_between(call.context, start, end)
    text = csv_text(issued, await service.credited_between(call.context, start, end))
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="invoices.csv"'},
    )


_ONE = "/api/v1/invoices/{id}"
_PLAN = "/api/v1/plans/{name}/billing"
_ACCOUNT = "/api/v1/accounts/{name}/billing"


def _admin_invoice_op(verb: str, handler: Any, summary: str) -> Operation:
    return Operation(
        "POST",
        f"{_ONE}/{verb}",
        handler,
        f"{verb}Invoice",
        summary,
        "invoices",
        Access.ADMIN,
        owner=find_invoice,
        response=InvoiceDetail,
        errors=(404, 409),
    )


operations = [
    Operation("GET", "/api/v1/billing-settings", get_settings, "getBillingSettings",
              "Currency, tax rate and seller of invoices", "invoices", Access.ADMIN,
              response=BillingSettings),
    Operation("PUT", "/api/v1/billing-settings", set_settings, "setBillingSettings",
              "Change the currency, tax rate and seller (for invoices made from now on)",
              "invoices", Access.ADMIN, body=BillingSettings, response=BillingSettings),
    Operation("GET", _PLAN, get_plan_billing, "getPlanBilling", "A plan's price and period",
              "invoices", Access.ADMIN, response=PlanBillingOut, errors=(404,)),
    Operation("PUT", _PLAN, set_plan_billing, "setPlanBilling",
              "Set a plan's price and billing period", "invoices", Access.ADMIN,
              body=PlanBilling, response=PlanBillingOut, errors=(404,)),
    Operation("GET", _ACCOUNT, get_account_billing, "getAccountBilling",
              "An account's billing: its own tax rate, the customer's lines and VAT number,"
              " the reverse charge", "invoices", Access.ADMIN,
              response=AccountBillingOut, errors=(404,)),
    Operation("PUT", _ACCOUNT, set_account_billing, "setAccountBilling",
              "Set an account's billing, for its invoices from now on", "invoices",
              Access.ADMIN, body=AccountBilling, response=AccountBillingOut, errors=(404,)),
    Operation("POST", "/api/v1/invoices/run", run_invoices, "runInvoices",
              "Make the drafts of the periods that ended at this month's start (idempotent)",
              "invoices", Access.ADMIN, body=InvoiceRunRequest, body_optional=True,
              response=InvoiceRun, errors=(400,)),
    Operation("GET", "/api/v1/invoices", list_invoices, "listInvoices",
              "List invoices (an owner's own, drafts excluded; administrators may filter)",
              "invoices", Access.SIGNED_IN, query=InvoiceQuery, response=InvoicePage,
              errors=(404,)),
    Operation("GET", "/api/v1/invoice-export", export_invoices, "exportInvoices",
              "Issued invoices as CSV, for accounting", "invoices", Access.ADMIN,
              query=ExportQuery),
    Operation("GET", _ONE, get_invoice, "getInvoice", "One invoice with its lines", "invoices",
              Access.SIGNED_IN, owner=find_invoice, response=InvoiceDetail, errors=(404,)),
    Operation("GET", f"{_ONE}/pdf", invoice_pdf, "getInvoicePdf", "An invoice as a PDF",
              "invoices", Access.SIGNED_IN, owner=find_invoice, errors=(404,)),
    Operation("GET", f"{_ONE}/credit-note", credit_note_pdf, "getCreditNotePdf",
              "The credit note that cancels a void invoice, as a PDF", "invoices",
              Access.SIGNED_IN, owner=find_invoice, errors=(404,)),
    _admin_invoice_op("issue", issue_invoice, "Issue a draft: it gets the next number"),
    _admin_invoice_op("pay", pay_invoice, "Mark an issued invoice paid"),
    _admin_invoice_op("void", void_invoice,
                      "Void an issued invoice: it keeps its number and gets a credit note"),
]  # fmt: skip
