"""Jobs and backups on the wire: what a client sends and gets back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from jopanel.agent.backups.v1 import backups_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.models.plans import PlanName
from gateway.paging import PageQuery
from gateway.store.jobs import JobRecord, Kind, Origin, State
from gateway.validation import AccountName, Password

# A remote repository's name; empty: the server's local repository.
RepositoryName = Annotated[str, Field(max_length=32, pattern=r"^([a-z][a-z0-9-]{0,31})?$")]
_REPOSITORY = "The repository: empty for the server's own, or a remote one's name"
# A backup's id, as the agent makes it.
BackupId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", min_length=32, max_length=32)]


class JobQuery(PageQuery):
    account: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""


class Job(BaseModel):
    id: str
    account: str
    kind: Kind
    state: State = Field(description="queued, running, then succeeded, failed or cancelled")
    stage: str = Field(
        description="A backup or restore: files, databases, settings or done ('' before). A"
        " certificate order: queued, preflight, ordering, validating, installing, then done or"
        " failed (the reason in `error`)"
    )
    percent: int = Field(description="0 to 100, of the current stage")
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    subject: str = Field(
        description="What it acts on: for a restore, the backup's id; for an extraction, the "
        "archive's path"
    )
    result: str = Field(
        description="What it made: a backup's id, the folder a restore or an extraction wrote "
        "or the archive made (paths in the home)"
    )
    error: str = Field(description="Why it failed; empty otherwise")
    created_by: str
    origin: Origin = Field(description="Who started it: owner, admin or schedule")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[Job]
    next_page_token: str | None


def job_of(record: JobRecord) -> Job:
    return Job(
        id=record.public_id,
        account=record.account,
        kind=record.kind,
        state=record.state,
        stage=record.stage,
        percent=record.percent,
        bytes_done=record.bytes_done,
        bytes_total=record.bytes_total,
        files_done=record.files_done,
        files_total=record.files_total,
        subject=record.subject,
        result=record.result,
        error=record.error,
        created_by=record.created_by,
        origin=record.origin,
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
    )


class BackupStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners back up their own"
    )
    repository: RepositoryName = Field(default="", description=_REPOSITORY)


class BackupQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""
    repository: RepositoryName = Field(default="", description=_REPOSITORY)


def backup_of(backup: pb.Backup) -> Backup:
    return Backup(
        id=backup.id,
        account=backup.account,
        time=backup.time.ToDatetime(tzinfo=UTC),
        files=backup.files,
        bytes=backup.bytes,
        databases=[
            BackedUpDatabase(name=item.name, dump_bytes=item.dump_bytes)
            for item in backup.databases
        ],
        zones=list(backup.zones),
        domains=list(backup.domains),
        cron_jobs=backup.cron_jobs,
        added_bytes=backup.added_bytes,
    )


class BackedUpDatabase(BaseModel):
    name: str
    dump_bytes: int


class Backup(BaseModel):
    id: str
    account: str
    time: datetime
    files: int
    bytes: int
    databases: list[BackedUpDatabase]
    zones: list[str]
    domains: list[str]
    cron_jobs: int
    added_bytes: int = Field(description="What it added to the repository after deduplication")


class BackupList(BaseModel):
    items: list[Backup] = Field(description="Newest first")


class RestoreStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners restore their own"
    )
    what: Literal["account", "domain", "database", "path"] = Field(
        description="The whole account (files, databases, crontab), one site's files, one "
        "database, or one folder or file of the home"
    )
    name: Annotated[str, Field(max_length=4096)] = Field(
        default="",
        description="The domain, database or path (relative to the home); empty for account",
    )
    placement: Literal["in_place", "beside"] = Field(
        default="beside",
        description="beside: into a new folder restored-<time> of the home (a database into a "
        "new database); in_place: over what is there now",
    )
    repository: RepositoryName = Field(default="", description=_REPOSITORY)


class RepositoryAccountQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repository: RepositoryName = Field(default="", description=_REPOSITORY)


class RepositoryAccount(BaseModel):
    account: str = Field(description="The account's name in its backups")
    uid: int = Field(description="The uid its backups were made under (on its own server)")
    name_taken: bool = Field(
        description="An account of this name exists here: it cannot be restored under that"
        " name until that one is gone"
    )
    backups: list[Backup] = Field(description="Newest first")


class RepositoryAccountList(BaseModel):
    items: list[RepositoryAccount] = Field(description="By name")


def repository_account_of(item: pb.RepositoryAccount) -> RepositoryAccount:
    return RepositoryAccount(
        account=item.account,
        uid=item.uid,
        name_taken=item.name_taken,
        backups=[backup_of(backup) for backup in item.backups],
    )


class AccountRestoreStart(BaseModel):
    """A whole account from a repository onto this server, which does not know it."""

    model_config = ConfigDict(extra="forbid")
    uid: Annotated[int, Field(ge=1000, le=2**31 - 1)] = Field(
        description="The uid its backups were made under, as the listing shows it"
    )
    backup_id: BackupId
    repository: RepositoryName = Field(default="", description=_REPOSITORY)
    plan: PlanName | None = Field(
        default=None, description="The plan to put it on; default: the backup's plan's name"
    )
    password: Password = Field(description="The owner's new password (a backup holds no password)")
