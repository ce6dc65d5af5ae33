"""Websites on the wire: what a client sends and gets back (backends: gateway/backends.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gateway.backends import Backend, backend_of
from gateway.models.suspensions import SuspensionInfo, suspension_of
from gateway.paging import PageQuery
from gateway.store.domains import DomainRecord, Status
from gateway.validation import AccountName, AliasName, HostName, unicode_host_name

MAX_ALIASES = 50


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Aliases = Annotated[
    list[AliasName],
    Field(
        max_length=MAX_ALIASES,
        description="Other host names of the site; `*.X` (a wildcard) where X is the site's"
        " name or another of its aliases",
    ),
]


class DomainCreate(_Strict):
    name: HostName
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )
    aliases: Aliases = []
    backend: Backend | None = Field(default=None, description="Default: PHP, newest version")
    dns_zone: bool = Field(
        default=False, description="Also serve a DNS zone for it, with default records"
    )


class DomainUpdate(_Strict):
    aliases: Aliases | None = None
    backend: Backend | None = None


class DomainMove(_Strict):
    account: AccountName = Field(description="The account that receives the name")


class DomainQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""
    q: Annotated[str, Field(max_length=253, pattern=r"^[a-z0-9.-]*$")] = ""


class Domain(BaseModel):
    name: str
    unicode_name: str
    account: str
    aliases: list[str]
    backend: Backend
    status: Status
    suspension: SuspensionInfo | None = Field(
        default=None, description="Who suspended it and why, while it is suspended"
    )
    document_root: str
    created_at: datetime
    updated_at: datetime


class DomainPage(BaseModel):
    items: list[Domain]
    next_page_token: str | None


class PhpVersions(BaseModel):
    versions: list[str]


class DeleteQuery(_Strict):
    keep_files: bool = False


def domain_of(record: DomainRecord, *, admin_view: bool = False) -> Domain:
    return Domain(
        name=record.name,
        unicode_name=unicode_host_name(record.name),
        account=record.account,
        aliases=record.aliases,
        backend=backend_of(record.site_backend),
        status=record.status,
        suspension=suspension_of(record, admin_view=admin_view),
        document_root=f"/home/{record.account}/web/{record.name}/public_html",
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
