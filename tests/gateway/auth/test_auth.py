"""Sign-in, tokens and sessions as a client (or an attacker) sees them."""

from __future__ import annotations

import time
from pathlib import Path

import bcrypt
import jwt
import pytest

from gateway.auth.passwords import check_password, hash_password
from gateway.config import GatewayConfig
from tests.gateway.conftest import ADMIN_PASSWORD, Api


async def _login(api: Api, name: str, password: str) -> tuple[int, dict[str, object], str]:
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": name, "password": password}
    )
    cookie = response.cookies.get("jopanel_refresh")
    return response.status, await response.json(), cookie.value if cookie else ""


async def test_login_issues_access_token_and_refresh_cookie(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status == 200
    body = await response.json()
    assert body["token_type"] == "Bearer"
    user = body["user"]
    assert (user["name"], user["role"], user["account"], user["plan"]) == (
        "admin",
        "admin",
        None,
        None,
    )
    cookie = response.cookies["jopanel_refresh"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/v1/auth"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "HS256"


async def test_wrong_password_and_unknown_user_look_the_same(api: Api) -> None:
    wrong = await _login(api, "admin", "not-the-password")
    unknown = await _login(api, "nobody", "not-the-password")
    assert wrong[0] == unknown[0] == 401
    assert wrong[1] == unknown[1]
    assert wrong[2] == unknown[2] == ""


async def test_password_over_72_bytes_is_refused_not_truncated(api: Api) -> None:
    status, body, _ = await _login(api, "admin", ADMIN_PASSWORD + "x" * 80)
    assert status == 422  # well formed (256 characters at most), but past bcrypt's 72 bytes
    assert body["errors"][0]["field"] == "password"  # type: ignore[index]


async def test_requests_without_a_valid_token_get_401(api: Api, config: GatewayConfig) -> None:
    secret = Path(config.auth.secret_file).read_bytes()
    now = int(time.time())
    claims = {
        "iss": "jopanel",
        "aud": "jopanel-api",
        "sub": "1",
        "typ": "access",
        "ver": 1,
        "iat": now,
        "nbf": now,
        "exp": now + 60,
    }
    bad_tokens = {
        "none": None,
        "garbage": "not.a.jwt",
        "expired": jwt.encode(
            {**claims, "exp": now - 60, "iat": now - 120, "nbf": now - 120}, secret, "HS256"
        ),
        "other key": jwt.encode(claims, b"another-secret-of-thirty-two-bytes!!", "HS256"),
        "alg none": jwt.encode(claims, "", "none"),  # "": the none algorithm takes no key
        "missing ver": jwt.encode({k: v for k, v in claims.items() if k != "ver"}, secret, "HS256"),
        "wrong type": jwt.encode({**claims, "typ": "refresh"}, secret, "HS256"),
        "wrong audience": jwt.encode({**claims, "aud": "other"}, secret, "HS256"),
    }
    for label, token in bad_tokens.items():
        for method, path in [
            ("GET", "/api/v1/me"),
            ("GET", "/api/v1/accounts"),
            ("POST", "/api/v1/accounts"),
            ("DELETE", "/api/v1/accounts/x"),
            ("GET", "/api/v1/no-such-route"),
            ("PUT", "/api/v1/me"),
        ]:
            status, body = await api.call(method, path, token)
            assert status == 401, (label, method, path)
            assert body["status"] == 401


async def test_a_valid_token_of_a_stale_version_is_refused(api: Api, config: GatewayConfig) -> None:
    token = await api.login("admin", ADMIN_PASSWORD)
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "ver": claims["ver"] + 1}, Path(config.auth.secret_file).read_bytes(), "HS256"
    )
    assert (await api.call("GET", "/api/v1/me", forged))[0] == 401
    assert (await api.call("GET", "/api/v1/me", token))[0] == 200


async def test_refresh_rotates_and_a_replay_revokes_the_family(api: Api) -> None:
    status, _, first = await _login(api, "admin", ADMIN_PASSWORD)
    assert status == 200
    api.client.session.cookie_jar.clear()

    async def refresh(cookie: str) -> tuple[int, str]:
        response = await api.client.post(
            "/api/v1/auth/refresh", cookies={"jopanel_refresh": cookie}
        )
        new = response.cookies.get("jopanel_refresh")
        api.client.session.cookie_jar.clear()
        return response.status, new.value if new else ""

    status, second = await refresh(first)
    assert status == 200
    assert second
    assert second != first
    status, third = await refresh(second)
    assert status == 200
    # The first token is presented again: a replay. It fails, and so does the live one.
    assert (await refresh(first))[0] == 401
    assert (await refresh(third))[0] == 401


async def test_refresh_token_is_no_access_token_and_logout_ends_the_family(api: Api) -> None:
    _, body, cookie = await _login(api, "admin", ADMIN_PASSWORD)
    assert (await api.call("GET", "/api/v1/me", cookie))[0] == 401
    api.client.session.cookie_jar.clear()
    response = await api.client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert response.status == 401
    response = await api.client.post("/api/v1/auth/logout", cookies={"jopanel_refresh": cookie})
    assert response.status == 204
    api.client.session.cookie_jar.clear()
    response = await api.client.post("/api/v1/auth/refresh", cookies={"jopanel_refresh": cookie})
    assert response.status == 401


