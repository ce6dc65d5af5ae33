"""One spelling per sign-in name, IPv6 budgets per /64, and device cookies (issue 11, hole 6).

Written as the attack: someone hammers `admin` until the name's budget is spent, then tries
other spellings, neighbouring addresses, and forged or foreign device cookies.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.__main__ import ensure_admin
from gateway.app import create_app
from gateway.auth.devices import DeviceCookies
from gateway.auth.throttle import address_key
from gateway.config import GatewayConfig
from tests.gateway.conftest import ADMIN_PASSWORD, Api, FakeAgent

LOGIN = "/api/v1/auth/login"
DEVICE = "jopanel_device_admin"


async def _login(
    client: TestClient[Any, Any],
    name: str,
    password: str,
    *,
    device: str | None = None,
    address: str | None = None,
) -> tuple[int, str]:
    """One sign-in from a browser holding only `device`; returns the status and the device
    cookie it was given."""
    client.session.cookie_jar.clear()
    headers = {}
    if device is not None:
        headers["Cookie"] = f"{DEVICE}={device}"
    if address is not None:
        headers["X-Forwarded-For"] = address
    response = await client.post(
        LOGIN, json={"username": name, "password": password}, headers=headers
    )
    given = response.cookies.get(DEVICE)
    client.session.cookie_jar.clear()
    return response.status, given.value if given else ""


async def _hammer(client: TestClient[Any, Any], name: str = "admin") -> None:
    for _ in range(10):
        assert (await _login(client, name, "wrong-password"))[0] == 401
    assert (await _login(client, name, ADMIN_PASSWORD))[0] == 429


@pytest.mark.parametrize(
    ("spelling", "answer"),
    [
        ("admin ", 429),
        (" admin", 429),
        ("ADMIN", 429),
        ("Admin", 429),
        ("  aDMIN   ", 429),
        ("\tadmin", 400),  # a control character: refused in any body
        ("\uff41dmin", 422),  # a fullwidth a: well formed, but no user has such a name
    ],
)
async def test_other_spellings_of_a_throttled_name_get_no_fresh_budget(
    api: Api, spelling: str, answer: int
) -> None:
    await _hammer(api.client)
    assert (await _login(api.client, spelling, ADMIN_PASSWORD))[0] == answer


async def test_every_spelling_counts_against_the_one_name(api: Api) -> None:
    for spelling in ["admin ", "ADMIN", " Admin", "admin  ", "aDmIn"] * 2:
        assert (await _login(api.client, spelling, "wrong-password"))[0] == 401
    assert (await _login(api.client, "admin", ADMIN_PASSWORD))[0] == 429


async def test_a_spelling_of_the_right_name_signs_in_as_that_user(api: Api) -> None:
    response = await api.client.post(
        LOGIN, json={"username": " Admin ", "password": ADMIN_PASSWORD}
    )
    assert response.status == 200
    assert (await response.json())["user"]["name"] == "admin"


@pytest.mark.parametrize("name", ["ad min", "a", "admin\u00a0x", "é", "x" * 64, "admin;--"])
async def test_a_name_no_user_can_have_is_refused_without_spending_a_budget(
    api: Api, name: str
) -> None:
    for _ in range(12):
        status, _ = await _login(api.client, name, "wrong-password")
        assert status == 422
    assert (await _login(api.client, "admin", ADMIN_PASSWORD))[0] == 200


def test_ipv6_addresses_count_by_their_64() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:192.0.2.7") == address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("192.0.2.7") != address_key("192.0.2.8")


@pytest.fixture
async def behind_proxy(
    config: GatewayConfig, fake_agent: FakeAgent
) -> AsyncIterator[TestClient[Any, Any]]:
    """The gateway behind a trusted proxy on loopback, so a test can choose client addresses."""
    proxied = dataclasses.replace(config, trusted_proxies=("127.0.0.1",))
    await ensure_admin(proxied, "admin", ADMIN_PASSWORD)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(proxied), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def test_addresses_in_one_ipv6_64_share_one_budget(
    behind_proxy: TestClient[Any, Any],
) -> None:
    for i in range(50):
        address = f"2001:db8:1:2:{i:x}::{i + 1:x}"  # a fresh address of the /64 each time
        assert (await _login(behind_proxy, f"nobody{i}", "wrong", address=address))[0] == 401
    neighbour = "2001:db8:1:2:ffff:ffff:ffff:fffe"
    assert (await _login(behind_proxy, "admin", ADMIN_PASSWORD, address=neighbour))[0] == 429
    elsewhere = "2001:db8:1:3::1"
    assert (await _login(behind_proxy, "admin", ADMIN_PASSWORD, address=elsewhere))[0] == 200


async def test_a_device_cookie_lets_the_real_administrator_in_while_the_name_is_hammered(
    api: Api,
) -> None:
    status, device = await _login(api.client, "admin", ADMIN_PASSWORD)
    assert status == 200
    assert device
    await _hammer(api.client)
    status, renewed = await _login(api.client, "admin", ADMIN_PASSWORD, device=device)
    assert status == 200
    assert renewed
    assert renewed != device
    # The name stays throttled for everyone else.
    assert (await _login(api.client, "admin", ADMIN_PASSWORD))[0] == 429


async def test_the_device_cookie_is_http_only_strict_and_sent_to_login_only(api: Api) -> None:
    response = await api.client.post(LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD})
    morsel = response.cookies[DEVICE]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == LOGIN
    assert int(morsel["max-age"]) > 0


async def test_a_forged_or_foreign_device_cookie_does_not_pass_the_throttle(
    api: Api, admin: str, config: GatewayConfig
) -> None:
    await api.create_account(admin, "alice")
    _, alices = await _login(api.client, "alice", "owner-pass-1")
    _, admins = await _login(api.client, "admin", ADMIN_PASSWORD)
    await _hammer(api.client)
    issued, nonce, signature = admins.split(".")
    # Its first character changed ("[:-2] + 'AA'" left one signature in 1,024 as it was).
    changed = ("B" if signature[0] == "A" else "A") + signature[1:]
    forged = [
        alices,  # alice's device, presented for admin
        f"{issued}.{nonce}.{changed}",  # a signature changed
        f"{issued}.{'0' * 32}.{signature}",  # another device's nonce under admin's signature
        f"{int(issued) + 1}.{nonce}.{signature}",  # a later issue time
        DeviceCookies.from_secret(b"another gateway's secret" * 2, 3600).issue("admin"),
        "",
        "garbage",
        "1.2.3.4",
    ]
    for cookie in forged:
        assert (await _login(api.client, "admin", ADMIN_PASSWORD, device=cookie))[0] == 429
    # An expired one counts for nothing either.
    ttl = config.auth.device_cookie_ttl_seconds
    cookies = DeviceCookies.from_secret(config.jwt_secret(), ttl)
    old = cookies.issue("admin", issued_at=time.time() - ttl - 60)
    assert (await _login(api.client, "admin", ADMIN_PASSWORD, device=old))[0] == 429


async def test_a_device_that_fails_too_often_is_locked_out_on_its_own(api: Api) -> None:
    _, stolen = await _login(api.client, "admin", ADMIN_PASSWORD)
    _, other = await _login(api.client, "admin", ADMIN_PASSWORD)
    for _ in range(10):
        assert (await _login(api.client, "admin", "wrong", device=stolen))[0] == 401
    assert (await _login(api.client, "admin", ADMIN_PASSWORD, device=stolen))[0] == 429
    # The device's failures spent neither the name's budget nor another device's.
    assert (await _login(api.client, "admin", ADMIN_PASSWORD, device=other))[0] == 200
    assert (await _login(api.client, "admin", ADMIN_PASSWORD))[0] == 200
