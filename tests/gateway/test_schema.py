"""The migration ledger read as typed entries (gateway/schema.py): a fresh database gets every
migration once, and a failed or newer migration stops the gateway with the reason."""

from __future__ import annotations

import pytest

from gateway.config import GatewayConfig
from gateway.db import create_pool, execute
from gateway.schema import SchemaError, known_migrations, migrate


async def test_a_failed_or_newer_migration_stops_the_gateway(config: GatewayConfig) -> None:
    pool = await create_pool(config.database)
    try:
        known = known_migrations()
        assert await migrate(pool) == [m.version for m in known]
        assert await migrate(pool) == []

        first = known[0]
        await execute(
            pool, "UPDATE schema_migrations SET state = 'failed' WHERE version = %s", (1,)
        )
        with pytest.raises(SchemaError, match=rf"^migration 0001_{first.name} did not complete"):
            await migrate(pool)

        await execute(pool, "UPDATE schema_migrations SET state = 'applied'")
        newer = known[-1].version + 1
        await execute(
            pool,
            "INSERT INTO schema_migrations (version, name, state) VALUES (%s, 'later', 'applied')",
            (newer,),
        )
        with pytest.raises(SchemaError, match=f"schema version {newer}, newer than this gateway"):
            await migrate(pool)
    finally:
        pool.close()
        await pool.wait_closed()
