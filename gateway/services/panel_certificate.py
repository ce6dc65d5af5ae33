"""The panel's own host name: its certificate from the ACME directory the sites use
(docs/certificates.md, "The panel's own host name").

An administrator asks (`request_issue`: the API's POST, or `jopanel certificate issue`); the
order is a `panel_certificate` job the ACME worker runs with `issue_panel`: pre-flight for the
host name, the ACME order through the agent's panel RPCs (the agent names the host, from its
own configuration), then the record `valid` with what is served, or `failed` with the reason;
the renewer renews it a third of its life before expiry with the sites' backoff. Whatever
fails, the agent keeps the certificate it served before (the installer's self-signed one at
first), so the panel never goes dark.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Final

import grpc
from jopanel.agent.certificates.v1 import certificates_pb2 as pb

from gateway import preflight
from gateway import renewal_policy as renewals
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_orders import IssueFailed, StageReport, issue_panel
from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.config import GatewayConfig
from gateway.context import Context
from gateway.problems import Problem
from gateway.services import certificates as site_certificates
from gateway.services.certificates import INTERRUPTED, acme_settings
from gateway.store import jobs as jobs_store
from gateway.store import panel_certificate as store
from gateway.store.jobs import JobRecord
from gateway.store.panel_certificate import PanelCertificateRecord

# The job's subject: the host name is the agent's, so the job names the kind of thing only.
SUBJECT: Final = "panel"
# The agent's refusals an administrator can act on (nginx -t, a folder that is not root's).
_TOLD: Final = (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.INVALID_ARGUMENT)


async def served(ctx: Context) -> pb.PanelCertificate | None:
    """What nginx serves for the panel's host name; None where the agent has no panel_hostname."""
    try:
        answer = await ctx.agent.certificates.GetPanelCertificate(
            pb.GetPanelCertificateRequest(), timeout=CALL_TIMEOUT_SECONDS
        )
    except grpc.aio.AioRpcError as error:
        if error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
            return None
        raise
    return answer.certificate


async def status(ctx: Context) -> tuple[PanelCertificateRecord, pb.PanelCertificate | None]:
    return await store.get(ctx.db), await served(ctx)


async def request_issue(ctx: Context) -> JobRecord:
    """Queues the order for the ACME worker and answers with its job at once, as a website's
    order: 409 naming the job while one is queued or running. The job belongs to no account;
    it names the administrator who asked."""
    if await served(ctx) is None:
        raise Problem(
            409,
            "Panel host name not configured",
            "The agent has no panel_hostname in its configuration (scripts/install.sh"
            " --hostname writes it); there is no host name to issue for.",
        )
    job_id = secrets.token_hex(16)
    try:
        await jobs_store.queue_order(
            ctx.db,
            public_id=job_id,
            account_id=None,
            kind="panel_certificate",
            subject=SUBJECT,
            created_by=ctx.me.name,
            origin="owner" if ctx.me.is_owner else "admin",
            begin=store.BEGIN,
        )
    except jobs_store.OrderUnderWay as under_way:
        raise site_certificates.order_under_way("the panel", under_way.job_id) from None
    job = await jobs_store.get(ctx.db, job_id)
    assert job is not None  # just inserted; nothing deletes an account-less job
    return job


async def issue_panel_certificate(
    ctx: Context,
    config: GatewayConfig,
    accounts: AcmeAccounts,
    now: datetime | None = None,
    stage: StageReport | None = None,
) -> PanelCertificateRecord:
    """Issues (or renews) the panel's certificate, in the ACME worker; 409 with the reason.
    `stage` hears each stage reached, as a website's order's does."""
    before = await store.get(ctx.db)
    async with ctx.audited("panel-certificate.issue", "panel"):
        await store.begin(ctx.db)
        try:
            installed = await _attempt(ctx, config, accounts, stage)
        except IssueFailed as refused:
            await _failed(ctx, before, refused.reason, now, refused.retry_after)
            raise Problem(409, "Certificate not issued", refused.reason) from None
        except grpc.aio.AioRpcError as error:
            if error.code() not in _TOLD:
                await _failed(ctx, before, INTERRUPTED, now, None)
                raise
            reason = f"The agent kept the certificate it serves: {error.details()}"
            await _failed(ctx, before, reason, now, None)
            raise Problem(409, "Certificate not issued", reason) from None
        except Exception:
            await _failed(ctx, before, INTERRUPTED, now, None)
            raise
        not_before = installed.not_before.ToDatetime(UTC)
        not_after = installed.not_after.ToDatetime(UTC)
        await store.installed(
            ctx.db,
            names=list(installed.names),
            issuer=installed.issuer,
            not_before=not_before,
            not_after=not_after,
            fingerprint=installed.fingerprint_sha256,
            renew_at=renewals.renew_at(not_before, not_after),
        )
    return await store.get(ctx.db)


async def _attempt(
    ctx: Context, config: GatewayConfig, accounts: AcmeAccounts, stage: StageReport | None
) -> pb.PanelCertificate:
    """Pre-flight, then the ACME order; IssueFailed with the reason."""
    current = await served(ctx)
    if current is None:
        raise IssueFailed("The agent has no panel_hostname in its configuration.")
    if config.acme.preflight:
        if stage is not None:
            await stage("preflight")
        reasons = await _preflight(ctx, config, current.host_name)
        if reasons:
            raise IssueFailed(" ".join(reasons))
    chosen = await acme_settings(ctx, config)
    account = await accounts.at(chosen.directory_url, chosen.email)
    return await issue_panel(ctx.agent.certificates, account, stage=stage)


async def _preflight(ctx: Context, config: GatewayConfig, host: str) -> list[str]:
    async def publish(token: str, text: str) -> None:
        await ctx.agent.certificates.CreatePanelChallengeToken(
            pb.CreatePanelChallengeTokenRequest(token=token, key_authorization=text),
            timeout=CALL_TIMEOUT_SECONDS,
        )

    async def withdraw(token: str) -> None:
        await ctx.agent.certificates.DeletePanelChallengeToken(
            pb.DeletePanelChallengeTokenRequest(token=token), timeout=CALL_TIMEOUT_SECONDS
        )

    return await preflight.check(
        [host],
        resolver=config.acme.resolver,
        addresses=[config.server_ipv4],
        http_port=config.acme.http_port,
        publish=publish,
        withdraw=withdraw,
    )


async def _failed(
    ctx: Context,
    before: PanelCertificateRecord,
    reason: str,
    now: datetime | None,
    ca_retry_after: datetime | None,
) -> None:
    moment = now or datetime.now(UTC)
    retry = renewals.next_try(moment, before.failures + 1, ca_retry_after)
    await store.failed(ctx.db, reason, retry)


async def renew_if_due(
    ctx: Context, config: GatewayConfig, accounts: AcmeAccounts, now: datetime | None = None
) -> str | None:
    """The renewer's part: renews the panel's certificate when its time has come; the outcome
    ("renewed" or the reason), None when it was not due."""
    moment = now or datetime.now(UTC)
    if not await store.is_due(ctx.db, moment):
        return None
    try:
        await issue_panel_certificate(ctx, config, accounts, moment)
    except Problem as refused:
        return refused.detail
    return "renewed"
