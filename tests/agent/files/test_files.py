"""FileService through the agent's socket (sandbox only): each operation checked on disk
(owner, mode, content), as the account that owns the home."""

from __future__ import annotations

import os
import pwd
import stat
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.files.v1 import files_pb2

from tests.agent.files.files_support import download, files, home, owner, upload
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.files.files_support import Stub

__all__ = ["files", "owner"]  # fixtures, used by name


def owned_by(path: os.PathLike[str] | str, account: str) -> bool:
    return os.lstat(path).st_uid == pwd.getpwnam(account).pw_uid


async def test_a_folder_is_listed_page_by_page_in_name_order(files: Stub, owner: str) -> None:
    for name in ("b.txt", "a.txt", "c.txt"):
        await upload(files, owner, name, name.encode())
    (home(owner) / "link").symlink_to("a.txt")
    first = await files.ListFiles(files_pb2.ListFilesRequest(account=owner, page_size=2))
    names = [entry.name for entry in first.entries]
    assert names == sorted(names)[:2]
    rest = await files.ListFiles(
        files_pb2.ListFilesRequest(account=owner, page_size=100, page_token=first.next_page_token)
    )
    listed = {entry.name: entry for entry in [*first.entries, *rest.entries]}
    assert {"a.txt", "b.txt", "c.txt", "link"} <= set(listed)
    assert not rest.next_page_token
    assert listed["a.txt"].kind == files_pb2.FILE_KIND_FILE
    assert listed["a.txt"].size == 5
    assert listed["link"].kind == files_pb2.FILE_KIND_LINK
    assert listed["link"].link_target == "a.txt"
    assert first.folder.path == ""
    assert first.folder.kind == files_pb2.FILE_KIND_FOLDER


