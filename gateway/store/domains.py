"""Websites as the panel records them, and the server-wide register of host names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql
import pymysql

from gateway.db import (
    Row,
    execute,
    fetch_all,
    fetch_all_as,
    fetch_one_as,
    naive_utc,
    record_of,
    transaction,
)
from gateway.store import names
from gateway.store.plans import check_limit
from gateway.store.suspensions import Suspension
from gateway.store.tenants import Tenants

BackendKind = Literal["static", "php", "proxy", "redirect"]
Status = Literal["pending", "active", "suspended", "deleting"]


@dataclass(frozen=True, slots=True)
class BackendColumns:
    """A site's backend as recorded: `backend` names the kind, and the columns of that kind are
    set (gateway/backends.py converts it to and from the API's and the agent's shapes)."""

    backend: BackendKind
    php_version: str | None = None
    proxy_port: int | None = None
    proxy_socket: str | None = None
    redirect_url: str | None = None
    redirect_code: int | None = None
    redirect_preserve_path: bool | None = None
    # PHP sites: their own settings as JSON text (services/php_settings.py); None: defaults.
    php_settings: str | None = None


@dataclass(frozen=True, slots=True)
class DomainRecord:
    id: int
    name: str
    account_id: int
    account: str
    backend: BackendKind
    php_version: str | None
    proxy_port: int | None
    proxy_socket: str | None
    redirect_url: str | None
    redirect_code: int | None
    redirect_preserve_path: bool | None
    status: Status
    created_at: datetime
    updated_at: datetime
    suspended_by: str | None  # admin or owner, while suspended
    suspended_by_user: str | None
    suspension_reason: str | None
    suspended_at: datetime | None
    alias_list: str | None  # the aliases in name order, space-separated
    php_settings: str | None
    log_retention_days: int  # its account's plan's, sent to the agent with the site

    @property
    def aliases(self) -> list[str]:
        return self.alias_list.split() if self.alias_list else []

    @property
    def host_names(self) -> list[str]:
        """The name and its aliases: every host name the site answers for."""
        return [self.name, *self.aliases]

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


_COLUMNS = (
    "SELECT d.id, d.name, d.account_id, u.name AS account, d.backend, d.php_version,"
    " d.proxy_port, d.proxy_socket, d.redirect_url, d.redirect_code, d.redirect_preserve_path,"
    " d.status,"
    " d.created_at, d.updated_at,"
    " d.suspended_by, d.suspended_by_user, d.suspension_reason, d.suspended_at,"
    " (SELECT GROUP_CONCAT(h.name ORDER BY h.name SEPARATOR ' ') FROM host_names h"
    "   WHERE h.domain_id = d.id AND h.is_alias) AS alias_list,"
    " d.php_settings, p.log_retention_days"
)
# The joins after `FROM domains d` (or a page of its rows named d).
_JOINS = (
    " JOIN users u ON u.id = d.account_id"
    " JOIN accounts a ON a.user_id = d.account_id JOIN plans p ON p.id = a.plan_id"
)
_SELECT = _COLUMNS + " FROM domains d" + _JOINS
BACKEND_COLUMNS = (
    "backend",
    "php_version",
    "proxy_port",
    "proxy_socket",
    "redirect_url",
    "redirect_code",
    "redirect_preserve_path",
    "php_settings",
)
_DUPLICATE_KEY = 1062


class NamesTaken(Exception):
    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


async def get(pool: aiomysql.Pool, name: str) -> DomainRecord | None:
    return await fetch_one_as(pool, DomainRecord, _SELECT + " WHERE d.name = %s", (name,))


async def page(
    pool: aiomysql.Pool, *, after: str, prefix: str, tenants: Tenants, limit: int
) -> list[DomainRecord]:
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where, args = "d.name > %s AND d.name LIKE %s", [after, like]
    condition, more = tenants.where("d.account_id")
    where += condition
    args += more
    # The page's rows are picked first, in name order from the name index, and only they are
    # joined and given their aliases. As one join, MariaDB started from the few users, joined
    # every domain of theirs, ran the alias subquery for each and sorted them all: 60-200 ms
    # for the first 200 of 5,000 domains (issue 14, target 5; docs/web.md, Scale).
    page_rows = f"SELECT * FROM domains d WHERE {where} ORDER BY d.name LIMIT %s"
    return await fetch_all_as(
        pool,
        DomainRecord,
        f"{_COLUMNS} FROM ({page_rows}) d{_JOINS} ORDER BY d.name",
        [*args, limit],
    )


async def names_of(pool: aiomysql.Pool, account_id: int) -> list[Row]:
    """For the account cascades still in routes/accounts.py and reconcile/accounts.py (rows:
    id, name, status); they go when the agent cascades an account's sites (issue 15)."""
    return await fetch_all(
        pool,
        "SELECT id, name, status FROM domains WHERE account_id = %s ORDER BY name",
        (account_id,),
    )


