"""The file manager: each operation one call to the agent's FileService, which does it as the
account (docs/files.md). Files have no records in the panel's database: the home is the
record. Every change is written to the audit log (`file.<operation>`, target the account,
detail the path), reads are not.

Uploads and downloads stream: the body is read a chunk at a time as it arrives and each chunk
is handed to the agent (whose flow control slows the reading when it is behind), and a
download is written to the client as the agent sends it, so the gateway holds a chunk or two
of a file, never the file.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Final

from jopanel.agent.files.v1 import files_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.context import Context
from gateway.problems import Problem, field_error
from gateway.services.jobs import FOLLOW_TIMEOUT_SECONDS, JobRunner, start_files_job
from gateway.store import plans
from gateway.store.accounts import AccountRecord
from gateway.store.jobs import JobRecord

# An upload or download lasts as long as the client's line needs; the agent bounds each
# operation itself (files_timeout), so this is the agent's bound and a margin.
STREAM_TIMEOUT_SECONDS: Final = 3700.0
# A copy or a delete of a big tree waits for its answer longer than a single file's operation.
ARCHIVE_TIMEOUT_SECONDS: Final = 3700.0
# The most of an upload's body in one message to the agent (its limit is 4 MiB).
CHUNK_BYTES: Final = 1024 * 1024

MIB: Final = 1024 * 1024

_FORMATS: Final = {"zip": pb.ARCHIVE_FORMAT_ZIP, "tar.gz": pb.ARCHIVE_FORMAT_TAR_GZ}


async def list_folder(
    ctx: Context, account: AccountRecord, path: str, after_token: str, limit: int
) -> pb.ListFilesResponse:
    request = pb.ListFilesRequest(
        account=account.name, path=path, page_size=limit, page_token=after_token
    )
    return await ctx.agent.files.ListFiles(request, timeout=CALL_TIMEOUT_SECONDS)


async def download(
    ctx: Context, account: AccountRecord, path: str, offset: int
) -> tuple[pb.FileEntry, AsyncIterator[bytes]]:
    """The file as the agent opened it, and its bytes from `offset` as they come."""
    request = pb.ReadFileRequest(account=account.name, path=path, offset=offset)
    stream = ctx.agent.files.ReadFile(request, timeout=STREAM_TIMEOUT_SECONDS)
    replies = aiter(stream)
    first = await anext(replies)  # the agent's refusal, if any, is raised here
    if offset > first.file.size:
        stream.cancel()  # nothing of it is sent: the agent's helper ends now
        raise Problem(416, "Range not satisfiable", f"The file has {first.file.size} bytes.")

    async def data() -> AsyncIterator[bytes]:
        try:
            async for reply in replies:
                yield reply.data
        finally:
            stream.cancel()  # a client that went away stops the agent's helper too

    return first.file, data()


async def upload(
    ctx: Context,
    account: AccountRecord,
    upload: pb.Upload,
    body: AsyncIterable[bytes],
) -> pb.WriteFileResponse:
    await _within_quota(ctx, account, upload.size)

    async def messages() -> AsyncIterator[pb.WriteFileRequest]:
        yield pb.WriteFileRequest(upload=upload)
        async for chunk in body:
            yield pb.WriteFileRequest(data=chunk)

    async with ctx.audited("file.upload", account.name, upload.path):
        return await ctx.agent.files.WriteFile(messages(), timeout=STREAM_TIMEOUT_SECONDS)


async def _within_quota(ctx: Context, account: AccountRecord, size: int) -> None:
    """A file larger than all the account's plan lets it keep is refused before a byte is
    sent (the kernel would stop it at the quota, after the client sent that much); what the
    account's other files leave free the kernel alone knows, and enforces."""
    plan = await plans.get(ctx.db, account.plan)
    quota_mb = plan.disk_quota_mb if plan is not None else None
    if quota_mb is not None and size > quota_mb * MIB:
        raise field_error("size", f"is larger than the account's disk quota ({quota_mb} MiB)")


