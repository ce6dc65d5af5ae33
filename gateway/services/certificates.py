"""Certificates: issuing one for a website, and recording each attempt for its owner.

An issue is recorded first (`issuing`, with the time of the attempt), then runs the ACME order
(gateway/acme_orders.py: the CA, and the agent for the key, tokens and install), then records
`valid` with what the certificate covers, or `failed` with the reason in the owner's words,
which GET shows until the next attempt. Audited either way.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import textwrap
from datetime import UTC, datetime

import grpc
from jopanel.agent.certificates.v1 import certificates_pb2 as pb
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway import preflight
from gateway import renewal_policy as renewals
from gateway.acme_orders import AcmeAccount, Directory, IssueFailed, issue, new_account_key
from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.config import AcmeConfig, GatewayConfig
from gateway.context import Context
from gateway.problems import (
    FieldError,
    Problem,
    bad_request,
    field_error,
    from_agent,
    not_found,
)
from gateway.store import certificates as store
from gateway.store.certificates import CertificateRecord, KeyType

_INTERRUPTED = "The attempt was interrupted by an error on the server; try again later."
_KEY_TYPES: dict[KeyType, pb.KeyType.ValueType] = {
    "ecdsa-p256": pb.KEY_TYPE_ECDSA_P256,
    "rsa-2048": pb.KEY_TYPE_RSA_2048,
    "rsa-3072": pb.KEY_TYPE_RSA_3072,
    "rsa-4096": pb.KEY_TYPE_RSA_4096,
}
_KEY_NAMES: dict[pb.KeyType.ValueType, KeyType] = {code: name for name, code in _KEY_TYPES.items()}


async def of_domain(ctx: Context, name: str) -> CertificateRecord | None:
    return await store.of_domain(ctx.db, name)


async def issue_for(
    ctx: Context,
    config: GatewayConfig,
    record: CertificateRecord,
    *,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
    now: datetime | None = None,
) -> CertificateRecord:
    """Issues (or renews) the website's certificate; 409 with the owner's reason when the CA
    refuses, which the record keeps as its last error."""
    async with ctx.audited("certificate.issue", f"{record.account}/{record.domain}"):
        await store.begin(ctx.db, record.domain_id, key_type, redirect_http, hsts)
        try:
            installed = await _attempt(ctx, config, record, key_type, redirect_http, hsts)
        except IssueFailed as refused:
            await _failed(ctx, record, refused.reason, now)
            raise Problem(409, "Certificate not issued", refused.reason) from None
        except Exception:
            # The agent or the CA failed in a way the owner cannot act on: the record must
            # not stay "issuing"; the error itself reaches the log and the audit log.
            await _failed(ctx, record, _INTERRUPTED, now)
            raise
        not_before = installed.not_before.ToDatetime(UTC)
        not_after = installed.not_after.ToDatetime(UTC)
        await store.installed(
            ctx.db,
            record.domain_id,
            names=list(installed.names),
            issuer=installed.issuer,
            not_before=not_before,
            not_after=not_after,
            fingerprint=installed.fingerprint_sha256,
            renew_at=renewals.renew_at(not_before, not_after),
        )
    return await _read(ctx, record.domain)


async def _attempt(
    ctx: Context,
    config: GatewayConfig,
    record: CertificateRecord,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
) -> pb.Certificate:
    """Pre-flight, then the ACME order; IssueFailed with the owner's reason."""
    if config.acme.preflight:
        reasons = await _preflight(ctx, config, record)
        if reasons:
            raise IssueFailed(" ".join(reasons))
    account = await _acme_account(ctx, config.acme)
    return await issue(
        ctx.agent.certificates,
        account,
        record.domain,
        record.account,
        _KEY_TYPES[key_type],
        pb.Certificate(redirect_http=redirect_http, hsts=hsts),
    )


async def _failed(
    ctx: Context, record: CertificateRecord, reason: str, now: datetime | None
) -> None:
    moment = now or datetime.now(UTC)
    retry = renewals.retry_at(moment, record.failures + 1)
    await store.failed(ctx.db, record.domain_id, reason, retry)


