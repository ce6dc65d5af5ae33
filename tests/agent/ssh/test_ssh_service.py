"""SshService through the agent's socket (sandbox only): where keys are written and who may
read them, sshd's configuration for accounts, on/off, and what another account (or a
compromised gateway naming one) can do to an account's keys."""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import asyncssh
import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.ssh.v1 import ssh_pb2 as pb
from jopanel.agent.ssh.v1 import ssh_pb2_grpc

from agent.system.accounts.users import SSH_OFF_GROUP, SSH_SHELL_GROUP
from agent.system.ssh.keys import KEYS_DIR_NAME
from agent.system.ssh.sshd import CONFIG_NAME
from tests.agent.support import rpc_error

KEYS = Path("/etc/ssh") / KEYS_DIR_NAME

if TYPE_CHECKING:
    Stub: TypeAlias = ssh_pb2_grpc.SshServiceAsyncStub


@pytest.fixture(scope="session")
def ssh(channel: grpc.aio.Channel) -> Stub:
    return ssh_pb2_grpc.SshServiceStub(channel)


@pytest.fixture
async def owner(
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub, new_name: Callable[[], str]
) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


def key_line(algorithm: str = "ssh-ed25519") -> str:
    return asyncssh.generate_private_key(algorithm).export_public_key().decode().strip()


async def add(ssh: Stub, account: str, line: str, comment: str = "") -> pb.SshKey:
    request = pb.CreateSshKeyRequest(account=account, public_key=line, comment=comment)
    return (await ssh.CreateSshKey(request)).key


async def listed(ssh: Stub, account: str) -> list[pb.SshKey]:
    return list((await ssh.ListSshKeys(pb.ListSshKeysRequest(account=account))).keys)


async def test_keys_are_roots_file_the_account_reads_and_cannot_change(
    ssh: Stub, owner: str
) -> None:
    line = key_line()
    key = await add(ssh, owner, f"{line} pasted@comment", "laptop (work)")
    assert (key.type, key.bits, key.comment, key.public_key) == (
        "ssh-ed25519",
        256,
        "laptop (work)",
        line,
    )
    printed = subprocess.run(
        ["ssh-keygen", "-l", "-f", "-"], input=line, capture_output=True, text=True, check=True
    ).stdout
    assert printed.split()[1] == key.fingerprint
    path = KEYS / owner
    assert path.read_text() == f"restrict,pty {line} laptop (work)\n"
    info = os.lstat(path)
    assert (info.st_uid, info.st_gid) == (0, pwd.getpwnam(owner).pw_gid)
    assert stat.S_IMODE(info.st_mode) == 0o640
    folder = os.lstat(KEYS)
    assert (folder.st_uid, stat.S_IMODE(folder.st_mode)) == (0, 0o711)
    assert await listed(ssh, owner) == [key]


async def test_adding_a_key_again_is_idempotent(ssh: Stub, owner: str) -> None:
    first, second = key_line(), key_line("ecdsa-sha2-nistp256")
    await add(ssh, owner, first, "one")
    await add(ssh, owner, second, "two")
    again = await add(ssh, owner, first, "renamed")
    assert [(k.public_key, k.comment) for k in await listed(ssh, owner)] == [
        (first, "renamed"),
        (second, "two"),
    ]
    await ssh.DeleteSshKey(pb.DeleteSshKeyRequest(account=owner, fingerprint=again.fingerprint))
    await ssh.DeleteSshKey(pb.DeleteSshKeyRequest(account=owner, fingerprint=again.fingerprint))
    assert [k.public_key for k in await listed(ssh, owner)] == [second]


async def test_another_account_cannot_remove_or_see_a_key(
    ssh: Stub,
    owner: str,
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
    new_name: Callable[[], str],
) -> None:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(request)).account.name
    key = await add(ssh, owner, key_line())
    await ssh.DeleteSshKey(pb.DeleteSshKeyRequest(account=other, fingerprint=key.fingerprint))
    assert await listed(ssh, owner) == [key]
    assert await listed(ssh, other) == []
    # The other account cannot read the file either (sshd reads it as its own account).
    reader = subprocess.run(
        [
            "setpriv",
            f"--reuid={other}",
            f"--regid={other}",
            "--init-groups",
            "cat",
            str(KEYS / owner),
        ],
        capture_output=True,
        check=False,
    )
    assert reader.returncode != 0
    assert reader.stdout == b""
    lister = subprocess.run(
        ["setpriv", f"--reuid={other}", f"--regid={other}", "--init-groups", "ls", str(KEYS)],
        capture_output=True,
        check=False,
    )
    assert lister.returncode != 0


