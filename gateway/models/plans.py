"""Hosting plans on the wire: the limits an administrator sets, and a plan as read back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.store.plans import PlanRecord

PlanName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# null: unlimited; 0: none allowed.
Limit = Annotated[int | None, Field(ge=0, le=10_000_000)]
# MiB; null: unlimited. Every account needs some space for its home, so 0 is no choice here.
DiskLimit = Annotated[int | None, Field(ge=1, le=16 * 1024 * 1024)]
# Inodes (files, folders, links); null: unlimited. The home itself takes one, so not 0 either.
InodeLimit = Annotated[int | None, Field(ge=1, le=2**32 - 1)]
# Backups kept per kind (restic's --keep-daily/weekly/monthly); the agent takes up to 1000.
Keep = Annotated[int, Field(ge=0, le=1000)]
BackupSchedule = Literal["none", "daily", "weekly"]


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


class PlanCreate(PlanLimits):
    name: PlanName


class Plan(BaseModel):
    name: str
    max_domains: int | None
    max_aliases: int | None
    max_databases: int | None
    max_cron_jobs: int | None
    max_vpn_clients: int | None
    disk_quota_mb: int | None
    inode_quota: int | None
    backup_schedule: BackupSchedule
    backup_keep_daily: int
    backup_keep_weekly: int
    backup_keep_monthly: int
    max_backups_per_day: int | None
    backup_repository: str
    accounts: int = Field(description="How many accounts are on this plan")
    created_at: datetime
    updated_at: datetime


class PlanPage(BaseModel):
    items: list[Plan]
    next_page_token: str | None


def plan_of(record: PlanRecord) -> Plan:
    return Plan(
        name=record.name,
        max_domains=record.max_domains,
        max_aliases=record.max_aliases,
        max_databases=record.max_databases,
        max_cron_jobs=record.max_cron_jobs,
        max_vpn_clients=record.max_vpn_clients,
        disk_quota_mb=record.disk_quota_mb,
        inode_quota=record.inode_quota,
        backup_schedule=record.backup_schedule,
        backup_keep_daily=record.backup_keep_daily,
        backup_keep_weekly=record.backup_keep_weekly,
        backup_keep_monthly=record.backup_keep_monthly,
        max_backups_per_day=record.max_backups_per_day,
        backup_repository=record.backup_repository,
        accounts=record.accounts,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
