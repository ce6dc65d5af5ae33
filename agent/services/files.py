"""FileService: the file manager, every operation as the account (agent/system/files/).

Thin: each RPC validates its fields, hands the helper a request and maps its answer. Uploads
and downloads stream through the helper's pipes a chunk at a time, so the agent holds at most
a chunk of a file in memory whatever its size.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Final

import grpc.aio
from google.protobuf import timestamp_pb2
from jopanel.agent.files.v1 import files_pb2, files_pb2_grpc

from agent.config import AgentConfig
from agent.errors import FailedPrecondition, InvalidArgument
from agent.system.base.process import Streaming
from agent.system.files import files as files_layer
from agent.system.files.files import Files, Settings
from agent.validators import accounts as accounts_validators
from agent.validators import files as validators

SERVICE_NAME: Final[str] = files_pb2.DESCRIPTOR.services_by_name["FileService"].full_name
# The most an archive may unpack to, whatever the quota (the quota stops it sooner).
EXTRACT_MAX_BYTES: Final = 20 * 1024**3

Context = grpc.aio.ServicerContext[Any, Any]

_KINDS: Final = {
    "file": files_pb2.FILE_KIND_FILE,
    "folder": files_pb2.FILE_KIND_FOLDER,
    "link": files_pb2.FILE_KIND_LINK,
    "other": files_pb2.FILE_KIND_OTHER,
}
_FORMATS: Final[dict[int, validators.Format]] = {
    files_pb2.ARCHIVE_FORMAT_ZIP: "zip",
    files_pb2.ARCHIVE_FORMAT_TAR_GZ: "tar.gz",
}


class FileServicer(files_pb2_grpc.FileServiceServicer):
    def __init__(self, files: Files) -> None:
        self._files = files

    async def ListFiles(
        self, request: files_pb2.ListFilesRequest, context: Context
    ) -> files_pb2.ListFilesResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path, home=True)
        limit = validators.page_size(request.page_size)
        after = validators.page_token(request.page_token)
        listed = await self._files.call(
            account, {"op": "list", "path": path, "after": after, "limit": limit}
        )
        entries = [entry(item) for item in listed["entries"]]
        token = ""
        if listed["more"] and entries:
            token = validators.next_page_token(entries[-1].name)
        return files_pb2.ListFilesResponse(
            folder=entry(listed["folder"]),
            entries=entries,
            next_page_token=token,
            unnamed=listed["unnamed"],
        )

    async def ReadFile(
        self, request: files_pb2.ReadFileRequest, context: Context
    ) -> AsyncIterator[files_pb2.ReadFileResponse]:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        read = {"op": "read", "path": path, "offset": request.offset, "length": request.length}
        async with self._files.helper(account, read) as running:
            running.stdin.close()
            first = await files_layer.read_line(running)
            if "error" in first:
                await running.wait()
                raise files_layer.refusal(first, path)
            yield files_pb2.ReadFileResponse(file=entry(first["file"]))
            while chunk := await _chunk(running):
                yield files_pb2.ReadFileResponse(data=chunk)
            if await running.wait() != 0:
                raise FailedPrecondition(f"{path}: could not be read to its end")

    async def WriteFile(
        self, request_iterator: AsyncIterator[files_pb2.WriteFileRequest], context: Context
    ) -> files_pb2.WriteFileResponse:
        first = await anext(request_iterator, None)
        if first is None or first.WhichOneof("part") != "upload":
            raise InvalidArgument("upload", "the first message must hold the upload")
        upload = first.upload
        account = accounts_validators.account_name(upload.account, "upload.account")
        path = validators.path(upload.path, "upload.path")
        size = validators.upload_size(upload.size)
        if upload.offset > size:
            raise InvalidArgument("upload.offset", "must be at most upload.size")
        mode = validators.mode(upload.mode, "upload.mode") if upload.mode else 0o644
        write = {"op": "upload", "path": path, "size": size, "offset": upload.offset, "mode": mode}
        async with self._files.helper(account, write) as running:
            answer = asyncio.ensure_future(files_layer.result(running, path, "upload.path"))
            try:
                await _feed(request_iterator, running, size - upload.offset, answer)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    running.stdin.close()
                done = await answer
            finally:
                answer.cancel()
        return files_pb2.WriteFileResponse(
            received=done["received"],
            complete=done["complete"],
            file=entry(done["file"]) if "file" in done else None,
        )

    async def GetUpload(
        self, request: files_pb2.GetUploadRequest, context: Context
    ) -> files_pb2.GetUploadResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        state = await self._files.call(account, {"op": "upload_state", "path": path})
        return files_pb2.GetUploadResponse(received=state["received"])

    async def ReadTextFile(
        self, request: files_pb2.ReadTextFileRequest, context: Context
    ) -> files_pb2.ReadTextFileResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        read = {"op": "read", "path": path, "max_size": validators.TEXT_LIMIT}
        async with self._files.helper(account, read) as running:
            running.stdin.close()
            first = await files_layer.read_line(running)
            if "error" in first:
                await running.wait()
                raise files_layer.refusal(first, path)
            data = await running.stdout.read(validators.TEXT_LIMIT + 1)
            while len(data) <= validators.TEXT_LIMIT and (
                more := await running.stdout.read(validators.TEXT_LIMIT + 1 - len(data))
            ):
                data += more
            await running.wait()
        if len(data) > validators.TEXT_LIMIT:
            raise FailedPrecondition(f"{path}: is larger than {validators.TEXT_LIMIT} bytes")
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            raise FailedPrecondition(f"{path}: is not UTF-8 text") from None
        return files_pb2.ReadTextFileResponse(file=entry(first["file"]), content=content)

    async def WriteTextFile(
        self, request: files_pb2.WriteTextFileRequest, context: Context
    ) -> files_pb2.WriteTextFileResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        data = validators.text(request.content)
        written = await self._files.call(
            account, {"op": "write_text", "path": path, "size": len(data)}, data
        )
        return files_pb2.WriteTextFileResponse(file=entry(written["file"]))

    async def CreateFolder(
        self, request: files_pb2.CreateFolderRequest, context: Context
    ) -> files_pb2.CreateFolderResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        made = await self._files.call(account, {"op": "mkdir", "path": path})
        return files_pb2.CreateFolderResponse(folder=entry(made["file"]))

    async def MoveFile(
        self, request: files_pb2.MoveFileRequest, context: Context
    ) -> files_pb2.MoveFileResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        destination = validators.path(request.destination, "destination")
        validators.elsewhere(path, destination)
        moved = await self._files.call(
            account, {"op": "move", "path": path, "destination": destination}
        )
        return files_pb2.MoveFileResponse(file=entry(moved["file"]))

    async def CopyFile(
        self, request: files_pb2.CopyFileRequest, context: Context
    ) -> files_pb2.CopyFileResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        destination = validators.path(request.destination, "destination")
        validators.elsewhere(path, destination)
        copied = await self._files.call(
            account, {"op": "copy", "path": path, "destination": destination}
        )
        return files_pb2.CopyFileResponse(file=entry(copied["file"]))

    async def DeleteFile(
        self, request: files_pb2.DeleteFileRequest, context: Context
    ) -> files_pb2.DeleteFileResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        await self._files.call(account, {"op": "delete", "path": path})
        return files_pb2.DeleteFileResponse()

    async def SetFileMode(
        self, request: files_pb2.SetFileModeRequest, context: Context
    ) -> files_pb2.SetFileModeResponse:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        mode = validators.mode(request.mode)
        changed = await self._files.call(account, {"op": "chmod", "path": path, "mode": mode})
        return files_pb2.SetFileModeResponse(file=entry(changed["file"]))

    async def MakeArchive(
        self, request: files_pb2.MakeArchiveRequest, context: Context
    ) -> AsyncIterator[files_pb2.MakeArchiveResponse]:
        account = accounts_validators.account_name(request.account, "account")
        folder = validators.path(request.folder, "folder", home=True)
        names = validators.names(request.names)
        destination = validators.path(request.destination, "destination")
        for name in names:
            validators.elsewhere(validators.FilePath(_join(folder, name)), destination)
        make = {
            "op": "archive",
            "folder": folder,
            "names": names,
            "destination": destination,
            "format": _format(request.format),
            "path": destination,
        }
        async for progress, made in _following(self._files, account, make):
            if made is None:
                yield files_pb2.MakeArchiveResponse(progress=progress)
            else:
                yield files_pb2.MakeArchiveResponse(progress=progress, archive=entry(made["file"]))

    async def ExtractArchive(
        self, request: files_pb2.ExtractArchiveRequest, context: Context
    ) -> AsyncIterator[files_pb2.ExtractArchiveResponse]:
        account = accounts_validators.account_name(request.account, "account")
        path = validators.path(request.path)
        destination = validators.path(request.destination, "destination", home=True)
        extract = {
            "op": "extract",
            "path": path,
            "destination": destination,
            "format": _format(request.format),
            "limit": self._files.extract_max_bytes,
        }
        async for progress, done in _following(self._files, account, extract):
            if done is None:
                yield files_pb2.ExtractArchiveResponse(progress=progress)
            else:
                extracted = files_pb2.Extracted(
                    files=done["files"], bytes=done["bytes"], skipped=done["skipped"]
                )
                yield files_pb2.ExtractArchiveResponse(progress=progress, extracted=extracted)


async def _feed(
    requests: AsyncIterator[files_pb2.WriteFileRequest],
    running: Streaming,
    most: int,
    answer: asyncio.Future[dict[str, Any]],
) -> None:
    """The upload's data into the helper as it arrives; the pipe's back-pressure slows the
    client (gRPC's flow control) rather than the agent's memory growing. A helper that
    answered early (a refusal) ends the feeding."""
    sent = 0
    async for message in requests:
        if message.WhichOneof("part") != "data":
            raise InvalidArgument("data", "only the first message may hold the upload")
        sent += len(message.data)
        if sent > most:
            raise InvalidArgument("data", "more bytes than upload.size - upload.offset")
        if answer.done():
            return
        try:
            running.stdin.write(message.data)
            await running.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            return  # the helper stopped reading: its answer says why


async def _following(
    files: Files, account: accounts_validators.AccountName, request: dict[str, Any]
) -> AsyncIterator[tuple[files_pb2.Progress, dict[str, Any] | None]]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    work = asyncio.ensure_future(files.each_progress(account, request, queue.put_nowait))
    last = files_pb2.Progress()
    try:
        while not work.done() or not queue.empty():
            getting = asyncio.ensure_future(queue.get())
            await asyncio.wait({getting, work}, return_when=asyncio.FIRST_COMPLETED)
            if not getting.done():
                getting.cancel()
                continue
            done = getting.result()
            last = files_pb2.Progress(files_done=done["files"], bytes_done=done["bytes"])
            yield last, None
        outcome = work.result()
    finally:
        work.cancel()  # the client hung up: the helper is killed with its group
    if "files" in outcome:
        last = files_pb2.Progress(files_done=outcome["files"], bytes_done=outcome["bytes"])
    yield last, outcome


async def _chunk(running: Streaming) -> bytes:
    """The next CHUNK bytes of the helper's output (fewer at its end): whole chunks make
    fewer, larger messages than the pipe's 64 KiB reads would."""
    try:
        return await running.stdout.readexactly(files_layer.CHUNK)
    except asyncio.IncompleteReadError as end:
        return bytes(end.partial)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _format(value: int) -> validators.Format:
    fmt = _FORMATS.get(value)
    if fmt is None:
        raise InvalidArgument("format", "must be ARCHIVE_FORMAT_ZIP or ARCHIVE_FORMAT_TAR_GZ")
    return fmt


def entry(item: dict[str, Any]) -> files_pb2.FileEntry:
    modified = timestamp_pb2.Timestamp()
    modified.FromNanoseconds(int(item["mtime_ns"]))
    return files_pb2.FileEntry(
        path=item["path"],
        name=item["name"],
        kind=_KINDS[item["kind"]],
        size=item["size"],
        mode=item["mode"],
        modified=modified,
        link_target=item["link_target"],
    )


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    settings = Settings(limits=config.limits("files"), extract_max_bytes=EXTRACT_MAX_BYTES)
    files_pb2_grpc.add_FileServiceServicer_to_server(FileServicer(Files(settings)), server)
