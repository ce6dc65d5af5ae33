"""The panel's own host name through CertificateService (sandbox only): a key and CSR made by
the agent for exactly its configured panel_hostname, HTTP-01 tokens served by the panel's
port-80 server block ahead of its redirect, and an install that nginx serves over SNI, or that
leaves the previous certificate served when anything fails (docs/certificates.md)."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from acme import messages
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc

from agent.services.certificates import CertificateServicer
from agent.system.certificates import keys
from agent.system.certificates.files import CertificateFiles
from agent.system.web import nginx
from tests.agent.certificates.certificates_support import AcmeClient, pebble, tls_peer
from tests.agent.certificates.chains import DAY, Authority, pem
from tests.agent.dns.dns_support import dns, dns_account, named, new_zone
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, spec

if TYPE_CHECKING:
    import grpc.aio

    from tests.agent.web.web_support import Stub as WebStub

    Stub = certificates_pb2_grpc.CertificateServiceAsyncStub

__all__ = ["dns", "dns_account", "named", "new_zone", "pebble"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("pebble")

HOST = stack.PANEL_NAME
TOKEN = "pan" + "B" * 40
THUMBPRINT = "T" * 43
SITE_THUMBPRINT = "S" * 43
CHALLENGES = stack.PANEL_CHALLENGES


@pytest.fixture(scope="module")
async def panel_front(web_servers: None, web_port: int, web_tls_port: int) -> AsyncIterator[None]:
    """The panel's server blocks, as the stack writes them, in the tests' nginx."""
    stack.write_panel_front(web_port, web_tls_port)
    await nginx.reload(Path("/run/nginx.pid"))
    yield
    stack.PANEL_FRONT.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def certificates(channel: grpc.aio.Channel) -> Stub:
    return certificates_pb2_grpc.CertificateServiceStub(channel)


def http_get(port: int, host: str, path: str) -> tuple[int, str, str]:
    """Status, Location and body of a plain HTTP GET to nginx's sites' port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location") or "", answer.read().decode()
    finally:
        connection.close()


async def served(certificates: Stub) -> certificates_pb2.PanelCertificate:
    request = certificates_pb2.GetPanelCertificateRequest()
    return (await certificates.GetPanelCertificate(request)).certificate


@pytest.mark.usefixtures("panel_front")
async def test_the_panel_is_issued_through_its_own_front_and_served_over_sni(
    certificates: Stub, pebble: stack.Pebble, web_port: int, web_tls_port: int
) -> None:
    before = await served(certificates)
    if before.self_signed:  # the first run of the sandbox: the installer's pair
        assert list(before.names) == [HOST]
    acme = await asyncio.to_thread(AcmeClient.register, pebble)
    signing = await certificates.CreatePanelCertificateSigningRequest(
        certificates_pb2.CreatePanelCertificateSigningRequestRequest(
            key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        )
    )
    assert list(signing.names) == [HOST]
    order: messages.OrderResource = await asyncio.to_thread(
        acme.acme.new_order, signing.csr_pem.encode()
    )
    for body, token, validation in acme.http01(order):
        await certificates.CreatePanelChallengeToken(
            certificates_pb2.CreatePanelChallengeTokenRequest(
                token=token, key_authorization=validation
            )
        )
        # Served on port 80 ahead of the redirect; everything else is redirected.
        status, _, text = http_get(web_port, HOST, f"/.well-known/acme-challenge/{token}")
        assert (status, text) == (200, validation)
        await asyncio.to_thread(acme.acme.answer_challenge, body, body.response(acme.account_key))
    done = await asyncio.to_thread(acme.finish, order)
    request = certificates_pb2.InstallPanelCertificateRequest(chain_pem=done.fullchain_pem)
    installed = (await certificates.InstallPanelCertificate(request)).certificate

    assert not installed.self_signed
    assert (installed.host_name, list(installed.names)) == (HOST, [HOST])
    assert installed == await served(certificates)
    names, answer = tls_peer(web_tls_port, HOST, pebble.root_pem())
    assert names == [HOST]
    assert answer.startswith("HTTP/1.1 200")
    assert stack.PANEL_ANSWER.strip() in answer
    status, location, _ = http_get(web_port, HOST, "/login")
    assert (status, location) == (301, f"https://{HOST}/login")
    # Installing the same chain again changes nothing; the token folder can be emptied.
    again = (await certificates.InstallPanelCertificate(request)).certificate
    assert again.fingerprint_sha256 == installed.fingerprint_sha256
    for _, token, _ in acme.http01(order):
        await certificates.DeletePanelChallengeToken(
            certificates_pb2.DeletePanelChallengeTokenRequest(token=token)
        )
    assert not list((CHALLENGES / HOST / ".well-known" / "acme-challenge").iterdir())


