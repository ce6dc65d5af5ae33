"""Hosted MariaDB databases and database users of accounts: the system side of DatabaseService.

Ownership comes from the agent's own record (database_owners.py), never from a name's prefix
alone. For an account, a database or user that another account owns, or that exists in MariaDB
without being recorded (made by hand), does not exist: NOT_FOUND, and it is never touched.
Creating such a name is ALREADY_EXISTS.

Changes run one at a time under one asyncio.Lock (the record is read, changed and written as
a whole) and to their end even when the client hangs up, as in users.py. Reads take no lock:
the record is replaced atomically and MariaDB answers consistently on its own.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Mapping,
    MutableMapping,
)
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

from agent.config import DEFAULTS, AgentConfig
from agent.errors import AlreadyExists, FailedPrecondition, NotFound
from agent.system.accounts import users
from agent.system.databases import database_owners, mariadb
from agent.system.databases.database_owners import REGISTRY_PATH, Owners, owned_by
from agent.system.databases.mariadb import HOSTS, Session
from agent.validators.accounts import AccountName
from agent.validators.databases import DatabaseName, DatabasePassword, DatabaseUserName


@dataclass(frozen=True)
class Database:
    name: DatabaseName
    account: AccountName
    size_bytes: int


@dataclass(frozen=True)
class DatabaseUser:
    name: DatabaseUserName
    account: AccountName
    databases: tuple[DatabaseName, ...]


DEFAULT_TIMEOUTS: Final = mariadb.Timeouts.from_config(DEFAULTS)
# The most databases, and the most users, one account may hold whatever its plan: the bound
# that keeps a tenant's list (and a user's databases) within one gRPC answer.
MAX_PER_ACCOUNT: Final = 10_000
# The most database names the users of one page of ListDatabaseUsers carry between them.
MAX_PAGE_GRANTS: Final = 20_000
P = ParamSpec("P")
T = TypeVar("T")
Name = TypeVar("Name", DatabaseName, DatabaseUserName)


def _serialized(
    operation: Callable[Concatenate[HostedDatabases, P], Awaitable[T]],
) -> Callable[Concatenate[HostedDatabases, P], Coroutine[Any, Any, T]]:
    """Runs a change under the lock, and to its end even when its caller is cancelled: a
    database dropped but still recorded, or the other way round, must not depend on when a
    client hangs up."""

    @functools.wraps(operation)
    async def serialized(self: HostedDatabases, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async def locked() -> T:
            async with self._lock:
                return await operation(self, *args, **kwargs)

        task = asyncio.create_task(locked())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    return serialized


class HostedDatabases:
    """The databases and users of every account on one MariaDB server."""

    def __init__(
        self,
        socket_path: Path,
        registry_path: Path = REGISTRY_PATH,
        timeouts: mariadb.Timeouts = DEFAULT_TIMEOUTS,
        user_connections: int = DEFAULTS.mariadb_user_connections,
    ) -> None:
        self._socket_path = socket_path
        self._registry_path = registry_path
        self._timeouts = timeouts
        # Every tenant user's MAX_USER_CONNECTIONS (AgentConfig.mariadb_user_connections).
        self._user_connections = user_connections
        self._lock = asyncio.Lock()
        self._removing: set[AccountName] = set()  # accounts being deleted: no new names
        # Changes whose caller went away, referenced until they finish (see _serialized).
        self._running: set[asyncio.Task[Any]] = set()

    async def list_databases(self, account: AccountName) -> list[Database]:
        """Every database of the account, without sizes (a backup's list)."""
        found, _ = await self.databases_page(account, None, None, with_size=False)
        return found

    async def databases_page(
        self,
        account: AccountName | None,
        after: str | None,
        size: int | None,
        *,
        with_size: bool,
    ) -> tuple[list[Database], str | None]:
        """Up to `size` databases after the name `after` (every one when None), of the account
        or of every account, in name order; and the name to go on after when more follow."""
        if account is not None:
            _require_account(account)
        names, more = _page(self._owners().databases, account, after, size)
        return await self._databases(names, with_size=with_size), more

    async def named_databases(
        self, account: AccountName, names: tuple[DatabaseName, ...], *, with_size: bool
    ) -> list[Database]:
        """Those of `names` (in name order) that are the account's databases."""
        _require_account(account)
        owners = self._owners().databases
        return await self._databases(
            [(name, account) for name in names if owners.get(name) == account],
            with_size=with_size,
        )

    async def users_page(
        self, account: AccountName | None, after: str | None, size: int
    ) -> tuple[list[DatabaseUser], str | None]:
        """As databases_page, for users, each with the databases of its account it may use. A
        page ends early once those databases pass MAX_PAGE_GRANTS, so that a page of users
        granted thousands of databases each stays within what gRPC will send."""
        if account is not None:
            _require_account(account)
        owners = self._owners()
        names, more = _page(owners.users, account, after, size)
        if not names:
            return [], None
        async with self._session() as session:
            existing = await session.existing_users([name for name, _ in names])
            granted = await session.grants_of([name for name, _ in names])
        page: list[DatabaseUser] = []
        grants = 0
        for index, (name, owner) in enumerate(names):
            if page and grants >= MAX_PAGE_GRANTS:
                return page, names[index - 1][0]
            if name in existing:
                # Only the account's own databases, whatever else someone granted by hand.
                databases = tuple(
                    DatabaseName(database)
                    for database in sorted(granted.get(name, ()))
                    if owners.databases.get(DatabaseName(database)) == owner
                )
                page.append(DatabaseUser(name, owner, databases))
                grants += len(databases)
        return page, more

    async def _databases(
        self, names: list[tuple[DatabaseName, AccountName]], *, with_size: bool
    ) -> list[Database]:
        """The named databases that MariaDB has (a claim left by a creation cut short is not
        listed), with their sizes when asked."""
        if not names:
            return []
        async with self._session() as session:
            existing = await session.existing_schemas([name for name, _ in names])
            present = [(name, owner) for name, owner in names if name in existing]
            sizes = await session.sizes([name for name, _ in present]) if with_size else {}
        return [Database(name, owner, sizes.get(name, 0)) for name, owner in present]

    @_serialized
    async def create_database(self, account: AccountName, name: DatabaseName) -> Database:
        """Creates the database, or returns it when the account has it already."""
        self._require_account(account)
        owners = self._owners()
        async with self._session() as session:
            if owners.databases.get(name) != account:
                exists = bool(await session.existing_schemas([name]))
                self._claim(owners, owners.databases, name, account, exists=exists)
                # Grants written by hand for this name must not come with the new database.
                await session.revoke_everyone(name)
            await session.create_database(name)
            return Database(name, account, (await session.sizes([name])).get(name, 0))

    @_serialized
    async def delete_database(self, account: AccountName, name: DatabaseName) -> None:
        """Drops the database with its grants; a name nobody has is fine."""
        _require_account(account)
        owners = self._owners()
        async with self._session() as session:
            exists = bool(await session.existing_schemas([name]))
            if not _is_own(owners.databases, name, account, exists=exists):
                return
            await session.revoke_everyone(name)
            await session.drop_database(name)
            del owners.databases[name]
            self._save(owners)

    @_serialized
    async def create_user(
        self, account: AccountName, name: DatabaseUserName, password: DatabasePassword
    ) -> DatabaseUser:
        """Creates the user, or sets its password when the account has it already."""
        self._require_account(account)
        owners = self._owners()
        async with self._session() as session:
            if owners.users.get(name) != account:
                exists = bool(await session.user_hosts(name))
                self._claim(owners, owners.users, name, account, exists=exists)
            await session.set_user(name, password, self._user_connections)
            return await _user(session, owners, account, name)

    @_serialized
    async def set_password(
        self, account: AccountName, name: DatabaseUserName, password: DatabasePassword
    ) -> DatabaseUser:
        self._require_account(account)
        owners = self._owners()
        async with self._session() as session:
            await _own_user_hosts(session, owners, account, name)
            await session.set_user(name, password, self._user_connections)
            # Sessions opened with the old password (which may have leaked) end too.
            await session.disconnect(name)
            return await _user(session, owners, account, name)

    @_serialized
    async def delete_user(self, account: AccountName, name: DatabaseUserName) -> None:
        """Drops the user with its privileges; a name nobody has is fine."""
        _require_account(account)
        owners = self._owners()
        async with self._session() as session:
            exists = bool(await session.user_hosts(name))
            if not _is_own(owners.users, name, account, exists=exists):
                return
            await session.drop_user(name)
            del owners.users[name]
            self._save(owners)

    @_serialized
    async def grant(
        self, account: AccountName, user: DatabaseUserName, database: DatabaseName
    ) -> DatabaseUser:
        """Gives the user every privilege on the database (without GRANT OPTION)."""
        self._require_account(account)
        owners = self._owners()
        async with self._session() as session:
            hosts = await _own_user_hosts(session, owners, account, user)
            if owners.databases.get(database) != account or not (
                await session.existing_schemas([database])
            ):
                raise NotFound(f"database {database} does not exist")
            await session.grant(user, database, [host for host in HOSTS if host in hosts])
            return await _user(session, owners, account, user)

    @_serialized
    async def revoke(
        self, account: AccountName, user: DatabaseUserName, database: DatabaseName
    ) -> DatabaseUser:
        self._require_account(account)
        owners = self._owners()
        async with self._session() as session:
            await _own_user_hosts(session, owners, account, user)
            if owners.databases.get(database) != account:
                raise NotFound(f"database {database} does not exist")
            await session.revoke(user, database)
            return await _user(session, owners, account, user)

    @_serialized
    async def open_loader(self, account: AccountName, database: DatabaseName) -> tuple[str, str]:
        """The user and password of the database's loader, unlocked for one load: a MariaDB
        user limited to exactly this database of the account (agent/system/backups/load.py)."""
        self._require_account(account)
        owners = self._owners()
        async with self._session() as session:
            if owners.databases.get(database) != account or not (
                await session.existing_schemas([database])
            ):
                raise NotFound(f"database {database} does not exist")
            user, password = loader_name(database), secrets.token_urlsafe(32)
            await session.set_loader(user, database, password)
            return user, password

    @_serialized
    async def open_panel_loader(self, database: DatabaseName) -> tuple[str, str]:
        """The loader of the panel's own database (a restore of the panel, backups.py): as
        open_loader, for that one database that no account owns."""
        async with self._session() as session:
            if not await session.existing_schemas([database]):
                raise NotFound(f"database {database} does not exist")
            user, password = loader_name(database), secrets.token_urlsafe(32)
            await session.set_loader(user, database, password)
            return user, password

    @_serialized
    async def limit_connections(self) -> int:
        """Gives every recorded user the configured MAX_USER_CONNECTIONS where it has another
        (users made before the limit, or under another setting); how many were changed. At
        the agent's start (DatabaseService's prepare); new users and password changes get it
        with their own statements."""
        users = self._owners().users
        if not users:
            return 0
        changed = 0
        async with self._session() as session:
            for (user, host), limit in sorted((await session.connection_limits()).items()):
                if user in users and limit != self._user_connections:
                    await session.limit_connections(
                        DatabaseUserName(user), host, self._user_connections
                    )
                    changed += 1
        return changed

    @_serialized
    async def close_loader(self, database: DatabaseName) -> None:
        async with self._session() as session:
            await session.lock_loader(loader_name(database), secrets.token_urlsafe(32))

    @asynccontextmanager
    async def removal(self, account: AccountName) -> AsyncIterator[None]:
        """Drops every database and user of the account, then refuses changes for it while
        the caller removes the account, so that no database is made for it in between.

        The lock is not held meanwhile: the account's other resources (web, DNS) and userdel
        may take up to their own timeouts, and other accounts' databases must not wait on them.
        An account that owns nothing needs no MariaDB: the record alone says so.
        """
        self._removing.add(account)
        try:
            async with self._lock:
                await self._drop_all(account)
            yield
        finally:
            self._removing.discard(account)

    async def _drop_all(self, account: AccountName) -> None:
        owners = self._owners()
        users_left = owned_by(owners.users, account)
        databases_left = owned_by(owners.databases, account)
        if not users_left and not databases_left:
            return
        async with self._session() as session:
            # One record write per name: a failure halfway leaves the record true.
            for user in users_left:
                await session.drop_user(user)
                del owners.users[user]
                self._save(owners)
            for database in databases_left:
                await session.revoke_everyone(database)
                await session.drop_database(database)
                del owners.databases[database]
                self._save(owners)

    def _claim(
        self,
        owners: Owners,
        entries: MutableMapping[Name, AccountName],
        name: Name,
        account: AccountName,
        *,
        exists: bool,
    ) -> None:
        """Records the account as the name's owner before MariaDB has it (see
        database_owners.py); a name owned by another account or made by hand is taken."""
        if name in entries or exists:
            raise AlreadyExists(f"{name} is taken; choose another name")
        if sum(owner == account for owner in entries.values()) >= MAX_PER_ACCOUNT:
            kind = "databases" if entries is owners.databases else "database users"
            raise FailedPrecondition(
                f"account {account} holds {MAX_PER_ACCOUNT:,} {kind}, the most one account "
                "may hold; delete some first"
            )
        entries[name] = account
        self._save(owners)

    def _owners(self) -> Owners:
        return database_owners.load(self._registry_path)

    def _save(self, owners: Owners) -> None:
        database_owners.save(self._registry_path, owners)

    def _session(self) -> AbstractAsyncContextManager[Session]:
        return mariadb.session(self._socket_path, self._timeouts)

    def _require_account(self, account: AccountName) -> None:
        """The account exists and is not being deleted (checked under the lock, see removal)."""
        if account in self._removing:
            raise FailedPrecondition(f"account {account} is being deleted")
        _require_account(account)


def _require_account(account: AccountName) -> None:
    if not users.is_account(account):
        raise FailedPrecondition(f"account {account} does not exist; create it first")


def _page(
    entries: Mapping[Name, AccountName],
    account: AccountName | None,
    after: str | None,
    size: int | None,
) -> tuple[list[tuple[Name, AccountName]], str | None]:
    """Up to `size` entries of the record after the name `after`, of one account or all, in
    name order; and the last name of the page when more entries follow it."""
    chosen = sorted(
        (name, owner)
        for name, owner in entries.items()
        if (account is None or owner == account) and (after is None or name > after)
    )
    if size is None or len(chosen) <= size:
        return chosen, None
    return chosen[:size], chosen[size - 1][0]


def _is_own(
    entries: MutableMapping[Name, AccountName], name: Name, account: AccountName, *, exists: bool
) -> bool:
    """For a deletion: True when the account owns the name; False when nobody has it (nothing
    to do); NOT_FOUND when it is another account's or MariaDB's own."""
    owner = entries.get(name)
    if owner == account:
        return True
    if owner is None and not exists:
        return False
    raise NotFound(f"{name} does not exist")


async def _own_user_hosts(
    session: Session, owners: Owners, account: AccountName, name: DatabaseUserName
) -> frozenset[str]:
    """The hosts of a user the account owns; NOT_FOUND for any other."""
    hosts = await session.user_hosts(name) if owners.users.get(name) == account else frozenset()
    if not hosts:
        raise NotFound(f"database user {name} does not exist")
    return hosts


async def _user(
    session: Session, owners: Owners, account: AccountName, name: DatabaseUserName
) -> DatabaseUser:
    granted = (await session.grants_of([name])).get(name, set())
    # Only the account's own databases are shown, whatever else someone granted by hand.
    own = [database for database in owned_by(owners.databases, account) if database in granted]
    return DatabaseUser(name, account, tuple(own))


def loader_name(database: DatabaseName) -> str:
    """The loader of a database: '0r_' and its name. No account's user begins with a digit
    (they are `<account>_...`, and account names begin with a letter), nor does MariaDB's own."""
    return f"0r_{database}"


@functools.cache
def hosted_databases(config: AgentConfig) -> HostedDatabases:
    """The one HostedDatabases of the MariaDB server behind config.mariadb_socket.

    AccountService (which drops an account's databases before the account) and DatabaseService
    are registered apart but must share one lock and one view of the ownership record, so both
    take their instance from here.
    """
    timeouts = mariadb.Timeouts.from_config(config)
    return HostedDatabases(
        config.mariadb_socket,
        timeouts=timeouts,
        user_connections=config.mariadb_user_connections,
    )
