"""The audit log, for administrators: who did what to which resource, and how it ended."""

from __future__ import annotations

from aiohttp import web

from gateway.api import Call, NoBody, Operation, json_response
from gateway.models.audit_log import AuditPage, audit_entry_of
from gateway.paging import PageQuery, decode_token, page_of
from gateway.services import audit_log as service


async def list_audit_log(call: Call[NoBody, PageQuery]) -> web.StreamResponse:
    before = decode_token(call.query.page_token, "before", int)
    entries = await service.page(call.context, before, call.query.limit + 1)
    entries, token = page_of(entries, call.query.limit, "id", cursor="before")
    items = [audit_entry_of(e) for e in entries]
    return json_response(AuditPage(items=items, next_page_token=token))


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
