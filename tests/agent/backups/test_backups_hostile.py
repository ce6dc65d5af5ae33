"""Restores of hostile snapshots (sandbox only). Each snapshot is made with restic directly in
the agent's repository, holding what a crafted archive or a compromised repository could: links
to /etc/shadow, '..' link targets, a setuid root binary, device nodes, FIFOs, hard links to files
outside the home. After the restore nothing outside the home has changed, and the home holds no
setuid, setgid, device or FIFO file, and nothing that is not the account's."""

from __future__ import annotations

import errno
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2

from agent.system.accounts.quotas import DiskQuotas
from agent.system.accounts.users import HOME_ROOT
from agent.system.backups.backups import read_only_view
from agent.system.backups.repository import Layout
from agent.system.base.process import Limits
from tests.agent.backups.backup_support import (
    back_up,
    backup_account,
    backups,
    hostile_backup,
    hostile_tree,
    restore,
)
from tests.agent.support import as_account, rpc_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.agent.backups.backup_support import AccountStub, Stub

__all__ = ["backup_account", "backups"]  # fixtures, used by name

WATCHED = ("/etc/shadow", "/etc/passwd", "/etc/crontab", "/root/.bashrc")


def snapshot_of_watched() -> dict[str, tuple[bytes, int, int]]:
    found = {}
    for path in WATCHED:
        if os.path.exists(path):
            info = os.lstat(path)
            found[path] = (Path(path).read_bytes(), info.st_mode, info.st_uid)
    return found


