"""API fuzzing with schemathesis against the real sandboxed stack, from the OpenAPI document,
with every check schemathesis has (`--checks all`): no request may make the gateway fail (5xx),
every answer must match the document, a request the document allows is never a 400 and one it
forbids never succeeds, and a method a path lacks is a 405 that names the methods it has.

A short run (SECONDS per role, three roles: about four minutes with the stack) is part of
`make test`; `make fuzz` sets JOPANEL_FUZZ_SECONDS for a longer one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import stack

from gateway.store.plans import LIMITS as PLAN_LIMITS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SECONDS = int(os.environ.get("JOPANEL_FUZZ_SECONDS", "70"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = os.environ.get("JOPANEL_FUZZ_SEED", "")
# The part of schemathesis's output that says what failed and how to reproduce it: its
# summary and warnings alone (the end of the output) do not name the failing request.
FAILURES_SHOWN = 12_000


def failures_of(stdout: str) -> str:
    """The FAILURES section (each failing request as curl, the answer), cut to a readable
    size, then the summary line and the seed."""
    start = stdout.find("FAILURES")
    end = stdout.find("SUMMARY", max(start, 0))
    section = stdout[start:end] if start != -1 else ""
    return section[:FAILURES_SHOWN] + "\n...\n" + stdout[-1500:]


async def token_of(base: str, name: str, password: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}/auth/login", json={"username": name, "password": password}
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return str((await response.json())["access_token"])


def fuzz(url: str, token: str, report: Path) -> subprocess.CompletedProcess[str]:
    argv = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-time",
        str(SECONDS),
        # One worker: with two threads, hypothesis (describing lambdas with Python 3.11's ast,
        # which is not thread-safe) fails now and then with "AST constructor recursion depth
        # mismatch": a crash of the fuzzer, not of the panel.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        # Logging out ends nothing here (no cookie) but answers with no body at all.
        "--exclude-path",
        "/api/v1/auth/logout",
        # A wrong current password spends the user's sign-in budget by design (every body the
        # fuzzer makes is one): the run would lock its own user out (docs/accounts.md).
        "--exclude-path",
        "/api/v1/me/password",
        "--exclude-path",
        "/api/v1/me/system-password",
        # Following a log is an event stream that stays open up to 30 minutes with a comment
        # every quiet 10 s, so no read timeout ends it: one call on a real domain would hold
        # the run. tests/agent/web/test_web_logs.py and tests/gateway/domains/test_site_logs.py
        # test it; its refusals are the same code path as the last lines' (readDomainLog).
        "--exclude-path-regex",
        "/follow$",
        "--report",
        "junit",
        "--report-dir",
        str(report),
        # A failing run names its seed; JOPANEL_FUZZ_SEED replays it.
        *(["--seed", SEED] if SEED else []),
    ]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"},
    )


async def _reseller(base: str, admin: str) -> str:
    headers = {"Authorization": f"Bearer {admin}"}
    reseller = {"name": "fuzz_reseller", "password": "fuzz-pass-1"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.post(f"{base}/resellers", json=reseller) as response,
    ):
        assert response.status in (201, 409), await response.text()
    token = await token_of(base, "fuzz_reseller", "fuzz-pass-1")
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        async with session.post(f"{base}/plans", json={"name": "fuzz_reseller_a"}) as response:
            assert response.status in (201, 409), await response.text()
        account = {"name": "fuzz_sold", "password": "fuzz-pass-1", "plan": "fuzz_reseller_a"}
        async with session.post(f"{base}/accounts", json=account) as response:
            assert response.status in (201, 409), await response.text()
    return token


@pytest.mark.parametrize("role", ["admin", "owner", "reseller"])
async def test_schemathesis_finds_no_server_error_and_no_drift(
    live: stack.Stack, admin_credentials: tuple[str, str], sandbox: Path, role: str
) -> None:
    base = f"{live.url}/api/v1"
    admin = await token_of(base, *admin_credentials)
    token = admin
    if role == "owner":
        # A plan of its own, unlimited whatever the administrator's run did to the others
        # (it may have given the default plan limits this server cannot keep).
        headers = {"Authorization": f"Bearer {admin}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.post(f"{base}/plans", json={"name": "fuzz-owner"}) as response:
                assert response.status in (201, 409)
            # Every limit null (unlimited); the log retention is a number of days, never null.
            unlimited = dict.fromkeys(k for k in PLAN_LIMITS if k != "log_retention_days")
            async with session.patch(f"{base}/plans/fuzz-owner", json=unlimited) as response:
                assert response.status == 200, await response.text()
            owner = {"name": "fuzz_owner", "password": "fuzz-pass-1", "plan": "fuzz-owner"}
            async with session.post(f"{base}/accounts", json=owner) as response:
                assert response.status in (201, 409), await response.text()
        token = await token_of(base, "fuzz_owner", "fuzz-pass-1")
    if role == "reseller":
        # Unlimited totals, a plan of its own and an account on it (docs/resellers.md).
        token = await _reseller(base, admin)
    result = fuzz(live.url, token, sandbox / f"fuzz-{role}")
    assert result.returncode == 0, failures_of(result.stdout) + result.stderr[-2000:]
