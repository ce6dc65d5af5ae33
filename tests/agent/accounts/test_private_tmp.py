"""Each account's PAM sessions (cron jobs, SSH, su) have their own /tmp, /var/tmp and /dev/shm
(agent/system/accounts/private_tmp.py); root's and other users' sessions keep the shared ones.

The sessions here are `su -` from root, which runs Debian's common-session as sshd does (cron
runs common-session-noninteractive: both are checked to hold pam_namespace)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.config import AgentConfig
from agent.services import accounts as accounts_service
from agent.system.accounts import private_tmp
from agent.system.accounts.quotas import DiskQuotas
from agent.system.accounts.users import HOME_ROOT, MANAGED_GROUP

pytestmark = pytest.mark.skipif(
    not Path("/etc/pam.d/su").exists(), reason="needs su (util-linux) for a PAM session"
)


def session(user: str, script: str) -> subprocess.CompletedProcess[str]:
    """A login session of `user` through PAM (as root: no password asked)."""
    return subprocess.run(
        ["su", "-", user, "-s", "/bin/bash", "-c", script],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def in_session(user: str, script: str) -> str:
    done = session(user, script)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def another_account(
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub, new_name: Callable[[], str]
) -> str:
    request = accounts_pb2.CreateAccountRequest(
        name=new_name(), password="first password", shell=accounts_pb2.SHELL_BASH
    )
    return (await accounts.CreateAccount(request)).account.name


@pytest.fixture
async def prepared(agent_config: AgentConfig) -> None:
    await accounts_service.prepare(agent_config)


@pytest.mark.usefixtures("prepared")
async def test_an_accounts_temporary_files_are_out_of_every_other_accounts_reach(
    account: accounts_pb2.Account,
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
    new_name: Callable[[], str],
) -> None:
    other = await another_account(accounts, new_name)
    # A name one character longer: its instance is a folder of its own, not one inside.
    longer = f"{account.name}x"
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(
            name=longer, password="first password", shell=accounts_pb2.SHELL_BASH
        )
    )
    write = "umask 022; for d in /tmp /var/tmp /dev/shm; do echo {} > $d/note; done"
    in_session(account.name, write.format("mine"))

    for stranger in (other, longer):
        # Nothing of the account's is there: not even world-readable files.
        listed = "ls -A /tmp /var/tmp /dev/shm | grep -c note || true"
        assert in_session(stranger, listed) == "0"
        in_session(stranger, write.format(stranger))  # and its own files change nothing of it
    # Root's own /tmp (and every process outside a session: PHP, the agent) lacks them too.
    assert not Path("/tmp/note").exists()
    assert not Path("/var/tmp/note").exists()

    # The account's next session finds its /tmp and /var/tmp as it left them; /dev/shm is
    # each session's own.
    again = in_session(account.name, "cat /tmp/note /var/tmp/note; ls -A /dev/shm")
    assert again.splitlines() == ["mine", "mine"]
    parents = [Path("/home/.jopanel-tmp"), Path("/home/.jopanel-vartmp")]
    for parent in parents:
        info = parent.lstat()
        assert stat.S_ISDIR(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0
        assert (info.st_uid, info.st_gid) == (0, 0)
        assert (parent / account.name / "note").read_text() == "mine\n"


@pytest.mark.usefixtures("prepared")
async def test_an_accounts_dev_shm_is_bounded(account: accounts_pb2.Account) -> None:
    """A session's /dev/shm holds SHM_SIZE_MB: no tenant fills the server's memory with it."""
    script = "dd if=/dev/zero of=/dev/shm/fill bs=1M count=200 2>&1; df -m --output=size /dev/shm"
    done = session(account.name, script)
    assert "No space left on device" in done.stdout
    assert done.stdout.split()[-1] == str(private_tmp.SHM_SIZE_MB)


@pytest.mark.usefixtures("prepared")
def test_root_and_users_that_are_no_account_keep_the_shared_folders(stranger: str) -> None:
    marker = Path(f"/tmp/shared-{uuid.uuid4().hex}")
    marker.write_text("shared")
    marker.chmod(0o644)
    try:
        for user in ("root", stranger):
            assert in_session(user, f"cat {marker}") == "shared"
    finally:
        marker.unlink()


@pytest.mark.usefixtures("prepared")
def test_cron_and_sshd_sessions_run_pam_namespace_for_the_accounts_group_only() -> None:
    assert private_tmp.enabled()
    for name in ("common-session", "common-session-noninteractive"):
        lines = Path(f"/etc/pam.d/{name}").read_text().splitlines()
        gate = next(i for i, line in enumerate(lines) if "pam_succeed_if.so" in line)
        assert f"notingroup {MANAGED_GROUP}" in lines[gate]
        assert "pam_namespace.so" in lines[gate + 1]  # the one line the gate skips
    for service in ("cron", "sshd"):
        text = Path(f"/etc/pam.d/{service}").read_text()
        assert "@include common-session" in text


async def test_no_account_can_make_the_instances_folder_and_the_agent_makes_it_again(
    account: accounts_pb2.Account,
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
    new_name: Callable[[], str],
    agent_config: AgentConfig,
) -> None:
    """The instances live in /home (root's, 0711): where their folder is missing (removed by
    hand), no account's program can make it its own, as it could in /tmp. The agent's start
    makes it again; pam_namespace refuses sessions meanwhile."""
    await accounts_service.prepare(agent_config)
    other = await another_account(accounts, new_name)
    parent = Path("/home/.jopanel-tmp")
    removed = parent.with_name(f".removed-{uuid.uuid4().hex}")
    parent.rename(removed)
    planted = subprocess.run(
        ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--clear-groups",
         "sh", "-c", f"mkdir {parent} || ln -s /etc {parent}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert planted.returncode != 0
    assert "Permission denied" in planted.stderr
    assert not os.path.lexists(parent)
    try:
        await accounts_service.prepare(agent_config)

        info = parent.lstat()
        assert stat.S_ISDIR(info.st_mode)
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0)
        assert in_session(other, "echo ok > /tmp/back; cat /tmp/back") == "ok"
        assert (parent / other / "back").exists()
    finally:
        shutil.rmtree(removed, ignore_errors=True)


@pytest.mark.parametrize("planted", [False, True])
async def test_the_former_instances_folders_in_tmp_go_and_a_tenants_entry_stays(
    agent_config: AgentConfig, account: accounts_pb2.Account, planted: bool
) -> None:
    """The eighth session's agent kept the instances in /tmp/.jopanel-tmp and
    /var/tmp/.jopanel-tmp; the agent's start removes them when they are root's folders. A
    tenant's own entry at that name (a link to its home, say) is left as it is, and nothing it
    points at is touched."""
    formers = [Path("/tmp/.jopanel-tmp"), Path("/var/tmp/.jopanel-tmp")]
    home = Path(f"/home/{account.name}")
    for former in formers:
        shutil.rmtree(former, ignore_errors=True)
        if planted:
            subprocess.run(
                ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}",
                 "--clear-groups", "ln", "-s", str(home), str(former)],
                check=True,
            )  # fmt: skip
        else:
            (former / account.name).mkdir(parents=True)
            (former / account.name / "old").write_text("an earlier session's")
            former.chmod(0)

    await accounts_service.prepare(agent_config)

    for former in formers:
        if planted:
            assert former.is_symlink()
            former.unlink()
        else:
            assert not os.path.lexists(former)
    assert home.is_dir()


@pytest.mark.parametrize("kind", ["link", "file", "folder"])
def test_make_instance_parent_replaces_whatever_else_has_the_name(
    tmp_path: Path, kind: str, account: accounts_pb2.Account
) -> None:
    tmp_path.chmod(0o1777)
    parent = tmp_path / ".jopanel-tmp"
    target = tmp_path / "the tenant's"
    target.mkdir(mode=0o700)
    os.chown(target, account.uid, account.gid)
    if kind == "link":
        parent.symlink_to(target)
    elif kind == "file":
        parent.write_text("x")
    else:
        parent.mkdir(mode=0)
        os.chown(parent, account.uid, account.gid)

    private_tmp.make_instance_parent(parent)

    info = parent.lstat()
    assert stat.S_ISDIR(info.st_mode)
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0)
    target_info = target.lstat()  # a link's target is never touched
    assert (target_info.st_uid, stat.S_IMODE(target_info.st_mode)) == (account.uid, 0o700)
    assert len(list(tmp_path.glob(".jopanel-tmp.planted-*"))) == 1


@pytest.mark.usefixtures("prepared")
async def test_deleting_an_account_removes_its_private_folders(
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub, new_name: Callable[[], str]
) -> None:
    name = await another_account(accounts, new_name)
    in_session(name, "mkdir -p /tmp/a/b; echo x > /tmp/a/b/c; echo y > /var/tmp/d")
    instances = [Path(f"/home/.jopanel-tmp/{name}"), Path(f"/home/.jopanel-vartmp/{name}")]
    assert all(instance.is_dir() for instance in instances)

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))

    assert not any(instance.exists() for instance in instances)


def test_the_pam_profile_reaches_non_interactive_sessions_too() -> None:
    """pam-auth-update leaves a profile out of common-session-noninteractive (cron's) when it
    says Session-Interactive-Only at all; the namespace file names both folders' instances."""
    profile = private_tmp.render_pam_profile(MANAGED_GROUP)
    assert "Session-Interactive-Only" not in profile
    namespace = private_tmp.render_namespace()
    assert "/tmp /home/.jopanel-tmp/ user root\n" in namespace
    assert "/var/tmp /home/.jopanel-vartmp/ user root\n" in namespace
    assert f"size={private_tmp.SHM_SIZE_MB}m,nosuid,nodev" in namespace


async def test_an_administrator_who_turned_the_profile_off_keeps_it_off_and_is_told(
    account: accounts_pb2.Account,
    agent_config: AgentConfig,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await accounts_service.prepare(agent_config)
    subprocess.run(["pam-auth-update", "--disable", "jopanel-accounts"], check=True)
    try:
        assert not private_tmp.enabled()

        await accounts_service.prepare(agent_config)

        assert not private_tmp.enabled()  # the agent's start does not turn it back on
        assert "keep the shared /tmp" in caplog.text
        marker = Path(f"/tmp/shared-{uuid.uuid4().hex}")
        in_session(account.name, f"echo theirs > {marker}")
        assert marker.read_text() == "theirs\n"  # as the administrator chose
        marker.unlink()
    finally:
        subprocess.run(["pam-auth-update", "--enable", "jopanel-accounts"], check=True)
    assert private_tmp.enabled()


async def test_what_an_account_leaves_in_its_tmp_counts_against_its_disk_quota(
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
    new_name: Callable[[], str],
    agent_config: AgentConfig,
) -> None:
    """Its instances are on /home's file system: a cron job cannot fill the root file system
    through /tmp past the account's quota (scripts/test-vm.sh runs it under Debian's kernel)."""
    if not DiskQuotas(HOME_ROOT).enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")
    await accounts_service.prepare(agent_config)
    request = accounts_pb2.CreateAccountRequest(
        name=new_name(), password="first password", shell=accounts_pb2.SHELL_BASH, disk_quota_mb=5
    )
    name = (await accounts.CreateAccount(request)).account.name

    for folder in ("/tmp", "/var/tmp"):
        done = session(name, f"dd if=/dev/zero of={folder}/fill bs=1M count=10")
        assert done.returncode != 0
        assert "Disk quota exceeded" in done.stderr
        in_session(name, f"rm {folder}/fill")
