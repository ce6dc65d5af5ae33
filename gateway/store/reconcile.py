"""Every record at once, for the reconcile (gateway/reconcile/) to compare with the system.

A panel holds thousands of records of each kind, not millions: one query per kind, read whole.
Each kind is read as the reconcile needs it (joined with its account's name, and for a site
its account's status), as frozen records of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiomysql

from gateway.db import fetch_all_as, fetch_one
from gateway.store import accounts as account_store
from gateway.store import cron_jobs as cron_store
from gateway.store import databases as database_store
from gateway.store import dns as dns_store
from gateway.store import domains as domain_store
from gateway.store import ssh as ssh_store
from gateway.store import vpn_clients as vpn_store
from gateway.store.domains import BackendColumns
from gateway.store.php_pools import ProcessManager

# The tables a reconcile settles, by resource; names come from this fixed map only.
TABLES = {
    "account": ("accounts", "user_id"),
    "domain": ("domains", "id"),
    "database": ("hosted_databases", "id"),
    "database_user": ("database_users", "id"),
    "cron_job": ("cron_jobs", "id"),
    "dns_zone": ("dns_zones", "id"),
    "ssh_key": ("ssh_keys", "id"),
    "vpn_client": ("vpn_clients", "id"),
}


@dataclass(frozen=True, slots=True)
class RecordedAccount:
    id: int  # the account's user id
    name: str
    status: account_store.Status
    shell: account_store.ShellName
    disk_quota_mb: int | None  # its plan's; None or 0: no limit
    inode_quota: int | None


@dataclass(frozen=True, slots=True)
class RecordedDomain:
    id: int
    name: str
    account: str
    account_status: account_store.Status
    backend: domain_store.BackendKind
    php_version: str | None
    proxy_port: int | None
    proxy_socket: str | None
    redirect_url: str | None
    redirect_code: int | None
    redirect_preserve_path: bool | None
    status: domain_store.Status
    alias_list: str | None  # the aliases in name order, space-separated
    php_settings: str | None
    log_retention_days: int

    @property
    def aliases(self) -> list[str]:
        return self.alias_list.split() if self.alias_list else []

    @property
    def site_backend(self) -> BackendColumns:
        return BackendColumns(
            self.backend,
            self.php_version,
            self.proxy_port,
            self.proxy_socket,
            self.redirect_url,
            self.redirect_code,
            self.redirect_preserve_path,
            self.php_settings,
        )


@dataclass(frozen=True, slots=True)
class RecordedDatabase:
    id: int
    name: str
    account: str
    status: database_store.Status


@dataclass(frozen=True, slots=True)
class RecordedDatabaseUser:
    id: int
    name: str
    account: str
    status: database_store.Status
    granted_list: str | None  # the active databases it is granted, in name order

    @property
    def granted(self) -> set[str]:
        return set(self.granted_list.split()) if self.granted_list else set()


@dataclass(frozen=True, slots=True)
class RecordedCronJob:
    id: int
    name: str  # its public id, the one the API and the agent use
    account: str
    schedule: str
    command: str
    enabled: bool
    status: cron_store.Status


@dataclass(frozen=True, slots=True)
class RecordedZone:
    id: int
    name: str
    account: str
    status: dns_store.ZoneStatus


@dataclass(frozen=True, slots=True)
class RecordedDnsRecord:
    public_id: str  # the id the API and the agent use
    name: str
    type: str
    ttl: int
    data: str  # the fields of its type, a JSON object (gateway/record_types.py)

    @property
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = json.loads(self.data)
        return values


@dataclass(frozen=True, slots=True)
class RecordedZoneRecord(RecordedDnsRecord):
    zone_id: int


@dataclass(frozen=True, slots=True)
class RecordedSshKey:
    id: int
    name: str  # its public id
    account: str
    fingerprint: str
    comment: str
    public_key: str
    status: ssh_store.Status


@dataclass(frozen=True, slots=True)
class RecordedSshAccess:
    account: str
    enabled: bool


async def accounts(pool: aiomysql.Pool) -> list[RecordedAccount]:
    return await fetch_all_as(
        pool,
        RecordedAccount,
        "SELECT u.id, u.name, a.status, a.shell, p.disk_quota_mb, p.inode_quota"
        " FROM users u JOIN accounts a ON a.user_id = u.id JOIN plans p ON p.id = a.plan_id"
        " ORDER BY u.name",
    )


async def domains(pool: aiomysql.Pool) -> list[RecordedDomain]:
    return await fetch_all_as(
        pool,
        RecordedDomain,
        "SELECT d.id, d.name, u.name AS account, a.status AS account_status, d.backend,"
        " d.php_version, d.proxy_port, d.proxy_socket, d.redirect_url, d.redirect_code,"
        " d.redirect_preserve_path, d.status,"
        " (SELECT GROUP_CONCAT(h.name ORDER BY h.name SEPARATOR ' ') FROM host_names h"
        "   WHERE h.domain_id = d.id AND h.is_alias) AS alias_list, d.php_settings,"
        " p.log_retention_days"
        " FROM domains d JOIN users u ON u.id = d.account_id"
        " JOIN accounts a ON a.user_id = d.account_id JOIN plans p ON p.id = a.plan_id"
        " ORDER BY d.name",
    )


async def databases(pool: aiomysql.Pool) -> list[RecordedDatabase]:
    return await fetch_all_as(
        pool,
        RecordedDatabase,
        "SELECT r.id, r.name, u.name AS account, r.status"
        " FROM hosted_databases r JOIN users u ON u.id = r.account_id ORDER BY r.name",
    )


async def database_users(pool: aiomysql.Pool) -> list[RecordedDatabaseUser]:
    """Each user with the names of the active databases it is granted."""
    return await fetch_all_as(
        pool,
        RecordedDatabaseUser,
        "SELECT r.id, r.name, u.name AS account, r.status,"
        " (SELECT GROUP_CONCAT(d.name ORDER BY d.name SEPARATOR ' ') FROM database_grants g"
        "   JOIN hosted_databases d ON d.id = g.database_id"
        "   WHERE g.user_id = r.id AND d.status = 'active') AS granted_list"
        " FROM database_users r JOIN users u ON u.id = r.account_id ORDER BY r.name",
    )


async def cron_jobs(pool: aiomysql.Pool) -> list[RecordedCronJob]:
    return await fetch_all_as(
        pool,
        RecordedCronJob,
        "SELECT c.id, c.public_id AS name, u.name AS account, c.schedule, c.command,"
        " c.enabled, c.status"
        " FROM cron_jobs c JOIN users u ON u.id = c.account_id ORDER BY c.public_id",
    )


async def dns_zones(pool: aiomysql.Pool) -> list[RecordedZone]:
    return await fetch_all_as(
        pool,
        RecordedZone,
        "SELECT z.id, z.name, u.name AS account, z.status"
        " FROM dns_zones z JOIN users u ON u.id = z.account_id ORDER BY z.name",
    )


async def dns_records(pool: aiomysql.Pool) -> dict[int, list[RecordedDnsRecord]]:
    """Every zone's records, by the zone's id, in one query: one per zone took about as long
    as the agent's whole answer about a thousand zones."""
    rows = await fetch_all_as(
        pool,
        RecordedZoneRecord,
        "SELECT zone_id, public_id, name, type, ttl, data FROM dns_records"
        " ORDER BY zone_id, public_id",
    )
    by_zone: dict[int, list[RecordedDnsRecord]] = {}
    for row in rows:
        by_zone.setdefault(row.zone_id, []).append(row)
    return by_zone


