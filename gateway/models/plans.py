"""Hosting plans on the wire: the limits and settings an administrator sets, and a plan as read
back."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gateway.store.plans import PlanRecord
from jopanel_rules.web import PHP_MAX_CHILDREN_MAX, PHP_MAX_CHILDREN_MIN, PHP_SETTING_RANGES

PLAN_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
PlanName = Annotated[str, Field(pattern=f"^{PLAN_NAME.pattern}$")]
# null: unlimited; 0: none allowed.
Limit = Annotated[int | None, Field(ge=0, le=10_000_000)]
# MiB; null: unlimited. Every account needs some space for its home, so 0 is no choice here.
DiskLimit = Annotated[int | None, Field(ge=1, le=16 * 1024 * 1024)]
# Inodes (files, folders, links); null: unlimited. The home itself takes one, so not 0 either.
InodeLimit = Annotated[int | None, Field(ge=1, le=2**32 - 1)]
# Backups kept per kind (restic's --keep-daily/weekly/monthly); the agent takes up to 1000.
Keep = Annotated[int, Field(ge=0, le=1000)]
BackupSchedule = Literal["none", "daily", "weekly"]


def _bound(setting: str) -> tuple[int, int]:
    low, high, _ = PHP_SETTING_RANGES[setting]
    return low, high


# A plan's upper bound of a PHP setting, within the setting's absolute range; null: its top.
_MEMORY, _UPLOAD = _bound("memory_limit_mb"), _bound("post_max_size_mb")
_SECONDS, _VARS = _bound("max_execution_time_seconds"), _bound("max_input_vars")
MemoryBound = Annotated[int | None, Field(ge=_MEMORY[0], le=_MEMORY[1])]
UploadBound = Annotated[int | None, Field(ge=_UPLOAD[0], le=_UPLOAD[1])]
SecondsBound = Annotated[int | None, Field(ge=_SECONDS[0], le=_SECONDS[1])]
VarsBound = Annotated[int | None, Field(ge=_VARS[0], le=_VARS[1])]
ChildrenBound = Annotated[int | None, Field(ge=PHP_MAX_CHILDREN_MIN, le=PHP_MAX_CHILDREN_MAX)]


class PlanLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_domains: Limit = None
    max_aliases: Limit = Field(default=None, description="Aliases per domain")
    max_databases: Limit = None
    max_cron_jobs: Limit = None
    max_vpn_clients: Limit = Field(
        default=0,
        description="VPN clients each account may hold; 0 (the default): no VPN; null: unlimited",
    )
    disk_quota_mb: DiskLimit = Field(
        default=None,
        description="MiB that all the account's files may take, kept by the server's disk"
        " quotas; at least 1, null for unlimited",
    )
    inode_quota: InodeLimit = Field(
        default=None,
        description="How many files, folders and links the account may own, kept by the same"
        " disk quotas (so millions of empty files cannot fill the server); at least 1, null for"
        " unlimited",
    )
    backup_schedule: BackupSchedule = Field(
        default="daily",
        description="When the server backs each account up on its own: none, daily or weekly",
    )
    backup_keep_daily: Keep = Field(
        default=7, description="Backups kept: the newest of each of this many last days"
    )
    backup_keep_weekly: Keep = Field(
        default=4, description="And the newest of each of this many last weeks"
    )
    backup_keep_monthly: Keep = Field(
        default=6, description="And the newest of each of this many last months"
    )
    max_backups_per_day: Annotated[int | None, Field(ge=0, le=1000)] = Field(
        default=3,
        description="Backups an owner may start in 24 hours; null: unlimited; 0: none"
        " (administrators' and scheduled backups are not counted)",
    )
    backup_repository: Annotated[str, Field(pattern=r"^([a-z][a-z0-9-]{0,31})?$")] = Field(
        default="",
        description="Where scheduled backups go: empty for the server's own repository, or a"
        " remote one's name (GET /api/v1/backup-repositories)",
    )

    max_php_memory_mb: MemoryBound = Field(
        default=None, description="The highest memory_limit (MiB) a site's PHP may be given"
    )
    max_php_upload_mb: UploadBound = Field(
        default=None,
        description="The highest upload_max_filesize and post_max_size (MiB) of a site's PHP",
    )
    max_php_execution_seconds: SecondsBound = Field(
        default=None, description="The highest max_execution_time (seconds) of a site's PHP"
    )
    max_php_input_vars: VarsBound = Field(
        default=None, description="The highest max_input_vars of a site's PHP"
    )
    max_php_children: ChildrenBound = Field(
        default=None,
        description="The most PHP workers (pm.max_children) each PHP pool of an account may run",
    )
    log_retention_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=14, description="Days of rotated site logs kept (access and PHP error logs)"
    )
    ssh_shell: StrictBool = Field(
        default=False,
        description="Whether its accounts that have a login shell (bash or sh) get it over SSH,"
        " not chrooted; false (the default): SFTP only, chrooted to their home. A change"
        " applies to every account on the plan at once; sessions already open are not ended",
    )
    php_open_basedir: StrictBool = Field(
        default=True,
        description="Whether its accounts' PHP scripts may open files only in the account's"
        " home (open_basedir); false, for trusted customers, saves about a sixth of a small"
        " page's PHP time, and the account's own user still keeps its scripts from other"
        " accounts' files. A change applies to every account on the plan at once. A"
        " reseller's plans keep it on",
    )
    php_static_pools: StrictBool = Field(
        default=False,
        description="Whether its accounts may set their PHP pools to pm static: all their"
        " workers always running, at the memory of each while idle, so no request waits for one"
        " to start. Refused (409) while an account on the plan has such pools. A reseller's"
        " plans do not grant it",
    )


class PlanCreate(PlanLimits):
    name: Annotated[
        PlanName,
        Field(description="A reseller's plan names start with its own name and '_' (bob_gold)"),
    ]


class Plan(BaseModel):
    name: str
    reseller: str | None = Field(
        description="The reseller whose plan it is (only it and administrators see it); null:"
        " an administrator's"
    )
    max_domains: int | None
    max_aliases: int | None
    max_databases: int | None
    max_cron_jobs: int | None
    max_vpn_clients: int | None
    disk_quota_mb: int | None
    inode_quota: int | None
    max_php_memory_mb: int | None
    max_php_upload_mb: int | None
    max_php_execution_seconds: int | None
    max_php_input_vars: int | None
    max_php_children: int | None
    log_retention_days: int
    backup_schedule: BackupSchedule
    backup_keep_daily: int
    backup_keep_weekly: int
    backup_keep_monthly: int
    max_backups_per_day: int | None
    backup_repository: str
    ssh_shell: bool
    php_open_basedir: bool
    php_static_pools: bool
    accounts: int = Field(description="How many accounts are on this plan")
    created_at: datetime
    updated_at: datetime


class PlanPage(BaseModel):
    items: list[Plan]
    next_page_token: str | None


def plan_of(record: PlanRecord) -> Plan:
    return Plan(
        name=record.name,
        reseller=record.reseller,
        max_domains=record.max_domains,
        max_aliases=record.max_aliases,
        max_databases=record.max_databases,
        max_cron_jobs=record.max_cron_jobs,
        max_vpn_clients=record.max_vpn_clients,
        disk_quota_mb=record.disk_quota_mb,
        inode_quota=record.inode_quota,
        max_php_memory_mb=record.max_php_memory_mb,
        max_php_upload_mb=record.max_php_upload_mb,
        max_php_execution_seconds=record.max_php_execution_seconds,
        max_php_input_vars=record.max_php_input_vars,
        max_php_children=record.max_php_children,
        log_retention_days=record.log_retention_days,
        backup_schedule=record.backup_schedule,
        backup_keep_daily=record.backup_keep_daily,
        backup_keep_weekly=record.backup_keep_weekly,
        backup_keep_monthly=record.backup_keep_monthly,
        max_backups_per_day=record.max_backups_per_day,
        backup_repository=record.backup_repository,
        ssh_shell=record.ssh_shell,
        php_open_basedir=record.php_open_basedir,
        php_static_pools=record.php_static_pools,
        accounts=record.accounts,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