async def test_hostile_requests_change_nothing(ssh: Stub, owner: str, stranger: str) -> None:
    good = key_line()
    await add(ssh, owner, good, "kept")
    before = (KEYS / owner).read_bytes()
    bad_requests = [
        pb.CreateSshKeyRequest(account=owner, public_key=f'command="sh" {good}'),
        pb.CreateSshKeyRequest(account=owner, public_key=f"{good}\nssh-ed25519 AAAA"),
        pb.CreateSshKeyRequest(account=owner, public_key=good, comment="x\nrestrict ssh-rsa"),
        pb.CreateSshKeyRequest(account=owner, public_key="A" * 100_000),
        pb.CreateSshKeyRequest(account="../../root", public_key=good),
        pb.CreateSshKeyRequest(account="root", public_key=good),
    ]
    for request in bad_requests:
        code, _ = await rpc_error(ssh.CreateSshKey(request))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, request
    # Users that are not accounts get no key file.
    for name in (stranger, "nosuchaccount"):
        code, _ = await rpc_error(
            ssh.CreateSshKey(pb.CreateSshKeyRequest(account=name, public_key=good))
        )
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert not (KEYS / name).exists()
    assert (KEYS / owner).read_bytes() == before


async def test_a_deleted_account_leaves_no_keys(
    ssh: Stub, owner: str, accounts: accounts_pb2_grpc.AccountServiceAsyncStub
) -> None:
    await add(ssh, owner, key_line())
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=owner))
    assert not (KEYS / owner).exists()


async def test_access_is_a_group_sshd_denies(ssh: Stub, owner: str) -> None:
    get = pb.GetSshAccessRequest(account=owner)
    assert (await ssh.GetSshAccess(get)).access.enabled
    for enabled in (False, False, True, True):
        request = pb.UpdateSshAccessRequest(access=pb.SshAccess(account=owner, enabled=enabled))
        assert (await ssh.UpdateSshAccess(request)).access.enabled is enabled
        assert (await ssh.GetSshAccess(get)).access.enabled is enabled
        assert (owner in grp.getgrnam(SSH_OFF_GROUP).gr_mem) is not enabled


@pytest.fixture
async def shell_owner(
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub, new_name: Callable[[], str]
) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
    return (await accounts.CreateAccount(request)).account.name


