"""The MariaDB pool and the few helpers the data layer uses."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiomysql

from gateway.config import DatabaseConfig

Row = dict[str, Any]
R = TypeVar("R")


async def create_pool(config: DatabaseConfig) -> aiomysql.Pool:
    where: dict[str, Any] = (
        {"unix_socket": config.unix_socket}
        if config.unix_socket
        else {"host": config.host, "port": config.port}
    )
    return await aiomysql.create_pool(
        minsize=config.pool_min,
        maxsize=config.pool_max,
        user=config.user,
        password=config.password,
        db=config.database,
        charset="utf8mb4",
        autocommit=True,
        cursorclass=aiomysql.DictCursor,
        pool_recycle=3600,
        # Timestamps are stored and read as UTC, whatever the server's zone.
        init_command="SET time_zone = '+00:00'",
        **where,
    )


def naive_utc(moment: datetime) -> datetime:
    """A time as MariaDB's DATETIME holds it: no zone, in UTC (the pool's session zone)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


async def fetch_one(pool: aiomysql.Pool, sql: str, args: Sequence[Any] = ()) -> Row | None:
    async with pool.acquire() as conn, conn.cursor() as cur:
        await cur.execute(sql, args)
        row: Row | None = await cur.fetchone()
        return row


async def fetch_all(pool: aiomysql.Pool, sql: str, args: Sequence[Any] = ()) -> list[Row]:
    async with pool.acquire() as conn, conn.cursor() as cur:
        await cur.execute(sql, args)
        rows: list[Row] = await cur.fetchall()
        return rows


async def execute(pool: aiomysql.Pool, sql: str, args: Sequence[Any] = ()) -> int:
    """Runs one statement; returns the new row's id for an INSERT, else the rows affected."""
    async with pool.acquire() as conn, conn.cursor() as cur:
        affected: int = await cur.execute(sql, args)
        return int(cur.lastrowid) if cur.lastrowid else affected


@asynccontextmanager
async def transaction(pool: aiomysql.Pool) -> AsyncIterator[aiomysql.DictCursor]:
    """A cursor inside one transaction: committed when the block ends, rolled back on error."""
    async with pool.acquire() as conn:
        await conn.begin()
        try:
            async with conn.cursor() as cur:
                yield cur
        except BaseException:
            await conn.rollback()
            raise
        await conn.commit()


async def fetch_one_as(
    pool: aiomysql.Pool, record: type[R], sql: str, args: Sequence[Any] = ()
) -> R | None:
    """One row as the store's typed record, or None."""
    row = await fetch_one(pool, sql, args)
    return None if row is None else record_of(record, row)


async def fetch_all_as(
    pool: aiomysql.Pool, record: type[R], sql: str, args: Sequence[Any] = ()
) -> list[R]:
    return [record_of(record, row) for row in await fetch_all(pool, sql, args)]


# A row read as one JSON object column (packed): see packed_columns.
PACKED = "packed"


def packed_columns(columns: Mapping[str, str]) -> str:
    """The select list of a packed read: the columns (record field -> SQL expression) as one
    JSON object, `JSON_OBJECT('id', u.id, ...) AS packed`.

    MariaDB sends a column-definition packet per column of every result, and aiomysql parses
    each in Python: 15 columns cost about 65 us of the gateway's CPU per query, one JSON column
    (parsed by the json module, in C) a tenth of that (docs/web.md, Scale: reads). MariaDB
    escapes every string in it; DATETIME(6) columns arrive as text, made datetimes again by
    record_of_packed. Only for columns of numbers, text and times: a binary column is no JSON.
    """
    pairs = ", ".join(f"'{field}', {expression}" for field, expression in columns.items())
    return f"JSON_OBJECT({pairs}) AS {PACKED}"


async def fetch_one_packed(
    pool: aiomysql.Pool, record: type[R], sql: str, args: Sequence[Any] = ()
) -> R | None:
    """fetch_one_as for a SELECT of packed_columns."""
    row = await fetch_one(pool, sql, args)
    return None if row is None else record_of_packed(record, row[PACKED])


async def fetch_all_packed(
    pool: aiomysql.Pool, record: type[R], sql: str, args: Sequence[Any] = ()
) -> list[R]:
    """fetch_all_as for a SELECT of packed_columns."""
    return [record_of_packed(record, row[PACKED]) for row in await fetch_all(pool, sql, args)]


def record_of_packed(record: type[R], packed: str) -> R:
    """A packed row as the store's record: record_of, with times read from their text
    (`2026-12-05 06:12:21.192808`, the session's zone: UTC)."""
    row: Row = json.loads(packed)
    for name in _fields_of(record).times:
        value = row[name]
        if isinstance(value, str):
            row[name] = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return record_of(record, row)


def record_of(record: type[R], row: Row) -> R:
    """A row as a frozen dataclass whose fields name the columns it holds.

    MariaDB answers a BOOLEAN column as 0/1 and a timestamp without its zone (the pool's
    session is UTC), so booleans and times are given their real type here, once.
    """
    fields = _fields_of(record)
    values = {name: row[name] for name in fields.names}
    for name in fields.booleans:  # `bool` and `bool | None` alike
        if values[name] is not None:
            values[name] = bool(values[name])
    for name in fields.times:
        value = values[name]
        if isinstance(value, datetime) and value.tzinfo is None:
            values[name] = value.replace(tzinfo=UTC)
    return record(**values)


@dataclasses.dataclass(frozen=True, slots=True)
class _Fields:
    """A record's field names, and those a row's value is converted for: worked out once
    per record type, not per row."""

    names: tuple[str, ...]
    booleans: tuple[str, ...]
    times: tuple[str, ...]


_FIELDS: dict[type[Any], _Fields] = {}


def _fields_of(record: type[Any]) -> _Fields:
    found = _FIELDS.get(record)
    if found is None:
        hints = typing.get_type_hints(record)
        kinds = {f.name: hints[f.name] for f in dataclasses.fields(record)}
        found = _FIELDS[record] = _Fields(
            names=tuple(kinds),
            booleans=tuple(n for n, k in kinds.items() if _is(k, bool)),
            times=tuple(n for n, k in kinds.items() if _is(k, datetime)),
        )
    return found


def _is(kind: Any, wanted: type) -> bool:
    """`kind` is `wanted` or `wanted | None`."""
    return kind is wanted or wanted in typing.get_args(kind)
