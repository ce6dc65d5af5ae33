"""The audit log on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from gateway.store.audit import AuditRecord


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


def audit_entry_of(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=record.id,
        time=record.time,
        actor=record.actor,
        action=record.action,
        target=record.target,
        result=record.result,
        detail=record.detail,
        client=record.client,
    )
