"""Rows become typed records in one place (gateway/db.py record_of; no sandbox needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.db import record_of


@dataclass(frozen=True)
class Example:
    flag: bool
    maybe: bool | None
    at: datetime


def test_booleans_and_times_get_their_real_types() -> None:
    naive = datetime(2026, 12, 4, 22, 0)
    record = record_of(Example, {"flag": 1, "maybe": 0, "at": naive, "unused": "x"})
    assert record == Example(flag=True, maybe=False, at=naive.replace(tzinfo=UTC))
    assert record.maybe is False  # 0 from MariaDB, not an int that looks false
    assert record_of(Example, {"flag": 0, "maybe": None, "at": naive}).maybe is None
