"""Who is calling: the authenticated user behind a request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OWNER = "owner"


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def owns_account(self, account_name: str) -> bool:
        """An owner's account has the owner's user name; administrators own no account."""
        return self.role is Role.OWNER and self.name == account_name
