"""Whose rows a list covers, as one SQL condition every owner-scoped collection shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tenants:
    """One account's rows (`account_id`), the rows of a reseller's accounts (`reseller_id`), or
    every account's (both None: administrators only). gateway/scope.py builds it from the
    caller, so a store never decides whose rows a caller sees."""

    account_id: int | None = None
    reseller_id: int | None = None

    def where(self, column: str) -> tuple[str, list[str]]:
        """ " AND <condition>" on `column` (the rows' account user id) and its arguments."""
        if self.account_id is not None:
            return f" AND {column} = %s", [str(self.account_id)]
        if self.reseller_id is not None:
            # An account belongs to its plan's reseller (docs/resellers.md).
            return (
                f" AND {column} IN (SELECT a.user_id FROM accounts a"
                " JOIN plans p ON p.id = a.plan_id WHERE p.reseller_id = %s)",
                [str(self.reseller_id)],
            )
        return "", []


EVERY_ACCOUNT = Tenants()