@pytest.mark.usefixtures("panel_front")
async def test_a_chain_for_other_names_or_key_is_refused_and_the_served_one_stays(
    certificates: Stub, web_tls_port: int
) -> None:
    before = await served(certificates)
    await certificates.CreatePanelCertificateSigningRequest(
        certificates_pb2.CreatePanelCertificateSigningRequestRequest(
            key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        )
    )
    pending = (stack.PANEL_TLS / HOST / "pending.key").read_bytes()
    ca = Authority.root()
    past = ca.certificate.not_valid_before_utc
    chains = {
        "names": pem(ca.leaf(pending, [HOST, "victim.test"]), ca.certificate),
        "below": pem(ca.leaf(pending, [f"x.{HOST}"]), ca.certificate),
        "key": pem(ca.leaf(keys.new_key("ecdsa-p256"), [HOST]), ca.certificate),
        "expired": pem(
            ca.leaf(pending, [HOST], not_before=past - 2 * DAY, not_after=past), ca.certificate
        ),
    }
    for chain in chains.values():
        code, message = await rpc_error(
            certificates.InstallPanelCertificate(
                certificates_pb2.InstallPanelCertificateRequest(chain_pem=chain)
            )
        )
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message.startswith("chain_pem: ")
    assert await served(certificates) == before
    assert (stack.PANEL_TLS / HOST / "pending.key").read_bytes() == pending
    assert hashlib.sha256(_peer_der(web_tls_port)).hexdigest() == before.fingerprint_sha256
    for text in ("A" * 1_000_000, "", "-----BEGIN PRIVATE KEY-----\nAA\n"):
        code, _ = await rpc_error(
            certificates.InstallPanelCertificate(
                certificates_pb2.InstallPanelCertificateRequest(chain_pem=text)
            )
        )
        assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert await served(certificates) == before


@pytest.mark.usefixtures("panel_front")
async def test_a_link_planted_at_the_panels_challenge_folder_is_never_followed(
    certificates: Stub, tmp_path: Path
) -> None:
    folder = CHALLENGES / HOST
    shutil.rmtree(folder, ignore_errors=True)
    CHALLENGES.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.symlink(tmp_path, folder)
    try:
        code, _ = await rpc_error(
            certificates.CreatePanelChallengeToken(
                certificates_pb2.CreatePanelChallengeTokenRequest(
                    token=TOKEN, key_authorization=f"{TOKEN}.{THUMBPRINT}"
                )
            )
        )
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert list(tmp_path.iterdir()) == []
    finally:
        folder.unlink()


@pytest.mark.usefixtures("panel_front")
async def test_tenants_tokens_and_files_never_answer_on_the_panels_name(
    certificates: Stub,
    web: WebStub,
    dns_account: str,
    new_zone: Callable[[], str],
    web_port: int,
) -> None:
    domain = new_zone()
    await create(web, spec(domain, dns_account))
    await certificates.CreateChallengeToken(
        certificates_pb2.CreateChallengeTokenRequest(
            domain=domain,
            account=dns_account,
            token=TOKEN,
            key_authorization=f"{TOKEN}.{SITE_THUMBPRINT}",
        )
    )
    path = f"/.well-known/acme-challenge/{TOKEN}"
    assert http_get(web_port, domain, path)[0] == 200
    assert http_get(web_port, HOST, path)[0] == 404  # the panel serves only its own folder
    await certificates.CreatePanelChallengeToken(
        certificates_pb2.CreatePanelChallengeTokenRequest(
            token=TOKEN, key_authorization=f"{TOKEN}.{THUMBPRINT}"
        )
    )
    try:
        assert http_get(web_port, HOST, path)[2] == f"{TOKEN}.{THUMBPRINT}"
        assert (
            http_get(web_port, domain, path)[2] == f"{TOKEN}.{SITE_THUMBPRINT}"
        )  # and the site its own
    finally:
        await certificates.DeletePanelChallengeToken(
            certificates_pb2.DeletePanelChallengeTokenRequest(token=TOKEN)
        )
    # A tenant cannot host the panel's name, nor a name below it.
    for name in (HOST, f"www.{HOST}"):
        code, _ = await rpc_error(create(web, spec(name, dns_account)))
        assert code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ALREADY_EXISTS)
    assert http_get(web_port, HOST, path)[0] == 404


@pytest.mark.parametrize(
    "request_",
    [
        certificates_pb2.CreatePanelChallengeTokenRequest(token="A" * 1_000_000),
        certificates_pb2.CreatePanelChallengeTokenRequest(
            token="../../etc", key_authorization="../../etc.x"
        ),
        certificates_pb2.DeletePanelChallengeTokenRequest(token="../x"),
        certificates_pb2.CreatePanelCertificateSigningRequestRequest(
            key_type=certificates_pb2.KeyType.ValueType(99)
        ),
    ],
)
async def test_huge_or_unknown_values_are_invalid_argument(
    certificates: Stub, request_: object
) -> None:
    method = {
        certificates_pb2.CreatePanelChallengeTokenRequest: certificates.CreatePanelChallengeToken,
        certificates_pb2.DeletePanelChallengeTokenRequest: certificates.DeletePanelChallengeToken,
        certificates_pb2.CreatePanelCertificateSigningRequestRequest: (
            certificates.CreatePanelCertificateSigningRequest
        ),
    }[type(request_)]
    code, _ = await rpc_error(method(request_))  # type: ignore[operator]
    assert code == grpc.StatusCode.INVALID_ARGUMENT


async def test_without_a_panel_hostname_every_panel_rpc_is_refused() -> None:
    from agent.errors import FailedPrecondition

    servicer = CertificateServicer(None, CertificateFiles(), None)  # type: ignore[arg-type]
    with pytest.raises(FailedPrecondition, match="panel_hostname"):
        await servicer.GetPanelCertificate(
            certificates_pb2.GetPanelCertificateRequest(),
            None,  # type: ignore[arg-type]
        )


def _peer_der(port: int) -> bytes:
    import socket
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOST) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der
