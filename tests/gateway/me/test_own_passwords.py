"""An owner's own passwords, as the owner (and someone holding only its access token) sees
them: the panel password ends every other session, the system password goes to the agent only."""

from __future__ import annotations

from typing import Any

from tests.gateway.conftest import ADMIN_PASSWORD, Api

OWNER_PASSWORD = "owner-pass-1"


async def _sign_in(api: Api, name: str, password: str) -> tuple[str, str]:
    """A fresh session: its access token and refresh cookie."""
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": name, "password": password}
    )
    assert response.status == 200, await response.text()
    cookie = response.cookies["jopanel_refresh"].value
    api.client.session.cookie_jar.clear()
    return (await response.json())["access_token"], cookie


async def _refresh(api: Api, cookie: str) -> int:
    response = await api.client.post("/api/v1/auth/refresh", cookies={"jopanel_refresh": cookie})
    api.client.session.cookie_jar.clear()
    return response.status


async def _change(api: Api, token: str, path: str, **body: Any) -> tuple[int, Any, str]:
    response = await api.client.post(
        f"/api/v1/me/{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    cookie = response.cookies.get("jopanel_refresh")
    api.client.session.cookie_jar.clear()
    answer = await response.json() if response.content_type.endswith("json") else None
    return response.status, answer, cookie.value if cookie else ""


async def test_a_new_panel_password_ends_every_other_session(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    here, _ = await _sign_in(api, "alice", OWNER_PASSWORD)
    there, there_cookie = await _sign_in(api, "alice", OWNER_PASSWORD)
    status, session, cookie = await _change(
        api, here, "password", current_password=OWNER_PASSWORD, new_password="brand-new-pass"
    )
    assert status == 200, session
    assert session["user"]["name"] == "alice"
    # This device goes on with the session in the answer; every earlier token has ended.
    assert (await api.call("GET", "/api/v1/me", session["access_token"]))[0] == 200
    assert (await _refresh(api, cookie)) == 200
    for token in (here, there):
        assert (await api.call("GET", "/api/v1/me", token))[0] == 401
    assert (await _refresh(api, there_cookie)) == 401
    # The new password signs in, the old one no longer does; the system password is untouched.
    await _sign_in(api, "alice", "brand-new-pass")
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": "alice", "password": OWNER_PASSWORD}
    )
    assert response.status == 401
    assert api.agent.passwords["alice"] == OWNER_PASSWORD


async def test_an_administrator_changes_its_own_panel_password(api: Api, admin: str) -> None:
    status, session, _ = await _change(
        api, admin, "password", current_password=ADMIN_PASSWORD, new_password="admin-new-pass"
    )
    assert status == 200, session
    assert session["user"]["role"] == "admin"
    await _sign_in(api, "admin", "admin-new-pass")


async def test_a_wrong_current_password_changes_nothing(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    token, cookie = await _sign_in(api, "alice", OWNER_PASSWORD)
    for path in ("password", "system-password"):
        status, problem, _ = await _change(
            api, token, path, current_password="not-the-one", new_password="brand-new-pass"
        )
        assert status == 403, problem
        assert problem["detail"] == "The current password is wrong."
    # Still signed in with the old password, on both sides.
    assert (await api.call("GET", "/api/v1/me", token))[0] == 200
    assert (await _refresh(api, cookie)) == 200
    await _sign_in(api, "alice", OWNER_PASSWORD)
    assert api.agent.passwords["alice"] == OWNER_PASSWORD


async def test_wrong_current_passwords_spend_the_sign_in_budget(api: Api, admin: str) -> None:
    """A stolen access token buys no more guesses than the sign-in form: the two share the
    name's budget, and once it is spent the right password waits too."""
    await api.create_account(admin, "alice")
    token, _ = await _sign_in(api, "alice", OWNER_PASSWORD)
    for _ in range(10):
        status, _, _ = await _change(
            api, token, "password", current_password="guess-guess", new_password="brand-new-pass"
        )
        assert status == 403
    status, problem, _ = await _change(
        api, token, "system-password", current_password=OWNER_PASSWORD, new_password="sftp-pass-1"
    )
    assert status == 429, problem
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": "alice", "password": OWNER_PASSWORD}
    )
    assert response.status == 429
    assert response.headers["Retry-After"].isdigit()
    assert api.agent.passwords["alice"] == OWNER_PASSWORD


async def test_the_system_password_goes_to_the_agent_alone(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    token, cookie = await _sign_in(api, "alice", OWNER_PASSWORD)
    status, body, new_cookie = await _change(
        api, token, "system-password", current_password=OWNER_PASSWORD, new_password="sftp-pass-1"
    )
    assert (status, body, new_cookie) == (204, None, "")
    assert api.agent.passwords["alice"] == "sftp-pass-1"
    # The panel password and this session are as they were.
    assert (await api.call("GET", "/api/v1/me", token))[0] == 200
    assert (await _refresh(api, cookie)) == 200
    await _sign_in(api, "alice", OWNER_PASSWORD)
    status, entries = await api.call("GET", "/api/v1/audit-log?limit=5", admin)
    assert status == 200
    assert any(
        e["action"] == "account.system_password" and e["target"] == "alice" and e["result"] == "ok"
        for e in entries["items"]
    )


async def test_each_owner_changes_only_its_own(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await api.create_account(admin, "alice2", password="bob-pass-123")
    token, _ = await _sign_in(api, "alice", OWNER_PASSWORD)
    # There is no account to name: the body takes none, and the other owner's password is not
    # alice's to confirm.
    for path in ("password", "system-password"):
        status, problem, _ = await _change(
            api,
            token,
            path,
            current_password=OWNER_PASSWORD,
            new_password="brand-new-pass",
            account="alice2",
        )
        assert status == 400, problem
        status, problem, _ = await _change(
            api, token, path, current_password="bob-pass-123", new_password="brand-new-pass"
        )
        assert status == 403, problem
    assert api.agent.passwords == {"alice": OWNER_PASSWORD, "alice2": "bob-pass-123"}
    await _sign_in(api, "alice2", "bob-pass-123")


async def test_an_administrator_has_no_system_password(api: Api, admin: str) -> None:
    status, problem, _ = await _change(
        api, admin, "system-password", current_password=ADMIN_PASSWORD, new_password="x" * 12
    )
    assert status == 403, problem


async def test_huge_and_bad_passwords_are_refused_and_change_nothing(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    token, _ = await _sign_in(api, "alice", OWNER_PASSWORD)
    bad: dict[str, dict[str, Any]] = {
        "10 kB new": {"current_password": OWNER_PASSWORD, "new_password": "a" * 10_000},
        "10 kB current": {"current_password": "a" * 10_000, "new_password": "brand-new-pass"},
        "short": {"current_password": OWNER_PASSWORD, "new_password": "short"},
        "control": {"current_password": OWNER_PASSWORD, "new_password": "new-pass\nroot:x"},
        "number": {"current_password": OWNER_PASSWORD, "new_password": 12345678},
        "missing": {"new_password": "brand-new-pass"},
    }
    for path in ("password", "system-password"):
        for case, body in bad.items():
            status, problem, _ = await _change(api, token, path, **body)
            assert status == 400, (path, case, problem)
        # 37 characters the document allows, 73 bytes bcrypt would cut: a 422 (docs/api.md).
        status, problem, _ = await _change(
            api, token, path, current_password=OWNER_PASSWORD, new_password="é" * 36 + "a"
        )
        assert status == 422, (path, problem)
    assert (await api.call("GET", "/api/v1/me", token))[0] == 200
    assert api.agent.passwords["alice"] == OWNER_PASSWORD
    # Bad input is refused before the password is checked: nothing was spent of the budget.
    await _sign_in(api, "alice", OWNER_PASSWORD)
