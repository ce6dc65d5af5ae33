"""Every PHP version the panel offers runs a site's PHP with the extensions applications ask
for (WordPress's Site Health, Laravel, Drupal): issue 16, item 6."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e

EXTENSIONS = ("gd", "xml", "mbstring", "curl", "zip", "intl", "bcmath", "mysqli", "Zend OPcache")
SCRIPT = (
    "<?php foreach (['" + "', '".join(EXTENSIONS) + "'] as $e) {"
    " echo $e, '=', extension_loaded($e) ? 'yes' : 'no', \"\\n\"; }"
)


async def test_each_php_version_loads_the_extensions_applications_need(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        status, _ = await call(session, "POST", f"{base}/plans", admin, json={"name": "e2e-ext"})
        assert status == 201
        status, body = await call(
            session,
            "POST",
            f"{base}/accounts",
            admin,
            json={"name": "e2e_ext", "password": "ext-pass-123", "plan": "e2e-ext"},
        )
        assert status == 201, body
        owner = await login(session, base, "e2e_ext", "ext-pass-123")
        status, offered = await call(session, "GET", f"{base}/php-versions", owner)
        assert status == 200, offered
        versions = offered["versions"]
        assert versions
        account = pwd.getpwnam("e2e_ext")
        for version in versions:
            name = f"v{version.replace('.', '')}.e2e-ext.example"
            status, domain = await call(
                session,
                "POST",
                f"{base}/domains",
                owner,
                json={"name": name, "backend": {"type": "php", "version": version}},
            )
            assert status == 201, domain
            script = Path(domain["document_root"]) / "extensions.php"
            script.write_text(SCRIPT)
            os.chown(script, account.pw_uid, account.pw_gid)
            status, text = await page(live.web_port, name, "/extensions.php")
            assert status == 200, text
            assert text.splitlines() == [f"{e}=yes" for e in EXTENSIONS], (version, text)
        assert (await call(session, "DELETE", f"{base}/accounts/e2e_ext", admin))[0] == 204