def plant(view: Path, outside: Path) -> None:
    """The hostile tree, as root: everything a restore must not bring back as it is."""
    (view / "ok").mkdir()
    (view / "ok" / "plain.txt").write_bytes(b"plain")
    (view / "shadow-link").symlink_to("/etc/shadow")
    (view / "ok" / "up-link").symlink_to("../../../../../../etc/shadow")
    (view / "etc-dir-link").symlink_to("/etc")
    shutil.copy("/bin/true", view / "setuid-root")
    os.chmod(view / "setuid-root", 0o6755)  # noqa: S103 (the hostile file under test)
    os.mknod(view / "null-device", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(view / "disk-device", 0o666 | stat.S_IFBLK, os.makedev(7, 0))
    os.mkfifo(view / "fifo")
    outside.write_bytes(b"root's own file outside the home")
    os.chmod(outside, 0o600)
    os.link(outside, view / "hard-link-out")
    (view / "sticky-dir").mkdir(mode=0o1777)
    os.chmod(view / "sticky-dir", 0o1777)  # noqa: S103 (the hostile folder under test)


def assert_nothing_dangerous_in(home: Path, uid: int) -> None:
    for folder, names, filenames in os.walk(home):
        for name in names + filenames:
            info = os.lstat(Path(folder, name))
            assert info.st_uid == uid, (name, info.st_uid)
            assert not info.st_mode & (stat.S_ISUID | stat.S_ISGID), name
            assert (
                stat.S_ISREG(info.st_mode)
                or stat.S_ISDIR(info.st_mode)
                or (stat.S_ISLNK(info.st_mode))
            ), name
            if stat.S_ISLNK(info.st_mode):
                target = os.path.normpath(Path(folder, os.readlink(Path(folder, name))))
                assert target.startswith(str(home) + "/"), (name, target)


async def test_a_hostile_snapshot_restores_nothing_outside_and_nothing_dangerous(
    backups: Stub, backup_account: str
) -> None:
    await back_up(backups, backup_account)  # the repository exists
    home = Path(pwd.getpwnam(backup_account).pw_dir)
    uid = pwd.getpwnam(backup_account).pw_uid
    # On the snapshot's file system, so that the hard link can be made.
    outside = Path(f"/var/lib/jopanel/outside-{backup_account}")
    with hostile_tree(backup_account) as view:
        plant(view, outside)
        backup = hostile_backup(backup_account, view)
    watched = snapshot_of_watched()
    outside_before = outside.read_bytes()

    _, restored = await restore(backups, backup_account, backup, whole_account=True)

    assert snapshot_of_watched() == watched
    assert outside.read_bytes() == outside_before
    assert os.lstat(outside).st_nlink == 1  # no link of it was made anywhere
    assert_nothing_dangerous_in(home, uid)
    assert (home / "ok" / "plain.txt").read_bytes() == b"plain"
    for gone in ("shadow-link", "etc-dir-link", "ok/up-link"):
        assert not os.path.lexists(home / gone), gone
    # The setuid binary comes back as the account's plain executable; what restic stored for
    # devices and FIFOs (no content) comes back as empty files of the account, if at all.
    setuid = os.lstat(home / "setuid-root")
    assert (setuid.st_uid, stat.S_IMODE(setuid.st_mode)) == (uid, 0o755)
    assert stat.S_IMODE(os.lstat(home / "sticky-dir").st_mode) == 0o777
    assert restored.skipped >= 3


async def test_a_link_planted_in_the_home_is_never_written_through(
    backups: Stub, backup_account: str
) -> None:
    """The account swaps a folder of its backup for a link to /etc before the restore."""
    home = Path(pwd.getpwnam(backup_account).pw_dir)
    subprocess.run(as_account(backup_account, ["mkdir", "-p", f"{home}/conf"]), check=True)
    subprocess.run(as_account(backup_account, ["touch", f"{home}/conf/passwd"]), check=True)
    _, backup = await back_up(backups, backup_account)
    shutil.rmtree(home / "conf")
    subprocess.run(as_account(backup_account, ["ln", "-s", "/etc", f"{home}/conf"]), check=True)
    watched = snapshot_of_watched()
    _, restored = await restore(backups, backup_account, backup.id, whole_account=True)
    assert snapshot_of_watched() == watched
    # The link itself is replaced by the folder again; what it pointed to is untouched.
    assert not (home / "conf").is_symlink()
    passwd = os.lstat(home / "conf" / "passwd")
    assert stat.S_ISREG(passwd.st_mode)
    assert passwd.st_uid == pwd.getpwnam(backup_account).pw_uid
    assert restored.skipped == 0


async def test_a_link_to_shadow_in_the_home_is_backed_up_as_a_link_not_as_shadow(
    backups: Stub, backup_account: str
) -> None:
    home = Path(pwd.getpwnam(backup_account).pw_dir)
    subprocess.run(
        as_account(backup_account, ["ln", "-s", "/etc/shadow", f"{home}/secrets"]), check=True
    )
    _, backup = await back_up(backups, backup_account)
    (home / "secrets").unlink()
    _, restored = await restore(
        backups, backup_account, backup.id, backups_pb2.PLACEMENT_BESIDE, whole_account=True
    )
    restored_home = home / restored.folder
    shadow = Path("/etc/shadow").read_bytes().splitlines()[0]
    assert not os.path.lexists(restored_home / "secrets")  # a link out: left out
    for folder, _, filenames in os.walk(restored_home):
        for name in filenames:
            assert shadow not in Path(folder, name).read_bytes()


async def test_a_file_larger_than_the_quota_left_stops_within_the_quota(
    backups: Stub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    quotas = DiskQuotas(HOME_ROOT)
    if not quotas.enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(
        name=name, shell=accounts_pb2.SHELL_NOLOGIN, disk_quota_mb=2
    )
    await accounts.CreateAccount(request)
    await back_up(backups, name)
    with hostile_tree(name) as view:
        (view / "huge").write_bytes(os.urandom(5 * 1024 * 1024))
        backup = hostile_backup(name, view)
    code, message = await rpc_error(restore(backups, name, backup, whole_account=True))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "quota" in message
    usage = quotas.usage(pwd.getpwnam(name).pw_uid)
    assert usage is not None
    assert usage.used_bytes <= 2 * 1024 * 1024


async def test_an_account_made_later_with_a_deleted_ones_name_gets_none_of_its_backups(
    backups: Stub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    home = Path(pwd.getpwnam(name).pw_dir)
    subprocess.run(as_account(name, ["touch", f"{home}/private"]), check=True)
    _, backup = await back_up(backups, name)
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))
    await accounts.CreateAccount(request)  # a new tenant, a new uid, the same name

    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=name))
    assert list(listed.backups) == []
    code, _ = await rpc_error(restore(backups, name, backup.id, whole_account=True))
    assert code == grpc.StatusCode.NOT_FOUND
    assert not (home / "private").exists()


async def test_restic_reads_the_home_where_no_link_is_followed(backup_account: str) -> None:
    """The view restic walks: read-only, nosuid, nodev, noexec, nosymfollow. A folder the
    account swaps for a link to /etc mid-walk leads nowhere: no path through it resolves."""
    home = Path(pwd.getpwnam(backup_account).pw_dir)
    subprocess.run(as_account(backup_account, ["ln", "-s", "/etc", f"{home}/swapped"]), check=True)
    view = Layout().view_dir / backup_account
    view.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    async with read_only_view(home, view, Limits(30.0, "test_timeout")):
        options = next(
            line.split()[3].split(",")
            for line in Path("/proc/self/mounts").read_text().splitlines()
            if line.split()[1] == str(view)
        )
        assert {"ro", "nosuid", "nodev", "noexec", "nosymfollow"} <= set(options)
        with pytest.raises(OSError, match="symbolic links") as raised:
            (view / "swapped" / "shadow").read_bytes()
        assert raised.value.errno == errno.ELOOP
        assert os.readlink(view / "swapped") == "/etc"  # the link itself is what restic stores
        with pytest.raises(OSError, match="Read-only file system"):
            (view / "planted").write_bytes(b"x")
    assert not os.path.ismount(view)
