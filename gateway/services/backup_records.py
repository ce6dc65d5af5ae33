"""The panel's records after a whole-account restore in place (docs/backups.md, "Records
after a restore").

The agent's restore in place puts back every cron job of the backup (jobs made since stay) and
serves every zone of the backup again with exactly the backup's records (zones made since
stay; a zone another account holds now is left to it). The records follow the same rule, read
from the backup itself (GetBackupSettings, which the agent answers for this account's backups
only): each restored job is recorded (new, or its record set to the backup's values), each
restored zone's records become the backup's. What the panel refuses (a job past the plan's
max_cron_jobs, a job id another account's job has, a zone not named after one of the account's
sites, or one another account holds in the records) is taken off the server again, so records
and server agree, and named in the job's result. Each certificate the agent installed again
from the backup's certificates part becomes its site's certificate record (as the reconcile
adopts a served one, with the settings it is served with); those the agent skipped are named
in the result.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Final

import grpc
import pydantic
from jopanel.agent.backups.v1 import backups_pb2 as pb
from jopanel.agent.certificates.v1 import certificates_pb2 as certificates_pb
from jopanel.agent.cron.v1 import cron_pb2 as cron_pb
from jopanel.agent.dns.v1 import dns_pb2 as dns_pb
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway import backends, renewal_policy
from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.context import Context
from gateway.problems import Problem
from gateway.record_types import data_of, record_from
from gateway.services import domains as domains_service
from gateway.services import php_settings
from gateway.store import certificates as certificates_store
from gateway.store import cron_jobs as cron_store
from gateway.store import databases as databases_store
from gateway.store import dns as dns_store
from gateway.store import domains as domains_store
from gateway.store import names
from gateway.store.accounts import AccountRecord
from gateway.store.certificates import CertificateRecord, KeyType
from gateway.store.domains import BackendColumns, DomainRecord
from gateway.store.plans import LimitReached
from gateway.store.tenants import Tenants
from jopanel_rules.web import PHP_SETTING_RANGES

logger = logging.getLogger(__name__)

# jobs.result holds 255 characters.
MAX_RESULT: Final = 255
# The agent keeps at most this many entries of each kind of record in a backup.
MAX_RECORDS: Final = 1000


async def panel_records(ctx: Context, account: AccountRecord) -> pb.AccountRecords:
    """The panel's records of the account that a backup carries, so that the account can be
    made again on a server whose panel never knew it (docs/backups.md, "A whole account onto
    a fresh server"): no password, key or certificate, only names and metadata."""
    own = Tenants(account_id=account.id)
    domains = await domains_store.page(ctx.db, after="", prefix="", tenants=own, limit=MAX_RECORDS)
    databases = await databases_store.databases_page(
        ctx.db, after="", tenants=own, limit=MAX_RECORDS
    )
    users = await databases_store.users_page(ctx.db, after="", tenants=own, limit=MAX_RECORDS)
    records = pb.AccountRecords(
        plan=account.plan,
        domains=[
            pb.RecordedDomain(name=d.name, aliases=(d.alias_list or "").split()) for d in domains
        ],
        databases=[database.name for database in databases],
        database_users=[
            pb.RecordedDatabaseUser(name=user.name, databases=(user.linked or "").split())
            for user in users
        ],
    )
    for domain in domains:
        certificate = await certificates_store.of_domain(ctx.db, domain.name)
        if certificate is None or certificate.not_after is None:
            continue
        # Only what the agent takes: an uploaded certificate may name anything, and one odd
        # name must not cost the account its backup.
        covered = [name for name in certificate.names if _CERTIFICATE_NAME.fullmatch(name)]
        if covered:
            added = records.certificates.add(
                names=covered[:100],
                issuer=_issuer(certificate),
                uploaded=certificate.source == "upload",
            )
            added.not_after.FromDatetime(certificate.not_after)
    return records


_CERTIFICATE_NAME: Final = re.compile(
    r"(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}"
)


def _issuer(certificate: CertificateRecord) -> str:
    """The issuer as printable ASCII, at most 200 characters (the agent's rule)."""
    text = "".join(c if " " <= c <= "~" else "?" for c in certificate.issuer)[:200]
    return text or "unknown"


@dataclass
class Adopted:
    cron_jobs: int = 0
    zones: int = 0
    certificates: int = 0
    sites: int = 0
    left_out: list[str] = field(default_factory=list)
    certificates_skipped: list[str] = field(default_factory=list)

    def summary(self, folder: str) -> str:
        text = f"{folder}; recorded {self.cron_jobs} cron jobs, {self.zones} zones"
        text += f", {self.sites} sites, {self.certificates} certificates"
        if self.left_out:
            text += "; not recorded: " + ", ".join(self.left_out)
        if self.certificates_skipped:
            text += "; not restored: " + ", ".join(self.certificates_skipped)
        return text if len(text) <= MAX_RESULT else text[: MAX_RESULT - 3] + "..."


class JobStopped(Exception):
    """The job's own step saw its stop event (a cancel) and stopped at a safe point."""


async def make_gone_sites(
    ctx: Context,
    account: AccountRecord,
    request: pb.RestoreBackupRequest,
    stop: asyncio.Event | None = None,
) -> dict[str, str]:
    """Before a whole-account restore in place: each site of the backup that no site has the
    name of now (deleted since) is made again through the domains service, which holds it to
    the plan's max_domains and refuses a name (or alias) that another account holds or that
    lies below or above one of theirs. The restore then brings its files, certificate and zone
    back to it, and its settings when it ends (adopt). Returns the sites not made, each with
    why (named in the job's result). With `stop` set (a cancel), it stops before the next site
    (JobStopped): each site made is made whole, through the service."""
    try:
        settings = await _settings(ctx, account, request)
    except grpc.aio.AioRpcError as error:
        logger.warning("restore of %s: settings not read: %s", account.name, error.details())
        return {}
    not_made = {}
    for site in sites_of(settings)[:MAX_RECORDS]:
        if stop is not None and stop.is_set():
            raise JobStopped
        if await domains_store.get(ctx.db, site.name) is not None:
            continue  # the account's (settled when the job ends) or another's (named then)
        try:
            await domains_service.create(
                ctx,
                account,
                site.name,
                list(site.aliases),
                creation_backend(site),
                zone_address=None,
            )
        except (Problem, grpc.aio.AioRpcError) as error:
            why = error.detail if isinstance(error, Problem) else _details(error)
            not_made[site.name] = f"not made again: {why[:80]}"
    return not_made


def sites_of(settings: pb.GetBackupSettingsResponse) -> list[web_pb.WebDomain]:
    """A backup's sites: the agent's own records of them (with their settings), else the
    panel's records (names and aliases, default settings)."""
    if settings.sites:
        return list(settings.sites)
    return [
        web_pb.WebDomain(name=domain.name, aliases=domain.aliases)
        for domain in settings.records.domains
    ]


def creation_backend(site: web_pb.WebDomain) -> BackendColumns | None:
    """The backend a site of a backup is made with: its own where nothing of this server's
    is named (static, redirect, a proxy to a port); None, this server's default, for a PHP
    version or a socket that may not exist here (the PHP version and values follow when the
    restore ends: _sites)."""
    kind = site.WhichOneof("backend")
    port_proxy = kind == "proxy" and site.proxy.WhichOneof("target") == "port"
    if kind in ("static", "redirect") or port_proxy:
        return backends.spec_columns(site)
    return None


async def _settings(
    ctx: Context, account: AccountRecord, request: pb.RestoreBackupRequest
) -> pb.GetBackupSettingsResponse:
    return await ctx.agent.backups.GetBackupSettings(
        pb.GetBackupSettingsRequest(
            account=account.name,
            backup_id=request.backup_id,
            repository=request.repository,
            source_uid=request.source_uid,
        ),
        timeout=CALL_TIMEOUT_SECONDS,
    )


async def adopt(
    ctx: Context,
    account: AccountRecord,
    request: pb.RestoreBackupRequest,
    restored: pb.Restored,
    not_made: dict[str, str] | None = None,
) -> str:
    """Makes the account's cron job and zone records match what the restore brought back; the
    job's result: the folder, what was recorded, and what was taken off the server (and the
    backup's sites that make_gone_sites could not make again, with why)."""
    adopted = Adopted()
    async with ctx.audited("restore.records", f"{account.name}/{request.job_id}"):
        try:
            settings = await _settings(ctx, account, request)
        except grpc.aio.AioRpcError as error:
            logger.warning("restore of %s: settings not read: %s", account.name, error.details())
            return f"{restored.folder}; records not updated (the reconcile reports what differs)"
        if restored.crontab:
            for job in settings.cron_jobs:
                await _cron_job(ctx, account, job, adopted)
        served = set(restored.zones)
        for zone in settings.zones:
            if zone.name in served:  # the agent left the others as they were
                await _zone(ctx, account, zone, adopted)
        await _sites(ctx, account, list(settings.sites), not_made or {}, adopted)
        if restored.certificates:
            uploads = _uploads(settings.records)
            await _certificates(ctx, account, list(restored.certificates), uploads, adopted)
        adopted.certificates_skipped.extend(restored.certificates_skipped)
    return adopted.summary(restored.folder)


async def _sites(
    ctx: Context,
    account: AccountRecord,
    sites: list[web_pb.WebDomain],
    not_made: dict[str, str],
    adopted: Adopted,
) -> None:
    """Each site of the backup that is the account's site now (made again before the job, if
    it was gone: make_gone_sites) gets the backup's backend again (PHP version and per-site
    values, proxy, redirect, static) through the domains service: the plan's bounds, this
    server's PHP versions and the agent's UpdateWebDomain checks, the records following.
    Sites made since stay as they are; a site whose name another account holds now, or that
    could not be made again, is only named."""
    versions = await domains_service.php_versions(ctx)
    for site in sites[:MAX_RECORDS]:
        record = await domains_store.get(ctx.db, site.name)
        if record is None or record.account_id != account.id:
            why = not_made.get(site.name, "no site of the account has the name now")
            adopted.left_out.append(f"site {site.name} ({why})")
            continue
        try:
            columns = await _backend_of(ctx, record, site, versions)
            if not _same(record, columns):
                await domains_service.update(ctx, record, None, columns)
        except (Problem, grpc.aio.AioRpcError, ValueError) as error:
            why = error.detail if isinstance(error, Problem) else _details(error)
            adopted.left_out.append(f"site {site.name} (settings kept: {why[:80]})")
            continue
        adopted.sites += 1


_PHP_DEFAULTS: Final[dict[str, int | bool]] = {
    **{name: limits[2] for name, limits in PHP_SETTING_RANGES.items()},
    "display_errors": False,
}


def _same(record: DomainRecord, columns: BackendColumns) -> bool:
    """Whether the site has that backend already (PHP values compared as they apply: a
    record without its own values has the defaults)."""
    current = record.site_backend
    if columns.backend != "php" or current.backend != "php":
        return columns == current
    wanted = json.loads(columns.php_settings or "{}")
    return current.php_version == columns.php_version and php_settings.values_of(record) == wanted


def _details(error: Exception) -> str:
    if isinstance(error, grpc.aio.AioRpcError):
        return str(error.details())
    return str(error)


async def _backend_of(
    ctx: Context, record: DomainRecord, site: web_pb.WebDomain, versions: list[str]
) -> BackendColumns:
    """The backup's backend as the records hold it; ValueError or a 422 Problem when this
    server or the plan does not allow it now."""
    kind = site.WhichOneof("backend")
    if kind == "php":
        if site.php.version not in versions:
            raise ValueError(f"PHP {site.php.version} is not installed here")
        values: php_settings.Values = dict(_PHP_DEFAULTS)
        if site.php.HasField("settings"):  # else the agent's defaults
            values = {name: int(getattr(site.php.settings, name)) for name in PHP_SETTING_RANGES}
            values["display_errors"] = site.php.settings.display_errors
        text = json.dumps(values, sort_keys=True, separators=(",", ":"))
        if values == _PHP_DEFAULTS:
            # The defaults are every plan's (they may exceed a small plan's bounds, as on a
            # new site); a record without values of its own already has them.
            own = None if record.php_settings is None else text
            return BackendColumns("php", php_version=site.php.version, php_settings=own)
        await php_settings.check_values(ctx, record.account_id, values)
        return BackendColumns("php", php_version=site.php.version, php_settings=text)
    return backends.spec_columns(site)


# A chain the backup's records say the owner uploaded: its expiry, to the second, and names.
Upload = tuple[int, frozenset[str]]


def _uploads(records: pb.AccountRecords) -> list[Upload]:
    return [
        (certificate.not_after.seconds, frozenset(certificate.names))
        for certificate in records.certificates
        if certificate.uploaded
    ]


def _was_uploaded(served: certificates_pb.Certificate, uploads: list[Upload]) -> bool:
    """Whether the chain put back is one the backup's records hold as uploaded: the same
    expiry, naming the site (the records keep at most 100 of its names)."""
    return any(
        seconds == served.not_after.seconds and served.domain in names for seconds, names in uploads
    )


async def _certificates(
    ctx: Context,
    account: AccountRecord,
    domains: list[str],
    uploads: list[Upload],
    adopted: Adopted,
) -> None:
    """The certificates the agent installed again become their sites' records, as served
    (names, validity, fingerprint, settings); renewed as issued ones unless uploaded."""
    try:
        answer = await ctx.agent.certificates.ListCertificates(
            certificates_pb.ListCertificatesRequest(account=account.name, page_size=MAX_RECORDS),
            timeout=CALL_TIMEOUT_SECONDS,
        )
    except grpc.aio.AioRpcError as error:
        logger.warning("after a restore: certificates not read: %s", error.details())
        adopted.left_out.extend(f"certificate of {d} (the agent did not answer)" for d in domains)
        return
    served = {certificate.domain: certificate for certificate in answer.certificates}
    for domain in domains:
        record = await certificates_store.of_domain(ctx.db, domain)
        if record is None or record.account_id != account.id or domain not in served:
            # The agent installs only on the account's own sites; the records say otherwise.
            # Left for the reconcile to report, never recorded for another account.
            adopted.left_out.append(f"certificate of {domain} (not the account's in the records)")
            continue
        await _adopt_certificate(
            ctx, record, served[domain], _was_uploaded(served[domain], uploads)
        )
        adopted.certificates += 1


async def _adopt_certificate(
    ctx: Context, record: CertificateRecord, served: certificates_pb.Certificate, uploaded: bool
) -> None:
    not_before = served.not_before.ToDatetime(UTC)
    not_after = served.not_after.ToDatetime(UTC)
    # A bought certificate put back stays unrenewed: renewing it would replace it with an
    # issued one. The backup's records say which chain was uploaded (`uploaded`, given); a
    # backup made before they did still keeps the upload the site has now, put back as it was.
    # Any other chain (an issued one, or the site had none recorded) is renewed as issued.
    same_upload = record.source == "upload" and record.fingerprint == served.fingerprint_sha256
    bought = uploaded or same_upload
    await certificates_store.adopt(
        ctx.db, record.domain_id, names=list(served.names), issuer=served.issuer,
        not_before=not_before, not_after=not_after, fingerprint=served.fingerprint_sha256,
        key_type=_KEY_NAMES.get(served.key_type, "ecdsa-p256"),
        redirect_http=served.redirect_http, hsts=served.hsts,
        renew_at=None if bought else renewal_policy.renew_at(not_before, not_after),
    )  # fmt: skip
    # The restore put the backup's settings back on the server: the record follows them.
    await certificates_store.set_settings(
        ctx.db, record.domain_id, served.redirect_http, served.hsts
    )


_KEY_NAMES: Final[dict[int, KeyType]] = {
    certificates_pb.KEY_TYPE_ECDSA_P256: "ecdsa-p256",
    certificates_pb.KEY_TYPE_RSA_2048: "rsa-2048",
    certificates_pb.KEY_TYPE_RSA_3072: "rsa-3072",
    certificates_pb.KEY_TYPE_RSA_4096: "rsa-4096",
}


async def _cron_job(
    ctx: Context, account: AccountRecord, job: cron_pb.CronJob, adopted: Adopted
) -> None:
    record = await cron_store.get(ctx.db, job.id)
    if record is not None and record.account_id != account.id:
        # Ids are the panel's across accounts: this one names another account's job.
        await _take_off_cron(ctx, account, job.id, adopted, "its id is another account's")
        return
    if record is None:
        try:
            record_id = await cron_store.insert_pending(
                ctx.db, account.id, job.id, job.schedule, job.command, job.enabled
            )
        except LimitReached:
            await _take_off_cron(ctx, account, job.id, adopted, "past the plan's max_cron_jobs")
            return
    else:
        record_id = record.id
        await cron_store.update(
            ctx.db, record_id, schedule=job.schedule, command=job.command, enabled=job.enabled
        )
    await cron_store.set_status(ctx.db, record_id, "active")
    adopted.cron_jobs += 1


async def _take_off_cron(
    ctx: Context, account: AccountRecord, job_id: str, adopted: Adopted, why: str
) -> None:
    request = cron_pb.DeleteCronJobRequest(account=account.name, id=job_id)
    call = ctx.agent.cron.DeleteCronJob(request, timeout=CALL_TIMEOUT_SECONDS)
    await _taking_off(call, f"cron job {job_id}", why, adopted)


async def _taking_off(call: Awaitable[object], what: str, why: str, adopted: Adopted) -> None:
    """Takes one item off the server; if the agent cannot, the restore still stands and the
    result says so (the reconcile reports the item as drift)."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        logger.warning("after a restore: %s not taken off: %s", what, error.details())
        adopted.left_out.append(f"{what} ({why}; still on the server: the agent refused)")
        return
    adopted.left_out.append(f"{what} ({why})")


async def _zone(
    ctx: Context, account: AccountRecord, zone: dns_pb.DnsZone, adopted: Adopted
) -> None:
    try:
        records = [_record(record) for record in zone.records]
    except (pydantic.ValidationError, ValueError):
        await _take_off_zone(ctx, zone.name, adopted, "a record the panel does not take")
        return
    recorded = await dns_store.get_zone(ctx.db, zone.name)
    if recorded is not None and recorded.account_id != account.id:
        # The agent served it for this account, which its own state allowed; the records say
        # otherwise. Left for an administrator (the reconcile reports it), never taken over.
        adopted.left_out.append(f"zone {zone.name} (another account's in the records)")
        return
    if recorded is None:
        try:
            zone_id = await dns_store.insert_zone(ctx.db, zone.name, account.id)
        except dns_store.NotADomain:
            await _take_off_zone(ctx, zone.name, adopted, "not a domain of the account's sites")
            return
        except (names.NameHeld, dns_store.NameTaken):
            await _take_off_zone(ctx, zone.name, adopted, "its name is another account's")
            return
    else:
        zone_id = recorded.id
    await dns_store.replace_records(ctx.db, zone_id, records)
    adopted.zones += 1


async def _take_off_zone(ctx: Context, name: str, adopted: Adopted, why: str) -> None:
    call = ctx.agent.dns.DeleteDnsZone(
        dns_pb.DeleteDnsZoneRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
    )
    await _taking_off(call, f"zone {name}", why, adopted)


def _record(message: dns_pb.DnsRecord) -> tuple[str, str, str, int, dict[str, Any]]:
    """A served record as the panel records it, through the API's own record types (so the
    reconcile compares it with what is served and finds them equal)."""
    oneof = message.WhichOneof("data")
    if oneof is None:
        raise ValueError("a record without data")
    fields = getattr(message, oneof)
    values = {item.name: getattr(fields, item.name) for item in fields.DESCRIPTOR.fields}
    typed = record_from(oneof.upper(), message.name, message.ttl, values)
    return message.id, typed.name, typed.type, typed.ttl, data_of(typed)
