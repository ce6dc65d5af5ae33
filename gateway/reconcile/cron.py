"""Cron jobs: each account's installed jobs and crontab against the job records."""

from __future__ import annotations

from jopanel.agent.cron.v1 import cron_pb2 as cron_pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.reconcile.base import RunBase
from gateway.store import cron_jobs
from gateway.store import reconcile as records
from gateway.store.reconcile import RecordedCronJob


class CronChecks(RunBase):
    async def cron_jobs(self, system_accounts: list[str]) -> None:
        jobs = await records.cron_jobs(self.pool)
        by_account: dict[str, list[RecordedCronJob]] = {}
        for job in jobs:
            by_account.setdefault(job.account, []).append(job)
        self.checked["cron_job"] = len(jobs)
        listed = await self.read_batches(
            "cron_job", system_accounts, self._cron_lists, lambda listed: listed.account
        )
        for account, reply in listed.items():
            await self._account_cron(account, by_account.get(account, []), reply)

    async def _cron_lists(self, accounts: list[str]) -> list[cron_pb.AccountCronJobs]:
        reply = await self.agent.cron.BatchListCronJobs(
            cron_pb.BatchListCronJobsRequest(accounts=accounts), timeout=CALL_TIMEOUT_SECONDS
        )
        return list(reply.accounts)

    async def _account_cron(
        self, account: str, jobs: list[RecordedCronJob], reply: cron_pb.AccountCronJobs
    ) -> None:
        system = {job.id: job for job in reply.jobs}
        recorded = {job.name for job in jobs}
        self.checked["cron_job"] += len(set(system) - recorded)
        reinstalled = reply.installed
        for job in jobs:
            done = await self._cron_job(job, system.get(job.name), reinstalled)
            reinstalled = reinstalled or done
        if not reinstalled:
            active = [job for job in jobs if job.status == "active"]
            if active:
                # Any put of a job installs the account's whole crontab again.
                await self.repair(
                    "cron_job", active[0].name, account,
                    "the account's crontab was removed or edited outside JoPanel",
                    "the crontab installed again from the jobs",
                    lambda: self._put_job(active[0]),
                    ("cron_job", active[0].id, "active"),
                )  # fmt: skip
            else:
                self.drift("cron_job", account, account, "the crontab differs from its jobs")
        for job_id in sorted(set(system) - recorded):
            self.drift("cron_job", job_id, account, "installed, but has no record")

    async def _cron_job(
        self, job: RecordedCronJob, system: cron_pb.CronJob | None, installed: bool
    ) -> bool:
        """Settles one job; True when it installed the account's crontab again."""
        name, account, status, job_id = job.name, job.account, job.status, job.id
        seen = ("cron_job", job_id, status)
        if status == "pending":
            if system is not None:
                await self.repair(
                    "cron_job", name, account, "pending, and the job is installed",
                    "marked active: the creation had got through",
                    lambda: cron_jobs.set_status(self.pool, job_id, "active"), seen,
                )  # fmt: skip
            else:
                return await self.create_again(
                    "cron_job", (job_id, name, account), "pending, and the job is not installed",
                    lambda: self._put_job(job),
                    lambda: cron_jobs.set_status(self.pool, job_id, "active"),
                    lambda: cron_jobs.delete(self.pool, job_id),
                )  # fmt: skip
            return False
        if status == "deleting":

            async def finish() -> None:
                await self.agent.cron.DeleteCronJob(
                    cron_pb.DeleteCronJobRequest(account=account, id=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await cron_jobs.delete(self.pool, job_id)

            await self.repair("cron_job", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
            return True
        expected = _job_spec(job)
        if system == expected:
            return False
        what = "the job is missing" if system is None else "the job differs from the record"
        return await self.repair(
            "cron_job", name, account, what, "the recorded job installed again",
            lambda: self._put_job(job), seen,
        )  # fmt: skip

    async def _put_job(self, job: RecordedCronJob) -> None:
        await self.agent.cron.CreateCronJob(
            cron_pb.CreateCronJobRequest(account=job.account, job=_job_spec(job)),
            timeout=CALL_TIMEOUT_SECONDS,
        )


def _job_spec(job: RecordedCronJob) -> cron_pb.CronJob:
    return cron_pb.CronJob(
        id=job.name, schedule=job.schedule, command=job.command, enabled=job.enabled
    )
