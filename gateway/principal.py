"""Who is calling: the authenticated user behind a request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    # Sells hosting: manages the accounts on its own plans, within totals an administrator
    # gives it (docs/resellers.md). It has no hosting account of its own.
    RESELLER = "reseller"
    OWNER = "owner"


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_reseller(self) -> bool:
        return self.role is Role.RESELLER

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER

    def owns_account(self, account_name: str) -> bool:
        """An owner's account has the owner's user name; administrators and resellers own no
        account (a reseller manages accounts: gateway/access.py decides where it may act)."""
        return self.role is Role.OWNER and self.name == account_name
