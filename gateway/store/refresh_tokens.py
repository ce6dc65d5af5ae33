"""Refresh tokens: random, stored only as SHA-256 hashes, used once, grouped in families.

Each login starts a family. A refresh uses the presented token and issues the next one of the
same family. Presenting a used token again means it was stolen or replayed: the whole family
is revoked, so the thief and the victim are both signed out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiomysql

from gateway.db import execute, record_of, transaction


@dataclass(frozen=True, slots=True)
class _TokenRecord:
    id: int
    family: bytes
    user_id: int
    token_version: int
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Rotation:
    user_id: int
    token_version: int
    token: str


class RefreshRefused(Exception):
    pass


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _now() -> datetime:
    """Now as the database stores it: UTC without its zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def _now_utc() -> datetime:
    """Now as a record has it (record_of gives stored times their zone)."""
    return datetime.now(UTC)


async def start_family(
    pool: aiomysql.Pool, user_id: int, token_version: int, ttl_seconds: int
) -> str:
    token = secrets.token_urlsafe(32)
    await execute(
        pool,
        "INSERT INTO refresh_tokens (token_hash, family, user_id, token_version, expires_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (
            _hash(token),
            secrets.token_bytes(16),
            user_id,
            token_version,
            _now() + timedelta(seconds=ttl_seconds),
        ),
    )
    return token


async def rotate(pool: aiomysql.Pool, token: str, ttl_seconds: int) -> Rotation:
    """Uses token and returns its successor; raises RefreshRefused (after revoking on replay)."""
    replayed_family: bytes | None = None
    async with transaction(pool) as cur:
        await cur.execute(
            "SELECT id, family, user_id, token_version, expires_at, used_at, revoked_at"
            " FROM refresh_tokens WHERE token_hash = %s FOR UPDATE",
            (_hash(token),),
        )
        row = await cur.fetchone()
        found = None if row is None else record_of(_TokenRecord, row)
        if found is None or found.revoked_at is not None or found.expires_at <= _now_utc():
            raise RefreshRefused("unknown, revoked or expired")
        if found.used_at is not None:
            replayed_family = found.family
        else:
            successor = secrets.token_urlsafe(32)
            await cur.execute(
                "UPDATE refresh_tokens SET used_at = %s WHERE id = %s", (_now(), found.id)
            )
            await cur.execute(
                "INSERT INTO refresh_tokens (token_hash, family, user_id, token_version,"
                " expires_at) VALUES (%s, %s, %s, %s, %s)",
                (
                    _hash(successor),
                    found.family,
                    found.user_id,
                    found.token_version,
                    _now() + timedelta(seconds=ttl_seconds),
                ),
            )
    if replayed_family is not None:
        await revoke_family(pool, replayed_family)
        raise RefreshRefused("replayed")
    return Rotation(found.user_id, found.token_version, successor)


async def revoke_family(pool: aiomysql.Pool, family: bytes) -> None:
    await execute(
        pool,
        "UPDATE refresh_tokens SET revoked_at = %s WHERE family = %s AND revoked_at IS NULL",
        (_now(), family),
    )


async def revoke_token_family(pool: aiomysql.Pool, token: str) -> None:
    """Logout: the family of the presented token ends, whatever state the token is in."""
    await execute(
        pool,
        "UPDATE refresh_tokens t JOIN refresh_tokens f ON f.family = t.family"
        " SET f.revoked_at = %s WHERE t.token_hash = %s AND f.revoked_at IS NULL",
        (_now(), _hash(token)),
    )
