"""The audit log: every privileged operation, who did it, on what, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_all_as

Result = Literal["ok", "error"]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    time: datetime
    actor: str
    action: str
    target: str
    result: Result
    detail: str
    client: str


async def record(
    pool: aiomysql.Pool,
    *,
    actor: str,
    action: str,
    target: str,
    ok: bool,
    detail: str = "",
    client: str = "",
) -> None:
    await execute(
        pool,
        "INSERT INTO audit_log (actor, action, target, result, detail, client)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (actor, action, target[:255], "ok" if ok else "error", detail[:1000], client[:64]),
    )


async def page(pool: aiomysql.Pool, before_id: int | None, limit: int) -> list[AuditRecord]:
    """Newest first; before_id continues after the last entry of the previous page."""
    return await fetch_all_as(
        pool,
        AuditRecord,
        "SELECT id, time, actor, action, target, result, detail, client FROM audit_log"
        " WHERE id < %s ORDER BY id DESC LIMIT %s",
        (2**63 - 1 if before_id is None else before_id, limit),
    )
