"""Hosted databases on the wire: what a client sends and gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.paging import PageQuery
from gateway.store.databases import DatabaseRecord
from gateway.validation import AccountName

DatabaseName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,63}$")]


class DatabaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DatabaseName = Field(description="Starts with the account's name and '_'")
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )


class DatabaseQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class Database(BaseModel):
    name: str
    account: str
    status: Literal["pending", "active", "deleting"]
    size_bytes: int | None = Field(description="Data and index size; null when not measured")
    users: list[str] = Field(description="Database users that may use it")
    created_at: datetime


class DatabasePage(BaseModel):
    items: list[Database]
    next_page_token: str | None


def database_of(record: DatabaseRecord, size: int | None) -> Database:
    return Database(
        name=record.name,
        account=record.account,
        status=record.status,
        size_bytes=size,
        users=record.users,
        created_at=record.created_at,
    )
