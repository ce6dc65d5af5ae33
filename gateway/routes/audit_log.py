"""The audit log, for administrators: who did what to which resource, and how it ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

from gateway.api import Call, Operation, json_response
from gateway.paging import PageQuery, decode_token, page_of
from gateway.store import audit


class AuditEntry(BaseModel):
    id: int
    time: datetime
    actor: str
    action: str
    target: str
    result: Literal["ok", "error"]
    detail: str
    client: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_page_token: str | None


async def list_audit_log(call: Call) -> web.StreamResponse:
    query = call.query_as(PageQuery)
    before = decode_token(query.page_token, "before", int)
    rows = await audit.page(call.db, before, query.limit + 1)
    rows, next_token = page_of(rows, query.limit, "id", cursor="before")
    items = [AuditEntry(**{**r, "time": r["time"].replace(tzinfo=UTC)}) for r in rows]
    return json_response(AuditPage(items=items, next_page_token=next_token))


operations = [
    Operation(
        "GET",
        "/api/v1/audit-log",
        list_audit_log,
        "listAuditLog",
        "The audit log, newest first",
        "audit",
        query=PageQuery,
        response=AuditPage,
    ),
]
