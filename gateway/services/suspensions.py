"""Who suspended an account or a domain decides who may lift it.

A suspension is lifted only by someone of the same rank or above: an owner < its reseller <
an administrator. An owner cannot lift (or take over, by suspending again) its reseller's or an
administrator's suspension; a reseller cannot lift an administrator's. An owner may suspend and
resume its own site. The record says who did it (the role, and the user) and why.
"""

from __future__ import annotations

from gateway.principal import Principal
from gateway.problems import Problem, forbidden
from gateway.store.suspensions import Suspendable, SuspendedBy, Suspension

_RANK = {"owner": 0, "reseller": 1, "admin": 2}
_WHO = {"reseller": "its reseller", "admin": "an administrator"}


def suspension_by(me: Principal, reason: str | None) -> Suspension:
    """The suspension `me` makes: an administrator's, a reseller's or the owner's."""
    by: SuspendedBy = "admin" if me.is_admin else "reseller" if me.is_reseller else "owner"
    return Suspension(by=by, user=me.name, reason=reason)


def refuse_owner_over_admin(me: Principal, record: Suspendable, what: str) -> None:
    """Nobody may lift, or take over, the suspension of someone of a higher rank."""
    if record.status != "suspended" or record.suspended_by is None:
        return
    by = record.suspended_by if record.suspended_by in _RANK else "admin"
    if _RANK[me.role.value] < _RANK[by]:
        raise forbidden(f"{what} was suspended by {_WHO[by]}; only {_WHO[by]} can lift it.")


def account_suspended(me: Principal) -> Problem:
    """A site of a suspended account stays suspended whoever asks; owners are refused (403),
    administrators and resellers told to lift the account's suspension first (409)."""
    if not me.is_owner:
        return Problem(
            409, "Conflict", "The account is suspended; lift the account's suspension first."
        )
    return forbidden("The account is suspended; only who suspended it can lift it.")
