"""Suspending a reseller with its accounts, as WHM does (docs/resellers.md, Suspending a
reseller): the reseller's sessions end and it cannot sign in; its accounts are suspended as an
administrator's suspension that neither the reseller nor the owners can lift; unsuspending it
lifts exactly what its suspension made; an account the agent refuses is named and left for a
retry."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from tests.gateway.conftest import Api
from tests.gateway.test_security_matrix import reseller

PASSWORD = "reseller-pass-1"


async def _refresh_cookie(api: Api, name: str, password: str) -> str:
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": name, "password": password}
    )
    assert response.status == 200, await response.text()
    api.client.session.cookie_jar.clear()
    return str(response.cookies["jopanel_refresh"].value)


async def _account(api: Api, admin: str, name: str) -> dict[str, Any]:
    status, body = await api.call("GET", f"/api/v1/accounts/{name}", admin)
    assert status == 200, body
    return dict(body)


async def _ann_with_accounts(api: Api, admin: str) -> str:
    ann = await reseller(api, admin, "ann")
    for name in ("alice", "alicia", "amy"):
        await api.create_account(ann, name, plan="ann_gold")
    return ann


async def test_suspend_and_unsuspend_round_trip(api: Api, admin: str) -> None:
    ann = await _ann_with_accounts(api, admin)
    # ben's accounts sort and start right beside ann's: they are not touched.
    ben = await reseller(api, admin, "ben")
    await api.create_account(ben, "alic", plan="ben_gold")
    await api.create_account(ben, "aliciaa", plan="ben_gold")
    await api.create_account(admin, "carol")
    status, body = await api.call(
        "POST", "/api/v1/resellers/ann/suspend", admin, json={"reason": "unpaid invoice"}
    )
    assert status == 200, body
    assert (body["accounts"], body["not_done"]) == (["alice", "alicia", "amy"], [])
    assert body["reseller"]["suspension"]["reason"] == "unpaid invoice"
    assert body["reseller"]["suspension"]["user"] == "admin"
    for name in ("alice", "alicia", "amy"):
        account = await _account(api, admin, name)
        assert account["status"] == "suspended"
        assert account["suspension"]["by"] == "admin"
        assert api.agent.accounts[name].suspended
    for name in ("alic", "aliciaa", "carol"):
        assert (await _account(api, admin, name))["status"] == "active"
        assert not api.agent.accounts[name].suspended
    # ben, another reseller, still works.
    assert (await api.call("GET", "/api/v1/accounts/alic", ben))[0] == 200
    _, listed = await api.call("GET", "/api/v1/resellers", admin)
    assert [r["suspension"] is not None for r in listed["items"]] == [True, False]

    status, body = await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    assert status == 200, body
    assert (body["accounts"], body["not_done"]) == (["alice", "alicia", "amy"], [])
    assert body["reseller"]["suspension"] is None
    for name in ("alice", "alicia", "amy"):
        assert (await _account(api, admin, name))["status"] == "active"
        assert not api.agent.accounts[name].suspended
    ann = await api.login("ann", PASSWORD)
    assert (await api.call("GET", "/api/v1/accounts/alice", ann))[0] == 200
    await api.login("alice", "owner-pass-1")


async def test_a_resellers_accounts_are_suspended_together(api: Api, admin: str) -> None:
    """The agent takes the calls that wait together into one batch (their sites go offline in
    one nginx reload), so the accounts do not wait one after another's answer."""
    await _ann_with_accounts(api, admin)

    def sent(rpc: str) -> list[str]:
        return sorted(c.split()[1] for c in api.agent.calls if c.split()[0] == rpc)

    for action, rpc in (("suspend", "SuspendAccount"), ("unsuspend", "UnsuspendAccount")):
        hold = api.agent.hold = asyncio.Event()
        api.agent.held.clear()
        path = f"/api/v1/resellers/ann/{action}"
        answer = asyncio.create_task(api.call("POST", path, admin))
        await api.agent.held.wait()  # the agent holds the first account's call
        async with asyncio.timeout(10):
            while len(sent(rpc)) < 3:  # noqa: ASYNC110 - the fake records calls, no event
                await asyncio.sleep(0.01)
        assert sent(rpc) == ["alice", "alicia", "amy"]
        hold.set()
        status, body = await answer
        assert (status, body["accounts"], body["not_done"]) == (200, sent(rpc), [])


