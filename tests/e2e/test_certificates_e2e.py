"""Certificates through the whole stack (issue 12): REST -> gateway (user jopanel, no
network: it queues the order) -> ACME worker (user jopanel-acme, speaking ACME to Pebble) ->
agent (root: key, tokens, install) -> real nginx, named and Pebble.

An owner's PHP site that answers every path gets one certificate for its name and www alias,
served over SNI to a TLS client that trusts only Pebble's root; a name that does not resolve
here is refused with the reason in the owner's words, kept for GET; another owner sees none of
it."""

from __future__ import annotations

import asyncio
import base64
import grp
import pwd
import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import stack
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from agent.system.certificates import keys
from gateway.acme_accounts import AcmeAccounts
from gateway.agent import Agent
from gateway.auth.sessions import SessionCache
from gateway.config import AcmeConfig, DatabaseConfig, GatewayConfig
from gateway.db import create_pool
from gateway.renewals import Renewer
from tests.agent.certificates.certificates_support import tls_peer
from tests.agent.certificates.chains import DAY, NOW, Authority, pem
from tests.e2e.certificate_jobs import ordered
from tests.e2e.test_accounts_e2e import call, login

pytestmark = pytest.mark.e2e

SITE, BARE = "shop-tls-e2e.test", "bare-tls-e2e.test"
ELSEWHERE = "elsewhere-tls-e2e.test"
RENEWAL_ROW = (
    "SELECT c.fingerprint, c.next_attempt_at FROM jopanel.certificates c"
    " JOIN jopanel.domains d ON d.id = c.domain_id WHERE d.name = 'shop-tls-e2e.test'"
)


