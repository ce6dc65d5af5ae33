"""What the data layer records about a suspension (accounts and domains alike)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SuspendedBy = Literal["admin", "owner"]


@dataclass(frozen=True)
class Suspension:
    by: SuspendedBy
    user: str
    reason: str | None
