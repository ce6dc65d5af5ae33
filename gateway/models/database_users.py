"""Database users on the wire: what a client sends and gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.models.databases import DatabaseName
from gateway.paging import PageQuery
from gateway.store.databases import DatabaseUserRecord
from gateway.validation import AccountName, Password

UserName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,79}$")]
Grants = Annotated[list[DatabaseName], Field(max_length=1000)]


class DatabaseUserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: UserName = Field(description="Starts with the account's name and '_'")
    password: Password
    account: AccountName | None = Field(
        default=None, description="Required for administrators; owners create their own"
    )
    databases: Grants = Field(default=[], description="Databases of the account it may use")


class DatabaseUserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password | None = None
    databases: Grants | None = Field(default=None, description="The full list to allow")


class DatabaseUserQuery(PageQuery):
    account: Annotated[str, Field(max_length=32)] = ""


class DatabaseUser(BaseModel):
    name: str
    account: str
    status: Literal["pending", "active", "deleting"]
    databases: list[str]
    created_at: datetime


class DatabaseUserPage(BaseModel):
    items: list[DatabaseUser]
    next_page_token: str | None


def database_user_of(record: DatabaseUserRecord) -> DatabaseUser:
    return DatabaseUser(
        name=record.name,
        account=record.account,
        status=record.status,
        databases=record.databases,
        created_at=record.created_at,
    )
