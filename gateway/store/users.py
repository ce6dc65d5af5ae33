"""Login identities: the rows authentication reads on every request."""

from __future__ import annotations

from dataclasses import dataclass

import aiomysql

from gateway.db import execute, fetch_one, fetch_one_as
from gateway.principal import Principal, Role


@dataclass(frozen=True)
class Credentials:
    user_id: int
    name: str
    role: Role
    password_hash: bytes
    token_version: int
    # The owner's account status, or the reseller's own status; None for administrators.
    account_status: str | None

    @property
    def may_sign_in(self) -> bool:
        # Administrators have no account and cannot be suspended; an owner signs in while its
        # account is active, a reseller while an administrator has not suspended it.
        return self.role is Role.ADMIN or self.account_status == "active"


@dataclass(frozen=True, slots=True)
class _UserRecord:
    id: int
    name: str
    role: str
    password_hash: bytes
    token_version: int
    status: str | None


@dataclass(frozen=True, slots=True)
class _Id:
    id: int


_SELECT = (
    "SELECT u.id, u.name, u.role, u.password_hash, u.token_version,"
    " COALESCE(a.status, r.status) AS status"
    " FROM users u LEFT JOIN accounts a ON a.user_id = u.id"
    " LEFT JOIN resellers r ON r.user_id = u.id"
)


async def credentials_by_name(pool: aiomysql.Pool, name: str) -> Credentials | None:
    return _credentials(
        await fetch_one_as(pool, _UserRecord, _SELECT + " WHERE u.name = %s", (name,))
    )


async def credentials_by_id(pool: aiomysql.Pool, user_id: int) -> Credentials | None:
    return _credentials(
        await fetch_one_as(pool, _UserRecord, _SELECT + " WHERE u.id = %s", (user_id,))
    )


def _credentials(user: _UserRecord | None) -> Credentials | None:
    if user is None:
        return None
    return Credentials(
        user_id=user.id,
        name=user.name,
        role=Role(user.role),
        password_hash=bytes(user.password_hash),
        token_version=user.token_version,
        account_status=user.status,
    )


def principal(creds: Credentials) -> Principal:
    return Principal(creds.user_id, creds.name, creds.role)


async def create_admin(pool: aiomysql.Pool, name: str, password_hash: bytes) -> int:
    return await execute(
        pool,
        "INSERT INTO users (name, role, password_hash) VALUES (%s, 'admin', %s)",
        (name, password_hash),
    )


async def admin_id(pool: aiomysql.Pool, name: str) -> int | None:
    """The id of the administrator with this name; None when there is none (or an owner)."""
    found = await fetch_one_as(
        pool, _Id, "SELECT id FROM users WHERE name = %s AND role = 'admin'", (name,)
    )
    return None if found is None else found.id


async def admin_exists(pool: aiomysql.Pool) -> bool:
    return await fetch_one(pool, "SELECT 1 FROM users WHERE role = 'admin' LIMIT 1") is not None


async def set_password(pool: aiomysql.Pool, user_id: int, password_hash: bytes) -> None:
    """Stores a new hash and bumps the token version, so every earlier token stops working."""
    await execute(
        pool,
        "UPDATE users SET password_hash = %s, token_version = token_version + 1 WHERE id = %s",
        (password_hash, user_id),
    )
