"""The ACME protocol (RFC 8555), spoken by the gateway: user `jopanel`, never root.

certbot's own `acme` library speaks the protocol (pinned; docs/certificates.md says why); it
is synchronous, so every call to the CA runs in a thread. The agent does what needs root: it
makes the site's key and answers a CSR, publishes each HTTP-01 token under the panel's own
challenge path, and installs the chain after checking it. This module never sees a key of a
site, only the ACME account's own.

When the CA refuses, the owner gets one sentence per name saying why, in their words
(`explain`): "alice.test does not resolve to this server", "the challenge for alice.test
answered 404 ...", not a problem document.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, cast

import requests
from acme import challenges, client, errors, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc
from josepy.jwa import ES256
from josepy.jwk import JWKEC

USER_AGENT = "jopanel"
# How long one order may take from the first challenge to the issued chain.
ORDER_SECONDS = 90
_DETAIL_MAX = 300
# The longest a CA's Retry-After is believed: a CA that asks for a week is asked again then.
RETRY_AFTER_MAX = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Directory:
    """Where the CA is, and whom to trust for its API (None: the system's CAs)."""

    url: str
    email: str = ""
    ca_bundle: str | None = None


class IssueFailed(Exception):
    """The CA did not issue; `reason` is for the domain's owner. `retry_after` (UTC) is the
    moment the CA said to come back, when it said one (a rate limit's Retry-After)."""

    def __init__(self, reason: str, retry_after: datetime.datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Dns01(Protocol):
    """Answers the DNS-01 challenges of one order (gateway/acme_dns01.py, Dns01Answers): the
    wildcards', which HTTP-01 cannot prove (RFC 8555 section 7.1.3)."""

    async def answer(self, authz: messages.AuthorizationResource) -> None: ...

    async def withdraw(self) -> None: ...

    def why(self, name: str, error: messages.Error) -> str: ...


class RetryLater(Exception):
    """The CA refused with `rateLimited` (RFC 8555 section 6.6); `when` is its Retry-After
    (UTC), or None when it gave none."""

    def __init__(self, error: messages.Error, when: datetime.datetime | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.when = when


def retry_after(header: str | None, now: datetime.datetime) -> datetime.datetime | None:
    """Retry-After as a moment (UTC): delay-seconds or an HTTP date (RFC 9110 section 10.2.3);
    None when missing or unreadable, at most RETRY_AFTER_MAX ahead, never before `now`."""
    if not header:
        return None
    text = header.strip()
    when: datetime.datetime | None
    if text.isdigit():
        when = now + datetime.timedelta(seconds=min(int(text), RETRY_AFTER_MAX.total_seconds()))
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
    return min(max(when, now), now + RETRY_AFTER_MAX)


class _Network(client.ClientNetwork):
    """acme's network, keeping the Retry-After of a rate-limit refusal, which acme itself
    drops (it reads Retry-After only while polling). badNonce stays acme's own: it retries
    once at once, as RFC 8555 says a client should."""

    @classmethod
    def _check_response(
        cls, response: requests.Response, content_type: str | None = None
    ) -> requests.Response:
        try:
            return super()._check_response(response, content_type)
        except messages.Error as error:
            if error.code != "rateLimited":
                raise
            now = datetime.datetime.now(datetime.UTC)
            raise RetryLater(error, retry_after(response.headers.get("Retry-After"), now)) from None


@dataclass
class AcmeAccount:
    """A registered ACME account: its key (PEM) and a client bound to it."""

    key_pem: bytes
    client: client.ClientV2

    @classmethod
    def register(cls, directory: Directory, key_pem: bytes | None = None) -> AcmeAccount:
        """Registers (or, with an existing key, finds again) the account. Blocking."""
        key_pem = key_pem or new_account_key()
        private = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise ValueError("the ACME account key must be ECDSA")
        key = JWKEC(key=private)
        # requests takes a CA file where acme's signature says bool.
        verify = cast(bool, directory.ca_bundle) if directory.ca_bundle else True
        network = _Network(key, alg=ES256, verify_ssl=verify, user_agent=USER_AGENT)
        acme = client.ClientV2(client.ClientV2.get_directory(directory.url, network), network)
        registration = messages.NewRegistration.from_data(
            email=directory.email or None, terms_of_service_agreed=True
        )
        try:
            network.account = acme.new_account(registration)
        except errors.ConflictError as existing:  # the key is registered already
            network.account = acme.query_registration(
                messages.RegistrationResource(uri=existing.location, body=messages.Registration())
            )
        return cls(key_pem, acme)


def new_account_key() -> bytes:
    """An ACME account key: ECDSA P-256 (ES256), PEM."""
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


async def issue(
    agent: certificates_pb2_grpc.CertificateServiceAsyncStub,
    account: AcmeAccount,
    domain: str,
    owner: str,
    key_type: certificates_pb2.KeyType.ValueType = certificates_pb2.KEY_TYPE_ECDSA_P256,
    settings: certificates_pb2.Certificate | None = None,
    agent_seconds: float = 60.0,
    dns01: Dns01 | None = None,
    stage: StageReport | None = None,
) -> certificates_pb2.Certificate:
    """One SAN certificate for the website `domain` of account `owner` and its aliases,
    installed by the agent. Raises IssueFailed with the owner's reason when the CA refuses.
    A wildcard alias is proven over DNS-01 by `dns01`, every other name over HTTP-01.
    `stage` hears "ordering", "validating" (the first token published) and "installing"."""
    report = _Stages(stage)
    await report("ordering")
    signing = await agent.CreateCertificateSigningRequest(
        certificates_pb2.CreateCertificateSigningRequestRequest(
            domain=domain, account=owner, key_type=key_type
        ),
        timeout=agent_seconds,
    )

    async def publish(token: str, text: str) -> None:
        await report("validating")
        await agent.CreateChallengeToken(
            certificates_pb2.CreateChallengeTokenRequest(
                domain=domain, account=owner, token=token, key_authorization=text
            ),
            timeout=agent_seconds,
        )

    async def withdraw(token: str) -> None:
        await agent.DeleteChallengeToken(
            certificates_pb2.DeleteChallengeTokenRequest(domain=domain, account=owner, token=token),
            timeout=agent_seconds,
        )

    chain = await order(account, signing.csr_pem, publish, withdraw, dns01)
    await report("installing")
    installed = await agent.InstallCertificate(
        certificates_pb2.InstallCertificateRequest(
            domain=domain, account=owner, chain_pem=chain, settings=settings
        ),
        timeout=agent_seconds,
    )
    return installed.certificate


async def issue_panel(
    agent: certificates_pb2_grpc.CertificateServiceAsyncStub,
    account: AcmeAccount,
    agent_seconds: float = 60.0,
    stage: StageReport | None = None,
) -> certificates_pb2.PanelCertificate:
    """The panel's own host name (the agent's configuration names it, not this process):
    the same order, through the agent's panel RPCs. IssueFailed with the reason."""
    report = _Stages(stage)
    await report("ordering")
    signing = await agent.CreatePanelCertificateSigningRequest(
        certificates_pb2.CreatePanelCertificateSigningRequestRequest(
            key_type=certificates_pb2.KEY_TYPE_ECDSA_P256
        ),
        timeout=agent_seconds,
    )

    async def publish(token: str, text: str) -> None:
        await report("validating")
        await agent.CreatePanelChallengeToken(
            certificates_pb2.CreatePanelChallengeTokenRequest(token=token, key_authorization=text),
            timeout=agent_seconds,
        )

    async def withdraw(token: str) -> None:
        await agent.DeletePanelChallengeToken(
            certificates_pb2.DeletePanelChallengeTokenRequest(token=token),
            timeout=agent_seconds,
        )

    chain = await order(account, signing.csr_pem, publish, withdraw)
    await report("installing")
    installed = await agent.InstallPanelCertificate(
        certificates_pb2.InstallPanelCertificateRequest(chain_pem=chain), timeout=agent_seconds
    )
    return installed.certificate


# Hears the stage an order has reached (the worker writes it into the job's row).
StageReport = Callable[[str], Awaitable[None]]


class OrderCancelled(Exception):
    """A stage report's answer: the order's job was asked to stop (POST /jobs/{id}/cancel).
    Raised before the stage begins, so an order stopped before "installing" installs
    nothing; its challenge tokens are withdrawn on the way out, as after a failure."""


class _Stages:
    """Passes each stage on once, in the order reached (many tokens: one "validating")."""

    def __init__(self, report: StageReport | None) -> None:
        self._report = report
        self._last = ""

    async def __call__(self, stage: str) -> None:
        if self._report is not None and stage != self._last:
            self._last = stage
            await self._report(stage)


async def order(
    account: AcmeAccount,
    csr_pem: str,
    publish: Callable[[str, str], Awaitable[None]],
    withdraw: Callable[[str], Awaitable[None]],
    dns01: Dns01 | None = None,
) -> str:
    """The ACME order for a CSR: each HTTP-01 token published (and always withdrawn after),
    each wildcard's DNS-01 record by `dns01` (also always withdrawn), the full chain when the
    CA issued it; IssueFailed with the reason otherwise."""
    acme = account.client
    tokens: list[str] = []
    try:
        # A CA's rate limits refuse here first (new orders per account, per names).
        pending = await asyncio.to_thread(acme.new_order, csr_pem.encode("ascii"))
        for authz in pending.authorizations:
            if authz.body.wildcard:
                await _answer_dns01(authz, dns01)
                continue
            body = _http01(authz)
            if body.status == messages.STATUS_VALID:
                continue  # validated already (an earlier order's authorization): nothing to answer
            token = body.chall.encode("token")
            await publish(token, body.chall.validation(acme.net.key))
            tokens.append(token)
            response = body.chall.response(acme.net.key)
            await _answer(acme, body, response)
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=ORDER_SECONDS)
        done = await asyncio.to_thread(acme.poll_and_finalize, pending, deadline)
    except errors.ValidationError as failed:
        raise IssueFailed(explain(failed.failed_authzrs, dns01)) from None
    except errors.TimeoutError:
        raise IssueFailed("the certificate authority did not finish in time; try again") from None
    except messages.Error as refused:
        raise IssueFailed(_refusal(refused)) from None
    except RetryLater as limited:
        raise IssueFailed(_refusal(limited.error), limited.when) from None
    finally:
        try:
            for token in tokens:
                await withdraw(token)
        finally:
            if dns01 is not None:
                await dns01.withdraw()
    return str(done.fullchain_pem)


async def _answer_dns01(authz: messages.AuthorizationResource, dns01: Dns01 | None) -> None:
    if dns01 is None:  # an order that cannot write DNS records (the panel's own name)
        name = authz.body.identifier.value
        raise IssueFailed(f"*.{name} needs a DNS challenge, which this order cannot answer")
    await dns01.answer(authz)


async def _answer(
    acme: client.ClientV2, body: messages.ChallengeBody, response: challenges.ChallengeResponse
) -> None:
    """Tells the CA the challenge is ready. A CA that says the challenge is valid already has
    what it asked for (it validated on a first answer whose reply was lost, and the client sent
    it again): the order goes on."""
    try:
        await asyncio.to_thread(acme.answer_challenge, body, response)
    except messages.Error as refused:
        if "status valid" not in (refused.detail or ""):
            raise


def _http01(authz: messages.AuthorizationResource) -> messages.ChallengeBody:
    for body in authz.body.challenges:
        if isinstance(body.chall, challenges.HTTP01):
            return body
    name = authz.body.identifier.value
    raise IssueFailed(f"the certificate authority offers no HTTP-01 challenge for {name}")


def explain(failed: list[messages.AuthorizationResource], dns01: Dns01 | None = None) -> str:
    """One sentence per name that failed, for the domain's owner (a wildcard's in DNS-01's
    words)."""
    reasons = []
    for authz in failed:
        name = authz.body.identifier.value
        why = dns01.why if dns01 is not None and authz.body.wildcard else _why
        for body in authz.body.challenges:
            if body.error is not None:
                reasons.append(why(name, body.error))
    return " ".join(reasons) or "the certificate authority refused the names"


def _why(name: str, error: messages.Error) -> str:
    detail = (error.detail or "").strip()
    kind = error.code or ""
    status = re.search(r"returned (\d{3})|status code[^0-9]*(\d{3})", detail)
    if "could not resolve" in detail or kind == "dns" or "NXDOMAIN" in detail:
        return (
            f"{name} does not resolve to this server: the certificate authority found no "
            "address for it. Point its A (and AAAA) record at this server, then try again."
        )
    if status is not None:
        code = status.group(1) or status.group(2)
        return (
            f"The challenge for {name} answered {code} because the request did not reach this "
            "server's website for the name: its DNS points at another server, or something in "
            "front of this one (a proxy, a CDN) answers instead."
        )
    if kind == "connection" or "connection refused" in detail or "timeout" in detail:
        return (
            f"The certificate authority could not connect to {name} on port 80: check that its "
            "DNS points at this server and that no firewall closes port 80."
        )
    if kind == "rateLimited":
        return f"The certificate authority's rate limit for {name} is reached; try again later."
    if kind == "caa":
        return f"A CAA record of {name} does not allow this certificate authority."
    return f"The certificate authority refused {name}: {_short(detail)}"


def _refusal(error: messages.Error) -> str:
    if error.code == "rateLimited":
        return "The certificate authority's rate limit is reached; it is asked again later."
    return f"The certificate authority refused the order: {_short(error.detail or '')}"


def _short(text: str) -> str:
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"
