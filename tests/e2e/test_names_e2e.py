"""Names through the whole stack (issue 11): REST → gateway → agent → real nginx and named.

Two real accounts; each attack of the issue fails to reach anything of the other account's,
as a client on the internet sees it (a request with the Host header, dig at named).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import subprocess
from pathlib import Path

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e

ALICE, MALLORY = "alice-e2e.test", "mallory-e2e.test"
NOT_SERVED = "No website is configured for this name."


def _dig(port: int, name: str) -> tuple[str, list[str]]:
    argv = ["dig", "@127.0.0.1", "-p", str(port), "+norec", "+time=5", "+tries=1", name, "A"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    status = out.split("status: ", 1)[1].split(",", 1)[0]
    short = subprocess.run([*argv, "+short"], capture_output=True, text=True, check=True).stdout
    return status, short.split()


async def dig(port: int, name: str) -> tuple[str, list[str]]:
    return await asyncio.to_thread(_dig, port, name)


async def test_a_tenant_takes_no_name_of_another_and_its_zones_go_with_its_names(
    live: stack.Stack, mariadb: stack.MariaDB, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        for name in ("e2e_alice", "e2e_mallory"):
            body = {"name": name, "password": "names-pass-1"}
            assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        alice = await login(session, base, "e2e_alice", "names-pass-1")
        mallory = await login(session, base, "e2e_mallory", "names-pass-1")

        async def post(token: str, path: str, **body: object) -> tuple[int, object]:
            return await call(session, "POST", f"{base}/{path}", token, json=body)

        assert (await post(alice, "domains", name=ALICE, dns_zone=True))[0] == 201
        assert (await dig(live.dns_port, f"www.{ALICE}")) == ("NOERROR", ["127.0.0.1"])

        # Hole 1: names below alice's, as mallory's site, alias or zone.
        for name in (f"www.{ALICE}", f"mail.{ALICE}", f"shop.{ALICE}"):
            status, answer = await post(mallory, "domains", name=name)
            assert status == 409, answer
            status, answer = await post(mallory, "domains", name=MALLORY, aliases=[name])
            assert status == 409, answer
            status, answer = await post(mallory, "dns-zones", name=name)
            assert status == 422, answer  # well formed; not a domain of the account
        assert (await post(mallory, "domains", name=MALLORY, dns_zone=True))[0] == 201
        _, served = await page(live.web_port, f"www.{ALICE}")
        assert MALLORY not in served
        assert NOT_SERVED in served
        assert (await dig(live.dns_port, f"shop.{ALICE}"))[0] == "NXDOMAIN"  # alice's zone says
        assert (await dig(live.dns_port, f"mail.{ALICE}")) == ("NOERROR", ["127.0.0.1"])
        for name in ("panel.jopanel.test", "x.ns1.jopanel.test"):
            assert (await post(mallory, "domains", name=name))[0] == 422

        # Hole 2: a zone outliving its alias.
        victim = "victim-e2e.test"
        one = f"{base}/domains/{MALLORY}"
        status, _ = await call(session, "PATCH", one, mallory, json={"aliases": [victim]})
        assert status == 200
        assert (await post(mallory, "dns-zones", name=victim))[0] == 201
        status, answer = await call(session, "PATCH", one, mallory, json={"aliases": []})
        assert status == 409, answer
        assert f"'{victim}'" in answer["detail"]
        assert (await call(session, "DELETE", f"{base}/dns-zones/{victim}", mallory))[0] == 204
        assert (await call(session, "PATCH", one, mallory, json={"aliases": []}))[0] == 200
        assert (await dig(live.dns_port, victim))[0] == "REFUSED"

        # ... and a zone outliving its domain.
        mine = f"{base}/domains/{ALICE}"
        status, answer = await call(session, "DELETE", mine, alice)
        assert status == 409, answer
        assert (await dig(live.dns_port, ALICE))[0] == "NOERROR"
        assert (await call(session, "DELETE", f"{base}/dns-zones/{ALICE}", alice))[0] == 204
        assert (await call(session, "DELETE", mine, alice))[0] == 204
        assert (await dig(live.dns_port, ALICE))[0] == "REFUSED"
        assert NOT_SERVED in (await page(live.web_port, ALICE))[1]

        # Deleting an account leaves no site, pool, zone, crontab or database behind.
        assert (await post(mallory, "databases", name="e2e_mallory_db"))[0] == 201
        assert (await post(mallory, "cron-jobs", schedule="@daily", command="true"))[0] == 201
        assert Path("/var/spool/cron/crontabs/e2e_mallory").exists()
        assert (await call(session, "DELETE", f"{base}/accounts/e2e_mallory", admin))[0] == 204
        assert NOT_SERVED in (await page(live.web_port, MALLORY))[1]
        assert (await dig(live.dns_port, MALLORY))[0] == "REFUSED"
        assert not list(Path("/etc/php").glob("*/fpm/jopanel/*/pool.d/jopanel-e2e_mallory.conf"))
        assert not Path("/var/spool/cron/crontabs/e2e_mallory").exists()
        assert "e2e_mallory_db" not in mariadb.sql("SHOW DATABASES").split()
        # Its names are free again, for the account that really holds them.
        assert (await post(alice, "domains", name=MALLORY))[0] == 201


async def test_an_administrator_moves_a_squatted_name_to_its_owner(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    """The squatter's site and zone are re-created for the new owner: the site runs as the new
    owner from its home, the zone keeps its records, the squatter keeps its files."""
    base = f"{live.url}/api/v1"
    squat = "squat-e2e.test"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        for name in ("e2e_squatter", "e2e_holder"):
            body = {"name": name, "password": "names-pass-1"}
            assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        squatter = await login(session, base, "e2e_squatter", "names-pass-1")
        holder = await login(session, base, "e2e_holder", "names-pass-1")
        squatted = {"name": squat, "aliases": [f"www.{squat}"], "dns_zone": True}
        assert (await call(session, "POST", f"{base}/domains", squatter, json=squatted))[0] == 201
        below = {"name": f"blog.{squat}"}
        assert (await call(session, "POST", f"{base}/domains", squatter, json=below))[0] == 201
        record = {"type": "TXT", "name": "proof", "text": "kept"}
        status, _ = await call(
            session, "POST", f"{base}/dns-zones/{squat}/records", squatter, json=record
        )
        assert status == 201
        assert (await call(session, "POST", f"{base}/domains", holder, json={"name": squat}))[
            0
        ] == 409

        move = f"{base}/domains/{squat}/move"
        status, _ = await call(session, "POST", move, squatter, json={"account": "e2e_squatter"})
        assert status == 403
        status, domain = await call(session, "POST", move, admin, json={"account": "e2e_holder"})
        assert status == 200, domain
        assert domain["document_root"] == f"/home/e2e_holder/web/{squat}/public_html"

        holder_uid = pwd.getpwnam("e2e_holder").pw_uid
        for name in (squat, f"blog.{squat}"):
            root = Path(f"/home/e2e_holder/web/{name}/public_html")
            script = root / "whoami.php"
            script.write_text("<?php echo posix_geteuid();")
            os.chown(script, holder_uid, holder_uid)
            assert (await page(live.web_port, name, "/whoami.php")) == (200, str(holder_uid))
        assert (await page(live.web_port, f"www.{squat}", "/whoami.php"))[1] == str(holder_uid)
        txt = subprocess.run(
            ["dig", "@127.0.0.1", "-p", str(live.dns_port), "+short", f"proof.{squat}", "TXT"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert txt.strip() == '"kept"'
        # The squatter keeps its own files, and holds nothing of the name any more.
        assert Path(f"/home/e2e_squatter/web/{squat}/public_html").is_dir()
        status, _ = await call(
            session, "POST", f"{base}/domains", squatter, json={"name": f"x.{squat}"}
        )
        assert status == 409
        assert (await call(session, "GET", f"{base}/dns-zones/{squat}", holder))[0] == 200
