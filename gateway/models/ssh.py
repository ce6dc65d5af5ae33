"""SSH keys and SSH access on the wire."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gateway.paging import PageQuery
from gateway.store.ssh import SshKeyRecord, Status
from gateway.validation import AccountName
from jopanel_rules.ssh import COMMENT_MAX, KEY_TYPES, PUBLIC_KEY_MAX

# The document states the key types the rules take; whether the base64 is a key of that type
# (and an RSA key's size) no pattern can say: 422.
_KEY_TYPE = "|".join(re.escape(kind) for kind in KEY_TYPES)


class SshKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key: Annotated[
        str,
        Field(
            min_length=1,
            max_length=PUBLIC_KEY_MAX,
            pattern=f"^(?:{_KEY_TYPE}) [A-Za-z0-9+/=]+( [ -~]*)?$",
            description="One line of a .pub file: type, key in base64 and an optional comment."
            " Options such as command= are refused",
            examples=["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE... alice@laptop"],
        ),
    ]
    comment: Annotated[
        str | None,
        Field(
            default=None,
            max_length=COMMENT_MAX,
            pattern=r"^[A-Za-z0-9 ._@+:=,()-]*$",
            description="A name for the key; left out, the line's own comment if it fits",
        ),
    ] = None
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners add their own"
    )


class SshKeyQuery(PageQuery):
    account: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""


class SshKey(BaseModel):
    id: str
    account: str
    fingerprint: str = Field(examples=["SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"])
    type: str
    bits: int
    comment: str
    public_key: str
    status: Status
    created_at: datetime


class SshKeyPage(BaseModel):
    items: list[SshKey]
    next_page_token: str | None


class SshAccessQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: Annotated[str, Field(max_length=32, pattern=r"^[a-z0-9_]*$")] = ""


class SshAccessUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: AccountName
    enabled: StrictBool


class SshAccess(BaseModel):
    account: str
    enabled: bool = Field(description="Whether the owner may sign in over SFTP")
    shell: bool = Field(
        description="Whether a sign-in gets the account's login shell over SSH rather than SFTP"
        " only: its plan's ssh_shell and a login shell other than nologin (docs/sftp.md)",
    )


def ssh_key_of(record: SshKeyRecord) -> SshKey:
    return SshKey(
        id=record.public_id,
        account=record.account,
        fingerprint=record.fingerprint,
        type=record.key_type,
        bits=record.bits,
        comment=record.comment,
        public_key=record.public_key,
        status=record.status,
        created_at=record.created_at,
    )
