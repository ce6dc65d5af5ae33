"""Who suspended an account or a domain decides who may lift it.

An administrator's suspension is lifted only by an administrator: the owner of what was
suspended gets 403, and cannot turn it into its own suspension by suspending again. An owner may
suspend and resume its own site. The record says who did it (the role, and the user) and why;
owners see the role and the reason, never an administrator's user name (that is the name an
attacker would guess passwords for).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.principal import Principal
from gateway.problems import Problem, forbidden
from gateway.store.suspensions import SuspendedBy, Suspension

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
    str | None,
    Field(max_length=MAX_REASON, description="Why, shown to the owner"),
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


class Suspendable(Protocol):
    """A record that can be suspended: an account's or a domain's."""

    @property
    def status(self) -> str: ...
    @property
    def suspended_by(self) -> str | None: ...
    @property
    def suspended_by_user(self) -> str | None: ...
    @property
    def suspension_reason(self) -> str | None: ...
    @property
    def suspended_at(self) -> datetime | None: ...


def suspension_of(record: Suspendable, *, admin_view: bool) -> SuspensionInfo | None:
    """The suspension recorded for an account or a domain; None when there is none."""
    by = record.suspended_by
    if record.status != "suspended" or by is None:
        return None
    return SuspensionInfo(
        by="owner" if by == "owner" else "admin",  # the column holds only these two
        user=record.suspended_by_user if admin_view or by == "owner" else None,
        reason=record.suspension_reason,
        at=record.suspended_at,
    )


def suspension_by(me: Principal, request: SuspendRequest) -> Suspension:
    return Suspension(by="admin" if me.is_admin else "owner", user=me.name, reason=request.reason)


def admin_suspended(record: Suspendable) -> bool:
    return record.status == "suspended" and record.suspended_by != "owner"


def refuse_owner_over_admin(me: Principal, record: Suspendable, what: str) -> None:
    """An owner may not lift, or take over, an administrator's suspension."""
    if not me.is_admin and admin_suspended(record):
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
