"""Cron jobs of accounts: the agent's record of each account's jobs, installed as its crontab.

The record (/var/lib/jopanel/cron/<account>.json, root only) is what should be installed; the
account's crontab is always written whole from it with `crontab -u <account> -`, which checks
the text with cron's own parser and writes /var/spool/cron/crontabs/<account> owned and moded as
cron expects. Every line of that text comes from a validated schedule and command (see
cron_validators.cron_schedule and cron_command), so the text holds comments and jobs and nothing
else: no environment line (SHELL=, PATH=, MAILTO=) and no job the record does not hold.

Changes run one at a time under one asyncio.Lock, and to their end even when the client hangs
up (as in users.py). A change installs the crontab first and records it after, so a failed
install changes nothing, and a crash in between leaves the old record that a retry of the same
request brings back in line (every operation is idempotent).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import os
import stat
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

from agent.config import DEFAULTS, AgentConfig
from agent.errors import FailedPrecondition, Internal, InvalidArgument, NotFound
from agent.system.accounts import users
from agent.system.base import files, process
from agent.system.base.work import Finisher
from agent.validators import cron as cron_validators
from agent.validators.accounts import AccountName
from agent.validators.cron import CronCommand, CronJobId, CronSchedule

RECORD_DIR: Final = Path("/var/lib/jopanel/cron")
SPOOL_DIR: Final = Path("/var/spool/cron/crontabs")
DIRECTORY_MODE: Final = 0o700
FILE_MODE: Final = 0o600
VERSION: Final = 1
# A bound on what one account can make the agent write (the gateway applies plan limits).
MAX_JOBS: Final = 1000
HEADER: Final = (
    "# Managed by JoPanel: this crontab is written whole from the account's cron jobs in the\n"
    "# panel, and changes made here are lost at the next change there.\n"
)


@dataclass(frozen=True)
class CronJob:
    id: CronJobId
    schedule: CronSchedule
    command: CronCommand
    enabled: bool


def render(jobs: Iterable[CronJob]) -> str:
    """The crontab of these jobs: the header, then a comment and a line for each enabled job."""
    lines = [HEADER]
    for job in sorted(jobs, key=lambda job: job.id):
        if job.enabled:
            lines.append(f"# job {job.id}\n{job.schedule} {escape_command(job.command)}\n")
    return "".join(lines)


def escape_command(command: str) -> str:
    r"""The command as cron must read it to run it as written.

    crontab(5): an unescaped '%' ends the command (the rest goes to its standard input), and
    "\%" stands for '%'. Debian's cron also reads "\\" as one backslash (and leaves a backslash
    before any other character alone), so every backslash is doubled too: a command holding
    "\%" is written "\\\%", which cron reads back as "\%".
    """
    return command.replace("\\", "\\\\").replace("%", "\\%")


P = ParamSpec("P")
T = TypeVar("T")


def _serialized(
    operation: Callable[Concatenate[CronTables, P], Awaitable[T]],
) -> Callable[Concatenate[CronTables, P], Coroutine[Any, Any, T]]:
    """Runs a change under the lock and to its end, even when its caller is cancelled: the
    record and the installed crontab must not part ways because a client hung up."""

    @functools.wraps(operation)
    async def serialized(self: CronTables, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async def locked() -> T:
            async with self._lock:
                return await operation(self, *args, **kwargs)

        return await self._finisher.run(locked())

    return serialized


DEFAULT_LIMITS: Final = DEFAULTS.limits("cron")


class CronTables:
    """Every account's cron jobs. The agent holds one instance, so one lock orders changes."""

    def __init__(
        self,
        record_dir: Path = RECORD_DIR,
        spool_dir: Path = SPOOL_DIR,
        limits: process.Limits = DEFAULT_LIMITS,
    ) -> None:
        self._record_dir = record_dir
        self._spool_dir = spool_dir
        self._limits = limits
        self._lock = asyncio.Lock()
        self._removing: set[AccountName] = set()  # accounts being deleted: no new jobs
        self._finisher = Finisher()  # see _serialized

    async def list(self, account: AccountName) -> list[CronJob]:
        """The account's jobs in id order (no lock: the record is replaced atomically)."""
        _require_account(account)
        return sorted(self._load(account).values(), key=lambda job: job.id)

    async def installed(self, account: AccountName) -> bool:
        """Whether the account's crontab is the one its record makes: a crontab removed or
        edited by hand reads False, and the gateway's reconcile installs it again."""
        _require_account(account)
        jobs = self._load(account)
        if not jobs:
            return True
        try:
            text = (self._spool_dir / account).read_text()
        except FileNotFoundError:
            return False
        # crontab(1) puts its own "# DO NOT EDIT" comment lines above what it was given.
        start = text.find(HEADER)
        above = text[:start].splitlines() if start >= 0 else ["(no header)"]
        return all(line.startswith("#") for line in above) and text[start:] == render(jobs.values())

    @_serialized
    async def put(self, account: AccountName, job: CronJob) -> CronJob:
        """Creates the job, or replaces the account's job of that id."""
        self._require_account(account)
        jobs = self._load(account)
        if job.id not in jobs and len(jobs) >= MAX_JOBS:
            raise FailedPrecondition(f"account {account} has {MAX_JOBS} cron jobs, the most")
        jobs[job.id] = job
        await self._install(account, jobs)
        return job

    @_serialized
    async def update(
        self,
        account: AccountName,
        job_id: CronJobId,
        *,
        schedule: CronSchedule | None,
        command: CronCommand | None,
        enabled: bool | None,
    ) -> CronJob:
        """Applies the given fields; None leaves a field as it is."""
        self._require_account(account)
        jobs = self._load(account)
        current = jobs.get(job_id)
        if current is None:
            raise NotFound(f"cron job {job_id} does not exist")
        changed = dataclasses.replace(
            current,
            schedule=current.schedule if schedule is None else schedule,
            command=current.command if command is None else command,
            enabled=current.enabled if enabled is None else enabled,
        )
        jobs[job_id] = changed
        await self._install(account, jobs)
        return changed

    @_serialized
    async def delete(self, account: AccountName, job_id: CronJobId) -> None:
        """Removes the job; a job the account does not have is fine."""
        jobs = self._load(account)
        if job_id not in jobs:
            return
        _require_account(account)
        del jobs[job_id]
        await self._install(account, jobs)

    @asynccontextmanager
    async def removal(self, account: AccountName) -> AsyncIterator[None]:
        """Removes the account's crontab and record (AccountService, before deleting it), then
        refuses new jobs for it while the account goes, so that none is installed in between.

        A crontab must not outlive its account: cron would run it for the next user that gets
        the name. The lock is not held while the account goes (userdel may take up to its own
        timeout): other accounts' jobs do not wait for it."""
        self._removing.add(account)
        try:
            async with self._lock:
                if users.is_account(account):
                    # Through crontab, which tells cron; it says "no crontab for" when none
                    # exists.
                    argv = ["crontab", "-u", account, "-r"]
                    await process.run(argv, ok_codes=(0, 1), limits=self._limits)
                # Whatever is left (the user is gone already, after a deletion cut short).
                (self._spool_dir / account).unlink(missing_ok=True)
                self._record(account).unlink(missing_ok=True)
                files.sync_directory(self._spool_dir)
                if self._record_dir.is_dir():
                    files.sync_directory(self._record_dir)
            yield
        finally:
            self._removing.discard(account)

    def _require_account(self, account: AccountName) -> None:
        """The account exists and is not being deleted (checked under the lock, see removal)."""
        if account in self._removing:
            raise FailedPrecondition(f"account {account} is being deleted")
        _require_account(account)

    async def _install(self, account: AccountName, jobs: dict[CronJobId, CronJob]) -> None:
        text = render(jobs.values())
        # "-u name -": the name cannot be taken for an option (validated: it starts with a-z).
        argv = ["crontab", "-u", account, "-"]
        await process.run(argv, stdin=text.encode(), limits=self._limits)
        # crontab renames its file into place without fsync; the change is durable before the
        # record that follows it, and before the RPC answers.
        _sync_file(self._spool_dir / account)
        files.sync_directory(self._spool_dir)
        self._save(account, jobs)

    def _record(self, account: AccountName) -> Path:
        return self._record_dir / f"{account}.json"

    def _load(self, account: AccountName) -> dict[CronJobId, CronJob]:
        """The account's record; missing means no jobs, damaged stops every change."""
        path = self._record(account)
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise Internal("a cron job record is unreadable", detail=f"{path}: {error}") from None
        try:
            jobs = [_job_from(entry) for entry in _entries(data)]
        except (InvalidArgument, KeyError, TypeError, ValueError):
            raise Internal("a cron job record is damaged", detail=str(path)) from None
        return {job.id: job for job in jobs}

    def _save(self, account: AccountName, jobs: dict[CronJobId, CronJob]) -> None:
        _ensure_directory(self._record_dir)
        entries = [dataclasses.asdict(job) for job in sorted(jobs.values(), key=lambda j: j.id)]
        document = {"version": VERSION, "account": account, "jobs": entries}
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        files.write_atomic(self._record(account), text, FILE_MODE)


