"""Pebble in the sandbox: a real ACME server that resolves through the sandbox's named and
validates HTTP-01 against the sandbox's nginx (sandbox only). These tests write the challenge
file by hand into the panel's challenge folder, to show the path Pebble takes; the agent's
own publishing is tested with the certificate service (test_certificates.py)."""

from __future__ import annotations

import asyncio
import http.client
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import stack
from acme import errors
from cryptography import x509

from tests.agent.certificates.certificates_support import (
    AcmeClient,
    csr_for,
    leaf_names,
    pebble,
    zone_pointing_here,
)
from tests.agent.dns.dns_support import dns, dns_account, named, new_zone
from tests.agent.web.web_support import create, spec

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub as DnsStub
    from tests.agent.web.web_support import Stub as WebStub

__all__ = ["dns", "dns_account", "named", "new_zone", "pebble"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("pebble")

CHALLENGES = Path("/var/lib/jopanel/acme-challenge")


def publish_by_hand(domain: str, token: str, text: str) -> None:
    """Where the agent publishes tokens (every site serves them from there, ahead of its own
    files: an account's own file in its document root never answers a challenge)."""
    folder = CHALLENGES / domain / ".well-known" / "acme-challenge"
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    (folder / token).write_text(text)
    (folder / token).chmod(0o644)


async def test_pebble_issues_after_validating_through_named_and_nginx(
    pebble: stack.Pebble,
    dns_account: str,
    dns: DnsStub,
    web: WebStub,
    new_zone: Callable[[], str],
) -> None:
    name = dns_account
    domain = new_zone()
    await zone_pointing_here(dns, domain, name, "www")
    await create(web, spec(domain, name, aliases=(f"www.{domain}",)))
    acme = await asyncio.to_thread(AcmeClient.register, pebble)
    names = [domain, f"www.{domain}"]
    order = await asyncio.to_thread(acme.acme.new_order, csr_for(names))
    for body, token, validation in acme.http01(order):
        publish_by_hand(domain, token, validation)
        await asyncio.to_thread(acme.acme.answer_challenge, body, body.response(acme.account_key))

    done = await asyncio.to_thread(acme.finish, order)

    assert leaf_names(done.fullchain_pem) == sorted(names)
    leaf, intermediate = x509.load_pem_x509_certificates(done.fullchain_pem.encode())[:2]
    root = x509.load_pem_x509_certificate(pebble.root_pem().encode())
    leaf.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)


async def test_pebble_refuses_a_name_that_does_not_resolve_here(
    pebble: stack.Pebble,
    dns_account: str,
    web: WebStub,
    new_zone: Callable[[], str],
) -> None:
    """No zone: named refuses the name, so Pebble cannot find the server (as for a domain whose
    public DNS points elsewhere), even though the site would answer."""
    name = dns_account
    domain = new_zone()
    await create(web, spec(domain, name))
    acme = await asyncio.to_thread(AcmeClient.register, pebble)
    order = await asyncio.to_thread(acme.acme.new_order, csr_for([domain]))
    for body, token, validation in acme.http01(order):
        publish_by_hand(domain, token, validation)
        await asyncio.to_thread(acme.acme.answer_challenge, body, body.response(acme.account_key))

    with pytest.raises(errors.ValidationError) as failed:
        await asyncio.to_thread(acme.finish, order)

    (authz,) = failed.value.failed_authzrs
    (challenge,) = [c for c in authz.body.challenges if c.error is not None]
    assert challenge.error is not None
    assert challenge.error.typ == "urn:ietf:params:acme:error:connection"
    assert "could not resolve" in str(challenge.error.detail)


def test_nothing_but_the_acme_client_trusts_the_api(pebble: stack.Pebble) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        directory(pebble, ssl.create_default_context())
    assert "newOrder" in directory(pebble, ssl.create_default_context(cafile=str(pebble.api_ca)))


def directory(pebble: stack.Pebble, context: ssl.SSLContext) -> str:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", pebble.acme_port, context=context, timeout=10
    )
    try:
        connection.request("GET", "/dir")
        return connection.getresponse().read().decode()
    finally:
        connection.close()
