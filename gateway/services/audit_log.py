"""Reading the audit log (every flow writes to it through Context.audited)."""

from __future__ import annotations

from gateway.context import Context
from gateway.store import audit as store
from gateway.store.audit import AuditRecord


async def page(ctx: Context, before: int | None, limit: int) -> list[AuditRecord]:
    """Newest first, older than the entry `before` (None: from the newest)."""
    return await store.page(ctx.db, before, limit)
