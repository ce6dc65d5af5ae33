"""Remote repositories (sandbox only): an SFTP repository on a real OpenSSH sshd on loopback,
reached as a dedicated account with its key and the pinned host key; backups go there and
come back. Credentials stay root's and are never returned; a server with another host key gets
nothing; hostile fields are refused before anything is written. S3 is validated only (no
server here)."""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncssh
import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2 as pb
from jopanel.agent.ssh.v1 import ssh_pb2, ssh_pb2_grpc

from agent.system.backups.repository import Layout
from tests.agent.backups.backup_support import backup_account, backups
from tests.agent.dns.dns_support import create_zone, dns, named, new_zone
from tests.agent.support import field_errors, rpc_error

if TYPE_CHECKING:
    import grpc.aio

    from tests.agent.backups.backup_support import AccountStub, Stub
    from tests.agent.dns.dns_support import Stub as DnsStub

__all__ = ["backup_account", "backups", "dns", "named", "new_zone"]  # fixtures, used by name

HOST_KEY = Path("/etc/ssh/ssh_host_ed25519_key.pub")
HUGE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "A" * 20_000 + "\n-----END OPENSSH PRIVATE KEY-----\n"
)
S3 = "https://s3.example.net"
KEY_ID = "A" * 20
SECRET = "s" * 40


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.Sshd]:
    """The sandbox's sshd (as `make run` starts it) on a loopback port, for this module: the
    agent reloads it (its pid file) when it writes its configuration for accounts."""
    server = stack.Sshd(stack.free_port(), tmp_path_factory.mktemp("sshd"))
    server.start()
    yield server
    server.stop()


class Target:
    """An account on the sshd that holds the repository, and the agent's key for it."""

    def __init__(self, account: str, private_key: str) -> None:
        self.account = account
        self.private_key = private_key

    @property
    def home(self) -> Path:
        return Path(pwd.getpwnam(self.account).pw_dir)


@pytest.fixture
async def target(
    accounts: AccountStub, channel: grpc.aio.Channel, new_name: Callable[[], str]
) -> Target:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    account = (await accounts.CreateAccount(request)).account.name
    key = asyncssh.generate_private_key("ssh-ed25519")
    ssh = ssh_pb2_grpc.SshServiceStub(channel)
    line = key.export_public_key().decode().strip()
    await ssh.CreateSshKey(ssh_pb2.CreateSshKeyRequest(account=account, public_key=line))
    return Target(account, key.export_private_key("openssh").decode())


def sftp_repository(
    name: str, sshd: stack.Sshd, target: Target, **changes: object
) -> pb.BackupRepository:
    location = pb.SftpLocation(
        host="127.0.0.1",
        port=sshd.port,
        user=target.account,
        path=f"/{target.account}/restic",  # sshd's chroot is /home
        host_key=HOST_KEY.read_text().strip(),
    )
    for key, value in changes.items():
        setattr(location, key, value)
    return pb.BackupRepository(name=name, sftp=location)


def added(repository: pb.BackupRepository, target: Target) -> pb.CreateBackupRepositoryRequest:
    return pb.CreateBackupRepositoryRequest(repository=repository, private_key=target.private_key)


async def test_backups_go_to_an_sftp_repository_and_come_back(
    backups: Stub, sshd: stack.Sshd, target: Target, backup_account: str
) -> None:
    reply = await backups.CreateBackupRepository(
        added(sftp_repository("offsite", sshd, target), target)
    )
    assert reply.repository.key_fingerprint.startswith("SHA256:")
    assert (target.home / "restic" / "config").is_file()  # made there, as the account
    assert (target.home / "restic").stat().st_uid == pwd.getpwnam(target.account).pw_uid
    home = Path(pwd.getpwnam(backup_account).pw_dir)
    (home / "note.txt").write_bytes(b"off the server")
    os.chown(home / "note.txt", *(lambda e: (e.pw_uid, e.pw_gid))(pwd.getpwnam(backup_account)))

    responses = [
        r
        async for r in backups.BackUpAccount(
            pb.BackUpAccountRequest(account=backup_account, repository="offsite")
        )
    ]
    backup = responses[-1].backup

    remote = await backups.ListBackups(
        pb.ListBackupsRequest(account=backup_account, repository="offsite")
    )
    assert [b.id for b in remote.backups] == [backup.id]
    local = await backups.ListBackups(pb.ListBackupsRequest(account=backup_account))
    assert backup.id not in [b.id for b in local.backups]
    (home / "note.txt").unlink()
    request = pb.RestoreBackupRequest(
        account=backup_account, backup_id=backup.id, path="note.txt",
        placement=pb.PLACEMENT_IN_PLACE, repository="offsite",
    )  # fmt: skip
    [r async for r in backups.RestoreBackup(request)]
    assert (home / "note.txt").read_bytes() == b"off the server"


