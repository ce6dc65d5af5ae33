"""Suspensions on the wire: the body of a suspend call, and who suspended what and why.

Owners see the role and the reason, never an administrator's user name (that is the name an
attacker would guess passwords for). Who may lift a suspension: gateway/services/suspensions.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.store.suspensions import Suspendable, SuspendedBy
from gateway.validation import Documented

MAX_REASON = 500
# C0 and C1 controls and the Unicode line and paragraph separators (a reason is one line), and
# the bidirectional controls (which would make the reason read otherwise on the owner's screen).
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _check_reason(value: str | None) -> str | None:
    if value is None:
        return None
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters or direction marks")
    value = value.strip()
    return value or None


Reason = Annotated[
    Annotated[
        str,
        Field(max_length=MAX_REASON),
        Documented({"pattern": f"^[^{_CONTROL.pattern[1:-1]}]*$"}),
    ]
    | None,
    Field(description="Why, shown to the owner"),
    AfterValidator(_check_reason),
]


class SuspendRequest(BaseModel):
    """The body of a suspend call; it may be left out."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = None


class SuspensionInfo(BaseModel):
    by: SuspendedBy = Field(
        description="Who suspended it: an administrator, the account's reseller or the owner"
    )
    user: str | None = Field(
        description="The user who did it; shown to administrators, and for an owner's own"
        " suspension (null otherwise)"
    )
    reason: str | None
    at: datetime | None


def suspension_of(record: Suspendable, *, admin_view: bool) -> SuspensionInfo | None:
    """The suspension recorded for an account or a domain; None when there is none."""
    by = record.suspended_by
    if record.status != "suspended" or by is None:
        return None
    return SuspensionInfo(
        by="owner" if by == "owner" else "reseller" if by == "reseller" else "admin",
        user=record.suspended_by_user if admin_view or by == "owner" else None,
        reason=record.suspension_reason,
        at=record.suspended_at,
    )