async def test_an_administrators_earlier_suspension_is_kept(api: Api, admin: str) -> None:
    ann = await _ann_with_accounts(api, admin)
    status, _ = await api.call(
        "POST", "/api/v1/accounts/alicia/suspend", admin, json={"reason": "abuse"}
    )
    assert status == 200
    # A reseller's own suspension of an account is kept too: it was not the reseller's
    # suspension that made it.
    assert (await api.call("POST", "/api/v1/accounts/amy/suspend", ann))[0] == 200
    status, body = await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    assert (status, body["accounts"]) == (200, ["alice"]), body
    status, body = await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    assert (status, body["accounts"]) == (200, ["alice"]), body
    alicia = await _account(api, admin, "alicia")
    assert (alicia["status"], alicia["suspension"]["reason"]) == ("suspended", "abuse")
    assert api.agent.accounts["alicia"].suspended
    assert (await _account(api, admin, "amy"))["suspension"]["by"] == "reseller"
    assert (await _account(api, admin, "alice"))["status"] == "active"
    # The reseller, back, still cannot lift the administrator's suspension.
    ann = await api.login("ann", PASSWORD)
    status, _ = await api.call("POST", "/api/v1/accounts/alicia/unsuspend", ann)
    assert status == 403


async def test_an_administrator_suspending_an_account_again_makes_it_its_own(
    api: Api, admin: str
) -> None:
    """Suspended with its reseller, then by an administrator on its own: it stays suspended
    when the reseller comes back."""
    await _ann_with_accounts(api, admin)
    await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    status, _ = await api.call(
        "POST", "/api/v1/accounts/alice/suspend", admin, json={"reason": "abuse"}
    )
    assert status == 200
    _, body = await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    assert body["accounts"] == ["alicia", "amy"]
    assert (await _account(api, admin, "alice"))["status"] == "suspended"


async def test_a_suspended_reseller_cannot_sign_in_and_its_sessions_end(
    api: Api, admin: str
) -> None:
    ann = await _ann_with_accounts(api, admin)
    cookie = await _refresh_cookie(api, "ann", PASSWORD)
    owner_cookie = await _refresh_cookie(api, "alice", "owner-pass-1")
    await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    assert (await api.call("GET", "/api/v1/me", ann))[0] == 401
    for name, password, refresh in (
        ("ann", PASSWORD, cookie),
        ("alice", "owner-pass-1", owner_cookie),
    ):
        response = await api.client.post(
            "/api/v1/auth/login", json={"username": name, "password": password}
        )
        assert response.status == 403, name
        response = await api.client.post(
            "/api/v1/auth/refresh", cookies={"jopanel_refresh": refresh}
        )
        assert response.status == 401, name
        api.client.session.cookie_jar.clear()
    # A wrong password still answers 401: a suspension tells nothing to who does not know it.
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": "ann", "password": "wrong-pass-1"}
    )
    assert response.status == 401


async def test_neither_the_reseller_nor_the_owners_can_lift_it(api: Api, admin: str) -> None:
    """An access token taken before the suspension is refused; the one the reseller would
    have after an administrator resumes it cannot lift what was not resumed (an account the
    agent refused comes back suspended by an administrator)."""
    ann = await _ann_with_accounts(api, admin)
    alice = await api.login("alice", "owner-pass-1")
    await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    for token in (ann, alice):
        status, _ = await api.call("POST", "/api/v1/accounts/alice/unsuspend", token)
        assert status == 401
        status, _ = await api.call("POST", "/api/v1/resellers/ann/unsuspend", token)
        assert status == 401
    api.agent.fail_call = "UnsuspendAccount alicia"
    api.agent.fail_call_code = grpc.StatusCode.FAILED_PRECONDITION
    _, body = await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    ann = await api.login("ann", PASSWORD)
    status, refused = await api.call("POST", "/api/v1/accounts/alicia/unsuspend", ann)
    assert status == 403, refused
    assert (await _account(api, admin, "alicia"))["status"] == "suspended"
    assert [n["name"] for n in body["not_done"]] == ["alicia"]


async def test_an_account_the_agent_refuses_is_named_and_a_retry_settles_it(
    api: Api, admin: str
) -> None:
    await _ann_with_accounts(api, admin)
    api.agent.fail_call = "SuspendAccount alicia"
    api.agent.fail_call_code = grpc.StatusCode.FAILED_PRECONDITION
    status, body = await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    assert status == 200, body
    assert body["accounts"] == ["alice", "amy"]
    assert [n["name"] for n in body["not_done"]] == ["alicia"]
    assert "FAILED_PRECONDITION" in body["not_done"][0]["detail"]
    # The reseller is suspended whatever the agent refused; alicia is as she was.
    assert body["reseller"]["suspension"] is not None
    assert (await _account(api, admin, "alicia"))["status"] == "active"
    assert not api.agent.accounts["alicia"].suspended
    status, body = await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    assert (status, body["accounts"], body["not_done"]) == (200, ["alicia"], [])
    assert api.agent.accounts["alicia"].suspended
    # Unsuspending likewise: the refused one stays suspended, named, and a retry lifts it.
    api.agent.fail_call = "UnsuspendAccount amy"
    status, body = await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    assert (body["accounts"], [n["name"] for n in body["not_done"]]) == (
        ["alice", "alicia"],
        ["amy"],
    )
    assert (await _account(api, admin, "amy"))["status"] == "suspended"
    status, body = await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    assert (status, body["accounts"], body["not_done"]) == (200, ["amy"], [])
    assert (await _account(api, admin, "amy"))["status"] == "active"


