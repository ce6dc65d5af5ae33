"""Hosting plans and what each account uses of its plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiomysql
import pymysql

from gateway.db import execute, fetch_all_as, fetch_one_as

# New accounts start on this plan; it cannot be deleted.
DEFAULT_PLAN = "default"
LIMITS = (
    "max_domains",
    "max_aliases",
    "max_databases",
    "max_cron_jobs",
    "max_vpn_clients",
    "disk_quota_mb",
    "inode_quota",
)
# Switches rather than counts: what an account on the plan may do.
SETTINGS = ("ssh_shell",)
_WRITABLE = LIMITS + SETTINGS
_COLUMNS = (
    "id, name, "
    + ", ".join(_WRITABLE)
    + ", (SELECT COUNT(*) FROM accounts a WHERE a.plan_id = plans.id) AS accounts,"
    " created_at, updated_at"
)
_DUPLICATE_KEY = 1062


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: int
    name: str
    # Limits: None is unlimited, 0 none allowed (disk and inodes: at least 1).
    max_domains: int | None
    max_aliases: int | None
    max_databases: int | None
    max_cron_jobs: int | None
    max_vpn_clients: int | None
    disk_quota_mb: int | None
    inode_quota: int | None
    ssh_shell: bool  # its accounts with a login shell get it over SSH (docs/sftp.md)
    accounts: int  # how many accounts are on the plan
    created_at: datetime
    updated_at: datetime

    def limits(self) -> dict[str, int | None]:
        return {key: getattr(self, key) for key in LIMITS}


class NameTaken(Exception):
    pass


_NOUNS = {
    "max_domains": "domains",
    "max_aliases": "aliases per domain",
    "max_databases": "databases",
    "max_cron_jobs": "cron jobs",
    "max_vpn_clients": "VPN clients",
}


class LimitReached(Exception):
    """A create would pass a limit of the account's plan; the message names the limit."""

    def __init__(self, limit: str, allowed: int, plan: str) -> None:
        super().__init__(f"The plan '{plan}' allows {allowed} {_NOUNS[limit]}.")


def check_limit(plan: Mapping[str, Any], limit: str, wanted: int) -> None:
    """Raises LimitReached when `wanted` passes the plan row's limit (None: unlimited).

    The stores of counted resources call it inside their insert's transaction, with the plan's
    limits and the count read under lock."""
    allowed = plan[limit]
    if allowed is not None and wanted > allowed:
        raise LimitReached(limit, int(allowed), str(plan["name"]))


async def get(pool: aiomysql.Pool, name: str) -> PlanRecord | None:
    return await fetch_one_as(
        pool, PlanRecord, f"SELECT {_COLUMNS} FROM plans WHERE name = %s", (name,)
    )


async def page(pool: aiomysql.Pool, after: str, limit: int) -> list[PlanRecord]:
    return await fetch_all_as(
        pool,
        PlanRecord,
        f"SELECT {_COLUMNS} FROM plans WHERE name > %s ORDER BY name LIMIT %s",
        (after, limit),
    )


async def create(pool: aiomysql.Pool, name: str, values: Mapping[str, int | None]) -> None:
    """A plan with these limits and settings (every name of LIMITS and SETTINGS)."""
    try:
        await execute(
            pool,
            f"INSERT INTO plans (name, {', '.join(_WRITABLE)})"
            f" VALUES (%s{', %s' * len(_WRITABLE)})",
            (name, *(values[k] for k in _WRITABLE)),
        )
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NameTaken(name) from exc
        raise


async def update(pool: aiomysql.Pool, plan_id: int, changes: Mapping[str, int | None]) -> None:
    assignments = ", ".join(f"{k} = %s" for k in changes if k in _WRITABLE)
    if assignments:
        await execute(
            pool,
            f"UPDATE plans SET {assignments} WHERE id = %s",
            (*(v for k, v in changes.items() if k in _WRITABLE), plan_id),
        )


async def delete(pool: aiomysql.Pool, plan_id: int) -> None:
    await execute(pool, "DELETE FROM plans WHERE id = %s", (plan_id,))


# Per limit, the SQL expression that counts an account's use of it (`a` is its accounts row).
_USAGE = {
    "max_domains": "(SELECT COUNT(*) FROM domains d WHERE d.account_id = a.user_id)",
    "max_aliases": (
        "COALESCE((SELECT COUNT(*) FROM host_names h JOIN domains d ON d.id = h.domain_id"
        " WHERE d.account_id = a.user_id AND h.is_alias GROUP BY h.domain_id"
        " ORDER BY 1 DESC LIMIT 1), 0)"
    ),
    "max_databases": "(SELECT COUNT(*) FROM hosted_databases h WHERE h.account_id = a.user_id)",
    "max_cron_jobs": "(SELECT COUNT(*) FROM cron_jobs c WHERE c.account_id = a.user_id)",
    "max_vpn_clients": "(SELECT COUNT(*) FROM vpn_clients v WHERE v.user_id = a.user_id)",
}


@dataclass(frozen=True, slots=True)
class Usage:
    """What an account uses of each counted limit (aliases: the most on one domain)."""

    max_domains: int
    max_aliases: int
    max_databases: int
    max_cron_jobs: int
    max_vpn_clients: int


@dataclass(frozen=True, slots=True)
class _Use:
    name: str
    used: int


async def usage(pool: aiomysql.Pool, account_id: int) -> dict[str, int]:
    """What an account uses of each counted limit, by limit name."""
    columns = ", ".join(f"{expr} AS {key}" for key, expr in _USAGE.items())
    found = await fetch_one_as(
        pool, Usage, f"SELECT {columns} FROM accounts a WHERE a.user_id = %s", (account_id,)
    )
    return {key: int(getattr(found, key)) if found else 0 for key in _USAGE}


async def over_limits(
    pool: aiomysql.Pool,
    limits: dict[str, Any],
    *,
    plan_id: int | None = None,
    account_id: int | None = None,
) -> list[str]:
    """Who would exceed these limits: accounts on plan_id, or the one account. At most a few
    names per limit, each as "alice uses 12 domains"."""
    where, arg = (
        ("a.plan_id = %s", plan_id) if plan_id is not None else ("a.user_id = %s", account_id)
    )
    found: list[str] = []
    for key, limit in limits.items():
        if limit is None or key not in _USAGE:
            continue
        uses = await fetch_all_as(
            pool,
            _Use,
            f"SELECT u.name, {_USAGE[key]} AS used FROM accounts a JOIN users u ON u.id = a.user_id"
            f" WHERE {where} HAVING used > %s ORDER BY u.name LIMIT 5",
            (arg, limit),
        )
        noun = key.removeprefix("max_").replace("_", " ")
        found += [f"{u.name} uses {u.used} {noun} (limit {limit})" for u in uses]
    return found