async def insert_pending(
    pool: aiomysql.Pool,
    account_id: int,
    name: str,
    aliases: list[str],
    backend: BackendColumns,
    *,
    at: datetime,
) -> int:
    """Records a domain as pending, claiming its name and aliases server-wide. Raises
    NamesTaken, names.NameHeld (another account holds a name above or below one of them), or
    LimitReached when the account's plan allows no more domains or aliases."""
    try:
        async with transaction(pool) as cur:
            # Locks the account's row: two creates for one account cannot both pass the limit.
            await cur.execute(
                "SELECT p.name, p.max_domains, p.max_aliases,"
                " (SELECT COUNT(*) FROM domains WHERE account_id = a.user_id) AS domains"
                " FROM accounts a JOIN plans p ON p.id = a.plan_id WHERE a.user_id = %s"
                " FOR UPDATE",
                (account_id,),
            )
            plan = await cur.fetchone()
            check_limit(plan, "max_domains", plan["domains"] + 1)
            check_limit(plan, "max_aliases", len(aliases))
            await names.lock(cur)
            await names.check_free(cur, [name, *aliases], account_id)
            await _claim_free(cur, [name, *aliases])
            await cur.execute(
                "INSERT INTO domains (name, account_id, status, created_at, updated_at,"
                f" {', '.join(BACKEND_COLUMNS)})"
                f" VALUES (%s, %s, 'pending', %s, %s{', %s' * len(BACKEND_COLUMNS)})",
                (
                    name,
                    account_id,
                    naive_utc(at),
                    naive_utc(at),
                    *(getattr(backend, c) for c in BACKEND_COLUMNS),
                ),
            )
            domain_id = int(cur.lastrowid)
            await _insert_names(cur, domain_id, name, aliases)
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NamesTaken([name, *aliases]) from exc
        raise
    return domain_id


async def _claim_free(cur: aiomysql.DictCursor, names: list[str]) -> None:
    marks = ", ".join(["%s"] * len(names))
    await cur.execute(f"SELECT name FROM host_names WHERE name IN ({marks}) FOR UPDATE", names)
    taken = [row["name"] for row in await cur.fetchall()]
    if taken:
        raise NamesTaken(sorted(taken))


async def _insert_names(
    cur: aiomysql.DictCursor, domain_id: int, name: str | None, aliases: list[str]
) -> None:
    rows = ([(name, domain_id, False)] if name else []) + [(a, domain_id, True) for a in aliases]
    if rows:
        await cur.executemany(
            "INSERT INTO host_names (name, domain_id, is_alias) VALUES (%s, %s, %s)", rows
        )


class ZoneServed(Exception):
    """A DNS zone is served for a name that would be dropped: the zone must go first."""

    def __init__(self, zone: str) -> None:
        super().__init__(zone)
        self.zone = zone


async def _check_no_zone(cur: aiomysql.DictCursor, dropped: list[str]) -> None:
    if not dropped:
        return
    marks = ", ".join(["%s"] * len(dropped))
    await cur.execute(
        f"SELECT name FROM dns_zones WHERE name IN ({marks}) ORDER BY name LIMIT 1"
        " LOCK IN SHARE MODE",
        dropped,
    )
    zone = await cur.fetchone()
    if zone is not None:
        raise ZoneServed(str(zone["name"]))


async def replace_aliases(pool: aiomysql.Pool, domain: DomainRecord, aliases: list[str]) -> None:
    """Claims the new aliases and frees the old ones. Raises NamesTaken, names.NameHeld,
    ZoneServed (a zone is served for an alias that would be dropped) or plans.LimitReached."""
    try:
        async with transaction(pool) as cur:
            await cur.execute(
                "SELECT p.name, p.max_aliases FROM accounts a JOIN plans p ON p.id = a.plan_id"
                " WHERE a.user_id = %s FOR UPDATE",
                (domain.account_id,),
            )
            check_limit(await cur.fetchone(), "max_aliases", len(aliases))
            await names.lock(cur)
            await _check_no_zone(cur, sorted(set(domain.aliases) - set(aliases)))
            await names.check_free(cur, aliases, domain.account_id)
            await cur.execute(
                "DELETE FROM host_names WHERE domain_id = %s AND is_alias", (domain.id,)
            )
            if aliases:
                await _claim_free(cur, aliases)
            await _insert_names(cur, domain.id, None, aliases)
    except pymysql.err.IntegrityError as exc:
        if exc.args[0] == _DUPLICATE_KEY:
            raise NamesTaken(aliases) from exc
        raise


