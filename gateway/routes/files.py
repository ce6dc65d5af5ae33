"""The file manager: an account's home, browsed, uploaded to, downloaded from, edited, packed
and unpacked, every operation done by the agent as the account (docs/files.md).

Owner-scoped like every collection: an owner acts on its own home; an administrator names the
account (`account` in the query or the body), and another account is 404 for an owner.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterator
from typing import Final

from aiohttp import web
from jopanel.agent.files.v1 import files_pb2 as pb

from gateway import keys
from gateway.api import Access, Call, NoBody, Operation, json_response
from gateway.models.files import (
    ArchiveBody,
    ExtractBody,
    FileEntry,
    FileQuery,
    FolderPage,
    FolderQuery,
    ModeBody,
    MoveBody,
    PathBody,
    TextFile,
    UploadQuery,
    UploadState,
    entry_of,
)
from gateway.models.jobs import Job, job_of
from gateway.problems import Problem, field_error
from gateway.scope import account_for
from gateway.services import files as service
from jopanel_rules import files as rules

_RANGE: Final = re.compile(r"bytes=([0-9]{1,15})-")
TEXT_LIMIT: Final = 2 * 1024 * 1024


async def list_folder(call: Call[NoBody, FolderQuery]) -> web.StreamResponse:
    query = call.query
    account = await account_for(call, query.account or None)
    # The page token names the last entry listed (the agent's own token); the agent reads it
    # with the same rule.
    try:
        rules.page_after(query.page_token)
    except rules.BadPath as error:
        raise field_error("page_token", str(error)) from None
    listed = await service.list_folder(
        call.context, account, query.path, query.page_token, query.limit
    )
    page = FolderPage(
        folder=entry_of(listed.folder),
        items=[entry_of(entry) for entry in listed.entries],
        next_page_token=listed.next_page_token or None,
        unnamed=listed.unnamed,
    )
    return json_response(page)


async def download_file(call: Call[NoBody, FileQuery]) -> web.StreamResponse:
    """The file's bytes as the agent streams them, written on as they come (never the whole
    file in memory). `Range: bytes=N-` resumes a download (206)."""
    account = await account_for(call, call.query.account or None)
    offset = _range_start(call.request.headers.get("Range", ""))
    entry, data = await service.download(call.context, account, call.query.path, offset)
    status = 206 if offset else 200
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": _attachment(entry.name),
        "Content-Length": str(entry.size - offset),
        "Accept-Ranges": "bytes",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if status == 206:
        headers["Content-Range"] = f"bytes {offset}-{entry.size - 1}/{entry.size}"
    response = web.StreamResponse(status=status, headers=headers)
    await response.prepare(call.request)
    async for chunk in data:
        await response.write(chunk)  # waits while the client is behind
    await response.write_eof()
    return response


def _range_start(header: str) -> int:
    """Where a `bytes=N-` range starts; other ranges are ignored (the whole file, 200), as
    RFC 9110 allows."""
    match = _RANGE.fullmatch(header.strip())
    return int(match[1]) if match else 0


def _attachment(name: str) -> str:
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name)}"


async def upload_file(call: Call[NoBody, UploadQuery]) -> web.StreamResponse:
    """The body, as it arrives, into the file at `path` from `offset`; once the file holds
    `size` bytes it takes its name. A body cut short leaves what arrived: GET the upload's
    state and send the rest from `received`."""
    query = call.query
    account = await account_for(call, query.account or None)
    if query.offset > query.size:
        raise field_error("offset", "must be at most size")
    length = call.request.content_length
    if length is not None and length > query.size - query.offset:
        raise field_error("size", "the body holds more than size - offset bytes")
    upload = pb.Upload(
        account=account.name,
        path=query.path,
        size=query.size,
        offset=query.offset,
        mode=int(query.mode, 8),
    )
    reply = await service.upload(call.context, account, upload, _body(call.request))
    return json_response(_state(reply))


async def _body(request: web.Request) -> AsyncIterator[bytes]:
    async for chunk in request.content.iter_chunked(service.CHUNK_BYTES):
        yield chunk


def _state(reply: pb.WriteFileResponse) -> UploadState:
    return UploadState(
        received=reply.received,
        complete=reply.complete,
        file=entry_of(reply.file) if reply.HasField("file") else None,
    )


async def upload_state(call: Call[NoBody, FileQuery]) -> web.StreamResponse:
    account = await account_for(call, call.query.account or None)
    received = await service.upload_state(call.context, account, call.query.path)
    return json_response(UploadState(received=received, complete=False, file=None))


async def read_text(call: Call[NoBody, FileQuery]) -> web.StreamResponse:
    account = await account_for(call, call.query.account or None)
    reply = await service.read_text(call.context, account, call.query.path)
    return json_response(TextFile(file=entry_of(reply.file), content=reply.content))


async def write_text(call: Call[NoBody, FileQuery]) -> web.StreamResponse:
    """The body is the text itself (UTF-8), read here up to the limit: larger than the
    gateway's JSON bodies, and with nothing to escape."""
    account = await account_for(call, call.query.account or None)
    raw = await _text_body(call.request)
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise field_error("body", "must be UTF-8 text") from None
    written = await service.write_text(call.context, account, call.query.path, content)
    return json_response(entry_of(written))


