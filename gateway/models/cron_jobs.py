"""Cron jobs on the wire: what a client sends and gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gateway.paging import PageQuery
from gateway.store.cron_jobs import CronJobRecord, Status
from gateway.validation import AccountName, CronCommand, Schedule


class CronJobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: Schedule = Field(examples=["*/15 * * * *", "@daily"])
    command: CronCommand = Field(description="Run with /bin/sh as the account; % is literal")
    enabled: bool = True
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )


class CronJobUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: Schedule | None = None
    command: CronCommand | None = None
    enabled: bool | None = None


class CronJobQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class CronJob(BaseModel):
    id: str
    account: str
    schedule: str
    command: str
    enabled: bool
    status: Status
    created_at: datetime
    updated_at: datetime


class CronJobPage(BaseModel):
    items: list[CronJob]
    next_page_token: str | None


def cron_job_of(record: CronJobRecord) -> CronJob:
    return CronJob(
        id=record.public_id,
        account=record.account,
        schedule=record.schedule,
        command=record.command,
        enabled=record.enabled,
        status=record.status,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
