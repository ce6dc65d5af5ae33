"""Invoices through the REST API with the real MariaDB: a month of plan changes makes the
right drafts (pro-rated, taxed, to the cent); numbers are given at issue without gaps; owners
read and download only their own issued invoices; the PDF opens and shows the totals; the CSV
export lists what was issued."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import time
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from pypdf import PdfReader

from gateway import keys
from gateway.app import create_app
from gateway.config import GatewayConfig
from tests.gateway.conftest import Api


async def sql(api: Api, statement: str, *args: object) -> None:
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute(statement, args)


async def priced_plans(api: Api, admin: str) -> None:
    for name, price, period in (
        ("basic", "10.00", "month"),
        ("pro", "30.00", "month"),
        ("yearly", "120.00", "year"),
        ("free", None, "month"),
    ):
        assert (await api.call("POST", "/api/v1/plans", admin, json={"name": name}))[0] == 201
        status, body = await api.call(
            "PUT",
            f"/api/v1/plans/{name}/billing",
            admin,
            json={"price": price, "billing_period": period},
        )
        assert status == 200, body
    status, body = await api.call(
        "PUT",
        "/api/v1/billing-settings",
        admin,
        json={"currency": "EUR", "tax_rate": "21.00", "seller": ["Hosting Ltd", "1 Main St"]},
    )
    assert status == 200, body


async def history(api: Api, account: str, *changes: tuple[str, str]) -> None:
    """Replaces the account's plan history with (since, plan) stretches."""
    await sql(
        api,
        "DELETE h FROM account_plan_history h JOIN users u ON u.id = h.account_id"
        " WHERE u.name = %s",
        account,
    )
    for since, plan in changes:
        await sql(
            api,
            "INSERT INTO account_plan_history (account_id, plan_id, since)"
            " SELECT u.id, p.id, %s FROM users u, plans p WHERE u.name = %s AND p.name = %s",
            since,
            account,
            plan,
        )


async def november(api: Api, admin: str) -> dict[str, Any]:
    """Alice moves from basic to pro on the 11th; bob joins basic at noon on the 16th; carol
    is on a yearly plan and dave on a free one. Runs December 1st; invoices by account."""
    await priced_plans(api, admin)
    for name in ("alice", "bob", "carol", "dave"):
        await api.create_account(admin, name)
    await history(api, "alice", ("2026-10-01", "basic"), ("2026-11-11", "pro"))
    await history(api, "bob", ("2026-11-16 12:00:00", "basic"))
    await history(api, "carol", ("2026-01-01", "yearly"))
    await history(api, "dave", ("2026-01-01", "free"))
    status, run = await api.call(
        "POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"}
    )
    assert status == 200, run
    assert run == {"made": 2}
    _, listing = await api.call("GET", "/api/v1/invoices", admin)
    return {invoice["account"]: invoice for invoice in listing["items"]}


async def test_a_month_of_changes_makes_the_right_drafts(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    assert sorted(invoices) == ["alice", "bob"]  # carol: yearly; dave: free
    alice = invoices["alice"]
    assert (alice["status"], alice["number"], alice["currency"]) == ("draft", None, "EUR")
    assert (alice["net"], alice["tax_rate"], alice["tax"], alice["gross"]) == (
        "23.33",
        "21.00",
        "4.90",
        "28.23",
    )
    _, detail = await api.call("GET", f"/api/v1/invoices/{alice['id']}", admin)
    assert [(line["plan"], line["price"], line["amount"]) for line in detail["lines"]] == [
        ("basic", "10.00", "3.33"),
        ("pro", "30.00", "20.00"),
    ]
    assert (invoices["bob"]["net"], invoices["bob"]["gross"]) == ("4.83", "5.84")
    # Running again makes nothing new.
    status, run = await api.call(
        "POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"}
    )
    assert (status, run) == (200, {"made": 0})


