"""Fixtures and helpers for the BackupService tests: the real agent, restic and MariaDB.

Hostile snapshots are made with restic itself, in the agent's repository, tagged as the agent
tags a backup: what a compromised repository or a crafted archive could hand a restore.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc.aio
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2, backups_pb2_grpc

from agent.system.backups.repository import HOST, Layout

if TYPE_CHECKING:
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    Stub: TypeAlias = backups_pb2_grpc.BackupServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub


@pytest.fixture(scope="session")
def backups(mariadb: stack.MariaDB, channel: grpc.aio.Channel) -> Stub:
    return backups_pb2_grpc.BackupServiceStub(channel)


@pytest.fixture
async def backup_account(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


async def back_up(
    stub: Stub, account: str
) -> tuple[list[backups_pb2.Progress], backups_pb2.Backup]:
    """The progress messages of a backup, and the backup its last message holds."""
    responses = [
        response
        async for response in stub.BackUpAccount(backups_pb2.BackUpAccountRequest(account=account))
    ]
    assert responses[-1].HasField("backup")
    assert not any(response.HasField("backup") for response in responses[:-1])
    return [response.progress for response in responses], responses[-1].backup


async def restore(
    stub: Stub,
    account: str,
    backup_id: str,
    placement: backups_pb2.Placement.ValueType = backups_pb2.PLACEMENT_IN_PLACE,
    **what: object,
) -> tuple[list[backups_pb2.Progress], backups_pb2.Restored]:
    request = backups_pb2.RestoreBackupRequest(
        account=account,
        backup_id=backup_id,
        placement=placement,
        **what,  # type: ignore[arg-type]
    )
    responses = [response async for response in stub.RestoreBackup(request)]
    assert responses[-1].HasField("restored")
    return [response.progress for response in responses], responses[-1].restored


def restic(*arguments: str, stdin: bytes | None = None) -> str:
    """restic on the agent's repository, as root, the way an attacker holding it would."""
    layout = Layout()
    argv = ["restic", "--repo", str(layout.repository), "--password-file"]
    argv += [str(layout.password_file), "--cache-dir", str(layout.cache_dir), *arguments]
    done = subprocess.run(argv, input=stdin, capture_output=True, check=True)
    return done.stdout.decode()


@contextmanager
def hostile_tree(account: str) -> Iterator[Path]:
    """A folder at the path where the agent's backups hold the account's home; what the test
    puts in it becomes the files snapshot of a hostile backup (hostile_backup)."""
    view = Layout().view_dir / account
    view.mkdir(parents=True, exist_ok=True)
    try:
        yield view
    finally:
        shutil.rmtree(view)
        view.mkdir()


def hostile_backup(
    account: str,
    view: Path,
    databases: tuple[str, ...] = (),
    settings: dict[str, object] | None = None,
) -> str:
    """Snapshots `view` as the files of a backup of the account, with a settings document
    naming it as the agent would (its crontab, zones and sites from `settings`, if given);
    returns the backup id."""
    backup = secrets.token_hex(16)
    uid = pwd.getpwnam(account).pw_uid
    tags = f"jopanel,account={account},uid={uid},backup={backup}"
    restic("backup", "--host", HOST, "--tag", f"{tags},part=files", str(view))
    manifest = {
        "backup": backup,
        "account": account,
        "time": "2026-01-01T00:00:00+00:00",
        "home": f"/home/{account}",
        "view": str(view),
        "files": 1,
        "bytes": 1,
        "databases": [{"name": name, "dump_bytes": 1} for name in databases],
        "zones": [],
        "domains": [],
        "cron_jobs": 0,
    }
    parts: dict[str, object] = {"crontab": [], "zones": [], "sites": [], **(settings or {})}
    document = json.dumps({"version": 1, "manifest": manifest, **parts})
    restic(
        "backup",
        "--host",
        HOST,
        "--tag",
        f"{tags},part=settings",
        "--stdin",
        "--stdin-filename",
        "settings.json",
        stdin=document.encode(),
    )
    return backup


def tree_of(home: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every entry below `home`: (mode with type bits, uid, content or link target)."""
    found = {}
    for folder, names, filenames in os.walk(home):
        for name in names + filenames:
            path = Path(folder, name)
            info = path.lstat()
            if path.is_symlink():
                content = os.readlink(path).encode()
            elif path.is_file():
                content = path.read_bytes()
            else:
                content = b""
            found[str(path.relative_to(home))] = (info.st_mode, info.st_uid, content)
    return found
