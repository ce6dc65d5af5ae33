"""Login identities: the rows authentication reads on every request."""

from __future__ import annotations

from dataclasses import dataclass

import aiomysql

from gateway.db import Row, execute, fetch_one
from gateway.principal import Principal, Role


@dataclass(frozen=True)
class Credentials:
    user_id: int
    name: str
    role: Role
    password_hash: bytes
    token_version: int
    # The owner's account status; None for administrators.
    account_status: str | None

    @property
    def may_sign_in(self) -> bool:
        return self.role is Role.ADMIN or self.account_status == "active"


_SELECT = (
    "SELECT u.id, u.name, u.role, u.password_hash, u.token_version, a.status"
    " FROM users u LEFT JOIN accounts a ON a.user_id = u.id"
)


async def credentials_by_name(pool: aiomysql.Pool, name: str) -> Credentials | None:
    return _credentials(await fetch_one(pool, _SELECT + " WHERE u.name = %s", (name,)))


async def credentials_by_id(pool: aiomysql.Pool, user_id: int) -> Credentials | None:
    return _credentials(await fetch_one(pool, _SELECT + " WHERE u.id = %s", (user_id,)))


def _credentials(row: Row | None) -> Credentials | None:
    if row is None:
        return None
    return Credentials(
        user_id=int(row["id"]),
        name=str(row["name"]),
        role=Role(row["role"]),
        password_hash=bytes(row["password_hash"]),
        token_version=int(row["token_version"]),
        account_status=None if row["status"] is None else str(row["status"]),
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
    row = await fetch_one(pool, "SELECT id FROM users WHERE name = %s AND role = 'admin'", (name,))
    return None if row is None else int(row["id"])


async def admin_exists(pool: aiomysql.Pool) -> bool:
    return await fetch_one(pool, "SELECT 1 FROM users WHERE role = 'admin' LIMIT 1") is not None


async def set_password(pool: aiomysql.Pool, user_id: int, password_hash: bytes) -> None:
    """Stores a new hash and bumps the token version, so every earlier token stops working."""
    await execute(
        pool,
        "UPDATE users SET password_hash = %s, token_version = token_version + 1 WHERE id = %s",
        (password_hash, user_id),
    )