async def _preflight(ctx: Context, config: GatewayConfig, record: CertificateRecord) -> list[str]:
    """Why the CA would refuse, found before asking it (gateway/preflight.py)."""
    site = await ctx.agent.web.GetWebDomain(
        web_pb.GetWebDomainRequest(name=record.domain), timeout=CALL_TIMEOUT_SECONDS
    )
    names = [site.domain.name, *site.domain.aliases]

    async def publish(token: str, text: str) -> None:
        await ctx.agent.certificates.CreateChallengeToken(
            pb.CreateChallengeTokenRequest(
                domain=record.domain, account=record.account, token=token, key_authorization=text
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )

    async def withdraw(token: str) -> None:
        await ctx.agent.certificates.DeleteChallengeToken(
            pb.DeleteChallengeTokenRequest(
                domain=record.domain, account=record.account, token=token
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )

    return await preflight.check(
        names,
        resolver=config.acme.resolver,
        addresses=[config.server_ipv4],
        http_port=config.acme.http_port,
        publish=publish,
        withdraw=withdraw,
    )


async def _acme_account(ctx: Context, acme: AcmeConfig) -> AcmeAccount:
    """The panel's account at the configured directory, its key made once and kept."""
    key = await store.account_key(ctx.db, acme.directory_url)
    if key is None:
        await store.keep_account_key(ctx.db, acme.directory_url, new_account_key())
        key = await store.account_key(ctx.db, acme.directory_url)
    directory = Directory(acme.directory_url, acme.email, acme.ca_bundle or None)
    return await asyncio.to_thread(AcmeAccount.register, directory, key)


async def _read(ctx: Context, name: str) -> CertificateRecord:
    record = await store.of_domain(ctx.db, name)
    if record is None:  # the domain was deleted meanwhile
        raise not_found(f"Domain '{name}'")
    return record


async def change_settings(
    ctx: Context, record: CertificateRecord, *, redirect_http: bool | None, hsts: bool | None
) -> CertificateRecord:
    """Changes the installed certificate's HTTPS settings (404 before one is installed)."""
    if record.fingerprint is None:
        raise not_found(f"A certificate of '{record.domain}'")
    redirect = record.redirect_http if redirect_http is None else redirect_http
    strict = record.hsts if hsts is None else hsts
    async with ctx.audited(
        "certificate.update",
        f"{record.account}/{record.domain}",
        f"redirect_http={redirect} hsts={strict}",
    ):
        request = pb.UpdateCertificateRequest(
            certificate=pb.Certificate(domain=record.domain, redirect_http=redirect, hsts=strict),
            account=record.account,
        )
        request.update_mask.paths.extend(["redirect_http", "hsts"])
        await ctx.agent.certificates.UpdateCertificate(request, timeout=CALL_TIMEOUT_SECONDS)
        await store.set_settings(ctx.db, record.domain_id, redirect, strict)
    return await _read(ctx, record.domain)


async def remove(ctx: Context, record: CertificateRecord) -> None:
    """HTTPS off: the agent removes the key, chain and tokens; the record goes (renewals stop)."""
    async with ctx.audited("certificate.delete", f"{record.account}/{record.domain}"):
        await ctx.agent.certificates.DeleteCertificate(
            pb.DeleteCertificateRequest(domain=record.domain, account=record.account),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await store.delete(ctx.db, record.domain_id)


async def upload(
    ctx: Context,
    record: CertificateRecord,
    *,
    key_der: str,
    chain_der: list[str],
    redirect_http: bool,
    hsts: bool,
) -> CertificateRecord:
    """Installs a certificate bought elsewhere (base64 DER, as uploaded); the agent checks
    key, chain and names (400 on `key` / `chain`)."""
    key_pem = _pem("PRIVATE KEY", key_der, "key")
    chain_pem = "".join(_pem("CERTIFICATE", der, "chain") for der in chain_der)
    async with ctx.audited("certificate.upload", f"{record.account}/{record.domain}"):
        request = pb.ImportCertificateRequest(
            domain=record.domain,
            account=record.account,
            key_pem=key_pem,
            chain_pem=chain_pem,
            settings=pb.Certificate(redirect_http=redirect_http, hsts=hsts),
        )
        try:
            reply = await ctx.agent.certificates.ImportCertificate(
                request, timeout=CALL_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as error:
            raise _upload_problem(error) from None
        installed = reply.certificate
        await store.uploaded(
            ctx.db,
            record.domain_id,
            key_type=_KEY_NAMES[installed.key_type],
            redirect_http=redirect_http,
            hsts=hsts,
            names=list(installed.names),
            issuer=installed.issuer,
            not_before=installed.not_before.ToDatetime(UTC),
            not_after=installed.not_after.ToDatetime(UTC),
            fingerprint=installed.fingerprint_sha256,
        )
    return await _read(ctx, record.domain)


def _pem(label: str, encoded: str, field: str) -> str:
    try:
        der = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise field_error(field, "must be base64 (DER)") from None
    lines = textwrap.wrap(base64.b64encode(der).decode("ascii"), 64)
    return "".join(
        [f"-----BEGIN {label}-----\n", *(f"{line}\n" for line in lines), f"-----END {label}-----\n"]
    )


def _upload_problem(error: grpc.aio.AioRpcError) -> Problem:
    """The agent's refusal, its fields named as the upload body names them."""
    problem = from_agent(error)
    if not problem.errors:
        return problem
    errors = [FieldError(_UPLOAD_FIELDS.get(e.field, e.field), e.message) for e in problem.errors]
    return bad_request("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


_UPLOAD_FIELDS = {"key_pem": "key", "chain_pem": "chain"}
