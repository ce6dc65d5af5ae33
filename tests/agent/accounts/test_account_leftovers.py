"""A uid is never given twice, and a deleted account leaves nothing of its own behind
(issue 11, hole 5), written as the attack: the account plants what it can outside its home, the
administrator deletes it and creates another, and the new account inherits nothing.

Real users, the real agent, real SysV IPC (the sandbox's own /tmp, /dev/shm and IPC namespace).
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.errors import Internal
from agent.system.accounts import leftovers, uids
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    Stub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

SHADOW = Path("/etc/shadow")


def as_account(name: str, script: str) -> str:
    """Runs a shell script as the account (its uid and gid only), as its own login would."""
    completed = subprocess.run(
        [
            "setpriv",
            f"--reuid={name}",
            f"--regid={name}",
            "--clear-groups",
            "--",
            "sh",
            "-ec",
            script,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    return completed.stdout


async def create(accounts: Stub, name: str) -> accounts_pb2.Account:
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_BASH)
    return (await accounts.CreateAccount(request)).account


def owned_by(uid: int) -> list[str]:
    """Everything uid owns in the shared temporary folders, on their own filesystems (the
    sandbox's run directory is mounted below /tmp), found without following links. Entries
    that vanish meanwhile are skipped: /var/tmp's lower layer is the host's, where other runs
    come and go."""
    found = []
    for root in leftovers.SHARED_TEMPORARY:
        device = os.lstat(root).st_dev
        for folder, names, files in os.walk(root):
            names[:] = [n for n in names if _device(os.path.join(folder, n)) == device]
            for entry in names + files:
                path = os.path.join(folder, entry)
                with contextlib.suppress(FileNotFoundError):
                    if os.lstat(path).st_uid == uid:
                        found.append(path)
    return found


def _device(path: str) -> int | None:
    try:
        return os.lstat(path).st_dev
    except FileNotFoundError:
        return None


def ipc_of(uid: int) -> list[int]:
    return [i for kind in leftovers.IPC_KINDS for i in leftovers.owned_ipc_ids(kind, uid)]


def snapshot(path: Path) -> tuple[bytes, int, int, int]:
    info = os.lstat(path)
    return path.read_bytes(), info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)


@pytest.fixture
def canary() -> Iterator[Path]:
    """A root-owned file a planted link points at."""
    path = Path("/etc/jp-leftover-canary")
    path.write_text("root's\n")
    path.chmod(0o600)
    yield path
    path.unlink()


async def test_a_deleted_accounts_uid_and_leftovers_go_to_nobody(
    accounts: Stub, new_name: Callable[[], str], canary: Path, sandbox: Path
) -> None:
    mallory = await create(accounts, new_name())
    neighbour = await create(accounts, new_name())
    # The neighbour offers a world-writable folder; mallory leaves a file in it.
    as_account(neighbour.name, "mkdir -m 1777 /tmp/shared-n && echo mine > /tmp/shared-n/keep")
    as_account(
        mallory.name,
        f"""
        cp /bin/bash /var/tmp/rootshell && chmod 4755 /var/tmp/rootshell
        echo x > /dev/shm/mallory-shm-file
        echo x > /tmp/mallory-file
        mkdir -p /tmp/mallory-dir/deeper && echo x > /tmp/mallory-dir/deeper/file
        ln -s /etc/shadow /tmp/shadow-link
        ln -s {canary} /tmp/mallory-dir/canary-link
        ln -s /etc /tmp/etc-link
        mkfifo /tmp/mallory-fifo
        echo x > /tmp/shared-n/mallory-file
        ipcmk --shmem 4096 >/dev/null
        ipcmk --semaphore 1 >/dev/null
        ipcmk --queue >/dev/null
        """,
    )
    planted = owned_by(mallory.uid)
    assert "/var/tmp/rootshell" in planted
    assert len(ipc_of(mallory.uid)) == 3
    shadow_before = snapshot(SHADOW)
    canary_before = snapshot(canary)

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=mallory.name))
    newcomer = await create(accounts, new_name())

    assert newcomer.uid != mallory.uid
    assert newcomer.uid > max(mallory.uid, neighbour.uid)
    assert newcomer.gid == newcomer.uid
    assert owned_by(mallory.uid) == []
    # (What the host's own /var/tmp holds shows through the sandbox's overlay; not ours.)
    assert [p for p in owned_by(newcomer.uid) if not (sandbox / "host" / p[1:]).exists()] == []
    assert ipc_of(mallory.uid) == []
    assert ipc_of(newcomer.uid) == []
    for path in planted:
        assert not os.path.lexists(path)
    # The links were removed as links: what they pointed at is as it was.
    assert snapshot(canary) == canary_before
    shadow_after = snapshot(SHADOW)
    assert shadow_after[1:] == shadow_before[1:]
    # The neighbour's folder and file stay the neighbour's.
    assert os.lstat("/tmp/shared-n").st_uid == neighbour.uid
    assert Path("/tmp/shared-n/keep").read_text() == "mine\n"
    for name in (neighbour.name, newcomer.name):
        await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))


async def test_the_highest_uid_is_not_given_again_after_its_account_goes(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    """useradd would give the freed highest uid to the next account: the mark does not."""
    first = await create(accounts, new_name())
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=first.name))
    second = await create(accounts, new_name())
    assert second.uid > first.uid
    assert uids.high_water() == second.uid
    info = os.lstat(uids.HIGH_WATER_PATH)
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o600)
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=second.name))


async def test_a_uid_taken_by_hand_above_the_mark_is_passed_over(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    """Never below the highest uid /etc/passwd holds in the account range."""
    by_hand = new_name()
    above = uids.high_water() + 7
    subprocess.run(["useradd", "--uid", str(above), "--", by_hand], check=True)
    try:
        account = await create(accounts, new_name())
        assert account.uid > above
        await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))
    finally:
        subprocess.run(["userdel", "--", by_hand], check=True)


async def test_a_damaged_mark_stops_account_creation(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    saved = uids.HIGH_WATER_PATH.read_bytes()
    try:
        uids.HIGH_WATER_PATH.write_text("not a number\n")
        code, _ = await rpc_error(
            accounts.CreateAccount(
                accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
            )
        )
        assert code == grpc.StatusCode.INTERNAL
    finally:
        uids.HIGH_WATER_PATH.write_bytes(saved)


def test_a_mark_others_could_write_is_refused(tmp_path: Path) -> None:
    mark = tmp_path / "mark"
    mark.write_text("1500\n")
    mark.chmod(0o666)
    with pytest.raises(Internal):
        uids.high_water(mark)
    mark.unlink()
    mark.symlink_to("/etc/passwd")
    with pytest.raises(Internal):
        uids.high_water(mark)


def test_sysvipc_listing_is_parsed_by_its_header(tmp_path: Path) -> None:
    (tmp_path / "shm").write_text(
        "key shmid perms size cpid lpid nattch uid gid cuid cgid\n"
        "0 7 600 4096 10 11 0 1234 1234 0 0\n"
        "0 8 600 4096 10 11 0 0 0 1234 1234\n"
        "0 9 600 4096 10 11 0 4321 4321 4321 4321\n"
    )
    assert leftovers.owned_ipc_ids("shm", 1234, tmp_path) == [7, 8]
    assert leftovers.owned_ipc_ids("sem", 1234, tmp_path) == []
