"""FileService against what a tenant plants in its own home (sandbox only): links to
/etc/shadow and /etc, another tenant's home by every path trick, FIFOs where a file is read,
huge names, and archives holding '../' names, absolute names, links out, devices, setuid files
and a 10 GB sparse member. Nothing outside the home changes, nothing is read through a link,
and no call hangs."""

from __future__ import annotations

import asyncio
import io
import os
import pwd
import stat
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.files.v1 import files_pb2

from agent.errors import FailedPrecondition
from agent.services.files import FileServicer
from agent.system.accounts.quotas import DiskQuotas
from agent.system.accounts.users import HOME_ROOT
from agent.system.base.process import Limits
from agent.system.files.files import Files, Settings
from agent.system.files.helper import partial_name
from tests.agent.files.files_support import download, files, home, owner, upload
from tests.agent.support import rpc_error, until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from tests.agent.files.files_support import AccountStub, Stub

__all__ = ["files", "owner"]  # fixtures, used by name

WATCHED = ("/etc/shadow", "/etc/passwd")
SHADOW = Path("/etc/shadow")


def watched() -> dict[str, tuple[bytes, int, int]]:
    found = {}
    for path in WATCHED:
        info = os.lstat(path)
        found[path] = (Path(path).read_bytes(), info.st_mode, info.st_uid)
    return found


def give(path: Path, account: str) -> None:
    entry = pwd.getpwnam(account)
    os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


async def refused(call: Awaitable[object]) -> grpc.StatusCode:
    async with asyncio.timeout(20):  # a FIFO or a stuck helper would hang here
        code, _ = await rpc_error(call)
    return code


async def test_a_link_to_shadow_is_never_read_written_chmoded_or_archived(
    files: Stub, owner: str
) -> None:
    before = watched()
    base = home(owner)
    (base / "shadow").symlink_to("/etc/shadow")
    (base / "etc").symlink_to("/etc")
    give(base / "shadow", owner)
    give(base / "etc", owner)
    a = files_pb2
    calls: list[Awaitable[object]] = [
        files.ReadTextFile(a.ReadTextFileRequest(account=owner, path="shadow")),
        download(files, owner, "shadow"),
        download(files, owner, "etc/shadow"),
        files.ListFiles(a.ListFilesRequest(account=owner, path="etc")),
        files.WriteTextFile(a.WriteTextFileRequest(account=owner, path="shadow", content="x")),
        files.WriteTextFile(a.WriteTextFileRequest(account=owner, path="etc/shadow", content="x")),
        upload(files, owner, "etc/shadow", b"root::0:0:::::\n"),
        files.SetFileMode(a.SetFileModeRequest(account=owner, path="shadow", mode=0o777)),
        files.SetFileMode(a.SetFileModeRequest(account=owner, path="etc/shadow", mode=0o777)),
        files.CreateFolder(a.CreateFolderRequest(account=owner, path="etc/jp")),
        files.MoveFile(a.MoveFileRequest(account=owner, path="etc/shadow", destination="s")),
        files.CopyFile(a.CopyFileRequest(account=owner, path="etc/shadow", destination="s")),
        files.DeleteFile(a.DeleteFileRequest(account=owner, path="etc/shadow")),
    ]
    (base / "mine.txt").write_bytes(b"mine")
    give(base / "mine.txt", owner)
    calls.append(
        files.MoveFile(a.MoveFileRequest(account=owner, path="mine.txt", destination="shadow"))
    )
    for call in calls:
        assert await refused(call) is not grpc.StatusCode.OK
    # Copying or archiving the link copies the link, never what it points to.
    await files.CopyFile(a.CopyFileRequest(account=owner, path="shadow", destination="copy"))
    assert os.readlink(base / "copy") == "/etc/shadow"
    for fmt, name in ((a.ARCHIVE_FORMAT_ZIP, "x.zip"), (a.ARCHIVE_FORMAT_TAR_GZ, "x.tgz")):
        request = a.MakeArchiveRequest(
            account=owner, names=["shadow", "etc", "mine.txt"], destination=name, format=fmt
        )
        [_ async for _ in files.MakeArchive(request)]
        assert before["/etc/shadow"][0] not in archive_bytes(base / name)
    # An upload onto the link replaces the link itself.
    await upload(files, owner, "shadow", b"my own file")
    assert not (base / "shadow").is_symlink()
    assert (base / "shadow").read_bytes() == b"my own file"
    assert watched() == before


