"""The file manager on the wire (docs/files.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from jopanel.agent.files.v1 import files_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.paging import PageQuery
from gateway.validation import AccountName

# What the document says of a path; that no segment is empty, '.' or '..' and each is at
# most 255 bytes the agent checks (422 on the field), as it would if the gateway were not there.
_PATH_PATTERN = r"^[^\x00-\x1f\x7f]*$"
FilePath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4096,
        pattern=_PATH_PATTERN,
        description="Relative to the account's home: segments separated by '/', none empty, "
        "'.' or '..'",
        examples=["web/shop.example/public_html/index.php"],
    ),
]
FolderPath = Annotated[
    str,
    Field(
        max_length=4096,
        pattern=_PATH_PATTERN,
        description="A folder relative to the account's home; empty is the home itself",
    ),
]
Kind = Literal["file", "folder", "link", "other"]
Format = Literal["zip", "tar.gz"]
Mode = Annotated[
    str,
    Field(
        pattern=r"^0?[0-7]{3}$",
        description="Permission bits in octal (no setuid, setgid or sticky bit)",
        examples=["0644"],
    ),
]
_OwnerAccount = Field(
    default=None, description="Required for administrators; owners act on their own"
)


class FileEntry(BaseModel):
    path: str
    name: str
    kind: Kind
    size: int
    mode: str = Field(examples=["0644"])
    modified_at: datetime
    link_target: str | None = Field(description="What a link points to, as text (never followed)")


class FileQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""
    path: FilePath


class FolderQuery(PageQuery):
    account: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""
    path: FolderPath = ""


class FolderPage(BaseModel):
    folder: FileEntry
    items: list[FileEntry]
    next_page_token: str | None
    unnamed: int = Field(description="Entries whose names are not UTF-8, left out")


class UploadQuery(FileQuery):
    size: Annotated[int, Field(ge=0, le=1 << 40, description="The whole file's size in bytes")]
    offset: Annotated[
        int,
        Field(ge=0, le=1 << 40, description="Where this body starts: 0, or `received` so far"),
    ] = 0
    mode: Mode = "0644"


class UploadState(BaseModel):
    received: int = Field(description="Bytes of the upload that have arrived")
    complete: bool = Field(description="Whether the file has taken its name")
    file: FileEntry | None


class TextFile(BaseModel):
    file: FileEntry
    content: str


class PathBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountName | None = _OwnerAccount
    path: FilePath


class MoveBody(PathBody):
    destination: FilePath


class ModeBody(PathBody):
    mode: Mode


class ArchiveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountName | None = _OwnerAccount
    folder: FolderPath = ""
    names: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^/\x00-\x1f\x7f]*$")]],
        Field(min_length=1, max_length=1000, description="Entries of `folder` to pack"),
    ]
    destination: FilePath
    format: Format


class ExtractBody(PathBody):
    destination: FolderPath = ""
    format: Format | None = Field(
        default=None, description="Left out: from the name (.zip, .tar.gz or .tgz)"
    )


_KINDS: dict[int, Kind] = {
    pb.FILE_KIND_FILE: "file",
    pb.FILE_KIND_FOLDER: "folder",
    pb.FILE_KIND_LINK: "link",
    pb.FILE_KIND_OTHER: "other",
}


def entry_of(entry: pb.FileEntry) -> FileEntry:
    return FileEntry(
        path=entry.path,
        name=entry.name,
        kind=_KINDS.get(entry.kind, "other"),
        size=entry.size,
        mode=f"{entry.mode:04o}",
        modified_at=datetime.fromtimestamp(entry.modified.seconds, UTC).replace(
            microsecond=entry.modified.nanos // 1000
        ),
        link_target=entry.link_target if entry.kind == pb.FILE_KIND_LINK else None,
    )