async def test_an_owner_issues_and_serves_a_certificate_and_learns_why_not(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        for name in ("e2e_tls", "e2e_tls_other"):
            body = {"name": name, "password": "tls-pass-1"}
            assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        owner = await login(session, base, "e2e_tls", "tls-pass-1")
        other = await login(session, base, "e2e_tls_other", "tls-pass-1")
        site = {"name": SITE, "aliases": [f"www.{SITE}"], "dns_zone": True}
        assert (await call(session, "POST", f"{base}/domains", owner, json=site))[0] == 201
        assert (await call(session, "POST", f"{base}/domains", owner, json={"name": BARE}))[
            0
        ] == 201
        one = f"{base}/domains/{SITE}/certificate"

        status, before = await call(session, "GET", one, owner)
        assert (status, before["status"], before["names"]) == (200, "none", [])
        assert (await call(session, "POST", one, other, json={}))[0] == 404

        job, issued = await ordered(session, base, owner, one, {"redirect_http": True})
        assert job["state"] == "succeeded", job
        names = sorted([SITE, f"www.{SITE}"])
        assert (issued["status"], issued["names"], issued["last_error"]) == ("valid", names, "")
        assert "Pebble" in issued["issuer"]
        root = await asyncio.to_thread(live.pebble.root_pem)
        for name in names:
            shown, answer = await asyncio.to_thread(tls_peer, live.web_tls_port, name, root)
            assert shown == names
            assert answer.startswith("HTTP/1.1 200")
        with pytest.raises(ssl.SSLError):  # another name gets no certificate at all
            await asyncio.to_thread(tls_peer, live.web_tls_port, f"other.{SITE}x", root)

        bare = f"{base}/domains/{BARE}/certificate"
        refused, _ = await ordered(session, base, owner, bare, {})
        assert refused["state"] == "failed"
        assert refused["error"].startswith(f"{BARE} does not resolve to this server")
        await elsewhere(session, base, owner)
        status, kept = await call(session, "GET", bare, owner)
        assert (kept["status"], kept["last_error"]) == ("failed", refused["error"])
        assert kept["last_attempt_at"] is not None
        assert (await call(session, "GET", one, other))[0] == 404

        await bought(live, session, base, owner)
        await renewals_with_backoff(live, session, base, owner, root)
        await settings_and_removal(live, session, base, owner, other, root)


async def settings_and_removal(
    live: stack.Stack,
    session: aiohttp.ClientSession,
    base: str,
    owner: str,
    other: str,
    root: str,
) -> None:
    """HSTS on, the redirect off, then HTTPS off: each as a client sees it."""
    one = f"{base}/domains/{SITE}/certificate"
    assert (await call(session, "PATCH", one, other, json={"hsts": True}))[0] == 404
    status, changed = await call(
        session, "PATCH", one, owner, json={"hsts": True, "redirect_http": False}
    )
    assert (status, changed["hsts"], changed["redirect_http"]) == (200, True, False)
    _, answer = await asyncio.to_thread(tls_peer, live.web_tls_port, SITE, root)
    assert "strict-transport-security: max-age=31536000" in answer.lower()
    plain = await asyncio.to_thread(http_get, live.web_port, SITE)
    assert plain.startswith("HTTP/1.1 200")

    assert (await call(session, "DELETE", one, other))[0] == 404
    assert (await call(session, "DELETE", one, owner))[0] == 204
    _, gone = await call(session, "GET", one, owner)
    assert (gone["status"], gone["names"]) == ("none", [])
    assert (await call(session, "PATCH", one, owner, json={"hsts": True}))[0] == 404
    assert not Path(f"/etc/jopanel/ssl/{SITE}").exists()


def http_get(port: int, host: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return raw.recv(65536).decode("utf-8", "replace")


async def elsewhere(session: aiohttp.ClientSession, base: str, owner: str) -> None:
    """Pre-flight: an alias whose A record points at another server is named, with both
    addresses, before the CA is asked."""
    site = {"name": ELSEWHERE, "aliases": [f"shop.{ELSEWHERE}"], "dns_zone": True}
    assert (await call(session, "POST", f"{base}/domains", owner, json=site))[0] == 201
    record = {"type": "A", "name": "shop", "ttl": 0, "address": "127.0.0.2"}
    records = f"{base}/dns-zones/{ELSEWHERE}/records"
    assert (await call(session, "POST", records, owner, json=record))[0] == 201
    url = f"{base}/domains/{ELSEWHERE}/certificate"
    refused, _ = await ordered(session, base, owner, url, {})
    assert refused["state"] == "failed"
    assert refused["error"] == (
        f"shop.{ELSEWHERE} does not resolve to this server: it points at 127.0.0.2, "
        "this server is 127.0.0.1."
    )


async def bought(live: stack.Stack, session: aiohttp.ClientSession, base: str, owner: str) -> None:
    """A certificate bought elsewhere, as base64 DER: one for another key is a 422 on `chain`
    (well formed, refused by the agent's check);
    the right one is installed, served over SNI, and left to its owner (no renewal here)."""
    ca = Authority.root("Bought Root")
    key = keys.new_key("ecdsa-p256")
    url = f"{base}/domains/{BARE}/certificate/upload"
    stranger = ca.leaf(keys.new_key("ecdsa-p256"), [BARE])
    body = {"key": der_base64(key.decode()), "chain": [b64(stranger), b64(ca.certificate)]}
    status, refused = await call(session, "POST", url, owner, json=body)
    assert status == 422, refused
    assert [error["field"] for error in refused["errors"]] == ["chain"], refused
    good = ca.leaf(key, [BARE], not_after=NOW + 3650 * DAY)
    body["chain"] = [b64(good), b64(ca.certificate)]
    status, installed = await call(session, "POST", url, owner, json=body)
    assert status == 200, installed
    assert (installed["status"], installed["source"], installed["names"]) == (
        "valid",
        "upload",
        [BARE],
    )
    shown, answer = await asyncio.to_thread(tls_peer, live.web_tls_port, BARE, pem(ca.certificate))
    assert (shown, answer.split("\r\n")[0]) == ([BARE], "HTTP/1.1 200 OK")
    due = live.mariadb.sql(
        "SELECT COUNT(*) FROM jopanel.certificates WHERE source = 'upload'"
        " AND next_attempt_at IS NOT NULL"
    )
    assert due.strip() == "0"


def b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def der_base64(key_pem: str) -> str:
    return "".join(line for line in key_pem.splitlines() if not line.startswith("-----"))


def renewal_row(live: stack.Stack) -> tuple[str, datetime]:
    """SITE's installed fingerprint and next attempt, as recorded."""
    fingerprint, due = live.mariadb.sql(RENEWAL_ROW).strip().split("\t")
    return fingerprint, datetime.fromisoformat(due).replace(tzinfo=UTC)


async def renewals_with_backoff(
    live: stack.Stack, session: aiohttp.ClientSession, base: str, owner: str, root: str
) -> None:
    """The renewer, run at moments the test chooses: due at a third of the lifetime left,
    renewed with a new key; a failed renewal keeps the old certificate served, says why, and
    waits an hour before the next try."""
    pool = await create_pool(DatabaseConfig(user="root", pool_min=1, pool_max=2))
    agent = Agent(stack.AGENT_SOCKET)
    acme = AcmeConfig(
        live.pebble.directory_url,
        ca_bundle=str(live.pebble.api_ca),
        resolver=f"127.0.0.1:{live.dns_port}",
        http_port=live.web_port,
    )
    accounts = AcmeAccounts(stack.ACME_KEY.read_bytes(), str(live.pebble.api_ca))
    renewer = Renewer(pool, agent, GatewayConfig(acme=acme), SessionCache(), accounts)
    try:
        first, due = renewal_row(live)
        assert await renewer.run_once(due - timedelta(seconds=1)) == {}
        assert await renewer.run_once(due) == {SITE: "renewed"}
        second, due = renewal_row(live)
        assert second != first

        # The zone goes: the names no longer resolve here, and the next renewal fails.
        assert (await call(session, "DELETE", f"{base}/dns-zones/{SITE}", owner))[0] == 204
        outcome = await renewer.run_once(due)
        for name in (SITE, f"www.{SITE}"):  # one sentence per name, in the order of the CA
            assert f"{name} does not resolve to this server" in outcome[SITE]
        _, record = await call(session, "GET", f"{base}/domains/{SITE}/certificate", owner)
        assert (record["status"], record["last_error"]) == ("failed", outcome[SITE])
        kept, retry = renewal_row(live)
        assert kept == second
        assert retry - due == timedelta(hours=1)
        assert await renewer.run_once(retry - timedelta(minutes=1)) == {}
        shown, _ = await asyncio.to_thread(tls_peer, live.web_tls_port, SITE, root)
        assert shown == sorted([SITE, f"www.{SITE}"])  # the installed certificate still serves
    finally:
        await renewer.stop()
        await agent.close()
        pool.close()
        await pool.wait_closed()


WORKER_SITE = "worker-tls-e2e.test"


async def test_orders_run_in_the_acme_worker_as_its_own_user(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    """The worker (user jopanel-acme, no capability) runs the order the gateway queued: its job
    is the owner's; the CA is the administrator's choice, read at every order; the account key
    stays root's 0600 file, the worker holding only its credential copy."""
    worker = next(p for p in live.processes if p.name == "acme")
    status_lines = Path(f"/proc/{worker.pid}/status").read_text().splitlines()
    fields = dict(line.split(":\t", 1) for line in status_lines if ":\t" in line)
    acme_uid = pwd.getpwnam(stack.ACME_USER).pw_uid
    assert fields["Uid"].split() == [str(acme_uid)] * 4
    assert fields["CapEff"] == fields["CapPrm"] == "0000000000000000"
    # Not the gateway's group: it reaches the agent on its own socket (agent/acme_socket.py).
    assert str(grp.getgrnam(stack.GATEWAY_USER).gr_gid) not in fields["Groups"].split()
    key = stack.ACME_KEY.stat()
    assert (key.st_uid, oct(key.st_mode & 0o777)) == (0, "0o600")
    copy = (stack.ACME_CREDENTIALS / "acme-account-key").stat()
    assert (copy.st_uid, oct(copy.st_mode & 0o777)) == (acme_uid, "0o400")
    assert (stack.ACME_CREDENTIALS / "acme-account-key").read_bytes() == stack.ACME_KEY.read_bytes()

    base = f"{live.url}/api/v1"
    settings = f"{base}/certificate-settings"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        body = {"name": "e2e_worker", "password": "tls-pass-1"}
        assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        owner = await login(session, base, "e2e_worker", "tls-pass-1")
        site = {"name": WORKER_SITE, "dns_zone": True}
        assert (await call(session, "POST", f"{base}/domains", owner, json=site))[0] == 201
        one = f"{base}/domains/{WORKER_SITE}/certificate"
        assert (await call(session, "GET", settings, owner))[0] == 403

        # A CA where nothing answers: the worker reads the setting and says so.
        status, chosen = await call(session, "GET", settings, admin)
        assert (status, chosen["directory_url"]) == (200, live.pebble.directory_url)
        nowhere = {"directory_url": "https://127.0.0.1:9/directory", "email": "a@example.net"}
        assert (await call(session, "PUT", settings, admin, json=nowhere))[0] == 200
        try:
            refused, _ = await ordered(session, base, owner, one, {})
            assert refused["state"] == "failed", refused
            assert "could not reach its certificate authority" in refused["error"]
        finally:
            assert (await call(session, "PUT", settings, admin, json=chosen))[0] == 200

        job, issued = await ordered(session, base, owner, one, {})
        assert (job["state"], issued["status"]) == ("succeeded", "valid"), job
        _, jobs = await call(session, "GET", f"{base}/jobs", owner)
        orders = [job for job in jobs["items"] if job["kind"] == "certificate"]
        assert sorted(job["state"] for job in orders) == ["failed", "succeeded"]
        assert all(job["subject"] == WORKER_SITE for job in orders)
        assert sorted(job["stage"] for job in orders) == ["done", "failed"]
    # Its calls came in on its own socket, and it called nothing that socket does not serve.
    agent_log = (live.logs / "agent.log").read_text()
    assert (
        "CertificateService/InstallCertificate on the ACME worker's socket"
        f" {stack.ACME_SOCKET}" in agent_log
    )
    assert "refused /" not in agent_log
    audit = live.mariadb.sql(
        "SELECT actor, client, result FROM jopanel.audit_log WHERE action = 'certificate.issue'"
        " AND target = 'e2e_worker/worker-tls-e2e.test' ORDER BY id"
    )
    assert audit.split("\n")[:2] == [
        "e2e_worker\tacme-worker\terror",
        "e2e_worker\tacme-worker\tok",
    ]
