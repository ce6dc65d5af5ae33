"""One-off charges through the REST API with the real MariaDB: a charge goes on its account's
next invoice, taxed with the plan's lines, once; a billed charge stays; owners read their own
and change none; hostile values change nothing (docs/invoices.md, One-off charges)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from gateway import keys
from gateway.store import invoices as invoices_store
from gateway.store.invoices import InvoiceLineRecord, NewInvoice
from tests.gateway.conftest import Api
from tests.gateway.invoices.test_invoices import history, priced_plans, sql


async def charge(api: Api, admin: str, account: str, description: str, amount: str) -> str:
    body = {"account": account, "description": description, "amount": amount}
    status, found = await api.call("POST", "/api/v1/charges", admin, json=body)
    assert status == 201, found
    assert (found["account"], found["amount"], found["invoice"]) == (account, amount, None)
    return str(found["id"])


async def added_at(api: Api, charge_id: str, moment: str) -> None:
    statement = "UPDATE invoice_charges SET created_at = %s WHERE public_id = %s"
    await sql(api, statement, moment, charge_id)


async def run_december(api: Api, admin: str) -> dict[str, Any]:
    status, run = await api.call(
        "POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"}
    )
    assert status == 200, run
    _, listing = await api.call("GET", "/api/v1/invoices", admin)
    return {invoice["account"]: invoice for invoice in listing["items"]}


async def test_a_charge_goes_on_the_next_invoice_once_and_then_stays(api: Api, admin: str) -> None:
    await priced_plans(api, admin)
    for name in ("alice", "bob"):
        await api.create_account(admin, name)
    await history(api, "alice", ("2026-10-01", "basic"))
    await history(api, "bob", ("2026-01-01", "free"))  # no plan line: the charge alone
    fee = await charge(api, admin, "alice", "Set-up fee", "25.00")
    migration = await charge(api, admin, "bob", "Moving 3 sites", "40.00")
    later = await charge(api, admin, "alice", "Extra backup", "5.00")
    await added_at(api, fee, "2026-11-20 10:00:00")
    await added_at(api, migration, "2026-11-30 23:59:59.999999")
    await added_at(api, later, "2026-12-01 00:00:00")  # the boundary: the next run's

    invoices = await run_december(api, admin)
    assert sorted(invoices) == ["alice", "bob"]
    alice, bob = invoices["alice"], invoices["bob"]
    assert (alice["net"], alice["tax"], alice["gross"]) == ("35.00", "7.35", "42.35")
    assert (bob["net"], bob["tax"], bob["gross"]) == ("40.00", "8.40", "48.40")
    _, detail = await api.call("GET", f"/api/v1/invoices/{alice['id']}", admin)
    assert [
        (line["plan"], line["description"], line["price"], line["amount"], line["starts_at"])
        for line in detail["lines"]
    ] == [
        ("basic", None, "10.00", "10.00", detail["lines"][0]["starts_at"]),
        (None, "Set-up fee", "25.00", "25.00", None),
    ]
    assert detail["lines"][0]["starts_at"] is not None
    for charge_id, invoice in ((fee, alice["id"]), (migration, bob["id"]), (later, None)):
        status, found = await api.call("GET", f"/api/v1/charges/{charge_id}", admin)
        assert (status, found["invoice"]) == (200, invoice), charge_id

    # Billed: it stays, and a second run bills nothing again.
    status, problem = await api.call("DELETE", f"/api/v1/charges/{fee}", admin)
    assert status == 409, problem
    assert (await api.call("GET", f"/api/v1/charges/{fee}", admin))[0] == 200
    status, run = await api.call(
        "POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"}
    )
    assert (status, run) == (200, {"made": 0})
    assert (await api.call("GET", f"/api/v1/charges/{later}", admin))[1]["invoice"] is None
    # Pending: it goes, and with it from the next invoice.
    assert (await api.call("DELETE", f"/api/v1/charges/{later}", admin))[0] == 204
    assert (await api.call("GET", f"/api/v1/charges/{later}", admin))[0] == 404
    assert (await api.call("DELETE", f"/api/v1/charges/{later}", admin))[0] == 404

    # The PDF prints the charge's line.
    await api.call("POST", f"/api/v1/invoices/{alice['id']}/issue", admin)
    response = await api.client.get(
        f"/api/v1/invoices/{alice['id']}/pdf", headers={"Authorization": f"Bearer {admin}"}
    )
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(await response.read())).pages
    )
    assert "Set-up fee" in text
    assert "Plan basic" in text


async def test_owners_read_their_own_charges_and_change_none(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.create_account(admin, "bob")
    mine = await charge(api, admin, "alice", "Set-up fee", "25.00")
    theirs = await charge(api, admin, "bob", "Set-up fee", "25.00")
    _, listing = await api.call("GET", "/api/v1/charges", alice)
    assert [c["id"] for c in listing["items"]] == [mine]
    assert (await api.call("GET", f"/api/v1/charges/{mine}", alice))[0] == 200
    assert (await api.call("GET", f"/api/v1/charges/{theirs}", alice))[0] == 404
    assert (await api.call("GET", "/api/v1/charges?account=bob", alice))[0] == 404
    body = {"account": "alice", "description": "Refund", "amount": "1.00"}
    assert (await api.call("POST", "/api/v1/charges", alice, json=body))[0] == 403
    for charge_id in (mine, theirs):
        assert (await api.call("DELETE", f"/api/v1/charges/{charge_id}", alice))[0] in (403, 404)
    _, listing = await api.call("GET", "/api/v1/charges", admin)
    assert sorted(c["id"] for c in listing["items"]) == sorted([mine, theirs])
    _, listing = await api.call("GET", "/api/v1/charges?account=bob", admin)
    assert [c["id"] for c in listing["items"]] == [theirs]


async def test_hostile_charges_are_refused_and_change_nothing(api: Api, admin: str) -> None:
    await api.create_account(admin, "bob")
    good = {"account": "bob", "description": "Set-up fee", "amount": "25.00"}
    refused: list[tuple[dict[str, Any], int, str]] = [
        ({"amount": "0.00"}, 422, "amount"),
        ({"account": "carol"}, 404, ""),
        ({"account": "nobody"}, 400, "account"),  # reserved for the system
        ({"account": "bobx"}, 404, ""),
        ({"account": "bo"}, 400, "account"),
        ({"account": "BOB"}, 400, "account"),
        ({"account": None}, 400, "account"),
    ]
    descriptions: list[object] = ["", "   ", "a\nb", "tab\there", "x" * 201, None, 5, ["x"]]
    descriptions += ["fee\n", "\x7f", "\x00"]
    refused += [({"description": d}, 400, "description") for d in descriptions]
    amounts: list[object] = ["-1.00", "1e3", "10", "10.5", 10, 10.0, "", "12345678901.00"]
    amounts += ["10.00\n", " 10.00", "0x10.00", None, "NaN"]
    refused += [({"amount": a}, 400, "amount") for a in amounts]
    refused.append(({"invoice": "0123456789abcdef"}, 400, "invoice"))
    for change, expected, field in refused:
        status, answer = await api.call("POST", "/api/v1/charges", admin, json={**good, **change})
        assert status == expected, (change, answer)
        if field:
            assert field in [e["field"] for e in answer["errors"]], (change, answer)
    assert (await api.call("GET", "/api/v1/charges", admin))[1]["items"] == []
    # Any printable text is taken and read back as it was.
    text = "<b>Fee</b> ' \" ; DROP TABLE x; -- \u00fcml\u00e4ut \u20ac \U0001f600 " + "y" * 150
    status, found = await api.call(
        "POST", "/api/v1/charges", admin, json={**good, "description": text}
    )
    assert (status, found["description"]) == (201, text), found
    for charge_id in ("0123456789abcdef", "..", found["id"].upper(), found["id"] + "0"):
        assert (await api.call("GET", f"/api/v1/charges/{charge_id}", admin))[0] == 404
        assert (await api.call("DELETE", f"/api/v1/charges/{charge_id}", admin))[0] == 404


async def test_an_accounts_pending_charges_go_with_it_its_invoices_stay(
    api: Api, admin: str
) -> None:
    await priced_plans(api, admin)
    await api.create_account(admin, "alice")
    await history(api, "alice", ("2026-01-01", "free"))
    billed = await charge(api, admin, "alice", "Set-up fee", "25.00")
    await added_at(api, billed, "2026-11-20")
    pending = await charge(api, admin, "alice", "Extra backup", "5.00")
    invoice = (await run_december(api, admin))["alice"]
    await api.call("POST", f"/api/v1/invoices/{invoice['id']}/issue", admin)
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] in (200, 202, 204)
    assert (await api.call("GET", f"/api/v1/charges/{pending}", admin))[0] == 404
    status, kept = await api.call("GET", f"/api/v1/invoices/{invoice['id']}", admin)
    assert (status, kept["gross"]) == (200, "30.25")
    assert [line["description"] for line in kept["lines"]] == ["Set-up fee"]


async def test_a_draft_does_not_bill_a_charge_removed_meanwhile(api: Api, admin: str) -> None:
    """The run read the charge as pending; it was removed before the draft was recorded: the
    draft is not recorded (the run reads the account's charges again), no line bills it."""
    await api.create_account(admin, "alice")
    gone = await charge(api, admin, "alice", "Set-up fee", "25.00")
    await sql(api, "DELETE FROM invoice_charges WHERE public_id = %s", gone)
    db = api.client.app[keys.DB]
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    line = InvoiceLineRecord(1, None, None, None, Decimal("25.00"), Decimal("25.00"), "Set-up fee")
    stale = NewInvoice(
        account_id=await _user_id(api, "alice"),
        account_name="alice",
        billed_at=moment,
        period_start=datetime(2026, 11, 1, tzinfo=UTC),
        currency="EUR",
        tax_rate=Decimal("0.00"),
        reverse_charge=False,
        net=Decimal("25.00"),
        tax=Decimal("0.00"),
        gross=Decimal("25.00"),
        lines=[line],
        charges=[999_999_999],
    )
    with pytest.raises(invoices_store.ChargesChanged):
        await invoices_store.insert_draft(db, "0123456789abcdef", stale)
    assert (await api.call("GET", "/api/v1/invoices", admin))[1]["items"] == []
    status, run = await api.call(
        "POST", "/api/v1/invoices/run", admin, json={"period_end": "2026-12-01"}
    )
    assert (status, run) == (200, {"made": 0})  # nothing pending, nothing priced


async def _user_id(api: Api, name: str) -> int:
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute("SELECT id FROM users WHERE name = %s", (name,))
        return int((await cur.fetchone())["id"])
