"""A whole account onto a server that no longer knows it, through the whole stack: REST →
gateway → agent → restic, MariaDB, cron and named. An account with files, a database with
rows, a cron job and a zone is backed up, deleted entirely (the server forgets it as a new
server would not know it), found in the repository's listing by an administrator, and
restored: files, rows, the crontab and the zone's answers come back, owned by its new uid."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_backups_e2e import followed
from tests.e2e.test_names_e2e import dig
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e

NAME, SITE = "e2e_fresh", "fresh-e2e.test"


def write_as(user: pwd.struct_passwd, path: Path, content: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chown(path.parent, user.pw_uid, user.pw_gid)
    path.write_bytes(content)
    os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(path, mode)


def files_of(home: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(path.relative_to(home)): (path.stat().st_mode & 0o7777, path.read_bytes())
        for path in home.rglob("*")
        if path.is_file() and not path.is_symlink() and "logs" not in path.parts
    }


def without_times(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as restored: their times are the new records'."""
    return [{k: v for k, v in item.items() if not k.endswith("_at")} for item in items]


async def test_an_account_the_server_forgot_comes_back_from_the_listing(
    live: stack.Stack, mariadb: stack.MariaDB, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        body = {"name": NAME, "password": "fresh-pass-1"}
        assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        owner = await login(session, base, NAME, "fresh-pass-1")

        async def post(token: str, path: str, **fields: object) -> tuple[int, Any]:
            return await call(session, "POST", f"{base}/{path}", token, json=fields)

        assert (await post(owner, "domains", name=SITE, dns_zone=True))[0] == 201
        assert (await post(owner, "databases", name=f"{NAME}_shop"))[0] == 201
        status, _ = await post(
            owner,
            "database-users",
            name=f"{NAME}_app",
            password="db-pass-123",
            databases=[f"{NAME}_shop"],
        )
        assert status == 201
        assert (await post(owner, "cron-jobs", schedule="@daily", command="echo fresh"))[0] == 201
        mariadb.sql(
            "CREATE TABLE e2e_fresh_shop.items (id INT PRIMARY KEY, name TEXT);"
            " INSERT INTO e2e_fresh_shop.items VALUES (1, 'one'), (2, 'two')"
        )
        user = pwd.getpwnam(NAME)
        home = Path(user.pw_dir)
        write_as(user, home / "notes.txt", b"what matters\n", 0o640)
        write_as(user, home / "web" / SITE / "public_html" / "index.html", b"<p>fresh</p>", 0o644)
        before = files_of(home)
        _, crons = await call(session, "GET", f"{base}/cron-jobs", owner)
        _, records = await call(session, "GET", f"{base}/dns-zones/{SITE}/records", owner)
        assert (await dig(live.dns_port, f"www.{SITE}")) == ("NOERROR", ["127.0.0.1"])

        status, job = await post(owner, "backups")
        assert status == 202, job
        events = await followed(session, base, owner, job["id"])
        assert events[-1]["state"] == "succeeded", events[-1]
        backup = events[-1]["result"]
        old_uid = user.pw_uid

        # The server forgets the account entirely.
        assert (await call(session, "DELETE", f"{base}/accounts/{NAME}", admin))[0] == 204
        assert not home.exists()
        assert (await dig(live.dns_port, f"www.{SITE}"))[0] == "REFUSED"

        status, listing = await call(session, "GET", f"{base}/backup-accounts", admin)
        assert status == 200, listing
        (found,) = [item for item in listing["items"] if item["account"] == NAME]
        assert (found["uid"], found["name_taken"]) == (old_uid, False)
        assert backup in [item["id"] for item in found["backups"]]
        restore = {"uid": old_uid, "backup_id": backup, "password": "fresh-pass-2"}
        url = f"{base}/backup-accounts/{NAME}/restore"
        status, job = await call(session, "POST", url, admin, json=restore)
        assert status == 202, job
        events = await followed(session, base, admin, job["id"])
        assert events[-1]["state"] == "succeeded", events[-1]
        stages = [event["stage"] for event in events]
        assert "files" in stages
        assert stages[-1] == "done"

        user = pwd.getpwnam(NAME)
        assert user.pw_uid != old_uid
        assert files_of(home) == before
        owners = {path.lstat().st_uid for path in home.rglob("*") if "logs" not in path.parts}
        assert owners == {user.pw_uid}
        rows = mariadb.sql("SELECT id, name FROM e2e_fresh_shop.items ORDER BY id")
        assert rows.split("\n")[:2] == ["1\tone", "2\ttwo"]
        crontab = subprocess.run(
            ["crontab", "-u", NAME, "-l"], capture_output=True, text=True, check=True
        ).stdout
        assert "echo fresh" in crontab
        owner = await login(session, base, NAME, "fresh-pass-2")
        _, now = await call(session, "GET", f"{base}/cron-jobs", owner)
        assert without_times(now["items"]) == without_times(crons["items"])
        _, now = await call(session, "GET", f"{base}/dns-zones/{SITE}/records", owner)
        assert without_times(now["items"]) == without_times(records["items"])
        assert (await dig(live.dns_port, f"www.{SITE}")) == ("NOERROR", ["127.0.0.1"])
        status, report = await call(session, "POST", f"{base}/reconcile", admin)
        assert status == 200
        mine = [f for f in report["findings"] if NAME in (f.get("account"), f.get("name"))]
        assert mine == []


async def test_a_site_deleted_since_the_backup_serves_again_after_a_restore_in_place(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    """An owner deletes a site (and with it its files and zone) after a backup; restoring the
    whole account in place makes the site again: its page is served and its names answer."""
    name, site = "e2e_gone", "gone-e2e.test"
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        body = {"name": name, "password": "gone-pass-1"}
        assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        owner = await login(session, base, name, "gone-pass-1")
        made = {"name": site, "dns_zone": True}
        assert (await call(session, "POST", f"{base}/domains", owner, json=made))[0] == 201
        user = pwd.getpwnam(name)
        page_file = Path(user.pw_dir) / "web" / site / "public_html" / "index.html"
        write_as(user, page_file, b"<p>back</p>", 0o644)
        assert await page(live.web_port, site) == (200, "<p>back</p>")
        status, job = await call(session, "POST", f"{base}/backups", owner, json={})
        assert status == 202, job
        events = await followed(session, base, owner, job["id"])
        assert events[-1]["state"] == "succeeded", events[-1]
        backup = events[-1]["result"]
        assert (await call(session, "DELETE", f"{base}/dns-zones/{site}", owner))[0] == 204
        assert (await call(session, "DELETE", f"{base}/domains/{site}", owner))[0] in (202, 204)
        assert (await page(live.web_port, site))[0] != 200
        assert (await dig(live.dns_port, f"www.{site}"))[0] == "REFUSED"

        whole = {"what": "account", "placement": "in_place"}
        url = f"{base}/backups/{backup}/restore"
        status, job = await call(session, "POST", url, owner, json=whole)
        assert status == 202, job
        events = await followed(session, base, owner, job["id"])

        assert events[-1]["state"] == "succeeded", events[-1]
        assert "1 zones, 1 sites" in events[-1]["result"]
        assert await page(live.web_port, site) == (200, "<p>back</p>")
        assert (await dig(live.dns_port, f"www.{site}")) == ("NOERROR", ["127.0.0.1"])
        status, report = await call(session, "POST", f"{base}/reconcile", admin)
        assert status == 200
        mine = [f for f in report["findings"] if name in (f.get("account"), f.get("name"))]
        assert mine == []
