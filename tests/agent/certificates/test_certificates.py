"""CertificateService through the agent's socket, with Pebble, named and nginx (sandbox only).

The ACME client here stands in for the panel's unprivileged worker: it gets a CSR from the
agent, asks the agent to publish each HTTP-01 token, lets Pebble validate through named and
nginx, and hands the chain back to the agent, which checks and installs it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import pytest
import stack
from acme import messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc
from jopanel.agent.web.v1 import web_pb2

from agent.system.certificates import keys
from tests.agent.certificates.certificates_support import (
    AcmeClient,
    pebble,
    tls_peer,
    zone_pointing_here,
)
from tests.agent.certificates.chains import DAY, NOW, Authority, pem
from tests.agent.dns.dns_support import dns, dns_account, named, new_zone
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, docroot, get, spec, write_as

if TYPE_CHECKING:
    import grpc.aio

    from tests.agent.dns.dns_support import AccountStub
    from tests.agent.dns.dns_support import Stub as DnsStub
    from tests.agent.web.web_support import Stub as WebStub

    Stub = certificates_pb2_grpc.CertificateServiceAsyncStub

__all__ = ["dns", "dns_account", "named", "new_zone", "pebble"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("pebble")

TOKEN = "tok" + "A" * 40
THUMBPRINT = "T" * 43
SSL = Path("/etc/jopanel/ssl")
CHALLENGES = Path("/var/lib/jopanel/acme-challenge")


@pytest.fixture(scope="session")
def certificates(channel: grpc.aio.Channel) -> Stub:
    return certificates_pb2_grpc.CertificateServiceStub(channel)


async def issue(
    certificates: Stub,
    pebble: stack.Pebble,
    domain: str,
    account: str,
    settings: certificates_pb2.Certificate | None = None,
) -> certificates_pb2.Certificate:
    """The panel's flow: CSR from the agent, tokens through the agent, chain back to it."""
    acme = await asyncio.to_thread(AcmeClient.register, pebble)
    signing = await certificates.CreateCertificateSigningRequest(
        certificates_pb2.CreateCertificateSigningRequestRequest(
            domain=domain, account=account, key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        )
    )
    order: messages.OrderResource = await asyncio.to_thread(
        acme.acme.new_order, signing.csr_pem.encode()
    )
    for body, token, validation in acme.http01(order):
        await certificates.CreateChallengeToken(
            certificates_pb2.CreateChallengeTokenRequest(
                domain=domain, account=account, token=token, key_authorization=validation
            )
        )
        await asyncio.to_thread(acme.acme.answer_challenge, body, body.response(acme.account_key))
    done = await asyncio.to_thread(acme.finish, order)
    request = certificates_pb2.InstallCertificateRequest(
        domain=domain, account=account, chain_pem=done.fullchain_pem, settings=settings
    )
    return (await certificates.InstallCertificate(request)).certificate


async def php_site_that_answers_everything(
    web: WebStub, dns: DnsStub, account: str, domain: str
) -> None:
    """A site whose PHP front controller answers every path (as WordPress or Laravel do)."""
    await zone_pointing_here(dns, domain, account, "www")
    php = web_pb2.PhpBackend(version="8.2")
    await create(web, spec(domain, account, aliases=(f"www.{domain}",), php=php))
    write_as(account, docroot(account, domain) / "index.php", "<?php echo 'the app answers';")


