"""The file manager on the wire (docs/files.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal

from jopanel.agent.files.v1 import files_pb2 as pb
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.paging import PageQuery
from gateway.validation import AccountName, Unprocessable
from jopanel_rules import files as rules

# What the document can say of a path (jopanel_rules.files' patterns: relative, no empty, '.'
# or '..' segment, no control character) is a 400; what only the rule can (bytes, not
# characters; the file manager's own working names) is a 422. Both before any agent call.


def _path_rule(*, home: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            return rules.check_path(value, home=home)
        except rules.BadPath as error:
            raise Unprocessable(str(error)) from None

    return check


FilePath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=rules.MAX_PATH_BYTES,
        pattern=rules.PATH_PATTERN,
        description="Relative to the account's home: segments separated by '/', none empty, "
        "'.' or '..', no control character; at most 4096 bytes, segments at most 255 bytes",
        examples=["web/shop.example/public_html/index.php"],
    ),
    AfterValidator(_path_rule(home=False)),
]
FolderPath = Annotated[
    str,
    Field(
        max_length=rules.MAX_PATH_BYTES,
        pattern=rules.FOLDER_PATTERN,
        description="A folder relative to the account's home; empty is the home itself",
    ),
    AfterValidator(_path_rule(home=True)),
]
Name = Annotated[
    str,
    Field(min_length=1, max_length=rules.MAX_NAME_BYTES, pattern=rules.NAME_PATTERN),
    AfterValidator(_path_rule(home=False)),
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
        list[Name],
        Field(
            min_length=1,
            max_length=rules.MAX_NAMES,
            description="Entries of `folder` to pack, none twice",
        ),
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
