"""The SPA in a real browser: Playwright drives Debian's Chromium against the sandboxed stack.

The scenarios live in webui/e2e/ (roles and labels, no CSS selectors); this test starts them
against the `live` stack, whose gateway serves webui/dist, and fails with Playwright's output.
Steps that need an API the gateway does not declare (plans, domains, the server overview,
databases, cron jobs, DNS zones) are left out, and the output says so; a declared API that
fails (a 502 from the agent, say) fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WEBUI = stack.TOP / "webui"
CHROMIUM = Path(os.environ.get("JOPANEL_CHROMIUM", "/usr/bin/chromium"))
TIMEOUT_S = 900


def _why_not_ready(live: stack.Stack) -> str | None:
    if not live.static_dir:
        return (
            "webui/dist/index.html did not exist when the stack started, so the gateway serves"
            " no SPA; build it first (`make test` does, through scripts/webui.sh build)"
        )
    if not (WEBUI / "node_modules" / ".bin" / "playwright").exists():
        return "webui/node_modules has no Playwright; run scripts/webui.sh build (npm ci) first"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}; install Debian's package: apt-get install chromium"
    return None


def test_spa_in_chromium(
    live: stack.Stack, admin_credentials: tuple[str, str], sandbox: Path
) -> None:
    reason = _why_not_ready(live)
    if reason:
        pytest.skip(reason)
    screenshots = sandbox / "screenshots"
    screenshots.mkdir(exist_ok=True)
    print(f"\nbrowser test: screenshots in {screenshots}")
    name, password = admin_credentials
    # As root in the sandbox's mount namespace: Chromium gets --no-sandbox (playwright.config.ts)
    # and a HOME and temporary directory of its own, where Playwright makes the profile.
    home = Path(tempfile.mkdtemp(prefix="jopanel-chromium-", dir="/tmp"))
    env = {
        **stack.with_node(dict(os.environ)),
        "HOME": str(home),
        "TMPDIR": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "JOPANEL_URL": live.url,
        "JOPANEL_ADMIN_NAME": name,
        "JOPANEL_ADMIN_PASSWORD": password,
        "JOPANEL_SCREENSHOTS": str(screenshots),
        "JOPANEL_E2E_OUTPUT": str(sandbox / "playwright"),
        "JOPANEL_CHROMIUM": str(CHROMIUM),
        "CI": "1",
        "FORCE_COLOR": "0",
        "npm_config_update_notifier": "false",
    }
    try:
        done = subprocess.run(
            ["npx", "--no", "playwright", "test"],
            cwd=WEBUI,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(done.stdout)
    assert done.returncode == 0, (
        f"Playwright failed (exit {done.returncode}); traces in {sandbox / 'playwright'}\n"
        f"{done.stdout}\n{done.stderr}"
    )
