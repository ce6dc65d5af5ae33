"""Retention (ForgetBackups, PruneRepository) and cancel (CancelBackupJob), through the agent's
socket with real restic (sandbox only); the retention rule on its own (no sandbox needed)."""

from __future__ import annotations

import datetime
import json
import os
import pwd
import secrets
import subprocess
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.backups.v1 import backups_pb2

from agent.system.backups.backups import Retention, kept_backups
from tests.agent.backups.backup_support import (
    back_up,
    backup_account,
    backups,
    hostile_backup,
    hostile_tree,
    restic,
)
from tests.agent.support import as_account, field_errors, rpc_error

if TYPE_CHECKING:
    from tests.agent.backups.backup_support import Stub

__all__ = ["backup_account", "backups"]  # fixtures, used by name

UTC = datetime.UTC


def at(day: int, hour: int = 3, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=UTC)


def test_the_newest_backup_of_each_day_week_and_month_is_kept() -> None:
    times = {
        "nov30-late": at(30, 22),
        "nov30-early": at(30, 1),
        "nov29": at(29),
        "nov28": at(28),
        "nov22": at(22),  # a Sunday: ISO week 47
        "nov15": at(15),
        "oct31": at(31, month=10),
        "oct01": at(1, month=10),
        "sep10": at(10, month=9),
    }
    kept = kept_backups(times, Retention(daily=2, weekly=2, monthly=3))
    # days: nov30, nov29; weeks: 49 (nov30), 48 (nov28... newest of the week is nov29);
    # months: nov (nov30), oct (oct31), sep (sep10)
    assert kept == {"nov30-late", "nov29", "oct31", "sep10"}


def test_the_newest_backup_is_kept_whatever_the_retention() -> None:
    times = {"a": at(1), "b": at(2)}
    assert kept_backups(times, Retention(0, 0, 0)) == {"b"}
    assert kept_backups({}, Retention(7, 4, 6)) == set()


async def test_forget_keeps_what_the_retention_says_and_drops_unfinished_parts(
    backups: Stub, backup_account: str
) -> None:
    _, first = await back_up(backups, backup_account)
    _, second = await back_up(backups, backup_account)
    uid = pwd.getpwnam(backup_account).pw_uid
    # Parts of a backup that never finished (no settings snapshot): a cancelled or killed one.
    unfinished = secrets.token_hex(16)
    tags = f"jopanel,account={backup_account},uid={uid},backup={unfinished},part=database=x"
    restic("backup", "--host", "jopanel", "--tag", tags, "--stdin", stdin=b"-- partial")

    request = backups_pb2.ForgetBackupsRequest(
        account=backup_account, retention=backups_pb2.Retention(keep_daily=1)
    )
    reply = await backups.ForgetBackups(request)

    assert sorted(reply.forgotten) == sorted([first.id, unfinished])
    assert reply.kept == 1
    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=backup_account))
    assert [backup.id for backup in listed.backups] == [second.id]
    remaining = json.loads(restic("snapshots", "--json", "--tag", f"uid={uid}"))
    assert {tag for item in remaining for tag in item["tags"] if tag.startswith("backup=")} == {
        f"backup={second.id}"
    }
    await backups.PruneRepository(backups_pb2.PruneRepositoryRequest())
    assert restic("list", "locks", "--no-lock").strip() == ""


async def test_forget_never_touches_another_accounts_backups(
    backups: Stub, backup_account: str
) -> None:
    """An account named just like this one but longer (its name a prefix of the other's) or
    one made later with a deleted one's name: tags match whole, uid included."""
    _, mine = await back_up(backups, backup_account)
    with hostile_tree(backup_account) as view:
        # A backup tagged with this account's name but another uid: not this account's.
        other = hostile_backup(backup_account, view)
    snapshots = json.loads(restic("snapshots", "--json", "--tag", f"backup={other}"))
    for snapshot in snapshots:
        restic("tag", "--set", f"jopanel,account={backup_account},uid=1,backup={other},part=x",
               snapshot["id"])  # fmt: skip
    request = backups_pb2.ForgetBackupsRequest(
        account=backup_account, retention=backups_pb2.Retention()
    )
    reply = await backups.ForgetBackups(request)
    assert other not in reply.forgotten
    assert json.loads(restic("snapshots", "--json", "--tag", f"backup={other}"))
    assert mine.id not in reply.forgotten  # the newest stays


@pytest.mark.parametrize(
    ("retention", "field"),
    [
        (backups_pb2.Retention(keep_daily=1001), "retention.keep_daily"),
        (backups_pb2.Retention(keep_weekly=2**32 - 1), "retention.keep_weekly"),
        (backups_pb2.Retention(keep_monthly=100_000), "retention.keep_monthly"),
    ],
)
async def test_a_huge_retention_is_refused(
    backups: Stub, backup_account: str, retention: backups_pb2.Retention, field: str
) -> None:
    request = backups_pb2.ForgetBackupsRequest(account=backup_account, retention=retention)
    assert [path for path, _ in await field_errors(backups.ForgetBackups(request))] == [field]


@pytest.mark.parametrize("job_id", ["../" * 10, "A" * 32, "0" * 31, "0" * 33, "0" * 10_000])
async def test_a_job_id_that_is_not_32_hex_digits_is_refused(
    backups: Stub, backup_account: str, job_id: str
) -> None:
    request = backups_pb2.CancelBackupJobRequest(account=backup_account, job_id=job_id)
    assert [path for path, _ in await field_errors(backups.CancelBackupJob(request))] == ["job_id"]
    start = backups_pb2.BackUpAccountRequest(account=backup_account, job_id=job_id)
    assert [path for path, _ in await field_errors(anext(aiter(backups.BackUpAccount(start))))] == [
        "job_id"
    ]


async def test_a_running_backup_is_cancelled_and_restic_leaves_no_lock(
    backups: Stub, backup_account: str
) -> None:
    home = pwd.getpwnam(backup_account).pw_dir
    # Enough data that restic is still reading it when its first status line arrives.
    for index in range(4):
        path = f"{home}/data/{index}.bin"
        subprocess.run(as_account(backup_account, ["mkdir", "-p", f"{home}/data"]), check=True)
        subprocess.run(as_account(backup_account, ["tee", path]), input=os.urandom(40 << 20),
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    job = secrets.token_hex(16)
    stream = backups.BackUpAccount(
        backups_pb2.BackUpAccountRequest(account=backup_account, job_id=job)
    )

    async def cancel_once_restic_reads() -> None:
        asked = False
        async for response in stream:
            progress = response.progress
            if not asked and progress.stage == backups_pb2.STAGE_FILES and progress.bytes_done:
                asked = True
                # Another account cannot cancel it with the same job id.
                other = backups_pb2.CancelBackupJobRequest(account="nobodyx", job_id=job)
                assert not (await backups.CancelBackupJob(other)).cancelled
                mine = backups_pb2.CancelBackupJobRequest(account=backup_account, job_id=job)
                assert (await backups.CancelBackupJob(mine)).cancelled
                assert not (await backups.CancelBackupJob(mine)).cancelled  # once is enough

    code, _ = await rpc_error(cancel_once_restic_reads())
    assert code == grpc.StatusCode.CANCELLED
    assert restic("list", "locks", "--no-lock").strip() == ""
    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=backup_account))
    assert list(listed.backups) == []
    _, backup = await back_up(backups, backup_account)  # the repository is not left locked
    assert backup.files >= 4


async def test_a_queued_backup_is_cancelled_and_the_running_one_goes_on(
    backups: Stub, backup_account: str
) -> None:
    running = backups.BackUpAccount(backups_pb2.BackUpAccountRequest(account=backup_account))
    started = await anext(aiter(running))
    assert started.progress.stage != backups_pb2.STAGE_QUEUED  # it holds the lock
    job = secrets.token_hex(16)
    queued = backups.BackUpAccount(
        backups_pb2.BackUpAccountRequest(account=backup_account, job_id=job)
    )
    first = await anext(aiter(queued))
    assert first.progress.stage == backups_pb2.STAGE_QUEUED
    request = backups_pb2.CancelBackupJobRequest(account=backup_account, job_id=job)
    assert (await backups.CancelBackupJob(request)).cancelled
    code, _ = await rpc_error(_drain(queued))
    assert code == grpc.StatusCode.CANCELLED
    responses = [response async for response in running]
    assert responses[-1].backup.id
    assert not (await backups.CancelBackupJob(request)).cancelled  # it ended: nothing to cancel


async def _drain(stream: object) -> None:
    async for _ in stream:  # type: ignore[attr-defined]
        pass