async def set_backend(pool: aiomysql.Pool, domain_id: int, backend: BackendColumns) -> None:
    await execute(
        pool,
        f"UPDATE domains SET {', '.join(f'{c} = %s' for c in BACKEND_COLUMNS)} WHERE id = %s",
        (*(getattr(backend, c) for c in BACKEND_COLUMNS), domain_id),
    )


async def set_status(
    pool: aiomysql.Pool, domain_id: int, status: Status, *, at: datetime | None = None
) -> None:
    """`at`: the change's time, where the caller answers with it (else the database's now)."""
    if at is None:
        await execute(pool, "UPDATE domains SET status = %s WHERE id = %s", (status, domain_id))
        return
    await execute(
        pool,
        "UPDATE domains SET status = %s, updated_at = %s WHERE id = %s",
        (status, naive_utc(at), domain_id),
    )


async def set_suspended(pool: aiomysql.Pool, domain_id: int, suspension: Suspension) -> None:
    """Marks the domain suspended, recording who did it and why."""
    await execute(
        pool,
        "UPDATE domains SET status = 'suspended', suspended_by = %s, suspended_by_user = %s,"
        " suspension_reason = %s, suspended_at = CURRENT_TIMESTAMP(6) WHERE id = %s",
        (suspension.by, suspension.user, suspension.reason, domain_id),
    )


async def set_active(pool: aiomysql.Pool, domain_id: int) -> None:
    """Lifts the suspension and forgets who made it."""
    await execute(
        pool,
        "UPDATE domains SET status = 'active', suspended_by = NULL, suspended_by_user = NULL,"
        " suspension_reason = NULL, suspended_at = NULL WHERE id = %s",
        (domain_id,),
    )


async def begin_delete(pool: aiomysql.Pool, domain: DomainRecord) -> None:
    """Marks the domain as being deleted; ZoneServed while a zone is served for one of its
    names (under the claims lock: no zone can be created for it meanwhile)."""
    async with transaction(pool) as cur:
        await names.lock(cur)
        await _check_no_zone(cur, domain.host_names)
        await cur.execute("UPDATE domains SET status = 'deleting' WHERE id = %s", (domain.id,))


async def delete(pool: aiomysql.Pool, domain_id: int) -> None:
    await execute(pool, "DELETE FROM domains WHERE id = %s", (domain_id,))


@dataclass(frozen=True)
class Move:
    """What moves with a domain: its own record and the account's domains below its names
    (each with its aliases), and the account's zones at or below any of their names."""

    domains: list[DomainRecord]
    zones: list[str]


def _at_or_below(column: str, reversed_column: str, hosts: list[str]) -> tuple[str, list[str]]:
    """SQL matching a name equal to or below one of `hosts` (see store/names.py)."""
    ranges = " OR ".join([f"({reversed_column} >= %s AND {reversed_column} < %s)"] * len(hosts))
    marks = ", ".join(["%s"] * len(hosts))
    args = [bound for host in hosts for bound in (host[::-1] + ".", host[::-1] + "/")]
    return f"({column} IN ({marks}) OR {ranges})", [*hosts, *args]


@asynccontextmanager
async def moving(pool: aiomysql.Pool, domain: DomainRecord, target_id: int) -> AsyncIterator[Move]:
    """Gives the domain and everything of its account below its names to another account, in
    one transaction held under the claims lock while the block applies it on the server;
    committed when the block ends. Raises names.NameHeld when the old account keeps a name
    above a moved one (move that name instead)."""
    async with transaction(pool) as cur:
        await names.lock(cur)
        where, args = _at_or_below("h.name", "h.reversed", domain.host_names)
        await cur.execute(
            f"{_SELECT} JOIN host_names h ON h.domain_id = d.id AND NOT h.is_alias"
            f" WHERE d.account_id = %s AND {where} ORDER BY d.name",
            [domain.account_id, *args],
        )
        moved = [record_of(DomainRecord, r) for r in await cur.fetchall()]
        every_host = sorted({h for d in moved for h in d.host_names})
        where, args = _at_or_below("name", "reversed", every_host)
        await cur.execute(
            f"SELECT name FROM dns_zones WHERE account_id = %s AND {where} ORDER BY name",
            [domain.account_id, *args],
        )
        zones = [str(z["name"]) for z in await cur.fetchall()]
        ids = [d.id for d in moved]
        marks = ", ".join(["%s"] * len(ids))
        await cur.execute(
            f"UPDATE domains SET account_id = %s WHERE id IN ({marks})", [target_id, *ids]
        )
        if zones:
            zone_marks = ", ".join(["%s"] * len(zones))
            await cur.execute(
                f"UPDATE dns_zones SET account_id = %s WHERE name IN ({zone_marks})",
                [target_id, *zones],
            )
        await names.check_free(cur, [*every_host, *zones], target_id)
        yield Move(moved, zones)
