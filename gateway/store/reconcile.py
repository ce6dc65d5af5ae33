"""Every record at once, for the reconcile (gateway/reconcile/) to compare with the system.

A panel holds thousands of records of each kind, not millions: one query per kind, read whole.
"""

from __future__ import annotations

import aiomysql

from gateway.db import Row, fetch_all, fetch_one

# The tables a reconcile settles, by resource; names come from this fixed map only.
TABLES = {
    "account": ("accounts", "user_id"),
    "domain": ("domains", "id"),
    "database": ("hosted_databases", "id"),
    "database_user": ("database_users", "id"),
    "cron_job": ("cron_jobs", "id"),
    "dns_zone": ("dns_zones", "id"),
    "ssh_key": ("ssh_keys", "id"),
}


async def accounts(pool: aiomysql.Pool) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT u.id, u.name, a.status, a.shell, p.disk_quota_mb, p.inode_quota, a.created_at"
        " FROM users u JOIN accounts a ON a.user_id = u.id JOIN plans p ON p.id = a.plan_id"
        " ORDER BY u.name",
    )


async def domains(pool: aiomysql.Pool) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT d.id, d.name, u.name AS account, a.status AS account_status, d.backend,"
        " d.php_version, d.proxy_port, d.proxy_socket, d.redirect_url, d.redirect_code,"
        " d.redirect_preserve_path, d.status, d.created_at,"
        " (SELECT GROUP_CONCAT(h.name ORDER BY h.name SEPARATOR ' ') FROM host_names h"
        "   WHERE h.domain_id = d.id AND h.is_alias) AS aliases"
        " FROM domains d JOIN users u ON u.id = d.account_id"
        " JOIN accounts a ON a.user_id = d.account_id ORDER BY d.name",
    )


async def databases(pool: aiomysql.Pool) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT r.id, r.name, u.name AS account, r.status, r.created_at"
        " FROM hosted_databases r JOIN users u ON u.id = r.account_id ORDER BY r.name",
    )


async def database_users(pool: aiomysql.Pool) -> list[Row]:
    """Each user with the names of the active databases it is granted (`granted`)."""
    return await fetch_all(
        pool,
        "SELECT r.id, r.name, u.name AS account, r.status, r.created_at,"
        " (SELECT GROUP_CONCAT(d.name ORDER BY d.name SEPARATOR ' ') FROM database_grants g"
        "   JOIN hosted_databases d ON d.id = g.database_id"
        "   WHERE g.user_id = r.id AND d.status = 'active') AS granted"
        " FROM database_users r JOIN users u ON u.id = r.account_id ORDER BY r.name",
    )


async def cron_jobs(pool: aiomysql.Pool) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT c.id, c.public_id AS name, u.name AS account, c.schedule, c.command,"
        " c.enabled, c.status, c.created_at"
        " FROM cron_jobs c JOIN users u ON u.id = c.account_id ORDER BY c.public_id",
    )


async def dns_zones(pool: aiomysql.Pool) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT z.id, z.name, u.name AS account, z.status, z.created_at"
        " FROM dns_zones z JOIN users u ON u.id = z.account_id ORDER BY z.name",
    )


async def dns_records(pool: aiomysql.Pool, zone_id: int) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT public_id, name, type, ttl, data FROM dns_records WHERE zone_id = %s"
        " ORDER BY public_id",
        (zone_id,),
    )


async def ssh_keys(pool: aiomysql.Pool) -> list[Row]:
    return await fetch_all(
        pool,
        "SELECT k.id, k.public_id AS name, u.name AS account, k.fingerprint, k.comment,"
        " k.public_key, k.status FROM ssh_keys k JOIN users u ON u.id = k.account_id"
        " ORDER BY k.public_id",
    )


async def ssh_access(pool: aiomysql.Pool) -> dict[str, bool]:
    """Accounts switched on or off by hand of an administrator (no row: on)."""
    rows = await fetch_all(
        pool,
        "SELECT u.name, s.enabled FROM ssh_access s JOIN users u ON u.id = s.account_id",
    )
    return {str(r["name"]): bool(r["enabled"]) for r in rows}


async def status_of(pool: aiomysql.Pool, resource: str, record_id: int) -> str | None:
    """The record's status now (None when it is gone): a repair acts only on what it saw."""
    table, key = TABLES[resource]
    row = await fetch_one(pool, f"SELECT status FROM {table} WHERE {key} = %s", (record_id,))
    return None if row is None else str(row["status"])