async def test_credentials_stay_roots_and_are_never_returned(
    backups: Stub, sshd: stack.Sshd, target: Target
) -> None:
    await backups.CreateBackupRepository(added(sftp_repository("keys", sshd, target), target))
    listed = await backups.ListBackupRepositories(pb.ListBackupRepositoriesRequest())
    text = str(listed)
    secret_body = target.private_key.splitlines()[1]
    assert secret_body not in text
    folder = Layout().state_dir / "repositories" / "keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        info = path.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode) & 0o077) == (0, 0), path
    assert secret_body not in (folder / "spec.json").read_text()
    await backups.DeleteBackupRepository(pb.DeleteBackupRepositoryRequest(name="keys"))
    assert not folder.exists()


async def test_a_server_with_another_host_key_gets_nothing(
    backups: Stub, sshd: stack.Sshd, target: Target
) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    request = added(sftp_repository("spoofed", sshd, target, host_key=other), target)
    code, message = await rpc_error(backups.CreateBackupRepository(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION, message
    assert "nothing was kept" in message
    assert not (target.home / "restic").exists()
    listed = await backups.ListBackupRepositories(pb.ListBackupRepositoriesRequest())
    assert "spoofed" not in [r.name for r in listed.repositories]
    leftovers = list((Layout().state_dir / "repositories").glob(".new-*"))
    assert leftovers == []


async def test_a_failed_replace_keeps_the_repository_as_it_was(
    backups: Stub, sshd: stack.Sshd, target: Target
) -> None:
    await backups.CreateBackupRepository(added(sftp_repository("kept", sshd, target), target))
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    request = added(sftp_repository("kept", sshd, target, host_key=other), target)
    code, _ = await rpc_error(backups.CreateBackupRepository(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    listed = await backups.ListBackupRepositories(pb.ListBackupRepositoriesRequest())
    (kept,) = [r for r in listed.repositories if r.name == "kept"]
    assert kept.sftp.host_key == " ".join(HOST_KEY.read_text().split()[:2])  # without comment


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"path": "/home/../etc"}, "repository.sftp.path"),
        ({"path": "relative/path"}, "repository.sftp.path"),
        ({"path": "/a b"}, "repository.sftp.path"),
        ({"path": "/" + "a" * 300}, "repository.sftp.path"),
        ({"user": "-oProxyCommand=touch /tmp/x"}, "repository.sftp.user"),
        ({"user": "root@evil"}, "repository.sftp.user"),
        ({"host": "-oProxyCommand=id"}, "repository.sftp.host"),
        ({"host": "evil.example com"}, "repository.sftp.host"),
        ({"host": "a" * 10_000}, "repository.sftp.host"),
        ({"port": 70_000}, "repository.sftp.port"),
        ({"host_key": "ssh-ed25519 notbase64!"}, "repository.sftp.host_key"),
        ({"host_key": "ssh-ed25519 " + "A" * 100_000}, "repository.sftp.host_key"),
    ],
)
async def test_hostile_sftp_fields_are_refused_before_anything_is_written(
    backups: Stub, sshd: stack.Sshd, target: Target, changes: dict[str, object], field: str
) -> None:
    request = added(sftp_repository("hostile", sshd, target, **changes), target)
    assert [path for path, _ in await field_errors(backups.CreateBackupRepository(request))] == [
        field
    ]
    assert not (Layout().state_dir / "repositories" / "hostile").exists()


