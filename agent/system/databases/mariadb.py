"""MariaDB as root over its Unix socket: the only module of the agent that writes SQL.

Every value travels as a bound parameter (user names, hosts, passwords, names in WHERE
clauses). Database names cannot be parameters where they are identifiers, so those are the
validators' DatabaseName, checked once more against [a-z0-9_] here and put between backticks.

In GRANT and REVOKE, '_' and '%' in a database name are wildcards: a grant on `bob_x_shop`.*
would also open "bobax_shop", the database of account "bobax". So every '_' is escaped there
(`bob\\_x\\_shop`), which MariaDB stores as such in mysql.db and matches literally.

Passwords never reach a log or an error message: statements that carry one are reported by
error number only, since MariaDB's message may quote the statement.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiomysql
import pymysql

from agent.config import AgentConfig
from agent.errors import AgentError, Internal, Unavailable
from agent.validators.databases import DatabaseName, DatabasePassword, DatabaseUserName

# Users are created for both: the socket ("localhost") and TCP on loopback.
HOSTS: Final = ("localhost", "127.0.0.1")
_IDENTIFIER: Final = re.compile(r"[a-z0-9_]{1,80}")
# Client errors that mean the server cannot be reached (CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR,
# CR_SERVER_GONE_ERROR, CR_SERVER_LOST).
_UNREACHABLE: Final = frozenset({2002, 2003, 2006, 2013})
ER_NONEXISTING_GRANT: Final = 1141
ER_NO_SUCH_THREAD: Final = 1094


class MariaDBUnavailable(Unavailable):
    """MariaDB does not answer on its socket; a retry may succeed once it runs again."""


@dataclass(frozen=True)
class Timeouts:
    """How long the agent waits for MariaDB (AgentConfig's mariadb_connect_timeout and
    mariadb_timeout): a server that accepts connections but never answers (stopped, stuck on
    a lock, out of threads) must fail the call, not hold DatabaseService's lock for ever."""

    connect: float
    statement: float

    @classmethod
    def from_config(cls, config: AgentConfig) -> Timeouts:
        return cls(config.mariadb_connect_timeout, config.mariadb_timeout)