async def _text_body(request: web.Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > TEXT_LIMIT:
            raise Problem(413, "Body too large", f"A text file holds at most {TEXT_LIMIT} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


async def create_folder(call: Call[PathBody]) -> web.StreamResponse:
    account = await account_for(call, call.body.account)
    made = await service.create_folder(call.context, account, call.body.path)
    return json_response(entry_of(made), 201)


def _elsewhere(body: MoveBody) -> None:
    """A rule across two fields (a folder moved or copied into itself never ends): 422 before
    the agent is called."""
    try:
        rules.check_elsewhere(body.path, body.destination)
    except rules.BadPath as error:
        raise field_error("destination", str(error)) from None


async def move_file(call: Call[MoveBody]) -> web.StreamResponse:
    body = call.body
    _elsewhere(body)
    account = await account_for(call, body.account)
    moved = await service.move(call.context, account, body.path, body.destination)
    return json_response(entry_of(moved))


async def copy_file(call: Call[MoveBody]) -> web.StreamResponse:
    body = call.body
    _elsewhere(body)
    account = await account_for(call, body.account)
    copied = await service.copy(call.context, account, body.path, body.destination)
    return json_response(entry_of(copied), 201)


async def delete_file(call: Call[NoBody, FileQuery]) -> web.StreamResponse:
    account = await account_for(call, call.query.account or None)
    await service.delete(call.context, account, call.query.path)
    return web.Response(status=204)


async def set_mode(call: Call[ModeBody]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    changed = await service.set_mode(call.context, account, body.path, int(body.mode, 8))
    return json_response(entry_of(changed))


async def make_archive(call: Call[ArchiveBody]) -> web.StreamResponse:
    """Starts a job that packs the entries: 202 with the job (GET /api/v1/jobs/{id})."""
    body = call.body
    if len(set(body.names)) != len(body.names):
        raise field_error("names", "must not repeat a name")
    account = await account_for(call, body.account)
    request = pb.MakeArchiveRequest(
        account=account.name,
        folder=body.folder,
        names=body.names,
        destination=body.destination,
        format=service.archive_format(body.format),
    )
    job = await service.make_archive(call.context, call.request.app[keys.JOBS], account, request)
    return json_response(job_of(job), 202)


async def extract_archive(call: Call[ExtractBody]) -> web.StreamResponse:
    """Starts a job that unpacks the archive: 202 with the job."""
    body = call.body
    account = await account_for(call, body.account)
    request = pb.ExtractArchiveRequest(
        account=account.name,
        path=body.path,
        destination=body.destination,
        format=service.archive_format(body.format or _format_of(body.path)),
    )
    job = await service.extract(call.context, call.request.app[keys.JOBS], account, request)
    return json_response(job_of(job), 202)


def _format_of(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith(".zip"):
        return "zip"
    if lowered.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    raise field_error("format", "name the format: the name ends in neither .zip nor .tar.gz")


_TAG = "files"
operations = [
    Operation(
        "GET",
        "/api/v1/files",
        list_folder,
        "listFiles",
        "One page of a folder of the account's home (names in byte order)",
        _TAG,
        Access.SIGNED_IN,
        query=FolderQuery,
        response=FolderPage,
        errors=(403, 404, 409),
    ),
    Operation(
        "DELETE",
        "/api/v1/files",
        delete_file,
        "deleteFile",
        "Delete a file, a link (never what it points to) or a folder with all it holds",
        _TAG,
        Access.SIGNED_IN,
        query=FileQuery,
        status=204,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        "/api/v1/files/content",
        download_file,
        "downloadFile",
        "A file's bytes (application/octet-stream); `Range: bytes=N-` resumes (206)",
        _TAG,
        Access.SIGNED_IN,
        query=FileQuery,
        raw_response="application/octet-stream",
        errors=(403, 404, 409, 416),
    ),
    Operation(
        "PUT",
        "/api/v1/files/content",
        upload_file,
        "uploadFile",
        "Upload a file (the body's bytes, application/octet-stream) from `offset`; it takes "
        "its name once it holds `size` bytes, and a body cut short resumes at `received`",
        _TAG,
        Access.SIGNED_IN,
        query=UploadQuery,
        raw_body="application/octet-stream",
        response=UploadState,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        "/api/v1/files/upload",
        upload_state,
        "getUpload",
        "How much of an upload to `path` has arrived: where to resume it",
        _TAG,
        Access.SIGNED_IN,
        query=FileQuery,
        response=UploadState,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        "/api/v1/files/text",
        read_text,
        "readTextFile",
        "A text file to edit (at most 2 MiB of UTF-8; 409 otherwise)",
        _TAG,
        Access.SIGNED_IN,
        query=FileQuery,
        response=TextFile,
        errors=(403, 404, 409),
    ),
    Operation(
        "PUT",
        "/api/v1/files/text",
        write_text,
        "writeTextFile",
        "Replace (or make) a text file at once, keeping its mode: the body is the text "
        "(text/plain, UTF-8, at most 2 MiB)",
        _TAG,
        Access.SIGNED_IN,
        query=FileQuery,
        raw_body="text/plain",
        response=FileEntry,
        errors=(403, 404, 409, 413),
    ),
    Operation(
        "POST",
        "/api/v1/files/folders",
        create_folder,
        "createFolder",
        "Make a folder",
        _TAG,
        Access.SIGNED_IN,
        body=PathBody,
        response=FileEntry,
        status=201,
        errors=(403, 404, 409),
    ),
    Operation(
        "POST",
        "/api/v1/files/move",
        move_file,
        "moveFile",
        "Rename or move a file, folder or link (never over an existing one)",
        _TAG,
        Access.SIGNED_IN,
        body=MoveBody,
        response=FileEntry,
        errors=(403, 404, 409),
    ),
    Operation(
        "POST",
        "/api/v1/files/copy",
        copy_file,
        "copyFile",
        "Copy a file or folder (links as links; FIFOs, sockets and devices left out)",
        _TAG,
        Access.SIGNED_IN,
        body=MoveBody,
        response=FileEntry,
        status=201,
        errors=(403, 404, 409),
    ),
    Operation(
        "POST",
        "/api/v1/files/mode",
        set_mode,
        "setFileMode",
        "Set a file's or folder's permission bits (0000 to 0777)",
        _TAG,
        Access.SIGNED_IN,
        body=ModeBody,
        response=FileEntry,
        errors=(403, 404, 409),
    ),
    Operation(
        "POST",
        "/api/v1/files/archive",
        make_archive,
        "makeArchive",
        "Pack entries of a folder into a zip or tar.gz archive: answers with the job that does it",
        _TAG,
        Access.SIGNED_IN,
        body=ArchiveBody,
        response=Job,
        status=202,
        errors=(403, 404, 409),
    ),
    Operation(
        "POST",
        "/api/v1/files/extract",
        extract_archive,
        "extractArchive",
        "Unpack a zip or tar.gz archive into a folder, with a restore's rules: answers with "
        "the job that does it",
        _TAG,
        Access.SIGNED_IN,
        body=ExtractBody,
        response=Job,
        status=202,
        errors=(403, 404, 409),
    ),
]