async def test_a_php_site_that_answers_every_path_is_issued_and_served_over_https(
    pebble: stack.Pebble,
    certificates: Stub,
    dns: DnsStub,
    web: WebStub,
    dns_account: str,
    new_zone: Callable[[], str],
    web_port: int,
    web_tls_port: int,
) -> None:
    domain = new_zone()
    await php_site_that_answers_everything(web, dns, dns_account, domain)
    assert "the app answers" in (await get(web_port, domain, "/any/path")).body
    # The challenge path is the panel's, not the app's, even for a token it does not have.
    assert (await get(web_port, domain, "/.well-known/acme-challenge/x")).status == 404

    settings = certificates_pb2.Certificate(redirect_http=True)
    installed = await issue(certificates, pebble, domain, dns_account, settings)

    names = sorted([domain, f"www.{domain}"])
    assert list(installed.names) == names
    assert installed.key_type == certificates_pb2.KEY_TYPE_ECDSA_P256
    assert "Pebble" in installed.issuer
    assert not installed.uncovered_names
    root = await asyncio.to_thread(pebble.root_pem)
    for name in names:
        shown, answer = await asyncio.to_thread(tls_peer, web_tls_port, name, root)
        assert shown == names
        assert answer.startswith("HTTP/1.1 200")
        assert "the app answers" in answer
    redirected = await get(web_port, domain, "/shop?x=1")
    assert redirected.status == 301
    assert redirected.headers["location"] == f"https://{domain}:{web_tls_port}/shop?x=1"
    fetched = await certificates.GetCertificate(
        certificates_pb2.GetCertificateRequest(domain=domain)
    )
    assert fetched.certificate.fingerprint_sha256 == installed.fingerprint_sha256
    key = SSL / domain / f"{installed.fingerprint_sha256}.key"
    info = key.stat()
    assert (info.st_uid, info.st_mode & 0o777) == (0, 0o600)
    assert sorted(p.name for p in (SSL / domain).iterdir()) == sorted(
        [key.name, f"{installed.fingerprint_sha256}.crt"]
    )


@pytest.mark.parametrize("kind", ["redirect", "proxy", "suspended"])
async def test_redirect_proxy_and_suspended_sites_serve_their_tokens(
    certificates: Stub,
    web: WebStub,
    dns_account: str,
    new_zone: Callable[[], str],
    web_port: int,
    kind: str,
) -> None:
    domain = new_zone()
    backends: dict[str, dict[str, Any]] = {
        "redirect": {
            "redirect": web_pb2.RedirectBackend(
                url="https://example.org/", code=web_pb2.REDIRECT_CODE_PERMANENT
            )
        },
        "proxy": {"proxy": web_pb2.ProxyBackend(port=29999)},
        "suspended": {},
    }
    await create(web, spec(domain, dns_account, **backends[kind]))
    if kind == "suspended":
        await web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=domain))
    text = f"{TOKEN}.{THUMBPRINT}"
    await certificates.CreateChallengeToken(
        certificates_pb2.CreateChallengeTokenRequest(
            domain=domain, account=dns_account, token=TOKEN, key_authorization=text
        )
    )
    answer = await get(web_port, domain, f"/.well-known/acme-challenge/{TOKEN}")
    assert (answer.status, answer.body) == (200, text)
    assert (await get(web_port, domain, "/other")).status in {301, 502, 503}

    await certificates.DeleteChallengeToken(
        certificates_pb2.DeleteChallengeTokenRequest(
            domain=domain, account=dns_account, token=TOKEN
        )
    )
    assert (await get(web_port, domain, f"/.well-known/acme-challenge/{TOKEN}")).status == 404


async def test_another_accounts_domain_is_not_found_and_its_names_stay_out(
    certificates: Stub,
    web: WebStub,
    accounts: AccountStub,
    dns_account: str,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
    web_port: int,
) -> None:
    mallory = (
        await accounts.CreateAccount(
            accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
        )
    ).account.name
    alice_domain, mallory_domain = new_zone(), new_zone()
    await create(web, spec(alice_domain, dns_account))
    await create(web, spec(mallory_domain, mallory))
    text = f"{TOKEN}.{THUMBPRINT}"
    calls: list[Awaitable[object]] = [
        certificates.CreateChallengeToken(
            certificates_pb2.CreateChallengeTokenRequest(
                domain=alice_domain, account=mallory, token=TOKEN, key_authorization=text
            )
        ),
        certificates.CreateCertificateSigningRequest(
            certificates_pb2.CreateCertificateSigningRequestRequest(
                domain=alice_domain, account=mallory, key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
            )
        ),
        certificates.DeleteCertificate(
            certificates_pb2.DeleteCertificateRequest(domain=alice_domain, account=mallory)
        ),
    ]
    for call in calls:
        code, message = await rpc_error(call)
        assert code == grpc.StatusCode.NOT_FOUND
        assert message == f"account {mallory} has no website {alice_domain}"
    assert not (CHALLENGES / alice_domain).exists()
    assert not (SSL / alice_domain).exists()
    # mallory's own token is served on mallory's names only.
    await certificates.CreateChallengeToken(
        certificates_pb2.CreateChallengeTokenRequest(
            domain=mallory_domain, account=mallory, token=TOKEN, key_authorization=text
        )
    )
    path = f"/.well-known/acme-challenge/{TOKEN}"
    assert (await get(web_port, mallory_domain, path)).body == text
    assert (await get(web_port, alice_domain, path)).status == 404