class Session:
    """One root connection. Methods take validated names only (see the NewTypes)."""

    def __init__(self, connection: Any, timeout: float) -> None:
        self._connection = connection
        self._timeout = timeout

    async def existing_schemas(self, databases: Sequence[DatabaseName]) -> frozenset[str]:
        """Those of the names that MariaDB has as schemas."""
        rows = await self._query(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"  # noqa: S608 (bound values)
            " WHERE SCHEMA_NAME IN (" + _placeholders(databases) + ")",
            [_check(database) for database in databases],
        )
        return frozenset(str(row[0]) for row in rows)

    async def sizes(self, databases: Sequence[DatabaseName]) -> dict[str, int]:
        """Data and index bytes of each database's tables (InnoDB's are estimates), in one
        look: those without tables are left out."""
        if not databases:
            return {}
        rows = await self._query(
            "SELECT TABLE_SCHEMA, COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0)"  # noqa: S608
            " FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ("
            + _placeholders(databases)
            + ") GROUP BY TABLE_SCHEMA",
            [_check(database) for database in databases],
        )
        return {str(schema): int(size) for schema, size in rows}

    async def create_database(self, database: DatabaseName) -> None:
        await self._execute(f"CREATE DATABASE IF NOT EXISTS {_quoted(database)}")

    async def drop_database(self, database: DatabaseName) -> None:
        await self._execute(f"DROP DATABASE IF EXISTS {_quoted(database)}")

    async def revoke_everyone(self, database: DatabaseName) -> None:
        """Removes every database-level grant on the name, whoever holds it.

        DROP DATABASE keeps grants; a database made later under the same name (by account
        "bob_x" after "bob" dropped his "bob_x_shop") must not open to the old users. Grants
        written by hand with the unescaped name (a pattern) go too, and so do the sessions of
        their holders, which would keep the privileges they had (see disconnect).
        """
        patterns = (_grant_pattern(database), _check(database))
        rows = await self._query(
            "SELECT User, Host, Db FROM mysql.db WHERE Db IN (%s, %s)", patterns
        )
        for user, host, stored in rows:
            pattern = next(pattern for pattern in patterns if pattern == stored)
            await self._execute(
                f"REVOKE ALL PRIVILEGES ON `{pattern}`.* FROM %s@%s",
                (str(user), str(host)),
                tolerate=(ER_NONEXISTING_GRANT,),
            )
        for user in sorted({str(user) for user, _, _ in rows}):
            await self.disconnect(user)

    async def disconnect(self, user: str) -> None:
        """Ends every session of the user.

        MariaDB checks a session's database privileges when it selects the database and keeps
        them, and DROP USER leaves sessions open: without this, a revoked or dropped user (or
        one whose password leaked and was changed) would keep what it had until it hangs up.
        """
        rows = await self._query(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", (user,)
        )
        for (thread,) in rows:
            # A session may end by itself meanwhile.
            await self._execute("KILL CONNECTION %s", (int(thread),), tolerate=(ER_NO_SUCH_THREAD,))

    async def existing_users(self, users: Sequence[DatabaseUserName]) -> frozenset[str]:
        """Those of the names that MariaDB has as users, for any host."""
        rows = await self._query(
            "SELECT DISTINCT User FROM mysql.user"  # noqa: S608 (bound values)
            " WHERE User IN (" + _placeholders(users) + ")",
            [_check(user) for user in users],
        )
        return frozenset(str(row[0]) for row in rows)

    async def grants_of(self, users: Sequence[DatabaseUserName]) -> dict[str, set[str]]:
        """Names of the databases each user holds a grant on (for any of HOSTS), in one
        statement; users without any are left out."""
        rows = await self._query(
            "SELECT User, Db FROM mysql.db"  # noqa: S608 (bound values)
            " WHERE User IN (" + _placeholders(users) + ") AND Host IN (%s, %s)",
            [*(_check(user) for user in users), *HOSTS],
        )
        found: dict[str, set[str]] = {}
        for user, database in rows:
            found.setdefault(str(user), set()).add(str(database).replace("\\_", "_"))
        return found

    async def user_hosts(self, user: DatabaseUserName) -> frozenset[str]:
        """The hosts this user name exists for, ours or not."""
        rows = await self._query("SELECT Host FROM mysql.user WHERE User = %s", (user,))
        return frozenset(str(row[0]) for row in rows)

    async def set_user(
        self, user: DatabaseUserName, password: DatabasePassword, connections: int
    ) -> None:
        """Creates the user for every host in HOSTS, or sets its password where it exists;
        either way with at most `connections` sessions at once for each host."""
        for host in HOSTS:
            _check(user)
            arguments = (user, host, password, int(connections))
            await self._execute(
                "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS %s",
                arguments,
                secret=True,
            )
            await self._execute(
                "ALTER USER %s@%s IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS %s",
                arguments,
                secret=True,
            )

    async def connection_limits(self) -> dict[tuple[str, str], int]:
        """MAX_USER_CONNECTIONS of every user@host for the hosts in HOSTS (0: none of its own)."""
        rows = await self._query(
            "SELECT User, Host, max_user_connections FROM mysql.user WHERE Host IN (%s, %s)",
            HOSTS,
        )
        return {(str(user), str(host)): int(limit) for user, host, limit in rows}

    async def limit_connections(self, user: DatabaseUserName, host: str, connections: int) -> None:
        await self._execute(
            "ALTER USER %s@%s WITH MAX_USER_CONNECTIONS %s", (_check(user), host, int(connections))
        )

    async def drop_user(self, user: DatabaseUserName) -> None:
        """Drops the user, with every privilege it held and its open sessions."""
        for host in HOSTS:
            await self._execute("DROP USER IF EXISTS %s@%s", (_check(user), host))
        await self.disconnect(user)

    async def grant(
        self, user: DatabaseUserName, database: DatabaseName, hosts: Iterable[str]
    ) -> None:
        for host in hosts:
            await self._execute(
                f"GRANT ALL PRIVILEGES ON `{_grant_pattern(database)}`.* TO %s@%s",
                (_check(user), host),
            )

    async def revoke(self, user: DatabaseUserName, database: DatabaseName) -> None:
        revoked = [
            await self._execute(
                f"REVOKE ALL PRIVILEGES ON `{_grant_pattern(database)}`.* FROM %s@%s",
                (_check(user), host),
                tolerate=(ER_NONEXISTING_GRANT,),
            )
            for host in HOSTS
        ]
        if any(revoked):
            await self.disconnect(user)

    async def set_loader(self, user: str, database: DatabaseName, password: str) -> None:
        """The database's loader (see agent/system/backups/load.py): one host, this password,
        every privilege on exactly this database and nothing else; unlocked."""
        arguments = (_check(user), "localhost", password)
        await self._execute(
            "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", arguments, secret=True
        )
        await self._execute(
            "ALTER USER %s@%s IDENTIFIED BY %s ACCOUNT UNLOCK", arguments, secret=True
        )
        # Whatever someone granted it by hand goes before it loads anything.
        await self._execute(
            "REVOKE ALL PRIVILEGES, GRANT OPTION FROM %s@%s",
            (user, "localhost"),
            tolerate=(ER_NONEXISTING_GRANT,),
        )
        await self._execute(
            f"GRANT ALL PRIVILEGES ON `{_grant_pattern(database)}`.* TO %s@%s",
            (user, "localhost"),
        )

    async def lock_loader(self, user: str, password: str) -> None:
        """No more logins as the loader (the password the load used is replaced too); it stays
        as the definer of the views, triggers, routines and events it made."""
        arguments = (_check(user), "localhost", password)
        await self._execute(
            "ALTER USER IF EXISTS %s@%s IDENTIFIED BY %s ACCOUNT LOCK", arguments, secret=True
        )
        await self.disconnect(user)

    async def _query(self, sql: str, arguments: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return await self._run(sql, arguments, secret=False, tolerate=()) or []

    async def _execute(
        self,
        sql: str,
        arguments: Sequence[object] = (),
        *,
        secret: bool = False,
        tolerate: Iterable[int] = (),
    ) -> bool:
        """Runs a statement; False when it failed with one of the `tolerate` errors."""
        return await self._run(sql, arguments, secret=secret, tolerate=tolerate) is not None

    async def _run(
        self, sql: str, arguments: Sequence[object], *, secret: bool, tolerate: Iterable[int]
    ) -> list[tuple[Any, ...]] | None:
        try:
            async with asyncio.timeout(self._timeout), self._connection.cursor() as cursor:
                # aiomysql escapes each argument into a string literal (PyMySQL's escaping).
                await cursor.execute(sql, tuple(arguments) or None)
                return list(await cursor.fetchall())
        except TimeoutError:
            # The connection is mid-statement; it goes. Every change here is idempotent, so
            # the client may retry whether or not the server finished the statement.
            self._connection.close()
            raise MariaDBUnavailable(
                f"MariaDB did not answer within {self._timeout:g} s (mariadb_timeout); try again"
            ) from None
        except pymysql.MySQLError as error:
            number = _error_number(error)
            if number in tolerate:
                return None
            raise _failure(error, number, sql, secret=secret) from None


@asynccontextmanager
async def session(socket_path: Path, timeouts: Timeouts) -> AsyncIterator[Session]:
    """A root connection by unix_socket authentication: no password exists to be stolen."""
    try:
        # aiomysql's connect_timeout covers opening the socket only; a stopped server accepts
        # on its socket and never greets, so the whole handshake runs under the timeout.
        async with asyncio.timeout(timeouts.connect):
            connection = await aiomysql.connect(
                unix_socket=str(socket_path),
                user="root",
                charset="utf8mb4",
                autocommit=True,
                connect_timeout=timeouts.connect,
                # "IF [NOT] EXISTS" makes notes, which aiomysql would turn into Python warnings.
                init_command="SET SESSION sql_notes = 0",
            )
    except TimeoutError:
        raise MariaDBUnavailable(
            f"MariaDB did not answer on {socket_path} within {timeouts.connect:g} s "
            "(mariadb_connect_timeout); check that it runs, then try again"
        ) from None
    except (pymysql.MySQLError, OSError) as error:
        number = _error_number(error) if isinstance(error, pymysql.MySQLError) else 0
        if number and number not in _UNREACHABLE:  # it answers, but not to root by its socket
            message = f"MariaDB refused root on {socket_path} (error {number})"
            raise Internal(message, detail=str(error)) from None
        raise MariaDBUnavailable(
            f"MariaDB does not answer on {socket_path}; start it and try again"
        ) from None
    try:
        yield Session(connection, timeouts.statement)
    finally:
        connection.close()


def _check(name: str) -> str:
    """The last line of defence before a name is put into a statement."""
    if not _IDENTIFIER.fullmatch(name):
        raise Internal("refused to put an unchecked name into SQL")
    return name


def _placeholders(values: Sequence[object]) -> str:
    """One bound parameter per value, for IN (...); never empty."""
    if not values:
        raise Internal("refused an empty IN list")
    return ", ".join(["%s"] * len(values))


def _quoted(database: DatabaseName) -> str:
    return f"`{_check(database)}`"


def _grant_pattern(database: DatabaseName) -> str:
    """The name with its wildcard '_' escaped, as GRANT and REVOKE need it."""
    return _check(database).replace("_", "\\_")


def _error_number(error: pymysql.MySQLError) -> int:
    first = error.args[0] if error.args else 0
    return first if isinstance(first, int) else 0


def _failure(error: pymysql.MySQLError, number: int, sql: str, *, secret: bool) -> AgentError:
    if number in _UNREACHABLE:
        return MariaDBUnavailable("MariaDB went away during the operation; try again")
    # The statement's first words say what failed; a password never stands among them.
    verb = " ".join(sql.split()[:2])
    detail = f"error {number}" if secret else f"error {number}: {error}"
    return Internal(f"MariaDB refused {verb} (error {number})", detail=detail)
