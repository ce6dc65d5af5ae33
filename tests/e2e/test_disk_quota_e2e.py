"""A plan's disk quota through the whole stack: REST → gateway → agent → the kernel's quotas,
felt by the account's own PHP code.

Where the sandbox's /home cannot enforce quotas (a kernel without a quota format), the panel
must say so instead of pretending; scripts/test-vm.sh runs this module under Debian's kernel,
where the quota holds.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import aiohttp
import pytest
import stack

from agent.system.accounts.quotas import DiskQuotas
from agent.system.accounts.users import HOME_ROOT
from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024
# Writes 10 MiB next to itself and says whether PHP could.
WRITER = """<?php
$done = @file_put_contents(__DIR__ . '/' . $_GET['name'], str_repeat('x', 10 * 1048576));
echo $done === false ? 'refused' : "wrote $done";
"""


async def test_php_cannot_write_past_the_plans_disk_quota(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    if not DiskQuotas(HOME_ROOT).enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        plan = {"name": "e2e-disk", "disk_quota_mb": 8}
        assert (await call(session, "POST", f"{base}/plans", admin, json=plan))[0] == 201
        account = {"name": "e2e_disk", "password": "disk-pass-123", "plan": "e2e-disk"}
        status, created = await call(session, "POST", f"{base}/accounts", admin, json=account)
        assert status == 201, created
        assert created["system"]["disk"]["limit_bytes"] == 8 * MIB
        owner = await login(session, base, "e2e_disk", "disk-pass-123")
        site = {"name": "e2e-disk.example"}
        status, domain = await call(session, "POST", f"{base}/domains", owner, json=site)
        assert status == 201, domain
        script = Path(domain["document_root"]) / "write.php"
        script.write_text(WRITER)
        user = pwd.getpwnam("e2e_disk")
        os.chown(script, user.pw_uid, user.pw_gid)

        status, said = await page(live.web_port, "e2e-disk.example", "/write.php?name=a")
        assert (status, said) == (200, "refused")
        _, me = await call(session, "GET", f"{base}/me", owner)
        assert 7 <= me["usage"]["disk_quota_mb"] <= 8

        status, refused = await call(
            session, "PATCH", f"{base}/plans/e2e-disk", admin, json={"disk_quota_mb": 2}
        )
        assert status == 409
        assert "e2e_disk uses" in refused["detail"]

        status, _ = await call(
            session, "PATCH", f"{base}/plans/e2e-disk", admin, json={"disk_quota_mb": 40}
        )
        assert status == 200
        status, said = await page(live.web_port, "e2e-disk.example", "/write.php?name=b")
        assert (status, said) == (200, f"wrote {10 * MIB}")
        _, account_now = await call(session, "GET", f"{base}/accounts/e2e_disk", admin)
        assert account_now["system"]["disk"]["used_bytes"] >= 17 * MIB
        assert account_now["system"]["disk"]["limit_bytes"] == 40 * MIB


async def test_without_quota_support_a_quota_plan_is_refused_in_plain_words(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    if DiskQuotas(HOME_ROOT).enforced():
        pytest.skip("the sandbox's /home enforces quotas here")
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        plan = {"name": "e2e-noquota", "disk_quota_mb": 100}

        status, refused = await call(session, "POST", f"{base}/plans", admin, json=plan)

        assert status == 409
        assert "does not enforce disk quotas" in refused["detail"]
        assert (await call(session, "GET", f"{base}/plans/e2e-noquota", admin))[0] == 404
        _, overview = await call(session, "GET", f"{base}/server", admin)
        assert overview["server"]["disk_quotas_enforced"] is False