async def test_a_year_plan_is_billed_when_the_year_ends(api: Api, admin: str) -> None:
    await priced_plans(api, admin)
    await api.create_account(admin, "carol")
    await history(api, "carol", ("2025-07-01", "yearly"))
    # December's run bills no year plan.
    await api.call("POST", "/api/v1/invoices/run", admin, json={"period_end": "2025-12-01"})
    assert (await api.call("GET", "/api/v1/invoices", admin))[1]["items"] == []
    # January's bills the year that ended: 184 of 365 days of 120.00 is 60.49.
    status, run = await api.call(
        "POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-01-01"}
    )
    assert (status, run) == (200, {"made": 1})
    (invoice,) = (await api.call("GET", "/api/v1/invoices", admin))[1]["items"]
    assert (invoice["period_start"][:10], invoice["period_end"][:10]) == (
        "2025-01-01",
        "2026-01-01",
    )
    assert (invoice["net"], invoice["tax"], invoice["gross"]) == ("60.49", "12.70", "73.19")


async def test_a_run_must_end_at_a_past_month_start(api: Api, admin: str) -> None:
    for day in ("2026-11-15", "2999-01-01"):
        status, body = await api.call(
            "POST", "/api/v1/invoices/run", admin, json={"period_end": day}
        )
        # A date the document allows; the rule about which dates is the code's: 422.
        assert status == 422, body