async def test_an_upload_lands_as_the_account_with_its_bytes_and_mode(
    files: Stub, owner: str
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    await files.CreateFolder(files_pb2.CreateFolderRequest(account=owner, path="public_html"))
    answer = await upload(files, owner, "public_html/big.bin", data)
    assert answer.complete
    assert answer.received == len(data)
    target = home(owner) / "public_html" / "big.bin"
    assert target.read_bytes() == data
    assert owned_by(target, owner)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    entry, back = await download(files, owner, "public_html/big.bin")
    assert back == data
    assert entry.size == len(data)
    _, tail = await download(files, owner, "public_html/big.bin", offset=len(data) - 10)
    assert tail == data[-10:]


async def test_an_upload_cut_short_resumes_where_it_stopped(files: Stub, owner: str) -> None:
    data = os.urandom(1024 * 1024)
    first = await upload(files, owner, "resumed.bin", data[:300_000], size=len(data))
    assert not first.complete
    assert first.received == 300_000
    assert not (home(owner) / "resumed.bin").exists()  # the site never sees half a file
    state = await files.GetUpload(files_pb2.GetUploadRequest(account=owner, path="resumed.bin"))
    assert state.received == 300_000
    code, message = await rpc_error(
        upload(files, owner, "resumed.bin", data[100:], offset=100, size=len(data))
    )
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert "300000" in message
    done = await upload(files, owner, "resumed.bin", data[300_000:], offset=300_000)
    assert done.complete
    assert (home(owner) / "resumed.bin").read_bytes() == data
    assert not [name for name in os.listdir(home(owner)) if name.startswith(".jopanel-")]


async def test_text_files_are_read_and_replaced_keeping_their_mode(files: Stub, owner: str) -> None:
    target = home(owner) / "public_html" / "index.php"
    await files.CreateFolder(files_pb2.CreateFolderRequest(account=owner, path="public_html"))
    written = await files.WriteTextFile(
        files_pb2.WriteTextFileRequest(
            account=owner, path="public_html/index.php", content="<?php echo 1;"
        )
    )
    assert written.file.mode == 0o644
    assert owned_by(target, owner)
    os.chmod(target, 0o600)
    await files.WriteTextFile(
        files_pb2.WriteTextFileRequest(account=owner, path="public_html/index.php", content="héllo")
    )
    assert target.read_text() == "héllo"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    read = await files.ReadTextFile(
        files_pb2.ReadTextFileRequest(account=owner, path="public_html/index.php")
    )
    assert read.content == "héllo"


async def test_a_text_file_above_the_limit_or_not_utf8_is_refused(files: Stub, owner: str) -> None:
    (home(owner) / "big.txt").write_bytes(b"a" * (2 * 1024 * 1024 + 1))
    (home(owner) / "binary.txt").write_bytes(b"\xff\xfe")
    for name, words in (("big.txt", "larger than"), ("binary.txt", "UTF-8")):
        code, message = await rpc_error(
            files.ReadTextFile(files_pb2.ReadTextFileRequest(account=owner, path=name))
        )
        assert code is grpc.StatusCode.FAILED_PRECONDITION
        assert words in message
    code, _ = await rpc_error(
        files.WriteTextFile(
            files_pb2.WriteTextFileRequest(
                account=owner, path="x.txt", content="a" * (2 * 1024 * 1024 + 1)
            )
        )
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT


async def test_folders_move_copy_delete_and_modes(files: Stub, owner: str) -> None:
    base = home(owner)
    await files.CreateFolder(files_pb2.CreateFolderRequest(account=owner, path="site"))
    await upload(files, owner, "site/a.txt", b"alpha")
    (base / "site" / "inner").mkdir()
    (base / "site" / "inner" / "b.txt").write_bytes(b"beta")
    (base / "site" / "to-a").symlink_to("a.txt")
    copied = await files.CopyFile(
        files_pb2.CopyFileRequest(account=owner, path="site", destination="copy")
    )
    assert copied.file.kind == files_pb2.FILE_KIND_FOLDER
    assert (base / "copy" / "inner" / "b.txt").read_bytes() == b"beta"
    assert os.readlink(base / "copy" / "to-a") == "a.txt"
    assert all(owned_by(p, owner) for p in (base / "copy").rglob("*"))
    await files.MoveFile(
        files_pb2.MoveFileRequest(account=owner, path="copy/a.txt", destination="moved.txt")
    )
    assert (base / "moved.txt").read_bytes() == b"alpha"
    assert not (base / "copy" / "a.txt").exists()
    code, _ = await rpc_error(
        files.MoveFile(files_pb2.MoveFileRequest(account=owner, path="site", destination="copy"))
    )
    assert code is grpc.StatusCode.ALREADY_EXISTS
    code, _ = await rpc_error(
        files.MoveFile(files_pb2.MoveFileRequest(account=owner, path="site", destination="site/x"))
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    changed = await files.SetFileMode(
        files_pb2.SetFileModeRequest(account=owner, path="moved.txt", mode=0o600)
    )
    assert changed.file.mode == 0o600
    assert stat.S_IMODE((base / "moved.txt").stat().st_mode) == 0o600
    code, _ = await rpc_error(
        files.SetFileMode(
            files_pb2.SetFileModeRequest(account=owner, path="moved.txt", mode=0o4755)
        )
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    await files.DeleteFile(files_pb2.DeleteFileRequest(account=owner, path="copy"))
    assert not (base / "copy").exists()
    assert (base / "site" / "inner" / "b.txt").exists()


@pytest.mark.parametrize("fmt", [files_pb2.ARCHIVE_FORMAT_ZIP, files_pb2.ARCHIVE_FORMAT_TAR_GZ])
async def test_archives_are_made_and_extracted_back(
    files: Stub, owner: str, fmt: files_pb2.ArchiveFormat.ValueType
) -> None:
    base = home(owner)
    (base / "site" / "inner").mkdir(parents=True)
    (base / "site" / "a.txt").write_bytes(b"alpha")
    (base / "site" / "inner" / "b.bin").write_bytes(os.urandom(200_000))
    for path in base.joinpath("site").rglob("*"):
        os.chown(path, pwd.getpwnam(owner).pw_uid, pwd.getpwnam(owner).pw_gid)
    name = "site.zip" if fmt == files_pb2.ARCHIVE_FORMAT_ZIP else "site.tar.gz"
    made = [
        m
        async for m in files.MakeArchive(
            files_pb2.MakeArchiveRequest(
                account=owner, folder="", names=["site"], destination=name, format=fmt
            )
        )
    ]
    assert made[-1].archive.path == name
    assert made[-1].progress.files_done == 2
    assert owned_by(base / name, owner)
    await files.CreateFolder(files_pb2.CreateFolderRequest(account=owner, path="out"))
    done = [
        m
        async for m in files.ExtractArchive(
            files_pb2.ExtractArchiveRequest(account=owner, path=name, destination="out", format=fmt)
        )
    ]
    assert done[-1].extracted.files == 2
    assert done[-1].extracted.skipped == 0
    assert (base / "out" / "site" / "a.txt").read_bytes() == b"alpha"
    assert (base / "out" / "site" / "inner" / "b.bin").read_bytes() == (
        base / "site" / "inner" / "b.bin"
    ).read_bytes()
    assert all(owned_by(p, owner) for p in (base / "out").rglob("*"))
