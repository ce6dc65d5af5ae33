"""Who suspended an account or a domain decides who may lift it.

An administrator's suspension is lifted only by an administrator: the owner of what was
suspended gets 403, and cannot turn it into its own suspension by suspending again. An owner may
suspend and resume its own site. The record says who did it (the role, and the user) and why;
owners see the role and the reason, never an administrator's user name (that is the name an
attacker would guess passwords for).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.db import Row
from gateway.principal import Principal
from gateway.problems import Problem, forbidden
from gateway.store.suspensions import SuspendedBy, Suspension
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
    by: SuspendedBy = Field(description="Who suspended it: an administrator or the owner")
    user: str | None = Field(
        description="The user who did it; null for owners when an administrator did"
    )
    reason: str | None
    at: datetime | None


def suspension_of(row: Row, *, admin_view: bool) -> SuspensionInfo | None:
    """The suspension recorded in an account's or domain's row; None when there is none."""
    by = row.get("suspended_by")
    if row["status"] != "suspended" or by is None:
        return None
    at = row.get("suspended_at")
    return SuspensionInfo(
        by=by,
        user=row["suspended_by_user"] if admin_view or by == "owner" else None,
        reason=row["suspension_reason"],
        at=at.replace(tzinfo=UTC) if isinstance(at, datetime) else None,
    )


def suspension_by(me: Principal, request: SuspendRequest) -> Suspension:
    return Suspension(by="admin" if me.is_admin else "owner", user=me.name, reason=request.reason)


def admin_suspended(row: Row) -> bool:
    return row["status"] == "suspended" and row.get("suspended_by") != "owner"


def refuse_owner_over_admin(me: Principal, row: Row, what: str) -> None:
    """An owner may not lift, or take over, an administrator's suspension."""
    if not me.is_admin and admin_suspended(row):
        raise forbidden(
            f"{what} was suspended by an administrator; only an administrator can lift it."
        )


def account_suspended(me: Principal) -> Problem:
    """A site of a suspended account stays suspended whoever asks; owners are refused (403),
    administrators told to lift the account's suspension first (409)."""
    if me.is_admin:
        return Problem(
            409, "Conflict", "The account is suspended; lift the account's suspension first."
        )
    return forbidden("The account is suspended by an administrator.")