async def test_numbers_are_given_at_issue_without_gaps(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    ids = [invoices["alice"]["id"], invoices["bob"]["id"]]
    answers = await asyncio.gather(
        *(api.call("POST", f"/api/v1/invoices/{i}/issue", admin) for i in ids)
    )
    assert [status for status, _ in answers] == [200, 200]
    numbers = sorted(body["number"] for _, body in answers)
    year = numbers[0][:4]
    assert numbers == [f"{year}-000001", f"{year}-000002"]
    # Issuing again, or paying a draft, changes nothing and takes no number.
    assert (await api.call("POST", f"/api/v1/invoices/{ids[0]}/issue", admin))[0] == 409
    status, paid = await api.call("POST", f"/api/v1/invoices/{ids[0]}/pay", admin)
    assert (status, paid["status"]) == (200, "paid")
    # Which of the two issued at once got which number is the race's; each keeps its own.
    bobs_number = answers[1][1]["number"]
    status, void = await api.call("POST", f"/api/v1/invoices/{ids[1]}/void", admin)
    assert (status, void["status"], void["number"]) == (200, "void", bobs_number)
    assert (await api.call("POST", f"/api/v1/invoices/{ids[1]}/pay", admin))[0] == 409


async def test_owners_see_only_their_own_issued_invoices(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    alice = await api.login("alice", "owner-pass-1")
    bob = await api.login("bob", "owner-pass-1")
    mine = invoices["alice"]["id"]
    # A draft is not shown to its owner.
    assert (await api.call("GET", "/api/v1/invoices", alice))[1]["items"] == []
    assert (await api.call("GET", f"/api/v1/invoices/{mine}", alice))[0] == 404
    await api.call("POST", f"/api/v1/invoices/{mine}/issue", admin)
    _, listing = await api.call("GET", "/api/v1/invoices", alice)
    assert [invoice["id"] for invoice in listing["items"]] == [mine]
    assert (await api.call("GET", f"/api/v1/invoices/{mine}", alice))[0] == 200
    for path in (f"/api/v1/invoices/{mine}", f"/api/v1/invoices/{mine}/pdf"):
        assert (await api.call("GET", path, bob))[0] == 404
    assert (await api.call("GET", "/api/v1/invoices?account=alice", bob))[0] == 404
    assert (await api.call("GET", "/api/v1/invoices", bob))[1]["items"] == []
    for verb in ("issue", "pay", "void"):
        assert (await api.call("POST", f"/api/v1/invoices/{mine}/{verb}", alice))[0] == 403
    assert (await api.call("POST", "/api/v1/invoices/run", alice))[0] == 403
    assert (await api.call("GET", "/api/v1/invoice-export?start=2026-01-01&end=2027-01-01", alice))[
        0
    ] == 403


async def test_the_pdf_opens_and_shows_the_totals(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    mine = invoices["alice"]["id"]
    _, issued = await api.call("POST", f"/api/v1/invoices/{mine}/issue", admin)
    alice = await api.login("alice", "owner-pass-1")
    response = await api.client.get(
        f"/api/v1/invoices/{mine}/pdf", headers={"Authorization": f"Bearer {alice}"}
    )
    assert response.status == 200
    assert response.content_type == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(await response.read())).pages
    )
    for shown in (issued["number"], "alice", "Hosting Ltd", "23.33", "4.90", "28.23", "3.33"):
        assert shown in text, shown


async def pdf_text(api: Api, token: str, path: str) -> str:
    response = await api.client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    reader = PdfReader(io.BytesIO(await response.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_an_issued_invoice_keeps_the_seller_it_was_issued_with(api: Api, admin: str) -> None:
    """The seller's lines change after alice's invoice is issued (a move, a new name): her
    invoice and its credit note still print the old ones; bob's draft, issued later, the new."""
    invoices = await november(api, admin)
    alice, bob = invoices["alice"]["id"], invoices["bob"]["id"]
    assert (await api.call("POST", f"/api/v1/invoices/{alice}/issue", admin))[0] == 200
    moved = {"currency": "EUR", "tax_rate": "21.00", "seller": ["Hosting Two Ltd", "9 New Rd"]}
    assert (await api.call("PUT", "/api/v1/billing-settings", admin, json=moved))[0] == 200
    assert (await api.call("POST", f"/api/v1/invoices/{bob}/issue", admin))[0] == 200
    assert (await api.call("POST", f"/api/v1/invoices/{alice}/void", admin))[0] == 200

    for path in (f"/api/v1/invoices/{alice}/pdf", f"/api/v1/invoices/{alice}/credit-note"):
        text = await pdf_text(api, admin, path)
        assert "1 Main St" in text, path
        assert "9 New Rd" not in text, path
    text = await pdf_text(api, admin, f"/api/v1/invoices/{bob}/pdf")
    assert "9 New Rd" in text
    assert "1 Main St" not in text


async def test_the_csv_export_lists_what_was_issued(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    _, issued = await api.call("POST", f"/api/v1/invoices/{invoices['bob']['id']}/issue", admin)
    response = await api.client.get(
        "/api/v1/invoice-export?start=2000-01-01&end=2100-01-01",
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["number"], r["account"], r["net"], r["tax"], r["gross"]) for r in rows] == [
        (issued["number"], "bob", "4.83", "1.01", "5.84")
    ]


async def test_invoices_outlive_their_account(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    mine = invoices["alice"]["id"]
    await api.call("POST", f"/api/v1/invoices/{mine}/issue", admin)
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    status, kept = await api.call("GET", f"/api/v1/invoices/{mine}", admin)
    assert (status, kept["account"], kept["gross"]) == (200, "alice", "28.23")
    # A new account of the same name does not inherit it.
    alice = await api.owner(admin, "alice")
    assert (await api.call("GET", f"/api/v1/invoices/{mine}", alice))[0] == 404


async def test_hostile_billing_values_are_refused(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "basic"})
    for price in ("1e3", "10", "-1.00", "1.001", 10.5, "NaN", "99999999999.00"):
        status, _ = await api.call(
            "PUT", "/api/v1/plans/basic/billing", admin, json={"price": price}
        )
        assert status in (400, 422), price
    for settings in (
        {"currency": "eur", "tax_rate": "0.00"},
        {"currency": "EUR", "tax_rate": "101.00"},
        {"currency": "EUR", "tax_rate": "0.00", "seller": ["a\nb"]},
        {"currency": "EUR", "tax_rate": "0.00", "seller": ["a"] * 9},
    ):
        status, _ = await api.call("PUT", "/api/v1/billing-settings", admin, json=settings)
        assert status in (400, 422), settings
    assert (await api.call("PUT", "/api/v1/plans/nope/billing", admin, json={"price": None}))[
        0
    ] == 404


async def test_seller_lines_holding_unicode_line_breaks_come_back_as_given(
    api: Api, admin: str
) -> None:
    """A seller line may hold NEL, U+2028 and the other breaks outside C0 (only LF joins the
    lines where they are kept): eight such lines are answered as eight, not as sixteen (which
    the answer's own limit of eight refused: a 500)."""
    seller = [f"Line {n}\u2028half\x85" + "\u2029" * n for n in range(8)]
    settings = {"currency": "EUR", "tax_rate": "0.00", "seller": seller}
    status, body = await api.call("PUT", "/api/v1/billing-settings", admin, json=settings)
    assert (status, body["seller"]) == (200, seller), body
    assert (await api.call("GET", "/api/v1/billing-settings", admin))[1]["seller"] == seller
    for kept in ([], ["", "between", ""]):
        settings["seller"] = kept
        status, body = await api.call("PUT", "/api/v1/billing-settings", admin, json=settings)
        assert (status, body["seller"]) == (200, kept), body


async def test_the_gateway_makes_the_drafts_at_the_months_start(
    api: Api, admin: str, config: GatewayConfig
) -> None:
    """A gateway started with the run in the background makes the drafts of the month that
    ended last (here: at its start, as after a month start it was down for)."""
    await api.call("PUT", "/api/v1/plans/default/billing", admin, json={"price": "10.00"})
    await api.create_account(admin, "alice")
    await sql(api, "UPDATE account_plan_history SET since = '2019-12-01'")
    second = dataclasses.replace(config, invoices_in_background=True)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(second)))
    await client.start_server()
    try:
        deadline = time.monotonic() + 30
        while not (await api.call("GET", "/api/v1/invoices", admin))[1]["items"]:
            assert time.monotonic() < deadline, "no draft made in the background"
            await asyncio.sleep(0.05)
    finally:
        await client.close()
    (draft,) = (await api.call("GET", "/api/v1/invoices", admin))[1]["items"]
    assert (draft["account"], draft["status"], draft["gross"]) == ("alice", "draft", "10.00")


async def test_an_accounts_own_tax_rate_is_used_from_the_next_run(api: Api, admin: str) -> None:
    await priced_plans(api, admin)
    for name in ("alice", "bob"):
        await api.create_account(admin, name)
    status, body = await api.call("GET", "/api/v1/accounts/bob/billing", admin)
    assert (status, body) == (200, {"account": "bob", **DEFAULT_BILLING})
    # Bob is a customer in a country without tax on what he buys.
    status, body = await api.call(
        "PUT", "/api/v1/accounts/bob/billing", admin, json={"tax_rate": "0.00"}
    )
    assert (status, body) == (200, {"account": "bob", **DEFAULT_BILLING, "tax_rate": "0.00"})
    await history(api, "alice", ("2026-10-01", "basic"))
    await history(api, "bob", ("2026-10-01", "pro"))
    await api.call("POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"})
    _, listing = await api.call("GET", "/api/v1/invoices", admin)
    invoices = {i["account"]: i for i in listing["items"]}
    assert (invoices["bob"]["tax_rate"], invoices["bob"]["tax"], invoices["bob"]["gross"]) == (
        "0.00",
        "0.00",
        "30.00",
    )
    assert (invoices["alice"]["tax_rate"], invoices["alice"]["gross"]) == ("21.00", "12.10")
    # Back to the panel's rate: the invoice already made keeps the rate it was made with.
    status, body = await api.call(
        "PUT", "/api/v1/accounts/bob/billing", admin, json={"tax_rate": None}
    )
    assert (status, body["tax_rate"]) == (200, None)
    _, bob = await api.call("GET", f"/api/v1/invoices/{invoices['bob']['id']}", admin)
    assert bob["tax_rate"] == "0.00"
    _, log = await api.call("GET", "/api/v1/audit-log", admin)
    assert [e["target"] for e in log["items"] if e["action"] == "account.billing"] == ["bob", "bob"]


