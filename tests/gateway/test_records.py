"""Rows become typed records in one place (gateway/db.py record_of; no sandbox needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.db import record_of, record_of_packed


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


@dataclass(frozen=True)
class Packed:
    id: int
    name: str
    at: datetime
    maybe_at: datetime | None
    reason: str | None


def test_a_packed_row_gets_its_times_back_and_its_text_untouched() -> None:
    # What MariaDB's JSON_OBJECT answers for DATETIME(6) columns and an escaped string.
    text = (
        '{"id": 7, "name": "alice", "at": "2026-12-05 06:12:21.000000",'
        ' "maybe_at": null, "reason": "say \\"hi\\" \\\\ \\u00e9 \\ud83d\\ude00"}'
    )
    record = record_of_packed(Packed, text)
    assert record == Packed(
        id=7,
        name="alice",
        at=datetime(2026, 12, 5, 6, 12, 21, tzinfo=UTC),
        maybe_at=None,
        reason='say "hi" \\ é 😀',
    )
    # A text column that merely looks like a time stays text.
    looks_like = record_of_packed(Packed, text.replace('"name": "alice"', '"name": "2026-12-05"'))
    assert looks_like.name == "2026-12-05"
