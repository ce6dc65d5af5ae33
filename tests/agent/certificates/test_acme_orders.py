"""The gateway's ACME client (gateway/acme_orders.py) against Pebble, with the real agent doing
the root side (sandbox only): one SAN certificate for a domain and its aliases end to end, and
each refusal explained in the owner's words, with the tokens removed afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc

from gateway.acme_orders import AcmeAccount, Directory, IssueFailed, issue
from tests.agent.certificates.certificates_support import pebble, tls_peer, zone_pointing_here
from tests.agent.dns.dns_support import a, create_zone, dns, dns_account, named, new_zone
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, spec

if TYPE_CHECKING:
    import grpc.aio

    from tests.agent.dns.dns_support import Stub as DnsStub
    from tests.agent.web.web_support import Stub as WebStub

    Stub = certificates_pb2_grpc.CertificateServiceAsyncStub

__all__ = ["dns", "dns_account", "named", "new_zone", "pebble"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("pebble")

CHALLENGES = Path("/var/lib/jopanel/acme-challenge")


@pytest.fixture(scope="module")
def acme_account(pebble: stack.Pebble) -> AcmeAccount:
    return AcmeAccount.register(
        Directory(pebble.directory_url, "admin@example.org", str(pebble.api_ca))
    )


@pytest.fixture(scope="module")
def certificates(channel: grpc.aio.Channel) -> Stub:
    return certificates_pb2_grpc.CertificateServiceStub(channel)


async def test_one_san_certificate_for_a_domain_and_its_aliases(
    pebble: stack.Pebble,
    acme_account: AcmeAccount,
    certificates: Stub,
    dns: DnsStub,
    web: WebStub,
    dns_account: str,
    new_zone: Callable[[], str],
    web_tls_port: int,
) -> None:
    domain = new_zone()
    aliases = (f"www.{domain}", f"shop.{domain}")
    await zone_pointing_here(dns, domain, dns_account, "www", "shop")
    await create(web, spec(domain, dns_account, aliases=aliases))

    installed = await issue(certificates, acme_account, domain, dns_account)

    names = sorted([domain, *aliases])
    assert list(installed.names) == names
    root = await asyncio.to_thread(pebble.root_pem)
    for name in names:
        shown, answer = await asyncio.to_thread(tls_peer, web_tls_port, name, root)
        assert shown == names
        assert answer.startswith("HTTP/1.1 200")
    assert not list((CHALLENGES / domain / ".well-known" / "acme-challenge").iterdir())

    # A renewal: a new key, a new certificate, the same names, served at once.
    renewed = await issue(certificates, acme_account, domain, dns_account)
    assert renewed.fingerprint_sha256 != installed.fingerprint_sha256
    fetched = await certificates.GetCertificate(
        certificates_pb2.GetCertificateRequest(domain=domain)
    )
    assert fetched.certificate.fingerprint_sha256 == renewed.fingerprint_sha256


@pytest.mark.parametrize(
    ("www_address", "reason"),
    [
        (None, "www.{domain} does not resolve to this server"),
        ("127.0.0.2", "could not connect to www.{domain}"),
    ],
)
async def test_a_refusal_is_explained_and_nothing_is_installed(
    acme_account: AcmeAccount,
    certificates: Stub,
    dns: DnsStub,
    web: WebStub,
    dns_account: str,
    new_zone: Callable[[], str],
    www_address: str | None,
    reason: str,
) -> None:
    """No address for the alias (as for a name whose DNS is elsewhere), or an address where
    nothing answers (another server)."""
    domain = new_zone()
    records = [a("here0000", "@", "127.0.0.1")]
    if www_address is not None:
        records.append(a("there000", "www", www_address))
    await create_zone(dns, domain, dns_account, *records)
    await create(web, spec(domain, dns_account, aliases=(f"www.{domain}",)))

    with pytest.raises(IssueFailed) as failed:
        await issue(certificates, acme_account, domain, dns_account)

    assert reason.format(domain=domain) in failed.value.reason
    assert "urn:" not in failed.value.reason
    assert not list((CHALLENGES / domain / ".well-known" / "acme-challenge").iterdir())
    code, _ = await rpc_error(
        certificates.GetCertificate(certificates_pb2.GetCertificateRequest(domain=domain))
    )
    assert code == grpc.StatusCode.NOT_FOUND


def test_a_registered_key_finds_its_account_again(
    pebble: stack.Pebble, acme_account: AcmeAccount
) -> None:
    directory = Directory(pebble.directory_url, "", str(pebble.api_ca))
    again = AcmeAccount.register(directory, acme_account.key_pem)
    assert again.client.net.account is not None
    assert acme_account.client.net.account is not None
    assert again.client.net.account.uri == acme_account.client.net.account.uri