async def test_a_chain_for_other_names_or_key_is_refused_and_nothing_changes(
    certificates: Stub, web: WebStub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    domain = new_zone()
    await create(web, spec(domain, dns_account))
    csr = await certificates.CreateCertificateSigningRequest(
        certificates_pb2.CreateCertificateSigningRequestRequest(
            domain=domain, account=dns_account, key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        )
    )
    assert list(csr.names) == [domain]
    pending = (SSL / domain / "pending.key").read_bytes()
    ca = Authority.root()
    other_key = keys.new_key("ecdsa-p256")
    chains = {
        "names": pem(ca.leaf(pending, [domain, "victim.test"]), ca.certificate),
        "key": pem(ca.leaf(other_key, [domain]), ca.certificate),
    }
    for chain in chains.values():
        code, message = await rpc_error(
            certificates.InstallCertificate(
                certificates_pb2.InstallCertificateRequest(
                    domain=domain, account=dns_account, chain_pem=chain
                )
            )
        )
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message.startswith("chain_pem: ")
    assert (SSL / domain / "pending.key").read_bytes() == pending
    code, _ = await rpc_error(
        certificates.GetCertificate(certificates_pb2.GetCertificateRequest(domain=domain))
    )
    assert code == grpc.StatusCode.NOT_FOUND


async def test_a_link_planted_at_the_key_or_the_challenge_folder_is_never_followed(
    certificates: Stub,
    web: WebStub,
    dns_account: str,
    new_zone: Callable[[], str],
    tmp_path: Path,
) -> None:
    domain = new_zone()
    await create(web, spec(domain, dns_account))
    canary = tmp_path / "canary"
    canary.write_text("untouched")
    (SSL / domain).mkdir(mode=0o700, parents=True)
    os.symlink(canary, SSL / domain / "pending.key")
    CHALLENGES.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.symlink(tmp_path, CHALLENGES / domain)

    code, _ = await rpc_error(
        certificates.CreateCertificateSigningRequest(
            certificates_pb2.CreateCertificateSigningRequestRequest(
                domain=domain, account=dns_account, key_type=certificates_pb2.KEY_TYPE_RSA_2048
            )
        )
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    code, _ = await rpc_error(
        certificates.CreateChallengeToken(
            certificates_pb2.CreateChallengeTokenRequest(
                domain=domain,
                account=dns_account,
                token=TOKEN,
                key_authorization=f"{TOKEN}.{THUMBPRINT}",
            )
        )
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert canary.read_text() == "untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["canary"]


@pytest.mark.parametrize(
    "request_",
    [
        certificates_pb2.CreateChallengeTokenRequest(token="A" * 1_000_000),
        certificates_pb2.InstallCertificateRequest(chain_pem="A" * 1_000_000),
        certificates_pb2.CreateCertificateSigningRequestRequest(
            key_type=certificates_pb2.KeyType.ValueType(99)
        ),
    ],
)
async def test_huge_or_unknown_values_are_invalid_argument(
    certificates: Stub, dns_account: str, new_zone: Callable[[], str], request_: object
) -> None:
    domain = new_zone()
    for field in ("domain", "account"):
        setattr(request_, field, {"domain": domain, "account": dns_account}[field])
    method = {
        certificates_pb2.CreateChallengeTokenRequest: certificates.CreateChallengeToken,
        certificates_pb2.InstallCertificateRequest: certificates.InstallCertificate,
        certificates_pb2.CreateCertificateSigningRequestRequest: (
            certificates.CreateCertificateSigningRequest
        ),
    }[type(request_)]
    code, _ = await rpc_error(method(request_))  # type: ignore[operator]
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert not (SSL / domain).exists()


async def test_deleting_the_domain_removes_its_certificate_files(
    certificates: Stub, web: WebStub, dns_account: str, new_zone: Callable[[], str]
) -> None:
    domain = new_zone()
    await create(web, spec(domain, dns_account))
    await certificates.CreateCertificateSigningRequest(
        certificates_pb2.CreateCertificateSigningRequestRequest(
            domain=domain, account=dns_account, key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        )
    )
    await certificates.CreateChallengeToken(
        certificates_pb2.CreateChallengeTokenRequest(
            domain=domain,
            account=dns_account,
            token=TOKEN,
            key_authorization=f"{TOKEN}.{THUMBPRINT}",
        )
    )
    assert (SSL / domain / "pending.key").exists()
    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=domain))
    assert not (SSL / domain).exists()
    assert not (CHALLENGES / domain).exists()


async def test_a_bought_certificate_is_imported_checked_and_served(
    certificates: Stub,
    web: WebStub,
    accounts: AccountStub,
    dns_account: str,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
    web_tls_port: int,
) -> None:
    """Good (with a wildcard and a name of its own beyond the site's), for another key, not
    covering an alias, naming another account's site, expired, a weak key: only the good one
    is installed, and the site serves it over SNI."""
    mallory = (
        await accounts.CreateAccount(
            accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
        )
    ).account.name
    domain, victim = new_zone(), new_zone()
    await create(web, spec(domain, mallory, aliases=(f"www.{domain}",)))
    await create(web, spec(victim, dns_account))
    root = Authority.root("Bought Root")
    key = keys.new_key("ecdsa-p256")
    rsa_1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    weak = rsa_1024.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    def request(names: list[str], **overrides: Any) -> certificates_pb2.ImportCertificateRequest:
        leaf = root.leaf(overrides.pop("signed_key", key), names, **overrides)
        return certificates_pb2.ImportCertificateRequest(
            domain=domain,
            account=mallory,
            key_pem=key.decode(),
            chain_pem=pem(leaf, root.certificate),
        )

    past = {"not_before": NOW - 400 * DAY, "not_after": NOW - 300 * DAY}
    refused = {
        "another key": (
            request([domain, f"www.{domain}"], signed_key=keys.new_key("ecdsa-p256")),
            "chain_pem",
        ),
        "an alias uncovered": (request([domain]), "chain_pem"),
        "another account's name": (request([domain, f"www.{domain}", victim]), "chain_pem"),
        "expired": (request([domain, f"www.{domain}"], **past), "chain_pem"),
    }
    weak_request = request([domain, f"www.{domain}"])
    weak_request.key_pem = weak.decode()
    refused["a weak key"] = (weak_request, "key_pem")
    for what, (bad, field) in refused.items():
        code, message = await rpc_error(certificates.ImportCertificate(bad))
        assert (code, message.split(":")[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field), what
        assert victim not in message
    assert not (SSL / domain).exists()

    good = request([domain, f"*.{domain}", f"api.{domain}"], not_after=NOW + 3650 * DAY)
    imported = (await certificates.ImportCertificate(good)).certificate
    assert list(imported.names) == sorted([domain, f"*.{domain}", f"api.{domain}"])
    assert not imported.uncovered_names
    root_pem = pem(root.certificate)
    for name in (domain, f"www.{domain}"):
        shown, answer = await asyncio.to_thread(tls_peer, web_tls_port, name, root_pem)
        assert shown == list(imported.names)
        assert answer.startswith("HTTP/1.1 200")
    stored = (SSL / domain / f"{imported.fingerprint_sha256}.key").stat()
    assert (stored.st_uid, stored.st_mode & 0o777) == (0, 0o600)
