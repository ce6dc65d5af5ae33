"""A wildcard alias through the whole stack (issue 12): REST -> gateway -> ACME worker ->
agent -> real nginx, named and Pebble, whose -dnsserver is the sandbox's named.

The site's name is proven over HTTP-01, its `*.` alias over DNS-01 with a record the agent
writes into the owner's zone and removes afterwards; a TLS client that trusts only Pebble's
root sees the certificate for any name below over SNI. A wildcard whose zone is not served
here is refused before the CA is asked, in the owner's words."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import stack

from tests.agent.certificates.certificates_support import tls_peer
from tests.agent.dns.dns_support import dig
from tests.e2e.certificate_jobs import ordered
from tests.e2e.test_accounts_e2e import call, login

pytestmark = pytest.mark.e2e

SITE, NO_ZONE = "wild-tls-e2e.test", "nozone-tls-e2e.test"


async def test_a_wildcard_alias_is_issued_over_dns_and_served_for_every_name_below(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        for name in ("e2e_wild", "e2e_wild_other"):
            body = {"name": name, "password": "wild-pass-1"}
            assert (await call(session, "POST", f"{base}/accounts", admin, json=body))[0] == 201
        owner = await login(session, base, "e2e_wild", "wild-pass-1")
        other = await login(session, base, "e2e_wild_other", "wild-pass-1")
        site = {"name": SITE, "aliases": [f"*.{SITE}"], "dns_zone": True}
        assert (await call(session, "POST", f"{base}/domains", owner, json=site))[0] == 201
        # Nobody else gets a name below it, as a site or as a wildcard of their own.
        claims: list[dict[str, object]] = [
            {"name": f"y.{SITE}"},
            {"name": "x.test", "aliases": [f"*.{SITE}"]},
        ]
        for claim in claims:
            status, _ = await call(session, "POST", f"{base}/domains", other, json=claim)
            assert status in (409, 422)

        one = f"{base}/domains/{SITE}/certificate"
        job, issued = await ordered(session, base, owner, one, {})
        assert job["state"] == "succeeded", job
        names = sorted([SITE, f"*.{SITE}"])
        assert (issued["status"], issued["names"], issued["last_error"]) == ("valid", names, "")
        root = await asyncio.to_thread(live.pebble.root_pem)
        for name in (SITE, f"anything.{SITE}", f"www.{SITE}"):
            shown, answer = await asyncio.to_thread(tls_peer, live.web_tls_port, name, root)
            assert shown == names, name
            assert answer.startswith("HTTP/1.1 200"), name
        # The challenge record went with the order.
        assert (await dig(live.dns_port, f"_acme-challenge.{SITE}", "TXT")).answer == []

        wild = {"name": NO_ZONE, "aliases": [f"*.{NO_ZONE}"]}
        assert (await call(session, "POST", f"{base}/domains", owner, json=wild))[0] == 201
        no_zone = f"{base}/domains/{NO_ZONE}/certificate"
        refused, _ = await ordered(session, base, owner, no_zone, {})
        assert refused["state"] == "failed", refused
        assert refused["error"] == (
            f"*.{NO_ZONE} needs a DNS challenge, and this server does not serve the zone"
            f" {NO_ZONE} for this account: add the zone here (and point the domain's name"
            " servers at this server) or remove the wildcard."
        )

        # Nothing stays for the suite's other tests (the renewal test renews what is due).
        for method, path in (
            ("DELETE", one),
            ("DELETE", f"{base}/dns-zones/{SITE}"),
            ("DELETE", f"{base}/domains/{SITE}"),
            ("DELETE", f"{base}/domains/{NO_ZONE}"),
        ):
            status, answer = await call(session, method, path, owner)
            assert status == 204, (path, answer)
