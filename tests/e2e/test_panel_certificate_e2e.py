"""The panel's own host name through the whole stack (issue 12 item 5): an administrator's
POST /api/v1/server/certificate -> gateway (queues a panel_certificate job) -> ACME worker
(pre-flight, ACME with Pebble) -> agent (key, tokens in the panel's own challenge folder,
checked install, nginx -t, reload) -> the sandbox's nginx serving the panel's front.

While the panel's name points elsewhere, the pre-flight refuses with the reason and the
installer's self-signed certificate keeps serving; once it points here, a TLS client that
trusts only Pebble's root sees the panel's certificate over SNI. An owner can neither order
it nor hold the name."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import ssl
import subprocess
from typing import Any

import aiohttp
import pytest
import stack

from tests.agent.certificates.certificates_support import tls_peer
from tests.e2e.certificate_jobs import ordered
from tests.e2e.test_accounts_e2e import call, login

pytestmark = pytest.mark.e2e

HOST = stack.PANEL_NAME
ZONE = stack.BIND_DIR / "jopanel-panel.zone"


def served_fingerprint(port: int) -> str:
    """The SHA-256 of the certificate nginx shows for the panel's name, trusting nothing."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOST) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return hashlib.sha256(der).hexdigest()


def point_panel_at(live: stack.Stack, address: str, serial: int) -> None:
    """The panel's A record, as an administrator's DNS provider would change it."""
    text = ZONE.read_text()
    lines = [line for line in text.splitlines() if not line.startswith(("@ A", "@ SOA"))]
    soa = f"@ SOA {stack.DNS_NAMESERVERS[0]}. hostmaster.{HOST}. {serial} 3600 600 86400 60"
    ZONE.write_text("\n".join([soa, *lines, f"@ A {address}"]) + "\n")
    done = stack.rndc(live.rndc_port, "reload", HOST)
    assert done.returncode == 0, done.stderr


async def test_the_panel_gets_its_certificate_and_keeps_serving_through_a_failure(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    one = f"{base}/server/certificate"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        body = {"name": "e2e_panel", "password": "panel-pass-1"}
        assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        owner = await login(session, base, "e2e_panel", "panel-pass-1")
        assert (await call(session, "POST", one, owner, json={}))[0] == 403
        for name in (HOST, f"www.{HOST}"):  # the name is the server's, never a tenant's
            status, _ = await call(session, "POST", f"{base}/domains", owner, json={"name": name})
            assert status == 422

        # Earlier tests of this stack may have changed the CA (the fuzzer sets Let's Encrypt)
        # or ordered the panel's certificate already: this test starts from Pebble and from
        # whatever the front serves now (the installer's self-signed one on a fresh stack).
        pebble = {"directory_url": live.pebble.directory_url, "email": "admin@jopanel.test"}
        settings = f"{base}/certificate-settings"
        assert (await call(session, "PUT", settings, admin, json=pebble))[0] == 200
        earlier_jobs = {job["id"] for job in await all_jobs(session, base, admin)}
        status, before = await call(session, "GET", one, admin)
        assert status == 200, before
        assert before["host_name"] == HOST
        self_signed = before["served"]["fingerprint_sha256"]
        assert served_fingerprint(live.web_tls_port) == self_signed

        # A failing pre-flight: the name points elsewhere. Nothing changes on the front.
        point_panel_at(live, "127.0.0.2", 2)
        try:
            problem, _ = await ordered(session, base, admin, one, {})
            assert problem["state"] == "failed", problem
            assert f"{HOST} does not resolve to this server" in problem["error"]
        finally:
            point_panel_at(live, "127.0.0.1", 3)
        status, failed = await call(session, "GET", one, admin)
        assert failed["status"] == "failed"
        assert failed["served"] == before["served"]
        assert "127.0.0.2" in failed["last_error"]
        assert served_fingerprint(live.web_tls_port) == self_signed

        job, issued = await ordered(session, base, admin, one, {})
        assert job["state"] == "succeeded", job
        assert (issued["status"], issued["last_error"]) == ("valid", "")
        served = issued["served"]
        assert (served["self_signed"], served["names"]) == (False, [HOST])
        assert "Pebble" in served["issuer"]
        assert issued["next_attempt_at"] is not None
        root = await asyncio.to_thread(live.pebble.root_pem)
        names, answer = await asyncio.to_thread(tls_peer, live.web_tls_port, HOST, root)
        assert names == [HOST]
        assert answer.startswith("HTTP/1.1 200")
        assert served_fingerprint(live.web_tls_port) == served["fingerprint_sha256"]

        kinds = [
            (job["kind"], job["state"])
            for job in await all_jobs(session, base, admin)
            if job["subject"] == "panel" and job["id"] not in earlier_jobs
        ]
        assert sorted(kinds) == [
            ("panel_certificate", "failed"),
            ("panel_certificate", "succeeded"),
        ]
        mine = await all_jobs(session, base, owner)
        assert [job for job in mine if job["subject"] == "panel"] == []

    # What `jopanel certificate status` runs (gateway/cli.py), as the gateway's user.
    shown = json.loads(await asyncio.to_thread(gateway_command, "panel-certificate", "status"))
    assert (shown["status"], shown["served"]) == ("valid", served)


async def all_jobs(session: aiohttp.ClientSession, base: str, token: str) -> list[dict[str, Any]]:
    """Every job the caller sees, page after page (they are listed by id, not by time)."""
    jobs: list[dict[str, Any]] = []
    page = ""
    while True:
        query = f"?limit=200&page_token={page}" if page else "?limit=200"
        status, body = await call(session, "GET", f"{base}/jobs{query}", token)
        assert status == 200, body
        jobs += body["items"]
        page = body.get("next_page_token") or ""
        if not page:
            return jobs


def gateway_command(*args: str) -> str:
    argv = [
        "setpriv",
        f"--reuid={stack.GATEWAY_USER}",
        f"--regid={stack.GATEWAY_USER}",
        "--init-groups",
        "--inh-caps=-all",
        str(stack.VENV_BIN / "jopanel-gateway"),
        "--config",
        str(stack.ETC / "gateway.toml"),
        *args,
    ]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout
