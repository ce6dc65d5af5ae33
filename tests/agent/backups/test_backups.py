"""BackupService through the agent's socket with real restic, MariaDB and crontab (sandbox
only): a backup's progress and contents, and restores of each kind compared with what was
backed up."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2
from jopanel.agent.cron.v1 import cron_pb2, cron_pb2_grpc
from jopanel.agent.databases.v1 import databases_pb2_grpc

from agent.system.backups.repository import Layout
from tests.agent.backups.backup_support import (
    back_up,
    backup_account,
    backups,
    restic,
    restore,
    tree_of,
)
from tests.agent.databases.db_support import create_database, databases
from tests.agent.support import as_account, field_errors, rpc_error

if TYPE_CHECKING:
    from collections.abc import Callable

    import grpc.aio

    from tests.agent.backups.backup_support import AccountStub, Stub

__all__ = ["backup_account", "backups", "databases"]  # fixtures, used by name


def in_database(database: str, statement: str) -> list[str]:
    """Runs SQL as MariaDB's root in the database; the output's lines."""
    argv = ["mariadb", "--no-defaults", f"--socket={stack.MARIADB_SOCKET}", "--batch"]
    argv += ["--skip-column-names", "--raw", f"--database={database}", "--execute", statement]
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.splitlines()


def write_as(account: str, path: str, content: bytes, mode: int) -> None:
    """A file the account writes itself, as its PHP or its shell would."""
    subprocess.run(as_account(account, ["mkdir", "-p", os.path.dirname(path)]), check=True)
    subprocess.run(as_account(account, ["tee", path]), input=content, check=True, stdout=-3)
    subprocess.run(as_account(account, ["chmod", f"{mode:o}", path]), check=True)


def fill(account: str) -> Path:
    home = Path(pwd.getpwnam(account).pw_dir)
    write_as(account, f"{home}/web/site.example/public_html/index.php", b"<?php echo 1;", 0o640)
    write_as(account, f"{home}/bin/run.sh", b"#!/bin/sh\necho run\n", 0o750)
    write_as(account, f"{home}/data/blob", os.urandom(300_000), 0o600)
    subprocess.run(as_account(account, ["ln", "-s", "data/blob", f"{home}/blob-link"]), check=True)
    return home


async def add_cron_job(channel: grpc.aio.Channel, account: str) -> None:
    stub = cron_pb2_grpc.CronJobServiceStub(channel)
    job = cron_pb2.CronJob(id="backup01", schedule="0 3 * * *", command="echo %night", enabled=True)
    await stub.CreateCronJob(cron_pb2.CreateCronJobRequest(account=account, job=job))


async def test_a_backup_reports_progress_in_order_and_holds_the_account(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    channel: grpc.aio.Channel,
    backup_account: str,
) -> None:
    fill(backup_account)
    for suffix in ("shop", "blog"):
        await create_database(databases, backup_account, f"{backup_account}_{suffix}")
    await add_cron_job(channel, backup_account)
    progress, backup = await back_up(backups, backup_account)
    stages = [item.stage for item in progress]
    assert stages == sorted(stages)  # files, databases, settings, done: never back
    assert stages[-1] == backups_pb2.STAGE_DONE
    assert backups_pb2.STAGE_FILES in stages
    assert progress[-1].percent == 100
    assert backup.account == backup_account
    assert len(backup.id) == 32
    assert backup.files >= 4
    assert backup.bytes >= 300_000
    assert sorted(item.name for item in backup.databases) == [
        f"{backup_account}_blog",
        f"{backup_account}_shop",
    ]
    assert backup.cron_jobs == 1
    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=backup_account))
    assert [item.id for item in listed.backups] == [backup.id]


async def test_the_repository_and_its_password_are_roots_alone(
    backups: Stub, backup_account: str
) -> None:
    await back_up(backups, backup_account)
    layout = Layout()
    for path, mode in ((layout.repository, 0o700), (layout.password_file, 0o600)):
        info = path.stat()
        assert (info.st_uid, info.st_mode & 0o777) == (0, mode)
    assert (layout.state_dir.stat().st_mode & 0o777) == 0o700
    # The home's read-only view is unmounted once the files are in the repository.
    assert not os.path.ismount(layout.view_dir / backup_account)
    mounts = Path("/proc/self/mounts").read_text()
    assert str(layout.view_dir) not in mounts


async def test_a_whole_account_comes_back_byte_for_byte_with_modes_and_owners(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    channel: grpc.aio.Channel,
    backup_account: str,
) -> None:
    home = fill(backup_account)
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    in_database(database, "CREATE TABLE items (id INT PRIMARY KEY, name TEXT)")
    in_database(database, "INSERT INTO items VALUES (1, 'one'), (2, 'two')")
    await add_cron_job(channel, backup_account)
    before = tree_of(home)
    _, backup = await back_up(backups, backup_account)

    # Change and delete things: a file, a link, rows, the crontab.
    write_as(backup_account, f"{home}/bin/run.sh", b"changed", 0o700)
    (home / "data" / "blob").unlink()
    (home / "blob-link").unlink()
    in_database(database, "DELETE FROM items WHERE id = 2")
    stub = cron_pb2_grpc.CronJobServiceStub(channel)
    await stub.DeleteCronJob(cron_pb2.DeleteCronJobRequest(account=backup_account, id="backup01"))

    progress, restored = await restore(backups, backup_account, backup.id, whole_account=True)
    assert progress[-1].stage == backups_pb2.STAGE_DONE
    assert restored.skipped == 0
    assert restored.crontab
    assert list(restored.databases) == [database]
    after = tree_of(home)
    assert {name: after[name] for name in before} == before
    assert in_database(database, "SELECT id, name FROM items ORDER BY id") == ["1\tone", "2\ttwo"]
    listing = subprocess.run(
        ["crontab", "-u", backup_account, "-l"], capture_output=True, text=True, check=True
    )
    assert "0 3 * * * echo \\%night" in listing.stdout


async def test_one_folder_restores_beside_the_home_as_it_was(
    backups: Stub, backup_account: str
) -> None:
    home = fill(backup_account)
    before = tree_of(home / "web")
    _, backup = await back_up(backups, backup_account)
    write_as(backup_account, f"{home}/web/site.example/public_html/index.php", b"new", 0o644)
    _, restored = await restore(
        backups, backup_account, backup.id, backups_pb2.PLACEMENT_BESIDE, domain="site.example"
    )
    assert restored.folder.startswith("restored-")
    assert restored.folder.endswith("/web/site.example")
    assert tree_of(home / restored.folder) == {
        name.removeprefix("site.example/"): value
        for name, value in before.items()
        if name.startswith("site.example/")
    }
    # In place stays as the account left it.
    index = home / "web/site.example/public_html/index.php"
    assert index.read_bytes() == b"new"


async def test_one_file_restores_in_place_over_a_link_without_following_it(
    backups: Stub, backup_account: str
) -> None:
    home = fill(backup_account)
    original = (home / "bin/run.sh").read_bytes()
    _, backup = await back_up(backups, backup_account)
    (home / "bin/run.sh").unlink()
    subprocess.run(as_account(backup_account, ["ln", "-s", "/etc/passwd", f"{home}/bin/run.sh"]))
    passwd = Path("/etc/passwd").read_bytes()
    _, restored = await restore(backups, backup_account, backup.id, path="bin/run.sh")
    assert restored.files == 1
    assert Path("/etc/passwd").read_bytes() == passwd
    run = home / "bin/run.sh"
    assert not run.is_symlink()
    assert run.read_bytes() == original
    assert (run.stat().st_mode & 0o7777, run.stat().st_uid) == (
        0o750,
        pwd.getpwnam(backup_account).pw_uid,
    )


async def test_a_database_restores_beside_into_a_new_database_of_the_account(
    backups: Stub, databases: databases_pb2_grpc.DatabaseServiceAsyncStub, backup_account: str
) -> None:
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    in_database(database, "CREATE TABLE items (id INT PRIMARY KEY)")
    in_database(database, "INSERT INTO items VALUES (7)")
    _, backup = await back_up(backups, backup_account)
    in_database(database, "DELETE FROM items")
    _, restored = await restore(
        backups, backup_account, backup.id, backups_pb2.PLACEMENT_BESIDE, database=database
    )
    (copy,) = restored.databases
    assert copy.startswith(f"{backup_account}_r")
    assert in_database(copy, "SELECT id FROM items") == ["7"]
    assert in_database(database, "SELECT id FROM items") == []


async def test_a_database_dump_is_streamed_never_written_to_disk(
    backups: Stub, databases: databases_pb2_grpc.DatabaseServiceAsyncStub, backup_account: str
) -> None:
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    in_database(database, "CREATE TABLE marker (note TEXT)")
    # A file that holds the needle was written after it existed: only those are read (the host's
    # /root alone holds gigabytes of toolchains on a build machine). A second of slack for the
    # file systems' coarse clocks.
    since = time.time() - 1
    in_database(database, "INSERT INTO marker VALUES (CONCAT('needle-', DATABASE()))")
    await back_up(backups, backup_account)
    needle = f"needle-{database}".encode()
    read = 0
    # /var/backups: the repository holds the dump encrypted, never as it is.
    for folder in ("/tmp", "/var/tmp", "/var/lib/jopanel", "/var/cache/jopanel", "/var/backups",
                   "/root"):  # fmt: skip
        for parent, _, filenames in os.walk(folder):
            for name in filenames:
                path = Path(parent, name)
                try:
                    status = path.lstat()  # a regular file, never a link's target
                except FileNotFoundError:  # a temporary file another program removed meanwhile
                    continue
                if not stat.S_ISREG(status.st_mode):
                    continue
                if status.st_mtime >= since and status.st_size < 50_000_000:
                    assert needle not in path.read_bytes(), path
                    read += 1
    assert read > 0  # the repository's new files, at least
    # The dump is in the repository, under its own snapshot.
    found = restic("snapshots", "--json", "--tag", f"account={backup_account}")
    assert f"part=database={database}" in found


async def test_another_accounts_backup_is_not_found(
    backups: Stub, backup_account: str, accounts: object, new_name: object
) -> None:
    _, backup = await back_up(backups, backup_account)
    from jopanel.agent.accounts.v1 import accounts_pb2

    other = new_name()  # type: ignore[operator]
    await accounts.CreateAccount(  # type: ignore[attr-defined]
        accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    )
    code, _ = await rpc_error(restore(backups, other, backup.id, whole_account=True))
    assert code == grpc.StatusCode.NOT_FOUND
    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=other))
    assert list(listed.backups) == []


async def test_a_second_backup_after_one_percent_changed_adds_about_one_percent(
    backups: Stub, backup_account: str
) -> None:
    home = Path(pwd.getpwnam(backup_account).pw_dir)
    for index in range(100):
        write_as(backup_account, f"{home}/data/{index:03}", os.urandom(64 * 1024), 0o600)
    _, first = await back_up(backups, backup_account)
    write_as(backup_account, f"{home}/data/050", os.urandom(64 * 1024), 0o600)
    _, second = await back_up(backups, backup_account)
    assert first.added_bytes >= 100 * 64 * 1024 * 0.9
    # One file of a hundred changed: about 1% (plus restic's trees and the settings).
    assert second.added_bytes <= first.added_bytes * 0.03


async def test_backups_run_one_at_a_time_and_a_waiting_one_says_so(
    backups: Stub, backup_account: str, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    other = new_name()
    request = accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    fill(backup_account)
    first = backups.BackUpAccount(backups_pb2.BackUpAccountRequest(account=backup_account))
    # Its first message comes from inside the lock: it is running now.
    message = await first.read()
    assert isinstance(message, backups_pb2.BackUpAccountResponse)
    assert message.progress.stage == backups_pb2.STAGE_FILES
    second_progress, second = await back_up(backups, other)
    last = message
    while isinstance(read := await first.read(), backups_pb2.BackUpAccountResponse):
        last = read  # read() answers grpc.aio.EOF, no message, at the end
    assert last.backup.account == backup_account
    assert second_progress[0].stage == backups_pb2.STAGE_QUEUED
    assert second.account == other


async def test_a_database_restores_beside_into_the_target_the_caller_names(
    backups: Stub, databases: databases_pb2_grpc.DatabaseServiceAsyncStub, backup_account: str
) -> None:
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    in_database(database, "CREATE TABLE items (id INT PRIMARY KEY)")
    in_database(database, "INSERT INTO items VALUES (3)")
    _, backup = await back_up(backups, backup_account)
    target = f"{backup_account}_copy"
    request = backups_pb2.RestoreBackupRequest(
        account=backup_account,
        backup_id=backup.id,
        database=database,
        placement=backups_pb2.PLACEMENT_BESIDE,
        database_targets=[backups_pb2.DatabaseTarget(backup_database=database, database=target)],
    )
    responses = [response async for response in backups.RestoreBackup(request)]
    assert list(responses[-1].restored.databases) == [target]
    assert in_database(target, "SELECT id FROM items") == ["3"]


async def test_a_target_of_another_account_is_refused_before_anything_changes(
    backups: Stub, backup_account: str, new_name: Callable[[], str]
) -> None:
    for source, target in (
        (f"{backup_account}_shop", "root_shop"),
        (f"{backup_account}_shop", "mysql"),
        (f"{backup_account}_shop", f"{backup_account}_shop"),
        ("other_shop", f"{backup_account}_copy"),
    ):
        request = backups_pb2.RestoreBackupRequest(
            account=backup_account,
            backup_id="0" * 32,
            whole_account=True,
            placement=backups_pb2.PLACEMENT_BESIDE,
            database_targets=[backups_pb2.DatabaseTarget(backup_database=source, database=target)],
        )
        violations = await field_errors(restore_call(backups, request))
        assert violations[0][0].startswith("database_targets"), violations


async def restore_call(stub: Stub, request: backups_pb2.RestoreBackupRequest) -> None:
    async for _ in stub.RestoreBackup(request):
        pass
