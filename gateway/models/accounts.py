"""Hosting accounts on the wire: what an administrator sends, and an account as read back with
the system's view of it (the agent's) where there is one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.models.plans import PlanName
from gateway.models.suspensions import SuspensionInfo, suspension_of
from gateway.paging import PageQuery
from gateway.store.accounts import AccountRecord, ShellName, Status
from gateway.store.plans import DEFAULT_PLAN
from gateway.validation import AccountName, Email, Password


class DiskUsage(BaseModel):
    enforced: bool = Field(
        description="False where the server does not enforce disk quotas (the sizes are null)"
    )
    used_bytes: int | None = Field(description="What all the account's files take")
    limit_bytes: int | None = Field(description="The hard limit; null: none")
    used_inodes: int | None = Field(
        default=None, description="How many files, folders and links the account owns"
    )
    inode_limit: int | None = Field(default=None, description="The hard limit; null: none")


class SystemAccount(BaseModel):
    """The account as the server has it, reported by the agent."""

    uid: int
    gid: int
    home: str
    suspended: bool
    disk: DiskUsage


class Account(BaseModel):
    name: str
    email: str | None
    shell: ShellName
    plan: str
    reseller: str | None = Field(
        default=None,
        description="The reseller whose plan the account is on (shown to administrators;"
        " null otherwise, and on an administrator's plan)",
    )
    status: Status
    suspension: SuspensionInfo | None = Field(
        default=None, description="Who suspended it and why, while it is suspended"
    )
    created_at: datetime
    updated_at: datetime
    system: SystemAccount | None = None


class AccountPage(BaseModel):
    items: list[Account]
    next_page_token: str | None


class AccountCreate(BaseModel):
    """A new account; a reseller names one of its own plans (the default plan is an
    administrator's)."""

    model_config = ConfigDict(extra="forbid")

    name: AccountName
    password: Password
    email: Email = None
    shell: ShellName = "nologin"
    plan: PlanName = DEFAULT_PLAN


class AccountUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    password: Password | None = None
    email: Email = None
    shell: ShellName | None = None
    plan: PlanName | None = None


class AccountQuery(PageQuery):
    q: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""


def account_of(
    record: AccountRecord, system: pb.Account | None = None, *, admin_view: bool = False
) -> Account:
    return Account(
        name=record.name,
        email=record.email,
        shell=record.shell,
        plan=record.plan,
        reseller=record.reseller if admin_view else None,
        status=record.status,
        suspension=suspension_of(record, admin_view=admin_view),
        created_at=record.created_at,
        updated_at=record.updated_at,
        system=None if system is None else _system_account_of(system),
    )


def _system_account_of(system: pb.Account) -> SystemAccount:
    disk = system.disk
    return SystemAccount(
        uid=system.uid,
        gid=system.gid,
        home=system.home,
        suspended=system.suspended,
        disk=DiskUsage(
            enforced=disk.enforced,
            used_bytes=disk.used_bytes if disk.enforced else None,
            limit_bytes=disk.limit_bytes or None,
            used_inodes=disk.used_inodes if disk.enforced else None,
            inode_limit=disk.inode_limit or None,
        ),
    )
