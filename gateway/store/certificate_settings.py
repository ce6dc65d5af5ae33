"""The panel's certificate authority, as an administrator set it: one row (id 1), or none
while the configuration's defaults apply (migration 0020)."""

from __future__ import annotations

from dataclasses import dataclass

import aiomysql

from gateway.db import execute, fetch_one_as


@dataclass(frozen=True, slots=True)
class AcmeSettingsRecord:
    directory_url: str
    email: str


async def get(pool: aiomysql.Pool) -> AcmeSettingsRecord | None:
    return await fetch_one_as(
        pool,
        AcmeSettingsRecord,
        "SELECT directory_url, email FROM certificate_settings WHERE id = 1",
        (),
    )


async def put(pool: aiomysql.Pool, directory_url: str, email: str) -> None:
    await execute(
        pool,
        "INSERT INTO certificate_settings (id, directory_url, email) VALUES (1, %s, %s)"
        " ON DUPLICATE KEY UPDATE directory_url = VALUES(directory_url), email = VALUES(email)",
        (directory_url, email),
    )
