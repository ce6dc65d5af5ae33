"""Installs of different domains batch into one nginx generation; tokens and CSRs never wait
for a reload; the file work of one domain stays ordered (docs/certificates.md, "Installs
batch"). No CA needed: a small CA of the tests' own signs the agent's CSRs.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc

from agent.system.certificates import keys
from agent.system.web import domains as websites
from agent.system.web import nginx
from tests.agent.certificates.chains import Authority, pem
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, get, spec

if TYPE_CHECKING:
    import grpc.aio

    from tests.agent.dns.dns_support import AccountStub
    from tests.agent.web.web_support import Stub as WebStub

    Stub = certificates_pb2_grpc.CertificateServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")

RELOAD_LINE = "nginx reload #"
SSL = Path("/etc/jopanel/ssl")
TOKEN = "tok" + "B" * 40
THUMBPRINT = "T" * 43
# A failure detector, not a timing: a token that waits for the held reload never comes back.
AT_ONCE = 20.0


@pytest.fixture(scope="session")
def certificates(channel: grpc.aio.Channel) -> Stub:
    return certificates_pb2_grpc.CertificateServiceStub(channel)


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority.root("Batch Test Root")


async def csr(certificates: Stub, domain: str, account: str) -> str:
    answer = await certificates.CreateCertificateSigningRequest(
        certificates_pb2.CreateCertificateSigningRequestRequest(
            domain=domain, account=account, key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        )
    )
    return answer.csr_pem


async def signed(certificates: Stub, authority: Authority, domain: str, account: str) -> str:
    """The chain a CA would send back for the agent's CSR of the domain."""
    return pem(authority.sign_csr(await csr(certificates, domain, account)), authority.certificate)


def install(
    certificates: Stub, domain: str, account: str, chain: str
) -> grpc.aio.UnaryUnaryCall[
    certificates_pb2.InstallCertificateRequest, certificates_pb2.InstallCertificateResponse
]:
    return certificates.InstallCertificate(
        certificates_pb2.InstallCertificateRequest(domain=domain, account=account, chain_pem=chain)
    )


def reloads(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(RELOAD_LINE)]


class HeldReload:
    """nginx's reload, once armed held until released: an install is then waiting for nginx."""

    def __init__(self) -> None:
        self.armed = False
        self.entered = asyncio.Event()
        self.release = asyncio.Event()


