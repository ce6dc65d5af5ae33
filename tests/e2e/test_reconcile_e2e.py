"""Reconcile through the real stack: damage done by hand on the server (a site's nginx file
deleted, a Linux user removed, a crontab removed) is found and repaired by POST /reconcile."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login, user_exists
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e

SITES = Path("/etc/nginx/jopanel/sites")


def crontab(account: str) -> str:
    done = subprocess.run(["crontab", "-u", account, "-l"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


def repaired(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["resource"], f["name"]) for f in report["findings"] if f["outcome"] == "repaired"}


async def test_damage_by_hand_is_repaired_and_audited(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        status, _ = await call(session, "POST", f"{base}/plans", admin, json={"name": "e2e-rec"})
        assert status == 201
        for name in ("e2e_rec", "e2e_rec_gone"):
            status, body = await call(
                session,
                "POST",
                f"{base}/accounts",
                admin,
                json={"name": name, "password": "rec-pass-123", "plan": "e2e-rec"},
            )
            assert status == 201, body
        status, body = await call(
            session,
            "POST",
            f"{base}/domains",
            admin,
            json={"name": "e2e-rec.example", "account": "e2e_rec", "backend": {"type": "static"}},
        )
        assert status == 201, body
        status, job = await call(
            session,
            "POST",
            f"{base}/cron-jobs",
            admin,
            json={"schedule": "@hourly", "command": "echo rec", "account": "e2e_rec"},
        )
        assert status == 201, job
        served = await page(live.web_port, "e2e-rec.example")
        line = f"# job {job['id']}\n@hourly echo rec\n"
        assert line in crontab("e2e_rec")

        # A person at the server: the site's file, a crontab and a Linux user go.
        (SITES / "e2e-rec.example.conf").unlink()
        subprocess.run(["crontab", "-u", "e2e_rec", "-r"], check=True)
        subprocess.run(["userdel", "--remove", "e2e_rec_gone"], check=True, capture_output=True)
        assert not user_exists("e2e_rec_gone")

        status, report = await call(session, "POST", f"{base}/reconcile", admin)
        assert status == 200, report
        assert {
            ("domain", "e2e-rec.example"),
            ("cron_job", job["id"]),
            ("account", "e2e_rec_gone"),
        } <= repaired(report), report["findings"]

        assert (SITES / "e2e-rec.example.conf").is_file()
        assert await page(live.web_port, "e2e-rec.example") == served
        assert line in crontab("e2e_rec")
        assert user_exists("e2e_rec_gone")

        # Nothing of these is left to do: a second look finds them in order.
        status, again = await call(session, "POST", f"{base}/reconcile", admin)
        assert status == 200
        mine = [f for f in again["findings"] if "e2e_rec" in str(f["account"])]
        assert mine == []

        status, log = await call(session, "GET", f"{base}/audit-log?limit=100", admin)
        assert status == 200
        audited = {(e["action"], e["target"], e["result"]) for e in log["items"]}
        assert {
            ("reconcile.domain", "e2e-rec.example", "ok"),
            ("reconcile.cron_job", job["id"], "ok"),
            ("reconcile.account", "e2e_rec_gone", "ok"),
        } <= audited