@pytest.mark.parametrize(
    ("name", "key", "password", "field"),
    [
        ("local", "", "x", "repository.name"),
        ("../etc", "", "x", "repository.name"),
        ("Offsite", "", "x", "repository.name"),
        ("ok", HUGE_KEY, "", "private_key"),
        ("ok", "not a key", "", "private_key"),
        ("ok", "", "line\nbreak", "password"),
        ("ok", "", "", "private_key"),
    ],
)  # fmt: skip
async def test_hostile_names_and_secrets_are_refused(
    backups: Stub, sshd: stack.Sshd, target: Target, name: str, key: str, password: str, field: str
) -> None:
    repository = sftp_repository(name, sshd, target)
    request = pb.CreateBackupRepositoryRequest(
        repository=repository, private_key=key, password=password
    )
    assert [path for path, _ in await field_errors(backups.CreateBackupRepository(request))] == [
        field
    ]


async def test_a_host_an_account_holds_is_refused(
    backups: Stub, dns: DnsStub, named: stack.Named, new_zone: Callable[[], str],
    sshd: stack.Sshd, target: Target,
) -> None:  # fmt: skip
    """An account serves its own zone here: it could point the name at a server of its own."""
    zone = new_zone()
    await create_zone(dns, zone, target.account)
    for host in (zone, f"backup.{zone}"):
        request = added(sftp_repository("tenant", sshd, target, host=host), target)
        errors = await field_errors(backups.CreateBackupRepository(request))
        assert [path for path, _ in errors] == ["repository.sftp.host"], host


@pytest.mark.parametrize(
    ("s3", "access", "secret", "field"),
    [
        (pb.S3Location(endpoint="http://s3.example.net", bucket="b-1"), KEY_ID, SECRET, "endpoint"),
        (
            pb.S3Location(endpoint="https://u@s3.example.net", bucket="b-1"),
            KEY_ID,
            SECRET,
            "endpoint",
        ),
        (pb.S3Location(endpoint=f"{S3}/path", bucket="b-1"), KEY_ID, SECRET, "endpoint"),
        (pb.S3Location(endpoint=f"{S3}:99999", bucket="b-1"), KEY_ID, SECRET, "endpoint"),
        (pb.S3Location(endpoint=S3, bucket="B"), KEY_ID, SECRET, "bucket"),
        (pb.S3Location(endpoint=S3, bucket="b-1", prefix="../x"), KEY_ID, SECRET, "prefix"),
        (pb.S3Location(endpoint=S3, bucket="b-1", region="EU WEST"), KEY_ID, SECRET, "region"),
        (pb.S3Location(endpoint=S3, bucket="b-1"), "A-1", SECRET, "access_key_id"),
        (pb.S3Location(endpoint=S3, bucket="b-1"), KEY_ID, "short", "secret_access_key"),
        (pb.S3Location(endpoint=S3, bucket="b-1"), KEY_ID, "s p a c e s" * 4, "secret_access_key"),
    ],
)
async def test_s3_fields_are_validated(
    backups: Stub, s3: pb.S3Location, access: str, secret: str, field: str
) -> None:
    request = pb.CreateBackupRepositoryRequest(
        repository=pb.BackupRepository(name="cloud", s3=s3),
        access_key_id=access,
        secret_access_key=secret,
    )
    errors = await field_errors(backups.CreateBackupRepository(request))
    in_location = field not in ("access_key_id", "secret_access_key")
    assert [path for path, _ in errors] == [f"repository.s3.{field}" if in_location else field]


async def test_an_sftp_repository_with_a_login_password(
    backups: Stub, accounts: AccountStub, sshd: stack.Sshd, new_name: Callable[[], str]
) -> None:
    password = "a long login password"
    request = accounts_pb2.CreateAccountRequest(
        name=new_name(), password=password, shell=accounts_pb2.SHELL_NOLOGIN
    )
    account = (await accounts.CreateAccount(request)).account.name
    target = Target(account, "")
    repository = sftp_repository("by-password", sshd, target)
    wrong = pb.CreateBackupRepositoryRequest(repository=repository, password="not the password")
    code, _ = await rpc_error(backups.CreateBackupRepository(wrong))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    right = pb.CreateBackupRepositoryRequest(repository=repository, password=password)
    reply = await backups.CreateBackupRepository(right)
    assert (reply.repository.secret_set, reply.repository.key_fingerprint) == (True, "")
    assert (target.home / "restic" / "config").is_file()
    folder = Layout().state_dir / "repositories" / "by-password"
    assert password not in (folder / "spec.json").read_text()
    assert password not in str(
        await backups.ListBackupRepositories(pb.ListBackupRepositoriesRequest())
    )
