"""A website through the whole stack: REST → gateway → agent → real nginx and PHP-FPM."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login

pytestmark = pytest.mark.e2e


async def page(port: int, host: str, path: str = "/") -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"http://127.0.0.1:{port}{path}", headers={"Host": host}, allow_redirects=False
        ) as response,
    ):
        return response.status, await response.text()


async def test_a_php_site_goes_online_runs_as_its_account_and_goes_away(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        # A plan of its own: what the default plan allows is the administrator's to change.
        status, _ = await call(session, "POST", f"{base}/plans", admin, json={"name": "e2e-web"})
        assert status == 201
        status, _ = await call(
            session,
            "POST",
            f"{base}/accounts",
            admin,
            json={"name": "e2e_web", "password": "web-pass-123", "plan": "e2e-web"},
        )
        assert status == 201
        owner = await login(session, base, "e2e_web", "web-pass-123")
        # A PHP version that is not installed: only the agent checks it; the client gets a 422
        # (the document allows any version) on the field it sent, and nothing is kept (the
        # name is free again at once).
        status, problem = await call(
            session,
            "POST",
            f"{base}/domains",
            owner,
            json={"name": "e2e-web.example", "backend": {"type": "php", "version": "5.6"}},
        )
        assert status == 422, problem
        assert [error["field"] for error in problem["errors"]] == ["backend.version"]
        status, domain = await call(
            session,
            "POST",
            f"{base}/domains",
            owner,
            json={"name": "e2e-web.example", "aliases": ["www.e2e-web.example"]},
        )
        assert status == 201, domain
        assert domain["status"] == "active"

        root = Path(domain["document_root"])
        account = pwd.getpwnam("e2e_web")
        script = root / "whoami.php"
        script.write_text("<?php echo posix_geteuid();")
        os.chown(script, account.pw_uid, account.pw_gid)

        assert (await page(live.web_port, "e2e-web.example"))[0] == 200
        status, uid = await page(live.web_port, "www.e2e-web.example", "/whoami.php")
        assert (status, uid) == (200, str(account.pw_uid))

        status, _ = await call(session, "POST", f"{base}/domains/e2e-web.example/suspend", owner)
        assert status == 200
        assert (await page(live.web_port, "e2e-web.example"))[0] == 503

        status, _ = await call(session, "DELETE", f"{base}/domains/e2e-web.example", owner)
        assert status == 204
        status, body = await page(live.web_port, "e2e-web.example", "/whoami.php")
        assert status == 404
        assert str(account.pw_uid) not in body
        assert not root.exists()
