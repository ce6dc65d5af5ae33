"""CronJobService: an account's scheduled commands, installed as its crontab
(agent/system/cron/crontab.py).

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes.
"""

from __future__ import annotations

from typing import Any, Final

import grpc.aio
from jopanel.agent.cron.v1 import cron_pb2, cron_pb2_grpc

from agent import batch
from agent.config import AgentConfig
from agent.system.cron.crontab import CronJob, CronTables, cron_tables
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators import cron as cron_validators
from agent.validators.accounts import AccountName

SERVICE_NAME: Final[str] = cron_pb2.DESCRIPTOR.services_by_name["CronJobService"].full_name

_UPDATE_PATHS: Final = frozenset({"schedule", "command", "enabled"})

Context = grpc.aio.ServicerContext[Any, Any]


class CronJobServicer(cron_pb2_grpc.CronJobServiceServicer):
    def __init__(self, tables: CronTables, answers: batch.Answers) -> None:
        self._tables = tables
        self._answers = answers

    async def ListCronJobs(
        self, request: cron_pb2.ListCronJobsRequest, context: Context
    ) -> cron_pb2.ListCronJobsResponse:
        account = accounts_validators.account_name(request.account, "account")
        listed = await self._jobs_of(account)
        return cron_pb2.ListCronJobsResponse(jobs=listed.jobs, installed=listed.installed)

    async def BatchListCronJobs(
        self, request: cron_pb2.BatchListCronJobsRequest, context: Context
    ) -> cron_pb2.BatchListCronJobsResponse:
        accounts = batch.names(request.accounts, "accounts", accounts_validators.account_name)
        listed = await self._answers.each_named(
            "BatchListCronJobs",
            accounts,
            self._jobs_of,
            lambda account, why: cron_pb2.AccountCronJobs(account=account, failure=why),
        )
        return cron_pb2.BatchListCronJobsResponse(accounts=listed)

    async def _jobs_of(self, account: AccountName) -> cron_pb2.AccountCronJobs:
        jobs = await self._tables.list(account)
        return cron_pb2.AccountCronJobs(
            account=account,
            jobs=[_job(job) for job in jobs],
            installed=await self._tables.installed(account),
        )

    async def CreateCronJob(
        self, request: cron_pb2.CreateCronJobRequest, context: Context
    ) -> cron_pb2.CreateCronJobResponse:
        account = accounts_validators.account_name(request.account, "account")
        job = CronJob(
            id=cron_validators.cron_job_id(request.job.id, "job.id"),
            schedule=cron_validators.cron_schedule(request.job.schedule, "job.schedule"),
            command=cron_validators.cron_command(request.job.command, "job.command"),
            enabled=request.job.enabled,
        )
        return cron_pb2.CreateCronJobResponse(job=_job(await self._tables.put(account, job)))

    async def UpdateCronJob(
        self, request: cron_pb2.UpdateCronJobRequest, context: Context
    ) -> cron_pb2.UpdateCronJobResponse:
        account = accounts_validators.account_name(request.account, "account")
        job_id = cron_validators.cron_job_id(request.job.id, "job.id")
        paths = common_validators.field_mask(
            request.update_mask.paths, _UPDATE_PATHS, "update_mask"
        )
        # Fields outside the mask are not looked at, as AIP-134 says.
        schedule = (
            cron_validators.cron_schedule(request.job.schedule, "job.schedule")
            if "schedule" in paths
            else None
        )
        command = (
            cron_validators.cron_command(request.job.command, "job.command")
            if "command" in paths
            else None
        )
        enabled = request.job.enabled if "enabled" in paths else None
        job = await self._tables.update(
            account, job_id, schedule=schedule, command=command, enabled=enabled
        )
        return cron_pb2.UpdateCronJobResponse(job=_job(job))

    async def DeleteCronJob(
        self, request: cron_pb2.DeleteCronJobRequest, context: Context
    ) -> cron_pb2.DeleteCronJobResponse:
        account = accounts_validators.account_name(request.account, "account")
        await self._tables.delete(account, cron_validators.cron_job_id(request.id))
        return cron_pb2.DeleteCronJobResponse()


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = CronJobServicer(cron_tables(config), batch.Answers(config.max_message_bytes))
    cron_pb2_grpc.add_CronJobServiceServicer_to_server(servicer, server)


def _job(job: CronJob) -> cron_pb2.CronJob:
    return cron_pb2.CronJob(
        id=job.id, schedule=job.schedule, command=job.command, enabled=job.enabled
    )


# The wire form of a job, shared with BackupService.GetBackupSettings.
job_message = _job