def effective(account: str) -> dict[str, str]:
    """sshd's settings for a connection of `account`, Match blocks resolved with the real
    group database (sshd -T -C)."""
    argv = ["/usr/sbin/sshd", "-T", "-C", f"user={account},host=client,addr=127.0.0.1"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    pairs = (line.partition(" ") for line in out.splitlines())
    return {key: value for key, _, value in pairs}


async def set_shell(ssh: Stub, account: str, enabled: bool) -> pb.SshAccess:
    request = pb.UpdateSshShellRequest(account=account, enabled=enabled)
    return (await ssh.UpdateSshShell(request)).access


async def test_a_shell_is_a_group_sshd_matches_before_the_chroot(
    ssh: Stub, shell_owner: str, owner: str
) -> None:
    get = pb.GetSshAccessRequest(account=shell_owner)
    assert not (await ssh.GetSshAccess(get)).access.shell
    for enabled in (True, True, False, False, True):
        access = await set_shell(ssh, shell_owner, enabled)
        assert (access.account, access.enabled, access.shell) == (shell_owner, True, enabled)
        assert (await ssh.GetSshAccess(get)).access.shell is enabled
        assert (shell_owner in grp.getgrnam(SSH_SHELL_GROUP).gr_mem) is enabled
    with_shell, sftp_only = effective(shell_owner), effective(owner)
    assert (with_shell["chrootdirectory"], with_shell["permittty"]) == ("none", "yes")
    assert "forcecommand" not in with_shell or with_shell["forcecommand"] == "none"
    for key in ("allowtcpforwarding", "x11forwarding", "permittunnel", "permituserrc"):
        assert with_shell[key] == sftp_only[key] == "no", key
    assert (sftp_only["chrootdirectory"], sftp_only["permittty"]) == ("/home", "no")
    assert sftp_only["forcecommand"] == "internal-sftp -d /%u"


async def test_a_nologin_account_gets_no_shell(
    ssh: Stub,
    shell_owner: str,
    owner: str,
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
) -> None:
    # A shell for a nologin account would only take SFTP away (sshd runs it through nologin).
    code, _ = await rpc_error(
        ssh.UpdateSshShell(pb.UpdateSshShellRequest(account=owner, enabled=True))
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert owner not in _shell_members()
    # Taking its login shell away takes the SSH shell with it.
    await set_shell(ssh, shell_owner, True)
    update = accounts_pb2.UpdateAccountRequest(name=shell_owner, shell=accounts_pb2.SHELL_NOLOGIN)
    update.update_mask.paths.append("shell")
    await accounts.UpdateAccount(update)
    assert shell_owner not in _shell_members()
    assert not (await ssh.GetSshAccess(pb.GetSshAccessRequest(account=shell_owner))).access.shell


async def test_hostile_shell_requests_change_nothing(ssh: Stub, shell_owner: str) -> None:
    await set_shell(ssh, shell_owner, False)
    group = Path("/etc/group").read_bytes()
    for name, wanted in (
        ("nosuchaccount", grpc.StatusCode.FAILED_PRECONDITION),
        ("root", grpc.StatusCode.INVALID_ARGUMENT),  # a reserved name
        ("jpstranger", grpc.StatusCode.FAILED_PRECONDITION),
        (shell_owner[:-1], grpc.StatusCode.FAILED_PRECONDITION),
        (shell_owner + "x", grpc.StatusCode.FAILED_PRECONDITION),
        ("../" + shell_owner, grpc.StatusCode.INVALID_ARGUMENT),
        ("a" * 10_000, grpc.StatusCode.INVALID_ARGUMENT),
        ("", grpc.StatusCode.INVALID_ARGUMENT),
    ):
        request = pb.UpdateSshShellRequest(account=name, enabled=True)
        code, _ = await rpc_error(ssh.UpdateSshShell(request))
        assert code == wanted, name
    assert Path("/etc/group").read_bytes() == group


def _shell_members() -> list[str]:
    try:
        return list(grp.getgrnam(SSH_SHELL_GROUP).gr_mem)
    except KeyError:
        return []


async def test_sshd_config_for_accounts_is_written_and_checked(ssh: Stub, owner: str) -> None:
    await add(ssh, owner, key_line())  # any change brings the configuration up to date first
    text = (Path("/etc/ssh") / CONFIG_NAME).read_text()
    assert f"DenyGroups {SSH_OFF_GROUP}\n" in text
    assert "\tChrootDirectory /home\n" in text
    assert "\tForceCommand internal-sftp -d /%u\n" in text
    assert f"\tAuthorizedKeysFile {KEYS}/%u\n" in text
    subprocess.run(["/usr/sbin/sshd", "-t"], check=True)
    # The chroot: root's, and no account may list it.
    home = os.lstat("/home")
    assert (home.st_uid, stat.S_IMODE(home.st_mode)) == (0, 0o711)


async def test_a_hand_edited_sshd_file_is_put_back_at_the_next_change(
    ssh: Stub, owner: str
) -> None:
    path = Path("/etc/ssh") / CONFIG_NAME
    await add(ssh, owner, key_line())
    written = path.read_text()
    path.write_text("# loosened by hand\nMatch all\n\tPermitTTY yes\n")
    await ssh.UpdateSshAccess(
        pb.UpdateSshAccessRequest(access=pb.SshAccess(account=owner, enabled=True))
    )
    assert path.read_text() == written


async def test_a_batch_answers_each_account_as_its_own_reads_do(
    ssh: Stub,
    owner: str,
    stranger: str,
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
    new_name: Callable[[], str],
) -> None:
    """BatchGetAccountSsh, the reconcile's read: each account once, in name order, with its own
    keys and access as ListSshKeys and GetSshAccess give them; a name that is no account says
    why, as they would."""
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
    other = (await accounts.CreateAccount(request)).account.name
    mine = await add(ssh, owner, key_line(), "mine")
    theirs = await add(ssh, other, key_line("ecdsa-sha2-nistp256"), "theirs")
    access = pb.SshAccess(account=owner, enabled=False)
    await ssh.UpdateSshAccess(pb.UpdateSshAccessRequest(access=access))
    await ssh.UpdateSshShell(pb.UpdateSshShellRequest(account=other, enabled=True))
    asked = [other, owner + "x", owner, stranger, "nosuchaccount", other]
    answer = await ssh.BatchGetAccountSsh(pb.BatchGetAccountSshRequest(accounts=asked))
    assert [entry.account for entry in answer.accounts] == sorted(set(asked))
    by_account = {entry.account: entry for entry in answer.accounts}
    for account, key in ((owner, mine), (other, theirs)):
        got = await ssh.GetSshAccess(pb.GetSshAccessRequest(account=account))
        entry = by_account[account]
        assert (list(entry.keys), entry.access, entry.failure) == ([key], got.access, "")
    assert (by_account[owner].access.enabled, by_account[owner].access.shell) == (False, False)
    assert (by_account[other].access.enabled, by_account[other].access.shell) == (True, True)
    for name in (owner + "x", stranger, "nosuchaccount"):
        entry = by_account[name]
        assert entry.failure.startswith("FAILED_PRECONDITION: "), entry
        assert (list(entry.keys), entry.HasField("access")) == ([], False)


@pytest.mark.parametrize(
    ("names", "field"),
    [
        ([], "accounts"),
        ([f"account{i:04d}" for i in range(1001)], "accounts"),
        (["alice", "root"], "accounts[1]"),
        (["../../root"], "accounts[0]"),
        (["alice\n"], "accounts[0]"),
        (["a" * 33], "accounts[0]"),
    ],
)
async def test_a_batch_with_a_name_that_is_no_account_name_is_refused_whole(
    ssh: Stub, names: list[str], field: str
) -> None:
    request = pb.BatchGetAccountSshRequest(accounts=names)
    code, message = await rpc_error(ssh.BatchGetAccountSsh(request))
    assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