def archive_bytes(path: Path) -> bytes:
    """Everything an archive holds, unpacked in memory (zip and tar.gz)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(info) for info in archive.infolist())
    with tarfile.open(path) as archive:
        return b"".join(
            (archive.extractfile(m) or io.BytesIO()).read() for m in archive if m.isreg()
        ) + b"".join(m.linkname.encode() for m in archive if m.issym())


@pytest.mark.parametrize(
    "path",
    [
        "../{other}/secret.txt",
        "/home/{other}/secret.txt",
        "//home/{other}/secret.txt",
        "./secret.txt",
        "a/../../{other}/secret.txt",
        "up/secret.txt",
        "other-home/secret.txt",
        "a\x00b",
        "x" * 256,
        "a/" * 2100 + "b",
        ".jopanel-upload-0123",
    ],
)
async def test_another_tenants_home_is_out_of_reach_by_every_path_trick(
    files: Stub, accounts: AccountStub, new_name: Callable[[], str], owner: str, path: str
) -> None:
    other = new_name()
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    )
    secret = home(other) / "secret.txt"
    secret.write_bytes(b"the other tenant's secret")
    give(secret, other)
    (home(owner) / "up").symlink_to("..")
    (home(owner) / "other-home").symlink_to(f"/home/{other}")
    path = path.format(other=other)
    a = files_pb2
    for call in (
        download(files, owner, path),
        files.ReadTextFile(a.ReadTextFileRequest(account=owner, path=path)),
        files.WriteTextFile(a.WriteTextFileRequest(account=owner, path=path, content="x")),
        files.DeleteFile(a.DeleteFileRequest(account=owner, path=path)),
        files.SetFileMode(a.SetFileModeRequest(account=owner, path=path, mode=0o777)),
        files.CopyFile(a.CopyFileRequest(account=owner, path=path, destination="stolen")),
    ):
        assert await refused(call) is not grpc.StatusCode.OK
    assert secret.read_bytes() == b"the other tenant's secret"
    assert stat.S_IMODE(secret.stat().st_mode) != 0o777
    assert not (home(owner) / "stolen").exists()


async def test_a_neighbours_name_below_or_above_is_not_the_account(
    files: Stub, accounts: AccountStub, owner: str
) -> None:
    """An account's name with a suffix, or cut short, names another account or none."""
    for name in (owner + "x", owner[:-1], "root", "nobody"):
        code = await refused(files.ListFiles(files_pb2.ListFilesRequest(account=name)))
        assert code in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.INVALID_ARGUMENT)


async def test_a_fifo_where_a_file_is_read_does_not_hang(files: Stub, owner: str) -> None:
    base = home(owner)
    os.mkfifo(base / "pipe")
    give(base / "pipe", owner)
    (base / "dir").mkdir()
    give(base / "dir", owner)
    os.mkfifo(base / "dir" / partial_name("target"))
    give(base / "dir" / partial_name("target"), owner)
    for path in ("pipe",):
        assert await refused(download(files, owner, path)) is grpc.StatusCode.FAILED_PRECONDITION
        code = await refused(
            files.ReadTextFile(files_pb2.ReadTextFileRequest(account=owner, path=path))
        )
        assert code is grpc.StatusCode.FAILED_PRECONDITION
    # A FIFO at the name an upload's partial file takes is not opened.
    code = await refused(upload(files, owner, "dir/target", b"data"))
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    os.mkfifo(base / "fifo-in-copy")
    give(base / "fifo-in-copy", owner)
    async with asyncio.timeout(20):
        request = files_pb2.MakeArchiveRequest(
            account=owner,
            names=["fifo-in-copy"],
            destination="f.zip",
            format=files_pb2.ARCHIVE_FORMAT_ZIP,
        )
        [_ async for _ in files.MakeArchive(request)]


async def test_upload_sizes_and_offsets_are_bounded(files: Stub, owner: str) -> None:
    code, _ = await rpc_error(upload(files, owner, "a.bin", b"x", size=(1 << 40) + 1))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    code, _ = await rpc_error(upload(files, owner, "a.bin", b"xx", size=1))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    code, _ = await rpc_error(upload(files, owner, "a.bin", b"x", offset=5, size=10))
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert not (home(owner) / "a.bin").exists()


