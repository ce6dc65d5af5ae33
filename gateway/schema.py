"""Forward-only schema migrations: gateway/migrations/NNNN_title.sql, each recorded as applied.

The gateway applies what is missing when it starts, under a lock so two gateways never race.
It refuses to start when the database was migrated by a newer gateway (a version it does not
know) or when a migration failed part-way: MariaDB cannot roll DDL back, so a person must look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiomysql

from gateway.db import record_of

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


class SchemaError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def statements(self) -> list[str]:
        """Statements end with ';' at the end of a line; '--' lines are comments."""
        lines = [
            ln for ln in self.path.read_text().splitlines() if not ln.lstrip().startswith("--")
        ]
        return [s.strip() for s in re.split(r";\s*$", "\n".join(lines), flags=re.M) if s.strip()]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A row of schema_migrations: a migration that ran, or began to."""

    version: int
    name: str
    state: Literal["running", "applied", "failed"]


def known_migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _NAME.fullmatch(path.name)
        if not match:
            raise SchemaError(f"{path.name}: migrations are named NNNN_title.sql")
        found.append(Migration(int(match[1]), match[2], path))
    return found


def newest_known() -> int:
    """The schema version this gateway's migrations lead to."""
    return max((m.version for m in known_migrations()), default=0)


async def applied_version(pool: aiomysql.Pool) -> int:
    """The newest migration recorded as applied in the database (0: none)."""
    async with pool.acquire() as conn, conn.cursor() as cur:
        await cur.execute("SHOW TABLES LIKE 'schema_migrations'")
        if not await cur.fetchall():
            return 0
        await cur.execute(
            "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"
            " WHERE state = 'applied'"
        )
        return int((await cur.fetchone())["version"])


async def migrate(pool: aiomysql.Pool) -> list[int]:
    """Applies the missing migrations; returns the versions it applied."""
    async with pool.acquire() as conn, conn.cursor() as cur:
        await cur.execute("SELECT GET_LOCK('jopanel_schema', 60) AS got")
        if (await cur.fetchone())["got"] != 1:
            raise SchemaError("another gateway holds the schema lock")
        try:
            return await _apply_missing(cur)
        finally:
            await cur.execute("DO RELEASE_LOCK('jopanel_schema')")


async def _apply_missing(cur: aiomysql.DictCursor) -> list[int]:
    await cur.execute("SHOW TABLES LIKE 'schema_migrations'")
    if not await cur.fetchall():
        await _create_ledger(cur)
    await cur.execute("SELECT version, name, state FROM schema_migrations ORDER BY version")
    entries = [record_of(LedgerEntry, row) for row in await cur.fetchall()]
    recorded = {entry.version: entry for entry in entries}
    broken = [f"{v:04d}_{e.name}" for v, e in recorded.items() if e.state != "applied"]
    if broken:
        raise SchemaError(f"migration {', '.join(broken)} did not complete; repair it by hand")
    migrations = known_migrations()
    newest_known = max((m.version for m in migrations), default=0)
    if recorded and max(recorded) > newest_known:
        raise SchemaError(
            f"the database is at schema version {max(recorded)}, newer than this gateway "
            f"({newest_known}); upgrade the gateway"
        )
    applied = []
    for migration in migrations:
        if migration.version in recorded:
            continue
        await _apply(cur, migration)
        applied.append(migration.version)
    return applied


async def _create_ledger(cur: aiomysql.DictCursor) -> None:
    await cur.execute(
        "CREATE TABLE schema_migrations ("
        " version INT UNSIGNED NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL,"
        " state ENUM('running', 'applied', 'failed') NOT NULL,"
        " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB"
    )


async def _apply(cur: aiomysql.DictCursor, migration: Migration) -> None:
    await cur.execute(
        "INSERT INTO schema_migrations (version, name, state) VALUES (%s, %s, 'running')",
        (migration.version, migration.name),
    )
    try:
        for statement in migration.statements():
            await cur.execute(statement)
    except Exception as exc:
        await cur.execute(
            "UPDATE schema_migrations SET state = 'failed' WHERE version = %s", (migration.version,)
        )
        raise SchemaError(f"migration {migration.path.name} failed: {exc}") from exc
    await cur.execute(
        "UPDATE schema_migrations SET state = 'applied', applied_at = CURRENT_TIMESTAMP(6)"
        " WHERE version = %s",
        (migration.version,),
    )
