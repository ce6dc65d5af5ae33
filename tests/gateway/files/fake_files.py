"""FileService in memory, for the gateway's tests: each account's home as a dict of paths.

It validates as the agent does (the agent's own validators) and answers the same status codes
for the same cases; what the file system itself does (links, FIFOs, archives' members) is the
agent's tests' business (tests/agent/files/).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import grpc
from jopanel.agent.files.v1 import files_pb2 as pb
from jopanel.agent.files.v1 import files_pb2_grpc

from agent.errors import InvalidArgument
from agent.validators import files as validators
from tests.gateway.fake_agent import FakeAccounts, Recorder, refuse_field

Context = grpc.aio.ServicerContext[Any, Any]
FOLDER = None  # a folder's value in a home


class FakeFiles(Recorder, files_pb2_grpc.FileServiceServicer):
    def __init__(self, accounts: FakeAccounts | None = None) -> None:
        self.accounts = accounts
        self.homes: dict[str, dict[str, bytes | None]] = {}
        self.partials: dict[tuple[str, str], bytes] = {}
        self.modes: dict[tuple[str, str], int] = {}
        # The largest data message an upload brought (the gateway sends chunks, never a file).
        self.largest_message = 0
        # Every call as it arrives, before any check: a request the gateway refuses is none.
        self.arrived: list[str] = []
        super().__init__()

    def remove_account(self, account: str) -> None:
        self.homes.pop(account, None)

    async def _home(self, account: str, context: Context) -> dict[str, bytes | None]:
        self.arrived.append(account)  # each RPC's first step
        if self.accounts is not None and account not in self.accounts.accounts:
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION, f"account {account} does not exist"
            )
        return self.homes.setdefault(account, {})

    async def _path(
        self, value: str, context: Context, field: str = "path", home: bool = False
    ) -> str:
        try:
            return validators.path(value, field, home=home)
        except InvalidArgument as error:
            await refuse_field(context, error.field, error.description)

    def _entry(self, account: str, path: str) -> pb.FileEntry:
        content = self.homes.get(account, {}).get(path)
        kind = pb.FILE_KIND_FOLDER if content is None else pb.FILE_KIND_FILE
        default = 0o755 if content is None else 0o644
        entry = pb.FileEntry(
            path=path,
            name=path.rpartition("/")[2],
            kind=kind,
            size=len(content or b""),
            mode=self.modes.get((account, path), default),
        )
        entry.modified.GetCurrentTime()
        return entry

    async def _exists(self, home: dict[str, bytes | None], path: str, context: Context) -> None:
        if path and path not in home:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{path}: does not exist")

    async def _parent_exists(
        self, home: dict[str, bytes | None], path: str, context: Context
    ) -> None:
        await self._exists(home, path.rpartition("/")[0], context)

    async def ListFiles(
        self, request: pb.ListFilesRequest, context: Context
    ) -> pb.ListFilesResponse:
        home = await self._home(request.account, context)
        folder = await self._path(request.path, context, home=True)
        await self._exists(home, folder, context)
        after = validators.page_token(request.page_token)
        limit = validators.page_size(request.page_size)
        prefix = f"{folder}/" if folder else ""
        names = sorted(
            p[len(prefix) :] for p in home if p.startswith(prefix) and "/" not in p[len(prefix) :]
        )
        names = [n for n in names if n.encode() > after.encode()]
        page = names[:limit]
        token = validators.next_page_token(page[-1]) if len(names) > limit else ""
        return pb.ListFilesResponse(
            folder=self._entry(request.account, folder),
            entries=[self._entry(request.account, prefix + n) for n in page],
            next_page_token=token,
        )

    async def ReadFile(
        self, request: pb.ReadFileRequest, context: Context
    ) -> AsyncIterator[pb.ReadFileResponse]:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._exists(home, path, context)
        content = home[path]
        if content is None:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{path}: is a folder")
        yield pb.ReadFileResponse(file=self._entry(request.account, path))
        for start in range(min(request.offset, len(content)), len(content), 1 << 20):
            yield pb.ReadFileResponse(data=content[start : start + (1 << 20)])

    async def WriteFile(
        self, request_iterator: AsyncIterator[pb.WriteFileRequest], context: Context
    ) -> pb.WriteFileResponse:
        first = await anext(request_iterator)
        upload = first.upload
        home = await self._home(upload.account, context)
        path = await self._path(upload.path, context, "upload.path")
        await self._parent_exists(home, path, context)
        await self._enter("WriteFile", f"{upload.account}/{path}", context)
        key = (upload.account, path)
        received = self.partials.get(key, b"") if upload.offset else b""
        if len(received) != upload.offset:
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"{path}: has {len(received)} bytes of its upload: resume there",
            )
        parts = [received]
        async for message in request_iterator:
            self.largest_message = max(self.largest_message, len(message.data))
            parts.append(message.data)
            self.partials[key] = b"".join(parts)  # what arrived stays, as on disk
        data = b"".join(parts)
        if len(data) < upload.size:
            return pb.WriteFileResponse(received=len(data), complete=False)
        self.partials.pop(key, None)
        home[path] = data
        self.modes[key] = upload.mode or 0o644
        entry = self._entry(upload.account, path)
        return pb.WriteFileResponse(received=len(data), complete=True, file=entry)

    async def GetUpload(
        self, request: pb.GetUploadRequest, context: Context
    ) -> pb.GetUploadResponse:
        await self._home(request.account, context)
        path = await self._path(request.path, context)
        return pb.GetUploadResponse(received=len(self.partials.get((request.account, path), b"")))

    async def ReadTextFile(
        self, request: pb.ReadTextFileRequest, context: Context
    ) -> pb.ReadTextFileResponse:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._exists(home, path, context)
        content = home[path] or b""
        if len(content) > validators.TEXT_LIMIT:
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION, f"{path}: is larger than 2 MiB"
            )
        try:
            text = content.decode()
        except UnicodeDecodeError:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{path}: is not UTF-8 text")
        return pb.ReadTextFileResponse(file=self._entry(request.account, path), content=text)

    async def WriteTextFile(
        self, request: pb.WriteTextFileRequest, context: Context
    ) -> pb.WriteTextFileResponse:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._parent_exists(home, path, context)
        await self._enter("WriteTextFile", f"{request.account}/{path}", context)
        home[path] = request.content.encode()
        return pb.WriteTextFileResponse(file=self._entry(request.account, path))

    async def CreateFolder(
        self, request: pb.CreateFolderRequest, context: Context
    ) -> pb.CreateFolderResponse:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._parent_exists(home, path, context)
        await self._enter("CreateFolder", f"{request.account}/{path}", context)
        if path in home:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{path}: exists already")
        home[path] = FOLDER
        return pb.CreateFolderResponse(folder=self._entry(request.account, path))

    async def _pair(
        self, request: Any, context: Context
    ) -> tuple[dict[str, bytes | None], str, str]:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        destination = await self._path(request.destination, context, "destination")
        try:
            validators.elsewhere(validators.FilePath(path), validators.FilePath(destination))
        except InvalidArgument as error:
            await refuse_field(context, error.field, error.description)
        await self._exists(home, path, context)
        await self._parent_exists(home, destination, context)
        if destination in home:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"{destination}: exists already")
        return home, path, destination

    def _below(self, home: dict[str, bytes | None], path: str) -> list[str]:
        return [p for p in home if p == path or p.startswith(path + "/")]

    async def MoveFile(self, request: pb.MoveFileRequest, context: Context) -> pb.MoveFileResponse:
        home, path, destination = await self._pair(request, context)
        await self._enter("MoveFile", f"{request.account}/{path}", context)
        for old in self._below(home, path):
            home[destination + old[len(path) :]] = home.pop(old)
        return pb.MoveFileResponse(file=self._entry(request.account, destination))

    async def CopyFile(self, request: pb.CopyFileRequest, context: Context) -> pb.CopyFileResponse:
        home, path, destination = await self._pair(request, context)
        await self._enter("CopyFile", f"{request.account}/{path}", context)
        for old in self._below(home, path):
            home[destination + old[len(path) :]] = home[old]
        return pb.CopyFileResponse(file=self._entry(request.account, destination))

    async def DeleteFile(
        self, request: pb.DeleteFileRequest, context: Context
    ) -> pb.DeleteFileResponse:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._exists(home, path, context)
        await self._enter("DeleteFile", f"{request.account}/{path}", context)
        for old in self._below(home, path):
            del home[old]
        return pb.DeleteFileResponse()

    async def SetFileMode(
        self, request: pb.SetFileModeRequest, context: Context
    ) -> pb.SetFileModeResponse:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._exists(home, path, context)
        await self._enter("SetFileMode", f"{request.account}/{path}", context)
        self.modes[(request.account, path)] = request.mode
        return pb.SetFileModeResponse(file=self._entry(request.account, path))

    async def MakeArchive(
        self, request: pb.MakeArchiveRequest, context: Context
    ) -> AsyncIterator[pb.MakeArchiveResponse]:
        home = await self._home(request.account, context)
        destination = await self._path(request.destination, context, "destination")
        await self._enter("MakeArchive", f"{request.account}/{destination}", context)
        yield pb.MakeArchiveResponse(progress=pb.Progress(files_done=1, bytes_done=10))
        digest = hashlib.sha256(repr(sorted(request.names)).encode()).digest()
        home[destination] = b"PK fake archive " + digest
        yield pb.MakeArchiveResponse(
            progress=pb.Progress(files_done=len(request.names)),
            archive=self._entry(request.account, destination),
        )

    async def ExtractArchive(
        self, request: pb.ExtractArchiveRequest, context: Context
    ) -> AsyncIterator[pb.ExtractArchiveResponse]:
        home = await self._home(request.account, context)
        path = await self._path(request.path, context)
        await self._exists(home, path, context)
        await self._enter("ExtractArchive", f"{request.account}/{path}", context)
        yield pb.ExtractArchiveResponse(
            progress=pb.Progress(files_done=2, bytes_done=10),
            extracted=pb.Extracted(files=2, bytes=10, skipped=1),
        )