DEFAULT_BILLING: dict[str, object] = {
    "tax_rate": None,
    "customer": [],
    "vat_number": None,
    "reverse_charge": False,
}
GMBH = ["Example GmbH", "Hauptstrasse 1", "10115 Berlin", "Germany"]


async def test_a_reverse_charge_bills_no_tax_and_the_invoice_says_so(api: Api, admin: str) -> None:
    """Bob is a business in another EU country: his invoices bill no tax, print his name,
    address and VAT number, and say the customer accounts for the VAT; alice's invoice beside
    it is taxed at the panel's rate and says none of it."""
    await priced_plans(api, admin)
    for name in ("alice", "bob"):
        await api.create_account(admin, name)
    bobs = {"customer": GMBH, "vat_number": "DE123456789", "reverse_charge": True}
    status, body = await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=bobs)
    assert (status, body) == (200, {"account": "bob", **DEFAULT_BILLING, **bobs}), body
    assert (await api.call("GET", "/api/v1/accounts/bob/billing", admin))[1] == body
    await history(api, "alice", ("2026-10-01", "basic"))
    await history(api, "bob", ("2026-10-01", "pro"))
    await api.call("POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"})
    _, listing = await api.call("GET", "/api/v1/invoices", admin)
    invoices = {i["account"]: i for i in listing["items"]}
    bob, alice = invoices["bob"], invoices["alice"]
    assert (bob["reverse_charge"], bob["tax_rate"], bob["tax"], bob["gross"]) == (
        True,
        "0.00",
        "0.00",
        "30.00",
    )
    assert (alice["reverse_charge"], alice["tax_rate"], alice["gross"]) == (False, "21.00", "12.10")
    # A draft prints the account's details as they are; the number comes at issue.
    draft = await pdf_text(api, admin, f"/api/v1/invoices/{bob['id']}/pdf")
    for shown in (*GMBH, "DE123456789", "Reverse charge", "Article 196"):
        assert shown in draft, shown
    status, issued = await api.call("POST", f"/api/v1/invoices/{bob['id']}/issue", admin)
    assert (status, issued["customer"], issued["vat_number"]) == (200, GMBH, "DE123456789")
    text = await pdf_text(api, admin, f"/api/v1/invoices/{alice['id']}/pdf")
    for absent in ("Reverse charge", "VAT number", "Example GmbH"):
        assert absent not in text, absent