async def test_a_second_upload_of_the_same_file_at_once_is_refused(files: Stub, owner: str) -> None:
    """Two uploads of one file at once would truncate or interleave each other's bytes in
    the one partial file: the second is refused (409) while the first holds it, and the first
    ends whole."""
    first_part, rest = os.urandom(64 * 1024), os.urandom(64 * 1024)
    release = asyncio.Event()

    async def slow() -> AsyncIterator[files_pb2.WriteFileRequest]:
        yield files_pb2.WriteFileRequest(
            upload=files_pb2.Upload(account=owner, path="same.bin", size=128 * 1024)
        )
        yield files_pb2.WriteFileRequest(data=first_part)
        await release.wait()
        yield files_pb2.WriteFileRequest(data=rest)

    first = asyncio.ensure_future(files.WriteFile(slow()))
    partial = home(owner) / partial_name("same.bin")
    # The helper locks the partial file before it writes a byte into it.
    await until(
        lambda: partial.exists() and partial.stat().st_size == len(first_part),
        "the first upload's first part in its partial file",
    )
    for offset, data in ((0, b"y" * 10), (len(first_part), rest)):
        code = await refused(upload(files, owner, "same.bin", data, offset=offset, size=128 * 1024))
        assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert partial.read_bytes() == first_part
    release.set()
    async with asyncio.timeout(20):
        done = await first
    assert done.complete
    assert (home(owner) / "same.bin").read_bytes() == first_part + rest


def hostile_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../escaped.txt", b"out")
        archive.writestr("/tmp/absolute.txt", b"out")
        archive.writestr("ok/../../escaped2.txt", b"out")
        archive.writestr("ok/plain.txt", b"plain")
        for name, target in (("ok/shadow", "/etc/shadow"), ("ok/up", "../../../etc")):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target.encode())
        info = zipfile.ZipInfo("ok/setuid")
        info.external_attr = (stat.S_IFREG | 0o6755) << 16
        archive.writestr(info, b"#!/bin/sh\n")
        info = zipfile.ZipInfo("ok/device")
        info.external_attr = (stat.S_IFCHR | 0o666) << 16
        archive.writestr(info, b"")
    return buffer.getvalue()


def hostile_tar(outside: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:

        def add(
            name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"x", **extra: object
        ) -> None:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            for key, value in extra.items():
                setattr(info, key, value)
            archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

        add("../escaped.txt")
        add("/tmp/absolute.txt")
        add("ok/plain.txt", data=b"plain")
        add("ok/setuid", mode=0o6755)
        add("ok/shadow", tarfile.SYMTYPE, linkname="/etc/shadow")
        add("ok/hard", tarfile.LNKTYPE, linkname=str(outside))
        add("ok/device", tarfile.CHRTYPE, devmajor=1, devminor=3)
        add("ok/fifo", tarfile.FIFOTYPE)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
async def test_a_hostile_archive_extracts_nothing_outside_and_nothing_dangerous(
    files: Stub, owner: str, fmt: str, tmp_path: Path
) -> None:
    before = watched()
    base = home(owner)
    (base / "etc").symlink_to("/etc")
    give(base / "etc", owner)
    outside = Path("/root/jp-outside.txt")
    outside.write_bytes(b"root's")
    data = hostile_zip() if fmt == "zip" else hostile_tar(outside)
    (base / "evil").write_bytes(data)
    give(base / "evil", owner)
    kind = files_pb2.ARCHIVE_FORMAT_ZIP if fmt == "zip" else files_pb2.ARCHIVE_FORMAT_TAR_GZ
    request = files_pb2.ExtractArchiveRequest(
        account=owner, path="evil", destination="", format=kind
    )
    done = [m async for m in files.ExtractArchive(request)][-1].extracted
    assert (base / "ok" / "plain.txt").read_bytes() == b"plain"
    assert done.skipped >= 5
    assert not Path("/home/escaped.txt").exists()
    assert not Path("/tmp/absolute.txt").exists()
    assert not Path("/home/escaped2.txt").exists()
    uid = pwd.getpwnam(owner).pw_uid
    for path in base.rglob("*"):
        info = os.lstat(path)
        assert info.st_uid == uid, path
        assert not info.st_mode & (stat.S_ISUID | stat.S_ISGID), path
        assert (
            stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode)
        )
        if stat.S_ISLNK(info.st_mode) and path.name != "etc":
            assert os.path.realpath(path).startswith(str(base) + "/"), path
    # Extracting into a link to /etc is refused.
    code = await refused(
        _collect(
            files.ExtractArchive(
                files_pb2.ExtractArchiveRequest(
                    account=owner, path="evil", destination="etc", format=kind
                )
            )
        )
    )
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert watched() == before
    assert outside.read_bytes() == b"root's"
    assert os.stat(outside).st_nlink == 1
    outside.unlink()


