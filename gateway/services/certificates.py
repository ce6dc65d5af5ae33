"""Certificates: issuing one for a website, and recording each attempt for its owner.

The gateway has no network, so it only asks (`request_issue`): the attempt is recorded
(`issuing`, with its settings) and queued as a `certificate` job, which the ACME worker
(gateway/acme_worker.py, user jopanel-acme) runs with `issue_for`: the ACME order
(gateway/acme_orders.py: the CA, and the agent for the key, tokens and install), then `valid`
with what the certificate covers, or `failed` with the reason in the owner's words, which GET
shows until the next attempt. Audited either way, by the worker, in the requester's name.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import textwrap
from datetime import UTC, datetime

import grpc
from jopanel.agent.certificates.v1 import certificates_pb2 as pb
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway import acme_dns01, preflight
from gateway import renewal_policy as renewals
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_orders import IssueFailed, OrderCancelled, StageReport, issue
from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.config import GatewayConfig
from gateway.context import Context
from gateway.problems import (
    FieldError,
    Problem,
    bad_request,
    field_error,
    from_agent,
    not_found,
)
from gateway.store import certificate_settings as settings_store
from gateway.store import certificates as store
from gateway.store import jobs as jobs_store
from gateway.store.certificate_settings import AcmeSettingsRecord
from gateway.store.certificates import CertificateRecord, KeyType
from gateway.store.jobs import JobRecord
from jopanel_rules.hostnames import wildcard_base

INTERRUPTED = "The attempt was interrupted by an error on the server; try again later."
CANCELLED = "The order was cancelled before a certificate was installed."
_KEY_TYPES: dict[KeyType, pb.KeyType.ValueType] = {
    "ecdsa-p256": pb.KEY_TYPE_ECDSA_P256,
    "rsa-2048": pb.KEY_TYPE_RSA_2048,
    "rsa-3072": pb.KEY_TYPE_RSA_3072,
    "rsa-4096": pb.KEY_TYPE_RSA_4096,
}
_KEY_NAMES: dict[pb.KeyType.ValueType, KeyType] = {code: name for name, code in _KEY_TYPES.items()}


async def of_domain(ctx: Context, name: str) -> CertificateRecord | None:
    return await store.of_domain(ctx.db, name)


async def request_issue(
    ctx: Context,
    record: CertificateRecord,
    *,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
) -> JobRecord:
    """Queues the order for the ACME worker and answers with its job at once (202): GET
    /api/v1/jobs/{id} and its events follow it; the certificate's record keeps the attempt's
    outcome. One order per website at a time: while one is queued or running, asking again
    is 409 naming that job, however often (or however many at once) a client asks."""
    job_id = secrets.token_hex(16)
    try:
        await jobs_store.queue_order(
            ctx.db,
            public_id=job_id,
            account_id=record.account_id,
            kind="certificate",
            subject=record.domain,
            created_by=ctx.me.name,
            origin="owner" if ctx.me.is_owner else "admin",
            begin=store.begin_statement(record.domain_id, key_type, redirect_http, hsts),
        )
    except jobs_store.OrderUnderWay as under_way:
        raise order_under_way(record.domain, under_way.job_id) from None
    job = await jobs_store.get(ctx.db, job_id)
    assert job is not None  # just inserted; jobs go only with their account
    return job


def order_under_way(name: str, job_id: str) -> Problem:
    """409 naming the order already queued or running (`job_id` also as a member)."""
    return Problem(
        409,
        "Certificate order under way",
        f"An order for {name}'s certificate is already queued or running (job {job_id});"
        f" follow it at /api/v1/jobs/{job_id}.",
        extensions={"job_id": job_id},
    )


async def order_of(ctx: Context, record: CertificateRecord) -> str:
    """The id of the website's order still queued or running, else ''."""
    job = await jobs_store.unfinished_of(ctx.db, "certificate", record.domain)
    # The name's earlier owner's order (the domain deleted and added again) is not this one's.
    return job.public_id if job is not None and job.account_id == record.account_id else ""