async def test_an_issued_invoice_keeps_the_customer_it_was_issued_with(
    api: Api, admin: str
) -> None:
    """Bob's details change after his invoice is issued (he moved): that invoice, its credit
    note and the export still show the old ones; alice's draft shows her new details."""
    invoices = await november(api, admin)
    bob, alice = invoices["bob"]["id"], invoices["alice"]["id"]
    old = {"customer": GMBH, "vat_number": "DE123456789"}
    assert (await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=old))[0] == 200
    assert (await api.call("POST", f"/api/v1/invoices/{bob}/issue", admin))[0] == 200
    moved = {"customer": ["Example GmbH", "Neue Strasse 9"], "vat_number": "ATU12345678"}
    assert (await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=moved))[0] == 200
    assert (await api.call("POST", f"/api/v1/invoices/{bob}/void", admin))[0] == 200
    for path in (f"/api/v1/invoices/{bob}/pdf", f"/api/v1/invoices/{bob}/credit-note"):
        text = await pdf_text(api, admin, path)
        for shown in ("Hauptstrasse 1", "DE123456789"):
            assert shown in text, (path, shown)
        for absent in ("Neue Strasse 9", "ATU12345678"):
            assert absent not in text, (path, absent)
    status, kept = await api.call("GET", f"/api/v1/invoices/{bob}", admin)
    assert (status, kept["customer"], kept["vat_number"]) == (200, GMBH, "DE123456789")
    response = await api.client.get(
        "/api/v1/invoice-export?start=2000-01-01&end=2100-01-01",
        headers={"Authorization": f"Bearer {admin}"},
    )
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["account"], r["vat_number"], r["reverse_charge"]) for r in rows] == [
        ("bob", "DE123456789", "no"),
        ("bob", "DE123456789", "no"),  # the credit note
    ]
    # Alice's draft prints what alice's billing says now, and nothing of bob's.
    alices = {"customer": ["Alice Example", "2 Side St"]}
    assert (await api.call("PUT", "/api/v1/accounts/alice/billing", admin, json=alices))[0] == 200
    _, draft = await api.call("GET", f"/api/v1/invoices/{alice}", admin)
    assert (draft["customer"], draft["vat_number"]) == (None, None)
    text = await pdf_text(api, admin, f"/api/v1/invoices/{alice}/pdf")
    assert "2 Side St" in text
    for absent in ("Example GmbH", "DE123456789"):
        assert absent not in text, absent


