"""Remote backup repositories on the wire: what an administrator sends (with its secrets) and
what every reply shows (never a secret: only whether one is set)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from jopanel.agent.backups.v1 import backups_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.problems import field_error

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]


class SftpLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: Annotated[str, Field(min_length=1, max_length=253)]
    port: Annotated[int, Field(ge=1, le=65535)] = 22
    user: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_.-]{0,31}$")]
    path: Annotated[
        str, Field(min_length=2, max_length=255, pattern=r"^(/[A-Za-z0-9._-]+)+/?$")
    ] = Field(description="Absolute; segments of [A-Za-z0-9._-], none '.' or '..'")
    host_key: Annotated[str, Field(max_length=8192)] = Field(
        description="The server's host key, '<type> <base64>' (as in known_hosts): the only "
        "key accepted"
    )


class S3Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # No space or control character after the scheme (the document says so, not only a rule).
    endpoint: Annotated[str, Field(max_length=300, pattern=r"^https://[^\x00-\x20\x7f]+$")] = Field(
        description="https://<host>[:port] of an S3-compatible service"
    )
    bucket: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    prefix: Annotated[str, Field(max_length=255)] = ""
    region: Annotated[str, Field(pattern=r"^[a-z0-9-]{0,32}$")] = ""


class RepositoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="'local' is the server's own and cannot be added")
    sftp: SftpLocation | None = None
    s3: S3Location | None = None
    private_key_base64: Annotated[str, Field(max_length=22000, pattern=r"^[A-Za-z0-9+/=]*$")] = (
        Field(
            default="",
            description="SFTP: the unencrypted OpenSSH private key file, base64-encoded (no JSON"
            " string of this API holds a line break), or give password",
        )
    )
    password: Annotated[str, Field(max_length=1024)] = Field(
        default="", description="SFTP: the login password (or give private_key)"
    )
    access_key_id: Annotated[str, Field(max_length=128)] = ""
    secret_access_key: Annotated[str, Field(max_length=128)] = ""


class Repository(BaseModel):
    name: str
    kind: Literal["sftp", "s3"]
    sftp: SftpLocation | None
    s3: S3Location | None
    key_fingerprint: str = Field(description="SHA256 of the SFTP key's public half, or ''")
    secret_set: bool = Field(description="Whether a password or secret key is kept")


class RepositoryList(BaseModel):
    items: list[Repository]


def repository_of(item: pb.BackupRepository) -> Repository:
    sftp = s3 = None
    if item.WhichOneof("location") == "sftp":
        found = item.sftp
        sftp = SftpLocation(
            host=found.host,
            port=found.port,
            user=found.user,
            path=found.path,
            host_key=found.host_key,
        )
    else:
        where = item.s3
        s3 = S3Location(
            endpoint=where.endpoint, bucket=where.bucket, prefix=where.prefix, region=where.region
        )
    return Repository(
        name=item.name,
        kind="sftp" if sftp else "s3",
        sftp=sftp,
        s3=s3,
        key_fingerprint=item.key_fingerprint,
        secret_set=item.secret_set,
    )


def _decoded(text: str) -> str:
    """The key file's text; what is not base64 of ASCII text is refused here (the agent checks
    that it is a key)."""
    try:
        return base64.b64decode(text, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise field_error("private_key_base64", "must be base64 of the key file") from None


def request_of(body: RepositoryCreate) -> pb.CreateBackupRepositoryRequest:
    repository = pb.BackupRepository(name=body.name)
    if body.sftp is not None:
        repository.sftp.CopyFrom(pb.SftpLocation(**body.sftp.model_dump()))
    if body.s3 is not None:
        repository.s3.CopyFrom(pb.S3Location(**body.s3.model_dump()))
    return pb.CreateBackupRepositoryRequest(
        repository=repository,
        private_key=_decoded(body.private_key_base64),
        password=body.password,
        access_key_id=body.access_key_id,
        secret_access_key=body.secret_access_key,
    )