async def _collect(stream: object) -> list[object]:
    return [item async for item in stream]  # type: ignore[attr-defined]


def sparse_tar(folder: Path, size: int) -> bytes:
    """A tar.gz of one sparse member of `size` bytes that is a few KiB on disk (GNU tar)."""
    (folder / "zeros").touch()
    os.truncate(folder / "zeros", size)
    subprocess.run(
        ["tar", "-C", str(folder), "-czSf", str(folder / "bomb.tar.gz"), "zeros"], check=True
    )
    return (folder / "bomb.tar.gz").read_bytes()


async def test_a_10_gb_sparse_member_stops_at_the_bound(owner: str, tmp_path: Path) -> None:
    """With a bound of 64 MiB (the agent's is 20 GiB, and the quota stops it sooner), the
    bomb stops there: the writer counts the bytes it writes, not what the archive declares."""
    data = sparse_tar(tmp_path, 10 * 1024**3)
    assert len(data) < 2 * 1024 * 1024
    (home(owner) / "bomb.tar.gz").write_bytes(data)
    give(home(owner) / "bomb.tar.gz", owner)
    bound = 64 * 1024 * 1024
    servicer = FileServicer(Files(Settings(Limits(120, "files_timeout"), bound)))
    request = files_pb2.ExtractArchiveRequest(
        account=owner, path="bomb.tar.gz", destination="", format=files_pb2.ARCHIVE_FORMAT_TAR_GZ
    )
    with pytest.raises(FailedPrecondition, match="more than"):
        async with asyncio.timeout(120):
            [_ async for _ in servicer.ExtractArchive(request, None)]  # type: ignore[arg-type]
    assert (home(owner) / "zeros").stat().st_size <= bound


async def test_a_10_gb_sparse_member_stops_at_the_quota(
    files: Stub, accounts: AccountStub, new_name: Callable[[], str], tmp_path: Path
) -> None:
    quotas = DiskQuotas(HOME_ROOT)
    if not quotas.enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")
    name = new_name()
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(
            name=name, shell=accounts_pb2.SHELL_NOLOGIN, disk_quota_mb=4
        )
    )
    await upload(files, name, "bomb.tar.gz", sparse_tar(tmp_path, 10 * 1024**3))
    request = files_pb2.ExtractArchiveRequest(
        account=name, path="bomb.tar.gz", destination="", format=files_pb2.ARCHIVE_FORMAT_TAR_GZ
    )
    code, message = await rpc_error(_collect(files.ExtractArchive(request)))
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert "quota" in message
    usage = quotas.usage(pwd.getpwnam(name).pw_uid)
    assert usage is not None
    assert usage.used_bytes <= 4 * 1024 * 1024


async def test_an_upload_past_the_quota_is_refused_and_frees_what_it_took(
    files: Stub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    """The kernel stops an upload at the quota; its partial file, which no request can name,
    is removed, so the quota is free again and nothing unreachable is left."""
    quotas = DiskQuotas(HOME_ROOT)
    if not quotas.enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")
    name = new_name()
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(
            name=name, shell=accounts_pb2.SHELL_NOLOGIN, disk_quota_mb=4
        )
    )
    code, message = await rpc_error(upload(files, name, "big.bin", b"x" * (8 * 1024 * 1024)))
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert "quota" in message
    assert not (home(name) / partial_name("big.bin")).exists()
    assert not (home(name) / "big.bin").exists()
    usage = quotas.usage(pwd.getpwnam(name).pw_uid)
    assert usage is not None
    assert usage.used_bytes < 1024 * 1024
