"""Hosting plans and what each account uses of its plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiomysql
import pymysql

from gateway.db import execute, fetch_all_as, fetch_one_as, transaction
from gateway.store import resellers

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
    "max_php_memory_mb",
    "max_php_upload_mb",
    "max_php_execution_seconds",
    "max_php_input_vars",
    "max_php_children",
    "log_retention_days",
)
# How the plan's accounts are backed up (docs/backups.md): not limits on what they hold.
BACKUP_SETTINGS = (
    "backup_schedule",
    "backup_keep_daily",
    "backup_keep_weekly",
    "backup_keep_monthly",
    "max_backups_per_day",
    "backup_repository",
)
# Switches rather than counts: what an account on the plan may do.
SETTINGS = ("ssh_shell", "php_open_basedir", "php_static_pools")
WRITABLE = LIMITS + BACKUP_SETTINGS + SETTINGS
_COLUMNS = (
    "id, name, reseller_id, (SELECT u.name FROM users u WHERE u.id = plans.reseller_id)"
    " AS reseller, "
    + ", ".join(WRITABLE)
    + ", (SELECT COUNT(*) FROM accounts a WHERE a.plan_id = plans.id) AS accounts,"
    " created_at, updated_at"
)
_DUPLICATE_KEY = 1062
BackupSchedule = Literal["none", "daily", "weekly"]


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: int
    name: str
    # The reseller whose plan it is (docs/resellers.md); None: an administrator's.
    reseller_id: int | None
    reseller: str | None
    # Limits: None is unlimited, 0 none allowed (disk and inodes: at least 1).
    max_domains: int | None
    max_aliases: int | None
    max_databases: int | None
    max_cron_jobs: int | None
    max_vpn_clients: int | None
    disk_quota_mb: int | None
    inode_quota: int | None
    # Upper bounds of the sites' PHP settings and the pools' workers (None: the absolute ones).
    max_php_memory_mb: int | None
    max_php_upload_mb: int | None
    max_php_execution_seconds: int | None
    max_php_input_vars: int | None
    max_php_children: int | None
    log_retention_days: int
    backup_schedule: BackupSchedule
    backup_keep_daily: int
    backup_keep_weekly: int
    backup_keep_monthly: int
    max_backups_per_day: int | None  # backups an owner may start per day; None: unlimited
    backup_repository: str  # where scheduled backups go: '' local, else a remote's name
    ssh_shell: bool  # its accounts with a login shell get it over SSH (docs/sftp.md)
    php_open_basedir: bool  # its accounts' PHP is kept to their homes (docs/web.md)
    php_static_pools: bool  # its accounts may keep every PHP worker running (pm static)
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


async def get_by_id(pool: aiomysql.Pool, plan_id: int) -> PlanRecord | None:
    return await fetch_one_as(
        pool, PlanRecord, f"SELECT {_COLUMNS} FROM plans WHERE id = %s", (plan_id,)
    )


async def page(
    pool: aiomysql.Pool, after: str, limit: int, *, reseller_id: int | None = None
) -> list[PlanRecord]:
    """Plans in name order after `after`: every plan, or one reseller's."""
    where, args = "name > %s", [after]
    if reseller_id is not None:
        where += " AND reseller_id = %s"
        args.append(str(reseller_id))
    return await fetch_all_as(
        pool,
        PlanRecord,
        f"SELECT {_COLUMNS} FROM plans WHERE {where} ORDER BY name LIMIT %s",
        [*args, limit],
    )


async def create(
    pool: aiomysql.Pool,
    name: str,
    limits: Mapping[str, object],
    *,
    reseller_id: int | None = None,
) -> None:
    """A new plan; a reseller's only while one account on it fits in what is left of the
    reseller's totals (resellers.TotalsExceeded), checked under the reseller's lock."""
    try:
        async with transaction(pool) as cur:
            if reseller_id is not None:
                await resellers.reserve(cur, reseller_id, _limits(limits), accounts=0, shares=1)
            await cur.execute(
                f"INSERT INTO plans (name, reseller_id, {', '.join(WRITABLE)})"
                f" VALUES (%s, %s{', %s' * len(WRITABLE)})",
                (name, reseller_id, *(limits[k] for k in WRITABLE)),
            )
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NameTaken(name) from exc
        raise


async def update(
    pool: aiomysql.Pool,
    plan_id: int,
    limits: Mapping[str, object],
    *,
    reseller_id: int | None = None,
) -> None:
    """New limits; for a reseller's plan only while its accounts (at least one) fit in the
    reseller's totals with them, checked under the reseller's lock."""
    assignments = ", ".join(f"{k} = %s" for k in limits if k in WRITABLE)
    if not assignments:
        return
    async with transaction(pool) as cur:
        if reseller_id is not None:
            # The lock first: the reads below must see what its last holder committed.
            await resellers.lock(cur, reseller_id)
            await cur.execute("SELECT * FROM plans WHERE id = %s", (plan_id,))
            current = await cur.fetchone()
            await cur.execute("SELECT COUNT(*) AS n FROM accounts WHERE plan_id = %s", (plan_id,))
            on_plan = int((await cur.fetchone())["n"])
            wanted = _limits({k: limits.get(k, current[k]) for k in LIMITS})
            await resellers.reserve(
                cur,
                reseller_id,
                wanted,
                accounts=on_plan,
                shares=max(on_plan, 1),
                except_plan=plan_id,
            )
        await cur.execute(
            f"UPDATE plans SET {assignments} WHERE id = %s",
            (*(v for k, v in limits.items() if k in WRITABLE), plan_id),
        )


def _limits(values: Mapping[str, object]) -> dict[str, int | None]:
    """The limits among a plan's settings (what a reseller's totals count)."""
    return {k: v for k in LIMITS if isinstance(v := values.get(k), int | None)}


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


async def of_account(pool: aiomysql.Pool, account_id: int) -> PlanRecord | None:
    """The plan an account is on."""
    return await fetch_one_as(
        pool,
        PlanRecord,
        f"SELECT {_COLUMNS} FROM plans"
        " WHERE id = (SELECT plan_id FROM accounts WHERE user_id = %s)",
        (account_id,),
    )
