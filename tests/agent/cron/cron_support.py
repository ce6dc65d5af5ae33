"""Fixtures and helpers for the CronJobService tests: the real agent and Debian's crontab (and
cron itself for the slow test). Test modules import the fixtures they use from here."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc.aio
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.cron.v1 import cron_pb2, cron_pb2_grpc

from agent.system.cron.crontab import HEADER, RECORD_DIR, SPOOL_DIR

if TYPE_CHECKING:
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    Stub: TypeAlias = cron_pb2_grpc.CronJobServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub


@pytest.fixture(scope="session")
def cron(channel: grpc.aio.Channel) -> Stub:
    return cron_pb2_grpc.CronJobServiceStub(channel)


@pytest.fixture
async def cron_account(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    """A fresh account without a login shell: cron runs its jobs with /bin/sh all the same."""
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


@pytest.fixture
def cron_daemon(sandbox: Path) -> Iterator[stack.Cron]:
    # Cron notices a changed crontab by the spool folder's mtime, in whole seconds: a change in
    # the second of its first look (an earlier test's, say) would hide the test's own. With the
    # folder's mtime set back to 1970 before cron starts, the test's own change always differs.
    os.utime(SPOOL_DIR, (0, 0))
    daemon = stack.Cron(sandbox / "logs")
    daemon.start()
    yield daemon
    daemon.stop()


def job(
    job_id: str, schedule: str = "*/15 * * * *", command: str = "true", enabled: bool = True
) -> cron_pb2.CronJob:
    return cron_pb2.CronJob(id=job_id, schedule=schedule, command=command, enabled=enabled)


async def create(cron: Stub, account: str, spec: cron_pb2.CronJob) -> cron_pb2.CronJob:
    request = cron_pb2.CreateCronJobRequest(account=account, job=spec)
    return (await cron.CreateCronJob(request)).job


async def listed(cron: Stub, account: str) -> list[cron_pb2.CronJob]:
    return list((await cron.ListCronJobs(cron_pb2.ListCronJobsRequest(account=account))).jobs)


def update_request(
    account: str, spec: cron_pb2.CronJob, *paths: str
) -> cron_pb2.UpdateCronJobRequest:
    request = cron_pb2.UpdateCronJobRequest(account=account, job=spec)
    request.update_mask.paths.extend(paths)
    return request


def crontab_listing(account: str) -> str | None:
    """What `crontab -l -u <account>` prints, or None when the account has no crontab."""
    done = subprocess.run(
        ["crontab", "-l", "-u", account], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        assert "no crontab for" in done.stderr
        return None
    return done.stdout


def expected_crontab(*lines: tuple[str, str]) -> str:
    """The crontab the agent installs for (job id, line) pairs, in id order."""
    return HEADER + "".join(f"# job {job_id}\n{line}\n" for job_id, line in sorted(lines))


def cron_files(account: str) -> tuple[bytes | None, bytes | None]:
    """The account's spool file and the agent's record, byte for byte."""
    return _read(SPOOL_DIR / account), _read(RECORD_DIR / f"{account}.json")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
