"""What the data layer records about a suspension (accounts and domains alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

SuspendedBy = Literal["admin", "reseller", "owner"]


@dataclass(frozen=True)
class Suspension:
    by: SuspendedBy
    user: str
    reason: str | None


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
