"""Resellers through the REST API: totals an administrator gives, plans and accounts a reseller
makes within them (also when two requests race for the last place), what it may not do, and
the audit log naming it (docs/resellers.md)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.gateway.conftest import Api
from tests.gateway.test_security_matrix import reseller

PASSWORD = "reseller-pass-1"


async def _totals(api: Api, admin: str, name: str) -> dict[str, Any]:
    status, body = await api.call("GET", f"/api/v1/resellers/{name}", admin)
    assert status == 200, body
    return dict(body)


async def test_an_administrator_creates_a_reseller_who_signs_in(api: Api, admin: str) -> None:
    status, body = await api.call(
        "POST",
        "/api/v1/resellers",
        admin,
        json={"name": "ann", "password": PASSWORD, "email": "ann@example.net", "max_accounts": 5},
    )
    assert status == 201, body
    assert (body["max_accounts"], body["disk_quota_mb"]) == (5, None)
    assert body["reserved"] == {
        "max_accounts": 0,
        "disk_quota_mb": 0,
        "max_domains": 0,
        "max_databases": 0,
    }
    ann = await api.login("ann", PASSWORD)
    status, me = await api.call("GET", "/api/v1/me", ann)
    assert (status, me["role"], me["account"]) == (200, "reseller", None)
    assert me["reseller"]["max_accounts"] == 5
    # Names are one namespace with accounts and administrators.
    await api.create_account(admin, "carol")
    for taken in ("ann", "carol"):
        status, _ = await api.call(
            "POST", "/api/v1/resellers", admin, json={"name": taken, "password": PASSWORD}
        )
        assert status == 409, taken
    status, _ = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "ann", "password": PASSWORD}
    )
    assert status == 409
    status, _ = await api.call(
        "POST", "/api/v1/resellers", admin, json={"name": "root", "password": PASSWORD}
    )
    assert status == 400  # a reserved name, as for accounts
    _, page = await api.call("GET", "/api/v1/resellers", admin)
    assert [r["name"] for r in page["items"]] == ["ann"]


async def test_a_reseller_cannot_make_administrators_resellers_or_raise_its_totals(
    api: Api, admin: str
) -> None:
    ann = await reseller(api, admin, "ann", max_accounts=1)
    for method, path, body in (
        ("POST", "/api/v1/resellers", {"name": "evil", "password": PASSWORD}),
        ("PATCH", "/api/v1/resellers/ann", {"max_accounts": 1000}),
        ("GET", "/api/v1/resellers", None),
        ("GET", "/api/v1/audit-log", None),
        ("POST", "/api/v1/reconcile", None),
    ):
        status, _ = await api.call(method, path, ann, json=body)
        assert status == 403, (method, path)
    assert (await _totals(api, admin, "ann"))["max_accounts"] == 1
    # An account body has no role: what a reseller makes is an owner.
    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        ann,
        json={"name": "sneaky", "password": PASSWORD, "plan": "ann_gold", "role": "admin"},
    )
    assert status == 400, body


async def test_reseller_plans_are_named_after_it_give_no_vpn_and_fit_its_totals(
    api: Api, admin: str
) -> None:
    ann = await reseller(api, admin, "ann", with_plan=False, disk_quota_mb=1000, max_domains=10)
    # An unlimited plan does not fit finite totals.
    status, body = await api.call("POST", "/api/v1/plans", ann, json={"name": "ann_gold"})
    assert status == 403, body
    assert "unlimited" in body["detail"]
    cases = [
        ({"name": "gold2", "max_domains": 1, "disk_quota_mb": 10}, 422, "name"),
        ({"name": "an_gold", "max_domains": 1, "disk_quota_mb": 10}, 422, "name"),
        (
            {"name": "ann_vpn", "max_domains": 1, "disk_quota_mb": 10, "max_vpn_clients": 1},
            422,
            "max_vpn_clients",
        ),
        (
            {"name": "ann_php", "max_domains": 1, "disk_quota_mb": 10, "php_open_basedir": False},
            422,
            "php_open_basedir",
        ),
        ({"name": "ann_big", "max_domains": 11, "disk_quota_mb": 10}, 403, None),
        ({"name": "ann_huge", "max_domains": 1, "disk_quota_mb": 1001}, 403, None),
    ]
    for plan, expected, field in cases:
        status, body = await api.call("POST", "/api/v1/plans", ann, json=plan)
        assert status == expected, (plan, body)
        if field:
            assert body["errors"][0]["field"] == field
    status, body = await api.call(
        "POST",
        "/api/v1/plans",
        ann,
        json={"name": "ann_small", "max_domains": 4, "disk_quota_mb": 400},
    )
    assert (status, body["reseller"]) == (201, "ann"), body
    unconfined = {"php_open_basedir": False}
    status, body = await api.call("PATCH", "/api/v1/plans/ann_small", ann, json=unconfined)
    assert (status, body["errors"][0]["field"]) == (422, "php_open_basedir"), body
    await api.create_account(ann, "alice", plan="ann_small")
    await api.create_account(ann, "alicia", plan="ann_small")
    # Two accounts reserve 800 MiB and 8 domains: a third does not fit, nor a larger plan.
    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        ann,
        json={"name": "alina", "password": PASSWORD, "plan": "ann_small"},
    )
    assert status == 403, body
    status, body = await api.call("PATCH", "/api/v1/plans/ann_small", ann, json={"max_domains": 6})
    assert status == 403, body
    status, body = await api.call("PATCH", "/api/v1/plans/ann_small", ann, json={"max_domains": 5})
    assert status == 200, body
    reserved = (await _totals(api, admin, "ann"))["reserved"]
    assert reserved == {
        "max_accounts": 2,
        "disk_quota_mb": 800,
        "max_domains": 10,
        "max_databases": None,
    }
    # The administrator cannot lower the totals below what is reserved.
    status, body = await api.call("PATCH", "/api/v1/resellers/ann", admin, json={"max_domains": 9})
    assert status == 409, body
    status, body = await api.call(
        "PATCH", "/api/v1/resellers/ann", admin, json={"max_databases": 3}
    )
    assert status == 409, body  # ann_small allows unlimited databases
    status, body = await api.call("PATCH", "/api/v1/resellers/ann", admin, json={"max_domains": 10})
    assert status == 200, body


async def test_two_requests_racing_for_the_last_account_place_one_wins(
    api: Api, admin: str
) -> None:
    ann = await reseller(api, admin, "ann", max_accounts=2)
    await api.create_account(ann, "alice", plan="ann_gold")

    async def create(name: str) -> int:
        status, _ = await api.call(
            "POST",
            "/api/v1/accounts",
            ann,
            json={"name": name, "password": PASSWORD, "plan": "ann_gold"},
        )
        return status

    for attempt in range(5):
        names = [f"racer{attempt}a", f"racer{attempt}b"]
        results = await asyncio.gather(*(create(n) for n in names))
        if attempt == 0:
            assert sorted(results) == [201, 403], results
        else:
            assert results == [403, 403], results
    _, page = await api.call("GET", "/api/v1/accounts", ann)
    assert len(page["items"]) == 2
    assert len(api.agent.accounts) == 2


async def test_plans_and_accounts_of_others_are_not_a_resellers(api: Api, admin: str) -> None:
    ann = await reseller(api, admin, "ann")
    ben = await reseller(api, admin, "ben")
    await api.create_account(ann, "alice", plan="ann_gold")
    await api.create_account(admin, "carol")  # an administrator's, on the default plan
    # No plan of another's, nor the default plan: not to create on, not to move to.
    for plan in ("default", "ben_gold"):
        status, body = await api.call(
            "POST",
            "/api/v1/accounts",
            ann,
            json={"name": "newbie", "password": PASSWORD, "plan": plan},
        )
        assert (status, body["errors"][0]["field"]) == (422, "plan"), body
        status, body = await api.call("PATCH", "/api/v1/accounts/alice", ann, json={"plan": plan})
        assert (status, body["errors"][0]["field"]) == (422, "plan"), body
        for method in ("GET", "PATCH", "DELETE"):
            status, _ = await api.call(method, f"/api/v1/plans/{plan}", ann, json={})
            assert status == 404, (method, plan)
    status, _ = await api.call(
        "POST", "/api/v1/accounts", ann, json={"name": "nb", "password": PASSWORD}
    )
    assert status == 400  # too short a name: the document's rule comes first
    status, body = await api.call(
        "POST", "/api/v1/accounts", ann, json={"name": "newbie", "password": PASSWORD}
    )
    assert status == 422, body
    assert "your own plans" in body["detail"]
    # carol (the administrator's) and alice (ann's) are not ben's.
    for account in ("carol", "alice"):
        for method, path in (
            ("GET", ""),
            ("PATCH", ""),
            ("DELETE", ""),
            ("POST", "/suspend"),
            ("POST", "/unsuspend"),
        ):
            status, _ = await api.call(method, f"/api/v1/accounts/{account}{path}", ben, json={})
            assert status == 404, (account, method, path)
    assert set(api.agent.accounts) == {"alice", "carol"}
    # The administrator sees every plan with its reseller, and every account's.
    _, plans = await api.call("GET", "/api/v1/plans", admin)
    assert {(p["name"], p["reseller"]) for p in plans["items"]} == {
        ("ann_gold", "ann"),
        ("ben_gold", "ben"),
        ("default", None),
    }
    _, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert account["reseller"] == "ann"


async def test_a_reseller_manages_its_accounts_and_their_resources(api: Api, admin: str) -> None:
    ann = await reseller(api, admin, "ann")
    await api.call("POST", "/api/v1/plans", ann, json={"name": "ann_silver"})
    await api.create_account(ann, "alice", plan="ann_gold")
    status, body = await api.call(
        "PATCH", "/api/v1/accounts/alice", ann, json={"plan": "ann_silver"}
    )
    assert (status, body["plan"]) == (200, "ann_silver"), body
    # Resources of its account: named in the body, listed without naming it.
    status, body = await api.call(
        "POST", "/api/v1/domains", ann, json={"name": "alice.com", "account": "alice"}
    )
    assert status == 201, body
    status, body = await api.call("POST", "/api/v1/domains", ann, json={"name": "ann.com"})
    assert (status, body["errors"][0]["field"]) == (422, "account"), body
    _, page = await api.call("GET", "/api/v1/domains", ann)
    assert [d["name"] for d in page["items"]] == ["alice.com"]
    # Its suspension: the owner cannot lift it; it cannot lift an administrator's.
    status, body = await api.call(
        "POST", "/api/v1/accounts/alice/suspend", ann, json={"reason": "unpaid"}
    )
    assert (status, body["suspension"]["by"]) == (200, "reseller"), body
    status, _ = await api.call("POST", "/api/v1/accounts/alice/unsuspend", ann)
    assert status == 200
    await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    status, body = await api.call("POST", "/api/v1/accounts/alice/unsuspend", ann)
    assert status == 403, body
    status, body = await api.call("POST", "/api/v1/accounts/alice/suspend", ann)
    assert status == 403, body  # would make the administrator's suspension its own
    await api.call("POST", "/api/v1/accounts/alice/unsuspend", admin)
    # A site ann suspended stays so for its owner.
    alice = await api.login("alice", "owner-pass-1")
    status, _ = await api.call("POST", "/api/v1/domains/alice.com/suspend", ann)
    assert status == 200
    status, body = await api.call("POST", "/api/v1/domains/alice.com/unsuspend", alice)
    assert status == 403, body
    # Deleting its account.
    status, _ = await api.call("DELETE", "/api/v1/accounts/alice", ann)
    assert status == 204
    assert "alice" not in api.agent.accounts


async def test_reseller_actions_are_audited_with_the_reseller_as_actor(
    api: Api, admin: str
) -> None:
    ann = await reseller(api, admin, "ann")
    await api.create_account(ann, "alice", plan="ann_gold")
    await api.call("POST", "/api/v1/accounts/alice/suspend", ann)
    _, log = await api.call("GET", "/api/v1/audit-log?limit=5", admin)
    entries = [(e["actor"], e["action"], e["target"]) for e in log["items"]]
    assert entries[:4] == [
        ("ann", "account.suspend", "alice"),
        ("ann", "account.create", "alice"),
        ("ann", "plan.create", "ann_gold"),
        ("admin", "reseller.create", "ann"),
    ]


async def test_deleting_a_reseller(api: Api, admin: str) -> None:
    ann = await reseller(api, admin, "ann")
    await api.create_account(ann, "alice", plan="ann_gold")
    status, body = await api.call("DELETE", "/api/v1/resellers/ann", admin)
    assert status == 409, body
    # The administrator takes the account onto its own plan; then the reseller can go.
    status, body = await api.call(
        "PATCH", "/api/v1/accounts/alice", admin, json={"plan": "default"}
    )
    assert (status, body["reseller"]) == (200, None), body
    assert (await api.call("DELETE", "/api/v1/resellers/ann", admin))[0] == 204
    status, _ = await api.call("GET", "/api/v1/me", ann)
    assert status == 401  # its sessions end with it
    assert (await api.call("GET", "/api/v1/plans/ann_gold", admin))[0] == 404
    assert (await api.call("GET", "/api/v1/accounts/alice", admin))[0] == 200


async def test_hostile_reseller_input_is_refused_and_changes_nothing(api: Api, admin: str) -> None:
    """What the document forbids is a 400 before anything is recorded: huge or odd names and
    totals, unknown fields (a role), booleans for numbers."""
    bodies = [
        {"name": "a" * 300, "password": PASSWORD},
        {"name": "Ann", "password": PASSWORD},
        {"name": "ann\n", "password": PASSWORD},
        {"name": "ann", "password": PASSWORD, "max_accounts": 10**12},
        {"name": "ann", "password": PASSWORD, "max_accounts": -1},
        {"name": "ann", "password": PASSWORD, "max_accounts": True},
        {"name": "ann", "password": PASSWORD, "disk_quota_mb": "1"},
        {"name": "ann", "password": PASSWORD, "role": "admin"},
        {"name": "ann", "password": "x" * 73},
    ]
    for body in bodies:
        status, _ = await api.call("POST", "/api/v1/resellers", admin, json=body)
        assert status == 400, body
    _, page = await api.call("GET", "/api/v1/resellers", admin)
    assert page["items"] == []
    ann = await reseller(api, admin, "ann", max_accounts=3)
    status, _ = await api.call(
        "PATCH", "/api/v1/resellers/ann", admin, json={"max_domains": 10**12}
    )
    assert status == 400
    # A reseller's huge plan limits are the document's too; its plan names the pattern's.
    for body in ({"name": "ann_" + "x" * 70}, {"name": "ann_big", "max_domains": 10**12}):
        status, _ = await api.call("POST", "/api/v1/plans", ann, json=body)
        assert status == 400, body
    assert (await _totals(api, admin, "ann"))["max_accounts"] == 3
