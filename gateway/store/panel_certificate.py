"""The panel's own certificate as recorded: one row, the last attempt and what the installed
certificate covers (the key and chain are the agent's; the host name is its configuration)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_one, fetch_one_as, naive_utc

Status = Literal["none", "issuing", "valid", "failed"]


@dataclass(frozen=True, slots=True)
class PanelCertificateRecord:
    status: Status
    names_json: str
    issuer: str
    not_before: datetime | None
    not_after: datetime | None
    fingerprint: str | None
    last_attempt_at: datetime | None
    last_error: str
    failures: int
    next_attempt_at: datetime | None

    @property
    def names(self) -> list[str]:
        return list(json.loads(self.names_json)) if self.names_json else []


NONE = PanelCertificateRecord("none", "", "", None, None, None, None, "", 0, None)
_SELECT = (
    "SELECT status, names AS names_json, issuer, not_before, not_after, fingerprint,"
    " last_attempt_at, last_error, CAST(failures AS SIGNED) AS failures, next_attempt_at"
    " FROM panel_certificate WHERE id = 1"
)


async def get(pool: aiomysql.Pool) -> PanelCertificateRecord:
    """The row, or NONE before the first attempt."""
    return await fetch_one_as(pool, PanelCertificateRecord, _SELECT, ()) or NONE


# An attempt starts: the installed certificate's fields stay until a new one replaces them.
BEGIN: tuple[str, tuple[object, ...]] = (
    "INSERT INTO panel_certificate (id, status, last_attempt_at, last_error)"
    " VALUES (1, 'issuing', NOW(6), '')"
    " ON DUPLICATE KEY UPDATE status = 'issuing', last_attempt_at = NOW(6), last_error = ''",
    (),
)


async def begin(pool: aiomysql.Pool) -> None:
    await execute(pool, *BEGIN)


async def installed(
    pool: aiomysql.Pool,
    *,
    names: list[str],
    issuer: str,
    not_before: datetime,
    not_after: datetime,
    fingerprint: str,
    renew_at: datetime,
) -> None:
    await execute(
        pool,
        "UPDATE panel_certificate SET status = 'valid', names = %s, issuer = %s,"
        " not_before = %s, not_after = %s, fingerprint = %s, last_error = '', failures = 0,"
        " next_attempt_at = %s WHERE id = 1",
        (
            json.dumps(sorted(names)),
            issuer[:1024],
            naive_utc(not_before),
            naive_utc(not_after),
            fingerprint,
            naive_utc(renew_at),
        ),
    )


async def failed(pool: aiomysql.Pool, reason: str, retry_at: datetime | None) -> None:
    """The attempt failed; an installed certificate is tried again at retry_at."""
    await execute(
        pool,
        "UPDATE panel_certificate SET status = 'failed', last_error = %s,"
        " failures = failures + 1, next_attempt_at = IF(fingerprint IS NULL, NULL, %s)"
        " WHERE id = 1",
        (reason[:2000], None if retry_at is None else naive_utc(retry_at)),
    )


async def is_due(pool: aiomysql.Pool, now: datetime) -> bool:
    """Whether the installed certificate's next attempt has come."""
    row = await fetch_one(
        pool,
        "SELECT 1 FROM panel_certificate WHERE id = 1 AND status <> 'issuing'"
        " AND next_attempt_at <= %s",
        (naive_utc(now),),
    )
    return row is not None


async def fail_interrupted(pool: aiomysql.Pool, reason: str) -> int:
    """An attempt a stopped worker left `issuing` fails, so renewals do not skip it for good."""
    return await execute(
        pool,
        "UPDATE panel_certificate SET status = 'failed', last_error = %s,"
        " failures = failures + 1 WHERE id = 1 AND status = 'issuing'",
        (reason[:2000],),
    )