async def ssh_keys(pool: aiomysql.Pool) -> list[RecordedSshKey]:
    return await fetch_all_as(
        pool,
        RecordedSshKey,
        "SELECT k.id, k.public_id AS name, u.name AS account, k.fingerprint, k.comment,"
        " k.public_key, k.status FROM ssh_keys k JOIN users u ON u.id = k.account_id"
        " ORDER BY k.public_id",
    )


async def ssh_access(pool: aiomysql.Pool) -> dict[str, bool]:
    """Accounts switched on or off by hand of an administrator (no row: on)."""
    rows = await fetch_all_as(
        pool,
        RecordedSshAccess,
        "SELECT u.name AS account, s.enabled FROM ssh_access s JOIN users u ON u.id = s.account_id",
    )
    return {row.account: row.enabled for row in rows}


@dataclass(frozen=True, slots=True)
class _AccountName:
    account: str


async def ssh_shells(pool: aiomysql.Pool) -> set[str]:
    """Accounts that get their login shell over SSH: their plan allows it and they have one
    (the rule of gateway/services/ssh.py's shell_wanted)."""
    rows = await fetch_all_as(
        pool,
        _AccountName,
        "SELECT u.name AS account FROM users u JOIN accounts a ON a.user_id = u.id"
        " JOIN plans p ON p.id = a.plan_id WHERE p.ssh_shell AND a.shell <> 'nologin'",
    )
    return {row.account for row in rows}


@dataclass(frozen=True, slots=True)
class RecordedPhpPool:
    account: str
    pm: ProcessManager | None  # None: no row, the defaults
    max_children: int | None
    php_open_basedir: bool  # the account's plan's


async def php_pools(pool: aiomysql.Pool) -> list[RecordedPhpPool]:
    """Every account's pool limits (its php_pools row, if any) and its plan's open_basedir."""
    return await fetch_all_as(
        pool,
        RecordedPhpPool,
        "SELECT u.name AS account, pp.pm, pp.max_children, p.php_open_basedir"
        " FROM users u JOIN accounts a ON a.user_id = u.id JOIN plans p ON p.id = a.plan_id"
        " LEFT JOIN php_pools pp ON pp.account_id = a.user_id ORDER BY u.name",
    )


@dataclass(frozen=True, slots=True)
class RecordedVpnClient:
    id: int
    public_id: str
    owner: str  # an account's or an administrator's user name
    name: str
    status: vpn_store.Status


@dataclass(frozen=True, slots=True)
class UserName:
    name: str


async def vpn_clients(pool: aiomysql.Pool) -> list[RecordedVpnClient]:
    return await fetch_all_as(
        pool,
        RecordedVpnClient,
        "SELECT v.id, v.public_id, u.name AS owner, v.name, v.status"
        " FROM vpn_clients v JOIN users u ON u.id = v.user_id ORDER BY u.name, v.name",
    )


async def administrators(pool: aiomysql.Pool) -> list[str]:
    """Administrators' user names: they hold VPN clients of their own, on no account."""
    rows = await fetch_all_as(
        pool, UserName, "SELECT name FROM users WHERE role = 'admin' ORDER BY name"
    )
    return [row.name for row in rows]


async def status_of(pool: aiomysql.Pool, resource: str, record_id: int) -> str | None:
    """The record's status now (None when it is gone): a repair acts only on what it saw."""
    table, key = TABLES[resource]
    row = await fetch_one(pool, f"SELECT status FROM {table} WHERE {key} = %s", (record_id,))
    return None if row is None else str(row["status"])