async def test_a_reverse_charge_invoice_is_not_issued_without_a_vat_number(
    api: Api, admin: str
) -> None:
    """The draft was made under the reverse charge; its account's VAT number was taken away
    before the draft was issued: the issue is refused, takes no number, and goes through once
    the number is back."""
    await priced_plans(api, admin)
    await api.create_account(admin, "bob")
    bobs = {"vat_number": "FR12345678901", "reverse_charge": True}
    assert (await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=bobs))[0] == 200
    await history(api, "bob", ("2026-10-01", "pro"))
    await api.call("POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"})
    _, listing = await api.call("GET", "/api/v1/invoices", admin)
    (draft,) = listing["items"]
    assert (await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json={}))[0] == 200
    status, body = await api.call("POST", f"/api/v1/invoices/{draft['id']}/issue", admin)
    assert status == 409, body
    assert "VAT number" in body["detail"]
    _, still = await api.call("GET", f"/api/v1/invoices/{draft['id']}", admin)
    assert (still["status"], still["number"]) == ("draft", None)
    assert (await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=bobs))[0] == 200
    status, issued = await api.call("POST", f"/api/v1/invoices/{draft['id']}/issue", admin)
    assert (status, issued["number"][5:], issued["vat_number"]) == (200, "000001", "FR12345678901")


async def test_hostile_customer_details_are_refused_and_change_nothing(
    api: Api, admin: str
) -> None:
    await api.create_account(admin, "bob")
    kept = {"customer": GMBH, "vat_number": "DE123456789", "tax_rate": "19.00"}
    assert (await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=kept))[0] == 200
    # The document's shapes are 400; the rules between fields are the code's: 422.
    rules: list[tuple[dict[str, Any], str]] = [
        ({"reverse_charge": True}, "vat_number"),
        ({"reverse_charge": True, "vat_number": "DE123456789", "tax_rate": "19.00"}, "tax_rate"),
    ]
    refused: list[tuple[dict[str, Any], str]] = [
        ({"reverse_charge": "true", "vat_number": "DE123456789"}, "reverse_charge"),
        ({"reverse_charge": 1, "vat_number": "DE123456789"}, "reverse_charge"),
        ({"customer": ["a"] * 9}, "customer"),
        ({"customer": "Example GmbH"}, "customer"),
        ({"customer": ["x" * 101]}, "customer.0"),
        ({"customer": ["ok", "a\nb"]}, "customer.1"),
        ({"customer": ["tab\there"]}, "customer.0"),
        ({"customer": [None]}, "customer.0"),
    ]
    numbers: list[object] = ["de123456789", "DE 123456789", "DE123456789\n", "D1234", "DE1"]
    numbers += ["X" * 16, "DE<script>", "DE12345678901234", 123456789, ""]
    numbers.append("\u0394\u0395123456789")  # Greek capitals, not EL
    refused += [({"vat_number": number}, "vat_number") for number in numbers]
    for expected, cases in ((422, rules), (400, refused)):
        for body, field in cases:
            status, answer = await api.call("PUT", "/api/v1/accounts/bob/billing", admin, json=body)
            assert status == expected, (body, answer)
            assert field in [e["field"] for e in answer["errors"]], (body, answer)
    status, now = await api.call("GET", "/api/v1/accounts/bob/billing", admin)
    assert (status, now) == (200, {"account": "bob", **DEFAULT_BILLING, **kept})
    # Another account's billing is not touched by bob's, and an owner reads neither.
    assert (await api.call("GET", "/api/v1/accounts/alice/billing", admin))[0] == 404
    await api.create_account(admin, "bobx")
    _, other = await api.call("GET", "/api/v1/accounts/bobx/billing", admin)
    assert other == {"account": "bobx", **DEFAULT_BILLING}
    bob = await api.login("bob", "owner-pass-1")
    for path in ("/api/v1/accounts/bob/billing", "/api/v1/accounts/bobx/billing"):
        assert (await api.call("GET", path, bob))[0] == 403
        assert (await api.call("PUT", path, bob, json={"customer": ["mine"]}))[0] == 403