async def test_role_sent_by_a_client_is_ignored(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    status, _ = await api.call(
        "POST",
        "/api/v1/auth/login",
        json={"username": "alice", "password": "owner-pass-1", "role": "admin"},
    )
    assert status == 400
    alice = await api.login("alice", "owner-pass-1")
    status, me = await api.call("GET", "/api/v1/me", alice)
    assert me["role"] == "owner"


async def test_errors_are_problem_json_with_security_headers(api: Api) -> None:
    response = await api.client.get("/api/v1/accounts")
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    body = await response.json()
    assert set(body) >= {"type", "title", "status", "detail"}


async def test_oversized_body_gets_413(api: Api, admin: str) -> None:
    big = {"name": "alice", "password": "owner-pass-1", "email": "a" * 100_000}
    status, body = await api.call("POST", "/api/v1/accounts", admin, json=big)
    assert status == 413
    assert body["status"] == 413


async def test_failed_logins_are_limited_per_name(api: Api) -> None:
    for _ in range(10):
        assert (await _login(api, "admin", "wrong-password"))[0] == 401
    response = await api.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status == 429
    assert 0 < int(response.headers["Retry-After"]) <= 900
    body = await response.json()
    assert body["status"] == 429


async def test_failed_logins_are_limited_per_address(api: Api) -> None:
    for i in range(50):
        assert (await _login(api, f"nobody{i}", "wrong-password"))[0] == 401
    assert (await _login(api, "admin", ADMIN_PASSWORD))[0] == 429


async def test_forwarded_for_is_ignored_from_untrusted_peers(api: Api) -> None:
    for i in range(50):
        response = await api.client.post(
            "/api/v1/auth/login",
            json={"username": f"nobody{i}", "password": "wrong-pass"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        )
        assert response.status == 401
    # Every attempt counted against the real peer, whatever the header claimed.
    assert (await _login(api, "admin", ADMIN_PASSWORD))[0] == 429


async def test_a_correct_login_is_not_slowed_by_failures_for_other_names(api: Api) -> None:
    for _ in range(12):
        await _login(api, "somebody", "wrong-password")
    assert (await _login(api, "admin", ADMIN_PASSWORD))[0] == 200


async def test_cookie_routes_refuse_foreign_origins(api: Api) -> None:
    _, _, cookie = await _login(api, "admin", ADMIN_PASSWORD)
    api.client.session.cookie_jar.clear()
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        for path in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
            response = await api.client.post(
                path, headers=headers, cookies={"jopanel_refresh": cookie}
            )
            assert response.status == 403, (path, headers)
            api.client.session.cookie_jar.clear()
    response = await api.client.post(
        "/api/v1/auth/refresh",
        cookies={"jopanel_refresh": cookie},
        headers={"Origin": f"http://{api.client.host}:{api.client.port}"},
    )
    assert response.status == 200


async def test_control_characters_in_any_string_are_refused(api: Api, admin: str) -> None:
    for body, field in [
        ({"name": "alice", "password": "owner-pass-1", "email": "a@b.c\r\nBcc: x@y.z"}, "email"),
        ({"name": "alice", "password": "owner\x00pass-1"}, "password"),
        ({"name": "alice", "password": "owner-pass-1", "x\ny": 1}, "x\ny"),
    ]:
        status, answer = await api.call("POST", "/api/v1/accounts", admin, json=body)
        assert status == 400
        assert answer["errors"][0]["field"] == field
    assert api.agent.calls == []


async def test_unknown_user_and_wrong_password_take_about_as_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both spend one bcrypt check of the same cost (the unknown name against a dummy hash).

    The work itself: each path asks bcrypt once, against a hash of the cost asked for. Then
    the time, measured on the password check itself at cost 10 (the request's own noise is
    small), the two paths in turns so that a machine busy with other tests slows both alike
    (measured one path after the other, a bare Debian's run once read 2.1 for the same work),
    and the median of the pairs' ratios."""
    rounds = 10
    known = await hash_password("the-real-password", rounds)
    await check_password("x", None, rounds)  # the dummy hash is made on first use
    checked: list[bytes] = []
    checkpw = bcrypt.checkpw

    def recorded(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", recorded)
    for hashed in (known, None):
        assert not await check_password("not-the-password", hashed, rounds)
    assert [h[:7] for h in checked] == [b"$2b$10$", b"$2b$10$"], checked
    assert checked[1] != known

    async def timed(hashed: bytes | None) -> float:
        started = time.perf_counter()
        assert not await check_password("not-the-password", hashed, rounds)
        return time.perf_counter() - started

    ratios = sorted([await timed(None) / await timed(known) for _ in range(9)])
    assert 0.5 < ratios[4] < 2.0, ratios