async def test_only_administrators_suspend_resellers(api: Api, admin: str) -> None:
    ann = await _ann_with_accounts(api, admin)
    ben = await reseller(api, admin, "ben")
    alice = await api.login("alice", "owner-pass-1")
    for token in (ann, ben, alice):
        for action in ("suspend", "unsuspend"):
            for name in ("ann", "ben"):
                status, _ = await api.call("POST", f"/api/v1/resellers/{name}/{action}", token)
                assert status == 403, (action, name)
    assert api.agent.calls.count("SuspendAccount alice") == 0
    # Another name, one just below or above ann's, an account's or an administrator's: 404.
    for name in ("an", "anna", "alice", "admin", "x" * 5000):
        status, _ = await api.call("POST", f"/api/v1/resellers/{name}/suspend", admin)
        assert status == 404, name
    assert (await _account(api, admin, "alice"))["status"] == "active"
    # A reason it may not carry changes nothing.
    for reason in ("x" * 501, "line\nbreak", "\u202eevil"):
        status, _ = await api.call(
            "POST", "/api/v1/resellers/ann/suspend", admin, json={"reason": reason}
        )
        assert status == 400
    status, body = await api.call("GET", "/api/v1/resellers/ann", admin)
    assert body["suspension"] is None
    assert (await api.call("GET", "/api/v1/me", ann))[0] == 200


async def test_suspending_and_unsuspending_are_audited(api: Api, admin: str) -> None:
    await reseller(api, admin, "ann")
    await api.create_account(admin, "alice", plan="ann_gold")
    api.agent.fail_call = "SuspendAccount alice"
    api.agent.fail_call_code = grpc.StatusCode.FAILED_PRECONDITION
    await api.call("POST", "/api/v1/resellers/ann/suspend", admin, json={"reason": "unpaid"})
    await api.call("POST", "/api/v1/resellers/ann/suspend", admin, json={"reason": "unpaid"})
    await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    _, log = await api.call("GET", "/api/v1/audit-log?limit=7", admin)
    entries = [(e["actor"], e["action"], e["target"], e["result"]) for e in log["items"]]
    assert entries[:6] == [
        ("admin", "reseller.unsuspend", "ann", "ok"),
        ("admin", "account.unsuspend", "alice", "ok"),
        ("admin", "reseller.suspend", "ann", "ok"),
        ("admin", "account.suspend", "alice", "ok"),
        ("admin", "reseller.suspend", "ann", "ok"),
        ("admin", "account.suspend", "alice", "error"),
    ]
    assert log["items"][2]["detail"] == "unpaid"
    assert log["items"][3]["detail"] == "with its reseller: unpaid"


async def test_no_account_is_added_to_a_suspended_resellers_plans(api: Api, admin: str) -> None:
    """An account created on or moved to its plans while it is suspended would be active under
    a suspended reseller: refused (409), nothing recorded, nothing changed on the system (a
    move reads what the account uses first)."""
    await _ann_with_accounts(api, admin)
    await api.create_account(admin, "carol")
    await api.call("POST", "/api/v1/resellers/ann/suspend", admin)
    status, body = await api.call(
        "POST",
        "/api/v1/accounts",
        admin,
        json={"name": "dave", "password": "owner-pass-1", "plan": "ann_gold"},
    )
    assert status == 409, body
    assert (await api.call("GET", "/api/v1/accounts/dave", admin))[0] == 404
    status, body = await api.call(
        "PATCH", "/api/v1/accounts/carol", admin, json={"plan": "ann_gold"}
    )
    assert status == 409, body
    assert (await _account(api, admin, "carol"))["plan"] == "default"
    assert "CreateAccount dave" not in api.agent.calls
    assert "UpdateAccount carol" not in api.agent.calls
    await api.call("POST", "/api/v1/resellers/ann/unsuspend", admin)
    await api.create_account(admin, "dave", plan="ann_gold")
