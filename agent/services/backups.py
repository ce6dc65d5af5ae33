"""BackupService: backups of accounts and their restores (agent/system/backups/).

The two long RPCs stream progress: the work runs in a task of its own (to its end even when the
client hangs up, see Backups), its progress goes through a queue, and the last message holds the
outcome. Errors are exceptions that the ErrorInterceptor maps to status codes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final, TypeVar

import grpc.aio
from google.protobuf import json_format, timestamp_pb2
from jopanel.agent.backups.v1 import backups_pb2, backups_pb2_grpc

from agent.config import AgentConfig
from agent.errors import AlreadyExists, InvalidArgument
from agent.services import cron as cron_service
from agent.services import dns as dns_service
from agent.services import web as web_service
from agent.system.backups import backups as backup_layer
from agent.system.backups import records as panel_records
from agent.system.backups.backups import Backups, Manifest, PanelDump, Progress, Report
from agent.system.backups.records import PanelRecords
from agent.system.backups.remotes import Remote, Secrets
from agent.system.names import NameOwners, name_owners
from agent.validators import accounts as accounts_validators
from agent.validators import backups as backups_validators
from agent.validators import common as common_validators
from agent.validators import databases as databases_validators
from agent.validators.accounts import AccountName
from agent.validators.backups import JobId
from agent.validators.databases import DatabaseName
from jopanel_rules.ssh import BadKey, parse_public_key

SERVICE_NAME: Final[str] = backups_pb2.DESCRIPTOR.services_by_name["BackupService"].full_name

Context = grpc.aio.ServicerContext[Any, Any]
T = TypeVar("T")

_STAGES: Final = {
    "queued": backups_pb2.STAGE_QUEUED,
    "files": backups_pb2.STAGE_FILES,
    "databases": backups_pb2.STAGE_DATABASES,
    "settings": backups_pb2.STAGE_SETTINGS,
    "done": backups_pb2.STAGE_DONE,
}
_PLACEMENTS: Final[dict[int, backup_layer.Placement]] = {
    backups_pb2.PLACEMENT_IN_PLACE: "in_place",
    backups_pb2.PLACEMENT_BESIDE: "beside",
}


class BackupServicer(backups_pb2_grpc.BackupServiceServicer):
    def __init__(self, backups: Backups, names: NameOwners) -> None:
        self._backups = backups
        self._names = names

    async def BackUpAccount(
        self, request: backups_pb2.BackUpAccountRequest, context: Context
    ) -> AsyncIterator[backups_pb2.BackUpAccountResponse]:
        account = accounts_validators.account_name(request.account, "account")
        job = _job(request.job_id)
        panel = _panel_records(request, account)
        backups = self._at(request.repository)
        async for progress, manifest in _following(
            lambda report: backups.back_up(account, report, job, panel)
        ):
            if manifest is None:
                yield backups_pb2.BackUpAccountResponse(progress=progress)
            else:
                yield backups_pb2.BackUpAccountResponse(progress=progress, backup=_backup(manifest))

    async def ListBackups(
        self, request: backups_pb2.ListBackupsRequest, context: Context
    ) -> backups_pb2.ListBackupsResponse:
        account = accounts_validators.account_name(request.account, "account")
        manifests = await self._at(request.repository).list_backups(account)
        return backups_pb2.ListBackupsResponse(backups=[_backup(item) for item in manifests])

    async def GetBackupSettings(
        self, request: backups_pb2.GetBackupSettingsRequest, context: Context
    ) -> backups_pb2.GetBackupSettingsResponse:
        account = accounts_validators.account_name(request.account, "account")
        backup = backups_validators.backup_id(request.backup_id, "backup_id")
        source_uid = _source_uid(request.source_uid)
        found = await self._at(request.repository).settings(account, backup, source_uid)
        reply = backups_pb2.GetBackupSettingsResponse(
            backup=_backup(found.manifest),
            cron_jobs=[cron_service.job_message(job) for job in found.cron_jobs],
            zones=[dns_service.zone_message(zone, with_records=True) for zone in found.zones],
            sites=[web_service.domain_message(site) for site in found.sites],
            skipped=found.skipped,
        )
        if found.panel is not None:
            reply.records.CopyFrom(_records_message(found.panel))
        return reply

    async def ListRepositoryAccounts(
        self, request: backups_pb2.ListRepositoryAccountsRequest, context: Context
    ) -> backups_pb2.ListRepositoryAccountsResponse:
        found = await self._at(request.repository).repository_accounts()
        return backups_pb2.ListRepositoryAccountsResponse(
            accounts=[
                backups_pb2.RepositoryAccount(
                    account=item.account,
                    uid=item.uid,
                    name_taken=item.name_taken,
                    backups=[_backup(manifest) for manifest in item.backups],
                )
                for item in found
            ]
        )

    async def RestoreBackup(
        self, request: backups_pb2.RestoreBackupRequest, context: Context
    ) -> AsyncIterator[backups_pb2.RestoreBackupResponse]:
        account = accounts_validators.account_name(request.account, "account")
        backup = backups_validators.backup_id(request.backup_id, "backup_id")
        what = _what(request)
        placement = _PLACEMENTS.get(request.placement)
        if placement is None:
            raise InvalidArgument("placement", "must be PLACEMENT_IN_PLACE or PLACEMENT_BESIDE")
        targets = _targets(request, account)
        job = _job(request.job_id)
        source_uid = _source_uid(request.source_uid)
        backups = self._at(request.repository)
        async for progress, restored in _following(
            lambda report: backups.restore(
                account, backup, what, placement, report, targets, job, source_uid
            )
        ):
            if restored is None:
                yield backups_pb2.RestoreBackupResponse(progress=progress)
            else:
                yield backups_pb2.RestoreBackupResponse(
                    progress=progress,
                    restored=backups_pb2.Restored(
                        folder=restored.folder,
                        files=restored.files,
                        bytes=restored.bytes,
                        skipped=restored.skipped,
                        databases=restored.databases,
                        crontab=restored.crontab,
                        zones=restored.zones,
                        zones_skipped=restored.zones_skipped,
                        certificates=restored.certificates,
                        certificates_skipped=restored.certificates_skipped,
                    ),
                )

    async def CancelBackupJob(
        self, request: backups_pb2.CancelBackupJobRequest, context: Context
    ) -> backups_pb2.CancelBackupJobResponse:
        account = accounts_validators.account_name(request.account, "account")
        job = backups_validators.job_id(request.job_id, "job_id")
        return backups_pb2.CancelBackupJobResponse(cancelled=self._backups.cancel(account, job))

    async def ForgetBackups(
        self, request: backups_pb2.ForgetBackupsRequest, context: Context
    ) -> backups_pb2.ForgetBackupsResponse:
        account = accounts_validators.account_name(request.account, "account")
        keep = request.retention
        retention = backup_layer.Retention(
            daily=backups_validators.keep_count(keep.keep_daily, "retention.keep_daily"),
            weekly=backups_validators.keep_count(keep.keep_weekly, "retention.keep_weekly"),
            monthly=backups_validators.keep_count(keep.keep_monthly, "retention.keep_monthly"),
        )
        forgotten, kept = await self._at(request.repository).forget(account, retention)
        return backups_pb2.ForgetBackupsResponse(forgotten=forgotten, kept=kept)

    async def PruneRepository(
        self, request: backups_pb2.PruneRepositoryRequest, context: Context
    ) -> backups_pb2.PruneRepositoryResponse:
        await self._at(request.repository).prune()
        return backups_pb2.PruneRepositoryResponse()

    async def CreateBackupRepository(
        self, request: backups_pb2.CreateBackupRepositoryRequest, context: Context
    ) -> backups_pb2.CreateBackupRepositoryResponse:
        remote, given = _remote(request, self._names)
        created = await self._backups.remotes.create(remote, given)
        return backups_pb2.CreateBackupRepositoryResponse(repository=_repository(created))

    async def ListBackupRepositories(
        self, request: backups_pb2.ListBackupRepositoriesRequest, context: Context
    ) -> backups_pb2.ListBackupRepositoriesResponse:
        listed = self._backups.remotes.list()
        return backups_pb2.ListBackupRepositoriesResponse(
            repositories=[_repository(remote) for remote in listed]
        )

    async def DeleteBackupRepository(
        self, request: backups_pb2.DeleteBackupRepositoryRequest, context: Context
    ) -> backups_pb2.DeleteBackupRepositoryResponse:
        self._backups.remotes.delete(backups_validators.repository_name(request.name, "name"))
        return backups_pb2.DeleteBackupRepositoryResponse()

    async def BackUpPanelDatabase(
        self, request: backups_pb2.BackUpPanelDatabaseRequest, context: Context
    ) -> backups_pb2.BackUpPanelDatabaseResponse:
        dump, forgotten = await self._at(request.repository).back_up_panel()
        return backups_pb2.BackUpPanelDatabaseResponse(backup=_panel(dump), forgotten=forgotten)

    async def ListPanelDatabaseBackups(
        self, request: backups_pb2.ListPanelDatabaseBackupsRequest, context: Context
    ) -> backups_pb2.ListPanelDatabaseBackupsResponse:
        dumps = await self._at(request.repository).panel_dumps()
        return backups_pb2.ListPanelDatabaseBackupsResponse(backups=[_panel(d) for d in dumps])

    async def RestorePanelDatabase(
        self, request: backups_pb2.RestorePanelDatabaseRequest, context: Context
    ) -> backups_pb2.RestorePanelDatabaseResponse:
        dump = backups_validators.snapshot_id(request.backup_id, "backup_id")
        await self._at(request.repository).restore_panel(dump)
        return backups_pb2.RestorePanelDatabaseResponse()

    def _at(self, repository: str) -> Backups:
        if not repository:
            return self._backups
        return self._backups.at(backups_validators.repository_name(repository, "repository"))


def _remote(
    request: backups_pb2.CreateBackupRepositoryRequest, names: NameOwners
) -> tuple[Remote, Secrets]:
    given = request.repository
    name = backups_validators.repository_name(given.name, "repository.name")
    kind = given.WhichOneof("location")
    if kind == "sftp":
        sftp, field = given.sftp, "repository.sftp"
        host = backups_validators.remote_host(sftp.host, f"{field}.host")
        _not_a_tenants(names, host, f"{field}.host")
        try:
            host_key = parse_public_key(sftp.host_key).line
        except BadKey as error:
            raise InvalidArgument(f"{field}.host_key", str(error)) from None
        if bool(request.private_key) == bool(request.password):
            raise InvalidArgument("private_key", "give private_key or password, not both")
        secrets = Secrets(
            private_key=backups_validators.private_key(request.private_key, "private_key")
            if request.private_key
            else "",
            password=backups_validators.secret(request.password, "password", 1, 1024, spaces=True)
            if request.password
            else "",
        )
        remote = Remote(
            name=name,
            kind="sftp",
            host=host,
            port=backups_validators.remote_port(sftp.port, f"{field}.port"),
            user=backups_validators.remote_user(sftp.user, f"{field}.user"),
            path=backups_validators.remote_path(sftp.path, f"{field}.path", absolute=True),
            host_key=host_key,
        )
        return remote, secrets
    if kind == "s3":
        s3, field = given.s3, "repository.s3"
        endpoint = backups_validators.endpoint(s3.endpoint, f"{field}.endpoint")
        _not_a_tenants(names, endpoint.removeprefix("https://").partition(":")[0], field)
        remote = Remote(
            name=name,
            kind="s3",
            endpoint=endpoint,
            bucket=backups_validators.bucket(s3.bucket, f"{field}.bucket"),
            prefix=backups_validators.remote_path(s3.prefix, f"{field}.prefix", absolute=False)
            if s3.prefix
            else "",
            region=backups_validators.region(s3.region, f"{field}.region"),
        )
        secrets = Secrets(
            access_key_id=backups_validators.access_key_id(request.access_key_id, "access_key_id"),
            secret_access_key=backups_validators.secret(
                request.secret_access_key, "secret_access_key", 16, 128, spaces=False
            ),
        )
        return remote, secrets
    raise InvalidArgument("repository", "must set sftp or s3")


def _not_a_tenants(names: NameOwners, host: str, field: str) -> None:
    """A host name no account holds (nor one above or below it): an account serves its own
    DNS here and could point such a name at a server of its own."""
    try:
        with names.claiming([host], AccountName(""), field):
            pass
    except AlreadyExists:
        raise InvalidArgument(
            field, "is a name an account holds, or below or above one; name another host"
        ) from None


def _repository(remote: Remote) -> backups_pb2.BackupRepository:
    repository = backups_pb2.BackupRepository(
        name=remote.name, key_fingerprint=remote.key_fingerprint, secret_set=remote.secret_set
    )
    if remote.kind == "sftp":
        repository.sftp.CopyFrom(
            backups_pb2.SftpLocation(
                host=remote.host,
                port=remote.port,
                user=remote.user,
                path=remote.path,
                host_key=remote.host_key,
            )
        )
    else:
        repository.s3.CopyFrom(
            backups_pb2.S3Location(
                endpoint=remote.endpoint,
                bucket=remote.bucket,
                prefix=remote.prefix,
                region=remote.region,
            )
        )
    return repository


def _panel(dump: PanelDump) -> backups_pb2.PanelDatabaseBackup:
    time = timestamp_pb2.Timestamp()
    time.FromDatetime(dump.time)
    return backups_pb2.PanelDatabaseBackup(id=dump.id, time=time, bytes=dump.bytes)


def _source_uid(value: int) -> int | None:
    if not value:
        return None
    return backups_validators.source_uid(value, backup_layer.uid_taken(value))


def _panel_records(
    request: backups_pb2.BackUpAccountRequest, account: AccountName
) -> PanelRecords | None:
    if not request.HasField("records"):
        return None
    raw = json_format.MessageToDict(request.records, preserving_proto_field_name=True)
    return panel_records.read(raw, account)


def _records_message(records: PanelRecords) -> backups_pb2.AccountRecords:
    message = backups_pb2.AccountRecords(
        plan=records.plan,
        domains=[
            backups_pb2.RecordedDomain(name=item.name, aliases=item.aliases)
            for item in records.domains
        ],
        databases=records.databases,
        database_users=[
            backups_pb2.RecordedDatabaseUser(name=item.name, databases=item.databases)
            for item in records.database_users
        ],
    )
    for certificate in records.certificates:
        added = message.certificates.add(
            names=certificate.names, issuer=certificate.issuer, uploaded=certificate.uploaded
        )
        added.not_after.FromDatetime(certificate.not_after)
    return message


def _job(value: str) -> JobId | None:
    return backups_validators.job_id(value, "job_id") if value else None


def _what(request: backups_pb2.RestoreBackupRequest) -> backup_layer.What:
    kind = request.WhichOneof("what")
    if kind == "whole_account" and request.whole_account:
        return backup_layer.WholeAccount()
    if kind == "domain":
        return backup_layer.SiteFiles(common_validators.hostname(request.domain, "domain"))
    if kind == "database":
        account = accounts_validators.account_name(request.account, "account")
        databases_validators.database_name(request.database, account, "database")
        return backup_layer.OneDatabase(request.database)
    if kind == "path":
        return backup_layer.HomeFiles(backups_validators.home_path(request.path, "path"))
    raise InvalidArgument("what", "must set one of whole_account (true), domain, database or path")


def _targets(
    request: backups_pb2.RestoreBackupRequest, account: AccountName
) -> dict[DatabaseName, DatabaseName]:
    """Where each database goes beside: both names the account's, no target twice, and no
    target that is itself one of the databases being restored."""
    if len(request.database_targets) > _MAX_TARGETS:
        raise InvalidArgument("database_targets", f"must hold at most {_MAX_TARGETS} entries")
    targets: dict[DatabaseName, DatabaseName] = {}
    for index, target in enumerate(request.database_targets):
        field = f"database_targets[{index}]"
        source = databases_validators.database_name(
            target.backup_database, account, f"{field}.backup_database"
        )
        targets[source] = databases_validators.database_name(
            target.database, account, f"{field}.database"
        )
    if len(targets) != len(request.database_targets) or len(set(targets.values())) != len(targets):
        raise InvalidArgument("database_targets", "must not repeat a database")
    if set(targets) & set(targets.values()):
        raise InvalidArgument("database_targets", "must not load into a database being restored")
    return targets


_MAX_TARGETS: Final = 100


async def _following(
    start: Callable[[Report], Awaitable[T]],
) -> AsyncIterator[tuple[backups_pb2.Progress, T | None]]:
    """Runs the work, yielding each progress report as it comes and then the outcome with the
    last progress. The work goes on if the caller stops listening (Backups finishes it)."""
    queue: asyncio.Queue[Progress] = asyncio.Queue()
    work = asyncio.ensure_future(start(queue.put_nowait))
    last = backups_pb2.Progress()
    while not work.done() or not queue.empty():
        getting = asyncio.ensure_future(queue.get())
        await asyncio.wait({getting, work}, return_when=asyncio.FIRST_COMPLETED)
        if not getting.done():
            getting.cancel()
            continue
        last = _progress(getting.result())
        yield last, None
    yield last, work.result()


def _progress(progress: Progress) -> backups_pb2.Progress:
    return backups_pb2.Progress(
        stage=_STAGES[progress.stage],
        percent=progress.percent,
        bytes_done=progress.bytes_done,
        bytes_total=progress.bytes_total,
        files_done=progress.files_done,
        files_total=progress.files_total,
    )


def _backup(manifest: Manifest) -> backups_pb2.Backup:
    time = timestamp_pb2.Timestamp()
    time.FromDatetime(manifest.time)
    return backups_pb2.Backup(
        id=manifest.backup,
        account=manifest.account,
        time=time,
        files=manifest.files,
        bytes=manifest.bytes,
        databases=[
            backups_pb2.BackedUpDatabase(name=dump.name, dump_bytes=dump.dump_bytes)
            for dump in manifest.databases
        ],
        zones=manifest.zones,
        domains=manifest.domains,
        cron_jobs=manifest.cron_jobs,
        added_bytes=manifest.added_bytes,
        certificates=manifest.certificates,
    )


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = BackupServicer(backup_layer.backups(config), name_owners(config))
    backups_pb2_grpc.add_BackupServiceServicer_to_server(servicer, server)