async def test_only_administrators_set_a_tax_rate_and_only_a_real_one(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.create_account(admin, "bob")
    for token in (alice,):
        for path in ("/api/v1/accounts/alice/billing", "/api/v1/accounts/bob/billing"):
            assert (await api.call("GET", path, token))[0] == 403
            assert (await api.call("PUT", path, token, json={"tax_rate": "0.00"}))[0] == 403
    for rate in ("-1.00", "21", "100.01", "1e2", "21.5", "21.00\n", 21, "", "ab.cd"):
        status, body = await api.call(
            "PUT", "/api/v1/accounts/bob/billing", admin, json={"tax_rate": rate}
        )
        assert status == 400, (rate, body)
        assert [e["field"] for e in body["errors"]] == ["tax_rate"], rate
    status, _ = await api.call(
        "PUT", "/api/v1/accounts/bob/billing", admin, json={"tax_rate": "0.00", "plan": "x"}
    )
    assert status == 400
    # Names that are not an account, near ones included, are 404.
    for name in ("bo", "bobx", "nobody", "BOB", "bob%2F..", "x" * 40):
        status, _ = await api.call(
            "PUT", f"/api/v1/accounts/{name}/billing", admin, json={"tax_rate": "0.00"}
        )
        assert status == 404, name
    _, body = await api.call("GET", "/api/v1/accounts/bob/billing", admin)
    assert body["tax_rate"] is None


async def test_voiding_an_issued_invoice_makes_a_numbered_credit_note(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    ids = [invoices["alice"]["id"], invoices["bob"]["id"]]
    for invoice_id in ids:
        await api.call("POST", f"/api/v1/invoices/{invoice_id}/issue", admin)
    # Two voids at once: consecutive credit note numbers, one each.
    answers = await asyncio.gather(
        *(api.call("POST", f"/api/v1/invoices/{i}/void", admin) for i in ids)
    )
    assert [status for status, _ in answers] == [200, 200]
    year = answers[0][1]["number"][:4]
    assert sorted(body["credit_note"] for _, body in answers) == [
        f"CN-{year}-000001",
        f"CN-{year}-000002",
    ]
    # Voiding again is refused and takes no number; a paid invoice gets no credit note.
    assert (await api.call("POST", f"/api/v1/invoices/{ids[0]}/void", admin))[0] == 409
    alice_note = answers[0][1]["credit_note"]
    alice = await api.login("alice", "owner-pass-1")
    _, mine = await api.call("GET", f"/api/v1/invoices/{ids[0]}", alice)
    assert (mine["status"], mine["credit_note"]) == ("void", alice_note)
    response = await api.client.get(
        f"/api/v1/invoices/{ids[0]}/credit-note", headers={"Authorization": f"Bearer {alice}"}
    )
    assert response.status == 200
    assert response.content_type == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(await response.read())).pages
    )
    for shown in (alice_note, mine["number"], "alice", "-23.33", "-4.90", "-28.23", "-3.33"):
        assert shown in text, shown
    # Another owner's credit note is 404, as its invoice.
    bob = await api.login("bob", "owner-pass-1")
    assert (await api.call("GET", f"/api/v1/invoices/{ids[0]}/credit-note", bob))[0] == 404

    response = await api.client.get(
        "/api/v1/invoice-export?start=2000-01-01&end=2100-01-01",
        headers={"Authorization": f"Bearer {admin}"},
    )
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    notes = [r for r in rows if r["status"] == "credit_note"]
    assert sorted((r["number"], r["cancels"], r["gross"]) for r in notes) == sorted(
        [
            (alice_note, mine["number"], "-28.23"),
            (answers[1][1]["credit_note"], answers[1][1]["number"], "-5.84"),
        ]
    )
    assert len(rows) == 4  # the two invoices, and the two credit notes


async def test_a_draft_or_paid_invoice_has_no_credit_note(api: Api, admin: str) -> None:
    invoices = await november(api, admin)
    draft, paid = invoices["alice"]["id"], invoices["bob"]["id"]
    assert (await api.call("POST", f"/api/v1/invoices/{draft}/void", admin))[0] == 409
    await api.call("POST", f"/api/v1/invoices/{paid}/issue", admin)
    _, body = await api.call("POST", f"/api/v1/invoices/{paid}/pay", admin)
    assert body["credit_note"] is None
    for invoice_id in (draft, paid):
        status, _ = await api.call("GET", f"/api/v1/invoices/{invoice_id}/credit-note", admin)
        assert status == 404
