"""Resellers on the wire: the totals an administrator gives, and a reseller as read back with
what its accounts reserve of them (docs/resellers.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gateway.store.resellers import ResellerRecord, Reserved
from gateway.validation import AccountName, Email, Password

# null: unlimited; 0: none allowed.
Total = Annotated[int | None, Field(ge=0, le=10_000_000)]
DiskTotal = Annotated[int | None, Field(ge=0, le=1024 * 1024 * 1024)]


class ResellerTotals(BaseModel):
    """What all the accounts on the reseller's plans may reserve together; each account
    reserves its plan's limits (no over-commit). null: unlimited; 0: none."""

    model_config = ConfigDict(extra="forbid")

    max_accounts: Total = Field(default=None, description="Accounts, in all")
    disk_quota_mb: DiskTotal = Field(
        default=None, description="MiB of disk: the sum of the accounts' plans' disk quotas"
    )
    max_domains: Total = Field(
        default=None, description="Domains: the sum of the accounts' plans' max_domains"
    )
    max_databases: Total = Field(
        default=None, description="Databases: the sum of the accounts' plans' max_databases"
    )


class ResellerCreate(ResellerTotals):
    name: AccountName
    password: Password
    email: Email = None


class ResellerUpdate(ResellerTotals):
    """Only the fields sent are changed."""

    password: Password | None = None
    email: Email = None


class ResellerReserved(BaseModel):
    """What the accounts on the reseller's plans reserve of each total (null: some account's
    plan is unlimited in it)."""

    max_accounts: int
    disk_quota_mb: int | None
    max_domains: int | None
    max_databases: int | None


class ResellerSuspension(BaseModel):
    user: str | None = Field(description="The administrator who suspended it")
    reason: str | None
    at: datetime | None


class Reseller(BaseModel):
    name: str
    email: str | None
    max_accounts: int | None
    disk_quota_mb: int | None
    max_domains: int | None
    max_databases: int | None
    reserved: ResellerReserved
    plans: int = Field(description="How many plans the reseller has")
    created_at: datetime
    updated_at: datetime
    suspension: ResellerSuspension | None = Field(
        default=None,
        description="Who suspended the reseller and why, while it is suspended (it cannot sign"
        " in, and the accounts on its plans are suspended with it)",
    )


class ResellerPage(BaseModel):
    items: list[Reseller]
    next_page_token: str | None


class AccountNotDone(BaseModel):
    name: str = Field(description="The account, left as it was")
    detail: str = Field(description="What the agent answered")


class ResellerCascade(BaseModel):
    """A reseller suspended or resumed with its accounts."""

    reseller: Reseller
    accounts: list[str] = Field(description="The accounts suspended or resumed with it")
    not_done: list[AccountNotDone] = Field(
        description="Accounts the agent refused, left as they were: the same call again does them"
    )


def reseller_of(record: ResellerRecord, reserved: Reserved) -> Reseller:
    return Reseller(
        name=record.name,
        email=record.email,
        max_accounts=record.max_accounts,
        disk_quota_mb=record.disk_quota_mb,
        max_domains=record.max_domains,
        max_databases=record.max_databases,
        reserved=ResellerReserved(
            max_accounts=reserved.max_accounts,
            disk_quota_mb=reserved.disk_quota_mb,
            max_domains=reserved.max_domains,
            max_databases=reserved.max_databases,
        ),
        plans=record.plans,
        created_at=record.created_at,
        updated_at=record.updated_at,
        suspension=_suspension_of(record),
    )


def _suspension_of(record: ResellerRecord) -> ResellerSuspension | None:
    if record.status != "suspended":
        return None
    return ResellerSuspension(
        user=record.suspended_by_user, reason=record.suspension_reason, at=record.suspended_at
    )