async def upload_state(ctx: Context, account: AccountRecord, path: str) -> int:
    request = pb.GetUploadRequest(account=account.name, path=path)
    reply = await ctx.agent.files.GetUpload(request, timeout=CALL_TIMEOUT_SECONDS)
    return reply.received


async def read_text(ctx: Context, account: AccountRecord, path: str) -> pb.ReadTextFileResponse:
    request = pb.ReadTextFileRequest(account=account.name, path=path)
    return await ctx.agent.files.ReadTextFile(request, timeout=CALL_TIMEOUT_SECONDS)


async def write_text(ctx: Context, account: AccountRecord, path: str, content: str) -> pb.FileEntry:
    request = pb.WriteTextFileRequest(account=account.name, path=path, content=content)
    async with ctx.audited("file.edit", account.name, path):
        reply = await ctx.agent.files.WriteTextFile(request, timeout=CALL_TIMEOUT_SECONDS)
    return reply.file


async def create_folder(ctx: Context, account: AccountRecord, path: str) -> pb.FileEntry:
    request = pb.CreateFolderRequest(account=account.name, path=path)
    async with ctx.audited("file.create_folder", account.name, path):
        reply = await ctx.agent.files.CreateFolder(request, timeout=CALL_TIMEOUT_SECONDS)
    return reply.folder


async def move(ctx: Context, account: AccountRecord, path: str, destination: str) -> pb.FileEntry:
    request = pb.MoveFileRequest(account=account.name, path=path, destination=destination)
    async with ctx.audited("file.move", account.name, f"{path} -> {destination}"):
        reply = await ctx.agent.files.MoveFile(request, timeout=CALL_TIMEOUT_SECONDS)
    return reply.file


async def copy(ctx: Context, account: AccountRecord, path: str, destination: str) -> pb.FileEntry:
    request = pb.CopyFileRequest(account=account.name, path=path, destination=destination)
    async with ctx.audited("file.copy", account.name, f"{path} -> {destination}"):
        reply = await ctx.agent.files.CopyFile(request, timeout=ARCHIVE_TIMEOUT_SECONDS)
    return reply.file


async def delete(ctx: Context, account: AccountRecord, path: str) -> None:
    request = pb.DeleteFileRequest(account=account.name, path=path)
    async with ctx.audited("file.delete", account.name, path):
        await ctx.agent.files.DeleteFile(request, timeout=ARCHIVE_TIMEOUT_SECONDS)


async def set_mode(ctx: Context, account: AccountRecord, path: str, mode: int) -> pb.FileEntry:
    request = pb.SetFileModeRequest(account=account.name, path=path, mode=mode)
    async with ctx.audited("file.mode", account.name, f"{path} {mode:04o}"):
        reply = await ctx.agent.files.SetFileMode(request, timeout=CALL_TIMEOUT_SECONDS)
    return reply.file


async def make_archive(
    ctx: Context,
    runner: JobRunner,
    account: AccountRecord,
    request: pb.MakeArchiveRequest,
) -> JobRecord:
    """A job (kind `archive`) that packs the entries; its result is the archive's path."""
    stream = ctx.agent.files.MakeArchive(request, timeout=FOLLOW_TIMEOUT_SECONDS)
    return await start_files_job(
        ctx, runner, account, "archive", request.folder, stream, request.destination
    )


async def extract(
    ctx: Context,
    runner: JobRunner,
    account: AccountRecord,
    request: pb.ExtractArchiveRequest,
) -> JobRecord:
    """A job (kind `extract`) that unpacks the archive; its result is the folder."""
    stream = ctx.agent.files.ExtractArchive(request, timeout=FOLLOW_TIMEOUT_SECONDS)
    return await start_files_job(
        ctx, runner, account, "extract", request.path, stream, request.destination
    )


def archive_format(fmt: str) -> pb.ArchiveFormat.ValueType:
    return _FORMATS[fmt]
