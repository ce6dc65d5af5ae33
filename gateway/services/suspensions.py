"""Who suspended an account or a domain decides who may lift it.

An administrator's suspension is lifted only by an administrator: the owner of what was
suspended gets 403, and cannot turn it into its own suspension by suspending again. An owner may
suspend and resume its own site. The record says who did it (the role, and the user) and why.
"""

from __future__ import annotations

from gateway.principal import Principal
from gateway.problems import Problem, forbidden
from gateway.store.suspensions import Suspendable, Suspension


def suspension_by(me: Principal, reason: str | None) -> Suspension:
    """The suspension `me` makes: an administrator's or the owner's."""
    return Suspension(by="admin" if me.is_admin else "owner", user=me.name, reason=reason)


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