@pytest.fixture
async def held_reload(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[HeldReload]:
    held = HeldReload()
    real = nginx.reload

    async def gated(pid_file: Path, live: Path | None = None) -> None:
        if held.armed:
            held.entered.set()
            await held.release.wait()
        await real(pid_file, live)

    monkeypatch.setattr(nginx, "reload", gated)
    try:
        yield held
    finally:
        held.release.set()


async def test_twenty_installs_at_once_share_a_few_reloads(
    certificates: Stub,
    web: WebStub,
    account: accounts_pb2.Account,
    authority: Authority,
    new_domain: Callable[[], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = [new_domain() for _ in range(20)]
    for name in names:
        await create(web, spec(name, account.name))
    chains = await asyncio.gather(
        *(signed(certificates, authority, name, account.name) for name in names)
    )
    caplog.set_level(logging.INFO, logger=websites.__name__)

    done = await asyncio.gather(
        *(install(certificates, n, account.name, c) for n, c in zip(names, chains, strict=True))
    )

    assert 1 <= len(reloads(caplog)) <= 4, reloads(caplog)
    for name, answer in zip(names, done, strict=True):
        assert answer.certificate.domain == name
        fingerprint = answer.certificate.fingerprint_sha256
        assert sorted(os.listdir(SSL / name)) == [f"{fingerprint}.crt", f"{fingerprint}.key"]


async def test_tokens_and_csrs_are_served_while_an_install_waits_for_nginx(
    certificates: Stub,
    web: WebStub,
    account: accounts_pb2.Account,
    authority: Authority,
    new_domain: Callable[[], str],
    web_port: int,
    held_reload: HeldReload,
) -> None:
    installing, other = new_domain(), new_domain()
    await create(web, spec(installing, account.name))
    await create(web, spec(other, account.name))
    chain = await signed(certificates, authority, installing, account.name)
    held_reload.armed = True

    pending = asyncio.ensure_future(install(certificates, installing, account.name, chain))
    await asyncio.wait_for(held_reload.entered.wait(), AT_ONCE)

    for domain in (installing, other):
        token = certificates_pb2.CreateChallengeTokenRequest(
            domain=domain,
            account=account.name,
            token=TOKEN,
            key_authorization=f"{TOKEN}.{THUMBPRINT}",
        )
        await asyncio.wait_for(certificates.CreateChallengeToken(token), AT_ONCE)
        answer = await get(web_port, domain, f"/.well-known/acme-challenge/{TOKEN}")
        assert (answer.status, answer.body) == (200, f"{TOKEN}.{THUMBPRINT}")
    assert "CERTIFICATE REQUEST" in await asyncio.wait_for(
        csr(certificates, other, account.name), AT_ONCE
    )
    assert not pending.done()

    held_reload.release.set()
    assert (await pending).certificate.domain == installing


async def test_two_installs_of_one_domain_are_ordered(
    certificates: Stub,
    web: WebStub,
    account: accounts_pb2.Account,
    authority: Authority,
    new_domain: Callable[[], str],
) -> None:
    """Two chains for the one pending key: the first installs it (and uses up the key), the
    second finds no key waiting; the live pair's files are exactly what is left."""
    domain = new_domain()
    await create(web, spec(domain, account.name))
    request = await csr(certificates, domain, account.name)
    first = pem(authority.sign_csr(request), authority.certificate)
    second = pem(authority.sign_csr(request), authority.certificate)

    outcomes = await asyncio.gather(
        install(certificates, domain, account.name, first),
        rpc_error(install(certificates, domain, account.name, second)),
    )

    live = outcomes[0].certificate.fingerprint_sha256
    assert outcomes[1][0] == grpc.StatusCode.FAILED_PRECONDITION
    assert sorted(os.listdir(SSL / domain)) == [f"{live}.crt", f"{live}.key"]
    got = await certificates.GetCertificate(certificates_pb2.GetCertificateRequest(domain=domain))
    assert got.certificate.fingerprint_sha256 == live


async def test_two_imports_of_one_domain_leave_the_live_pair_whole(
    certificates: Stub,
    web: WebStub,
    account: accounts_pb2.Account,
    authority: Authority,
    new_domain: Callable[[], str],
) -> None:
    """Each import writes its pair, switches nginx and removes the rest: crossed, one would
    remove the other's live pair. Ordered, whichever is last is live with its files."""
    domain = new_domain()
    await create(web, spec(domain, account.name))

    def request() -> certificates_pb2.ImportCertificateRequest:
        key = keys.new_key("ecdsa-p256")
        chain = pem(authority.leaf(key, [domain]), authority.certificate)
        return certificates_pb2.ImportCertificateRequest(
            domain=domain, account=account.name, key_pem=key.decode(), chain_pem=chain
        )

    done = await asyncio.gather(*(certificates.ImportCertificate(request()) for _ in range(4)))

    got = await certificates.GetCertificate(certificates_pb2.GetCertificateRequest(domain=domain))
    live = got.certificate.fingerprint_sha256
    assert live in {answer.certificate.fingerprint_sha256 for answer in done}
    assert sorted(os.listdir(SSL / domain)) == [f"{live}.crt", f"{live}.key"]


async def test_another_tenants_domain_in_a_concurrent_batch_is_still_refused(
    certificates: Stub,
    web: WebStub,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    authority: Authority,
    new_domain: Callable[[], str],
    new_name: Callable[[], str],
) -> None:
    """Mallory installs her own sites and, in the same batch, a chain for the victim's site
    (her CSR cannot be had for it, so she sends the chain of her own site), names it in an
    import, and asks for the victim's CSR and token: all refused, the victim's site untouched."""
    mallory = (
        await accounts.CreateAccount(
            accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
        )
    ).account.name
    victim = new_domain()
    await create(web, spec(victim, account.name))
    own = [new_domain() for _ in range(5)]
    for name in own:
        await create(web, spec(name, mallory))
    chains = [await signed(certificates, authority, name, mallory) for name in own]
    key = keys.new_key("ecdsa-p256")
    foreign = certificates_pb2.ImportCertificateRequest(
        domain=own[0],
        account=mallory,
        key_pem=key.decode(),
        chain_pem=pem(authority.leaf(key, [own[0], victim]), authority.certificate),
    )
    token = certificates_pb2.CreateChallengeTokenRequest(
        domain=victim, account=mallory, token=TOKEN, key_authorization=f"{TOKEN}.{THUMBPRINT}"
    )
    victim_csr = certificates_pb2.CreateCertificateSigningRequestRequest(
        domain=victim, account=mallory, key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
    )

    installs = asyncio.gather(
        *(install(certificates, n, mallory, c) for n, c in zip(own, chains, strict=True))
    )
    refused = asyncio.gather(
        rpc_error(install(certificates, victim, mallory, chains[0])),
        rpc_error(install(certificates, victim.upper(), mallory, chains[0])),
        rpc_error(certificates.ImportCertificate(foreign)),
        rpc_error(certificates.CreateChallengeToken(token)),
        rpc_error(certificates.CreateCertificateSigningRequest(victim_csr)),
    )
    done, refusals = await asyncio.gather(installs, refused)

    assert [answer.certificate.domain for answer in done] == own
    codes = [code for code, _ in refusals]
    assert codes[0] == grpc.StatusCode.NOT_FOUND
    assert codes[1] in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    assert codes[2:] == [
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.NOT_FOUND,
    ]
    assert all(
        victim not in message or code == grpc.StatusCode.NOT_FOUND for code, message in refusals
    )
    assert not (SSL / victim).exists()
    code, _ = await rpc_error(
        certificates.GetCertificate(certificates_pb2.GetCertificateRequest(domain=victim))
    )
    assert code == grpc.StatusCode.NOT_FOUND