async def issue_for(
    ctx: Context,
    config: GatewayConfig,
    record: CertificateRecord,
    accounts: AcmeAccounts,
    *,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
    now: datetime | None = None,
    stage: StageReport | None = None,
) -> CertificateRecord:
    """Issues (or renews) the website's certificate, in the ACME worker; 409 with the owner's
    reason when the CA refuses, which the record keeps as its last error. `stage` hears each
    stage reached (preflight, ordering, validating, installing: the job's progress)."""
    async with ctx.audited("certificate.issue", f"{record.account}/{record.domain}"):
        await store.begin(ctx.db, record.domain_id, key_type, redirect_http, hsts)
        try:
            installed = await _attempt(
                ctx, config, record, accounts, key_type, redirect_http, hsts, stage
            )
        except IssueFailed as refused:
            await _failed(ctx, record, refused.reason, now, refused.retry_after)
            raise Problem(409, "Certificate not issued", refused.reason) from None
        except OrderCancelled:
            raise  # not a failure: the worker records it (store.cancelled)
        except Exception:
            # The agent or the CA failed in a way the owner cannot act on: the record must
            # not stay "issuing"; the error itself reaches the log and the audit log.
            await _failed(ctx, record, INTERRUPTED, now, None)
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
    accounts: AcmeAccounts,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
    stage: StageReport | None = None,
) -> pb.Certificate:
    """Pre-flight, then the ACME order; IssueFailed with the owner's reason."""
    if stage is not None:
        await stage("preflight")
    names = await _names(ctx, record)
    # A wildcard without the owner's zone here could never be proven: said before the CA is
    # asked, whether or not the rest of the pre-flight runs.
    reasons = await acme_dns01.zone_reasons(
        ctx.agent.dns, record.account, names, CALL_TIMEOUT_SECONDS
    )
    if not reasons and config.acme.preflight:
        reasons = await _preflight(ctx, config, record, names)
    if reasons:
        raise IssueFailed(" ".join(reasons))
    chosen = await acme_settings(ctx, config)
    account = await accounts.at(chosen.directory_url, chosen.email)
    return await issue(
        ctx.agent.certificates,
        account,
        record.domain,
        record.account,
        _KEY_TYPES[key_type],
        pb.Certificate(redirect_http=redirect_http, hsts=hsts),
        dns01=acme_dns01.Dns01Answers(
            ctx.agent.dns, account.client, record.account, CALL_TIMEOUT_SECONDS
        ),
        stage=stage,
    )


async def _failed(
    ctx: Context,
    record: CertificateRecord,
    reason: str,
    now: datetime | None,
    ca_retry_after: datetime | None,
) -> None:
    moment = now or datetime.now(UTC)
    retry = renewals.next_try(moment, record.failures + 1, ca_retry_after)
    await store.failed(ctx.db, record.domain_id, reason, retry)


async def acme_settings(ctx: Context, config: GatewayConfig) -> AcmeSettingsRecord:
    """The directory and contact an administrator chose, else the configuration's."""
    chosen = await settings_store.get(ctx.db)
    return chosen or AcmeSettingsRecord(config.acme.directory_url, config.acme.email)


async def change_acme_settings(ctx: Context, directory_url: str, email: str) -> AcmeSettingsRecord:
    async with ctx.audited("certificate-settings.update", "acme", f"{directory_url} {email}"):
        await settings_store.put(ctx.db, directory_url, email)
    return AcmeSettingsRecord(directory_url, email)


async def _names(ctx: Context, record: CertificateRecord) -> list[str]:
    """The website's names as the agent serves them: what the CSR will hold."""
    site = await ctx.agent.web.GetWebDomain(
        web_pb.GetWebDomainRequest(name=record.domain), timeout=CALL_TIMEOUT_SECONDS
    )
    return [site.domain.name, *site.domain.aliases]


async def _preflight(
    ctx: Context, config: GatewayConfig, record: CertificateRecord, names: list[str]
) -> list[str]:
    """Why the CA would refuse, found before asking it (gateway/preflight.py). A wildcard is
    left out: it is proven over DNS (its zone checked by acme_dns01.zone_reasons), and its X
    is one of the site's names, checked here."""
    names = [name for name in names if wildcard_base(name) is None]

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
