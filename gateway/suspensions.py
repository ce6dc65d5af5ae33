"""The suspension rules under their old names, for the domain routes until domains' store
returns records (issue 15): they accept a domain's row (a dict) as well as a record.

The rules live in gateway/services/suspensions.py, the wire models in
gateway/models/suspensions.py; when domains are records, this module goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.db import Row
from gateway.models import suspensions as models
from gateway.models.suspensions import SuspendRequest, SuspensionInfo
from gateway.principal import Principal
from gateway.services import suspensions as rules
from gateway.services.suspensions import account_suspended
from gateway.store.suspensions import Suspendable, Suspension

__all__ = [
    "SuspendRequest",
    "SuspensionInfo",
    "account_suspended",
    "admin_suspended",
    "refuse_owner_over_admin",
    "suspension_by",
    "suspension_of",
]


@dataclass(frozen=True)
class _RowSuspension:
    status: str
    suspended_by: str | None
    suspended_by_user: str | None
    suspension_reason: str | None
    suspended_at: datetime | None


def _record(row: Suspendable | Row) -> Suspendable:
    if not isinstance(row, dict):
        return row
    at = row.get("suspended_at")
    return _RowSuspension(
        status=str(row["status"]),
        suspended_by=row.get("suspended_by"),
        suspended_by_user=row.get("suspended_by_user"),
        suspension_reason=row.get("suspension_reason"),
        suspended_at=at.replace(tzinfo=UTC) if isinstance(at, datetime) and not at.tzinfo else at,
    )


def suspension_of(row: Suspendable | Row, *, admin_view: bool) -> SuspensionInfo | None:
    return models.suspension_of(_record(row), admin_view=admin_view)


def suspension_by(me: Principal, request: SuspendRequest) -> Suspension:
    return rules.suspension_by(me, request.reason)


def admin_suspended(row: Suspendable | Row) -> bool:
    return rules.admin_suspended(_record(row))


def refuse_owner_over_admin(me: Principal, row: Suspendable | Row, what: str) -> None:
    rules.refuse_owner_over_admin(me, _record(row), what)
