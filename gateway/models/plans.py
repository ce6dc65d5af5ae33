"""Hosting plans on the wire: the limits and settings an administrator sets, and a plan as read
back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gateway.store.plans import PlanRecord

PlanName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# null: unlimited; 0: none allowed.
Limit = Annotated[int | None, Field(ge=0, le=10_000_000)]
# MiB; null: unlimited. Every account needs some space for its home, so 0 is no choice here.
DiskLimit = Annotated[int | None, Field(ge=1, le=16 * 1024 * 1024)]
# Inodes (files, folders, links); null: unlimited. The home itself takes one, so not 0 either.
InodeLimit = Annotated[int | None, Field(ge=1, le=2**32 - 1)]


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
    ssh_shell: StrictBool = Field(
        default=False,
        description="Whether its accounts that have a login shell (bash or sh) get it over SSH,"
        " not chrooted; false (the default): SFTP only, chrooted to their home. A change"
        " applies to every account on the plan at once; sessions already open are not ended",
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
    ssh_shell: bool
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
        ssh_shell=record.ssh_shell,
        accounts=record.accounts,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
