"""Who suspended it decides who may lift it (issue 11, hole 3), written as the attack."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Api

ONE = "/api/v1/domains/alice.com"


async def _alice_with_site(api: Api, admin: str) -> str:
    alice = await api.owner(admin)
    status, _ = await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"})
    assert status == 201
    return alice


async def test_an_owner_cannot_lift_an_administrators_suspension_of_its_site(
    api: Api, admin: str
) -> None:
    alice = await _alice_with_site(api, admin)
    status, domain = await api.call(
        "POST", ONE + "/suspend", admin, json={"reason": "Phishing page reported"}
    )
    assert (status, domain["status"]) == (200, "suspended")
    assert domain["suspension"]["by"] == "admin"
    assert domain["suspension"]["user"] == "admin"
    assert domain["suspension"]["reason"] == "Phishing page reported"

    response = await api.client.post(
        ONE + "/unsuspend", headers={"Authorization": f"Bearer {alice}"}
    )
    assert response.status == 403
    assert response.content_type == "application/problem+json"
    assert "administrator" in (await response.json())["detail"]
    assert api.web.domains["alice.com"].suspended
    status, seen = await api.call("GET", ONE, alice)
    assert seen["status"] == "suspended"
    # The owner sees who (the role) and why, but not the administrator's sign-in name.
    assert seen["suspension"] == {
        "by": "admin",
        "user": None,
        "reason": "Phishing page reported",
        "at": seen["suspension"]["at"],
    }


async def test_an_owner_cannot_take_over_an_administrators_suspension(api: Api, admin: str) -> None:
    """Suspending again as the owner must not make the suspension the owner's to lift."""
    alice = await _alice_with_site(api, admin)
    await api.call("POST", ONE + "/suspend", admin)
    status, problem = await api.call("POST", ONE + "/suspend", alice, json={"reason": "mine"})
    assert status == 403, problem
    assert (await api.call("POST", ONE + "/unsuspend", alice))[0] == 403
    _, seen = await api.call("GET", ONE, admin)
    assert seen["suspension"]["by"] == "admin"
    assert seen["suspension"]["reason"] is None
    assert api.web.domains["alice.com"].suspended


async def test_an_owner_suspends_and_resumes_its_own_site(api: Api, admin: str) -> None:
    alice = await _alice_with_site(api, admin)
    status, domain = await api.call("POST", ONE + "/suspend", alice, json={"reason": "moving"})
    assert status == 200
    assert domain["suspension"]["by"] == "owner"
    assert domain["suspension"]["user"] == "alice"
    status, domain = await api.call("POST", ONE + "/unsuspend", alice)
    assert (status, domain["status"], domain["suspension"]) == (200, "active", None)
    assert not api.web.domains["alice.com"].suspended


async def test_an_administrator_lifts_an_owners_suspension_and_takes_over_one(
    api: Api, admin: str
) -> None:
    alice = await _alice_with_site(api, admin)
    await api.call("POST", ONE + "/suspend", alice)
    status, domain = await api.call("POST", ONE + "/suspend", admin, json={"reason": "abuse"})
    assert (status, domain["suspension"]["by"]) == (200, "admin")
    assert (await api.call("POST", ONE + "/unsuspend", alice))[0] == 403
    status, domain = await api.call("POST", ONE + "/unsuspend", admin)
    assert (status, domain["status"]) == (200, "active")


async def test_a_site_of_an_admin_suspended_account_stays_suspended(api: Api, admin: str) -> None:
    alice = await _alice_with_site(api, admin)
    status, account = await api.call(
        "POST", "/api/v1/accounts/alice/suspend", admin, json={"reason": "Unpaid invoice 42"}
    )
    assert status == 200
    assert account["suspension"]["by"] == "admin"
    assert account["suspension"]["reason"] == "Unpaid invoice 42"
    assert api.web.domains["alice.com"].suspended
    # A token made before the suspension stops working at once; the owner cannot sign in.
    assert (await api.call("POST", ONE + "/unsuspend", alice))[0] == 401
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": "alice", "password": "owner-pass-1"}
    )
    assert response.status == 403
    # An administrator is told to lift the account's suspension first; nothing changes.
    status, problem = await api.call("POST", ONE + "/unsuspend", admin)
    assert status == 409, problem
    assert api.web.domains["alice.com"].suspended


async def test_an_owner_cannot_lift_its_accounts_suspension(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    await api.call("POST", "/api/v1/accounts/alice/suspend", admin, json={"reason": "audit"})
    # Lifting an account's suspension is an administrator's operation: 403 for any owner...
    for token in (bob, await api.owner(admin, "carol")):
        response = await api.client.post(
            "/api/v1/accounts/alice/unsuspend", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 403
        assert response.content_type == "application/problem+json"
    # ...and alice's own token stopped working when she was suspended.
    assert (await api.call("POST", "/api/v1/accounts/alice/unsuspend", alice))[0] == 401
    status, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert account["status"] == "suspended"
    assert api.agent.accounts["alice"].suspended
    status, account = await api.call("POST", "/api/v1/accounts/alice/unsuspend", admin)
    assert (status, account["status"], account["suspension"]) == (200, "active", None)


@pytest.mark.parametrize(
    "reason",
    [
        "x" * 501,
        "line\nbreak",
        "bell\x07",
        "next\u0085line",
        "para\u2029graph",
        "gnp.\u202eexe",  # a right-to-left override: the owner would read it backwards
        42,
    ],
)
async def test_a_bad_reason_is_refused_and_changes_nothing(
    api: Api, admin: str, reason: object
) -> None:
    await _alice_with_site(api, admin)
    status, problem = await api.call("POST", ONE + "/suspend", admin, json={"reason": reason})
    assert status == 400, problem
    assert problem["errors"][0]["field"].startswith("reason")
    assert not api.web.domains["alice.com"].suspended
    status, problem = await api.call(
        "POST", ONE + "/suspend", admin, json={"reason": "ok", "by": "owner"}
    )
    assert status == 400


async def test_the_openapi_document_describes_suspensions(api: Api) -> None:
    _, document = await api.call("GET", "/api/v1/openapi.json")
    suspend = document["paths"]["/api/v1/domains/{name}/suspend"]["post"]
    assert suspend["requestBody"]["required"] is False
    assert "403" in document["paths"]["/api/v1/domains/{name}/unsuspend"]["post"]["responses"]
    schemas = document["components"]["schemas"]
    assert "suspension" in schemas["Domain"]["properties"]
    assert "suspension" in schemas["Account"]["properties"]
    assert schemas["SuspendRequest"]["properties"]["reason"]
