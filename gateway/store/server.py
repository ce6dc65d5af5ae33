"""How many of each resource the panel holds, for the administrator's dashboard."""

from __future__ import annotations

from dataclasses import dataclass

import aiomysql

from gateway.db import fetch_one_as


@dataclass(frozen=True, slots=True)
class ResourceCounts:
    accounts: int
    domains: int
    databases: int
    cron_jobs: int
    dns_zones: int


_COUNTS = (
    "SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM domains) AS"
    " domains, (SELECT COUNT(*) FROM hosted_databases) AS `databases`, (SELECT COUNT(*) FROM"
    " cron_jobs) AS cron_jobs, (SELECT COUNT(*) FROM dns_zones) AS dns_zones"
)


async def counts(pool: aiomysql.Pool) -> ResourceCounts:
    found = await fetch_one_as(pool, ResourceCounts, _COUNTS)
    assert found is not None, "a SELECT without FROM answers one row"
    return found