def _entries(data: Any) -> list[Any]:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("unknown format")
    jobs = data["jobs"]
    if not isinstance(jobs, list):
        raise TypeError("jobs")
    return jobs


def _job_from(entry: Any) -> CronJob:
    """Each job passes the validators again: the file decides what lands in a crontab."""
    if not isinstance(entry, dict) or not isinstance(entry["enabled"], bool):
        raise TypeError("job")
    return CronJob(
        id=cron_validators.cron_job_id(entry["id"]),
        schedule=cron_validators.cron_schedule(entry["schedule"]),
        command=cron_validators.cron_command(entry["command"]),
        enabled=entry["enabled"],
    )


def _sync_file(path: Path) -> None:
    """fsync of a file root does not own, opened without following a link or blocking."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _require_account(account: AccountName) -> None:
    if not users.is_account(account):
        raise FailedPrecondition(f"account {account} does not exist; create it first")


def _ensure_directory(directory: Path) -> None:
    """Root's own directory: created 0700, and refused when anyone else could write to it."""
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise Internal(f"{directory} must be a directory that only root can write to")


@functools.cache
def cron_tables(config: AgentConfig) -> CronTables:
    """The one CronTables of the agent: CronJobService and AccountService (which removes an
    account's crontab before deleting it) share its lock."""
    return CronTables(limits=config.limits("cron"))
