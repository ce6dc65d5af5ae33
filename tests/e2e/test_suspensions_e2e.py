"""Hole 3 through the real stack: an owner cannot lift an administrator's suspension of its
site; nginx keeps serving the suspended page (issue 11)."""

from __future__ import annotations

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e

SITE = "e2e-suspended.example"


async def test_an_owner_cannot_lift_an_administrators_suspension(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        status, _ = await call(session, "POST", f"{base}/plans", admin, json={"name": "e2e-susp"})
        assert status == 201
        account = {"name": "e2e_susp", "password": "susp-pass-123", "plan": "e2e-susp"}
        assert (await call(session, "POST", f"{base}/accounts", admin, json=account))[0] == 201
        owner = await login(session, base, "e2e_susp", "susp-pass-123")
        status, _ = await call(session, "POST", f"{base}/domains", owner, json={"name": SITE})
        assert status == 201
        assert (await page(live.web_port, SITE))[0] == 200

        one = f"{base}/domains/{SITE}"
        status, domain = await call(
            session, "POST", one + "/suspend", admin, json={"reason": "Reported for phishing"}
        )
        assert (status, domain["suspension"]["by"]) == (200, "admin")
        assert (await page(live.web_port, SITE))[0] == 503

        status, problem = await call(session, "POST", one + "/unsuspend", owner)
        assert status == 403, problem
        status, _ = await call(session, "POST", one + "/suspend", owner)
        assert status == 403
        assert (await page(live.web_port, SITE))[0] == 503
        status, seen = await call(session, "GET", one, owner)
        assert seen["status"] == "suspended"
        assert seen["suspension"]["reason"] == "Reported for phishing"

        assert (await call(session, "POST", one + "/unsuspend", admin))[0] == 200
        assert (await page(live.web_port, SITE))[0] == 200
        assert (await call(session, "DELETE", f"{base}/accounts/e2e_susp", admin))[0] == 204
