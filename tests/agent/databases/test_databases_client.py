"""What a database user can really do, seen through the real mariadb client (sandbox only).

Each test logs in as a user the agent made, over the socket and over TCP on 127.0.0.1, and
checks what MariaDB lets it do: its own databases, nothing of another account's, nothing of the
panel's schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import aiomysql
import pymysql
import stack
from jopanel.agent.databases.v1 import databases_pb2

from tests.agent.databases.db_support import (
    ACCESS_DENIED_TO_DATABASE,
    ACCESS_DENIED_TO_USER,
    PASSWORD,
    TABLE_ACCESS_DENIED,
    Login,
    MakeAccount,
    create_database,
    create_user,
    databases,
    grant,
    make_account,
)

if TYPE_CHECKING:
    from tests.agent.databases.db_support import Stub

__all__ = ["databases", "make_account"]  # fixtures, used by name


def logins(user: str, password: str, mariadb: stack.MariaDB) -> list[Login]:
    """The user on the socket and on TCP."""
    return [Login(user, password), Login(user, password, tcp_port=mariadb.port)]


async def account_with_database(databases: Stub, make_account: MakeAccount) -> tuple[str, str, str]:
    """A fresh account with the database "<a>_app" and the user "<a>_rw" granted on it."""
    account = (await make_account()).name
    database, user = f"{account}_app", f"{account}_rw"
    await create_database(databases, account, database)
    await create_user(databases, account, user)
    await grant(databases, account, user, database)
    return account, database, user


async def test_a_user_works_in_its_database_over_socket_and_tcp(
    databases: Stub, make_account: MakeAccount, mariadb: stack.MariaDB
) -> None:
    _, database, user = await account_with_database(databases, make_account)
    socket, tcp = logins(user, PASSWORD, mariadb)
    socket.ok("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)", database)
    socket.ok("INSERT INTO notes VALUES (1, 'written over the socket')", database)
    tcp.ok("INSERT INTO notes VALUES (2, 'written over TCP')", database)
    assert tcp.ok("SELECT body FROM notes ORDER BY id", database) == [
        "written over the socket",
        "written over TCP",
    ]
    assert socket.ok("SELECT CURRENT_USER()") == [f"{user}@localhost"]
    assert tcp.ok("SELECT CURRENT_USER()") == [f"{user}@127.0.0.1"]


async def test_a_user_sees_and_reaches_nothing_else(
    databases: Stub, make_account: MakeAccount, mariadb: stack.MariaDB
) -> None:
    _, database, user = await account_with_database(databases, make_account)
    _, other_database, _ = await account_with_database(databases, make_account)
    for login in logins(user, PASSWORD, mariadb):
        assert login.ok("SHOW DATABASES") == sorted([database, "information_schema"])
        for forbidden in (other_database, "jopanel", "mysql"):
            assert login.error(f"USE `{forbidden}`") == ACCESS_DENIED_TO_DATABASE
        assert login.error("SELECT * FROM jopanel.users") == TABLE_ACCESS_DENIED
        assert login.error(f"CREATE TABLE `{other_database}`.t (id INT)") == TABLE_ACCESS_DENIED
        # No GRANT OPTION: the user cannot share its database with anyone.
        granting = f"GRANT SELECT ON `{database}`.* TO '{user}'@'localhost'"
        assert login.error(granting) == ACCESS_DENIED_TO_DATABASE


async def test_a_grant_does_not_reach_a_database_its_wildcards_would_match(
    databases: Stub, make_account: MakeAccount, mariadb: stack.MariaDB
) -> None:
    """'_' matches any character in a grant: `bob_x_shop`.* unescaped would open "bobax_shop"."""
    bob = (await make_account()).name
    bobax = (await make_account(f"{bob}ax")).name
    await create_database(databases, bob, f"{bob}_x_shop")
    await create_user(databases, bob, f"{bob}_rw")
    await grant(databases, bob, f"{bob}_rw", f"{bob}_x_shop")
    await create_database(databases, bobax, f"{bobax}_shop")  # "<bob>ax_shop" fits "<bob>_x_shop"
    for login in logins(f"{bob}_rw", PASSWORD, mariadb):
        login.ok("SELECT 1", f"{bob}_x_shop")
        assert login.error(f"USE `{bobax}_shop`") == ACCESS_DENIED_TO_DATABASE


async def test_revoked_access_ends_at_once(
    databases: Stub, make_account: MakeAccount, mariadb: stack.MariaDB
) -> None:
    account, database, user = await account_with_database(databases, make_account)
    Login(user, PASSWORD).ok("CREATE TABLE kept (id INT)", database)
    await databases.RevokeDatabaseAccess(
        databases_pb2.RevokeDatabaseAccessRequest(account=account, user=user, database=database)
    )
    for login in logins(user, PASSWORD, mariadb):
        assert login.error("SELECT * FROM kept", database) == ACCESS_DENIED_TO_DATABASE
        assert login.ok("SHOW DATABASES") == ["information_schema"]


async def test_a_new_password_replaces_the_old_one(
    databases: Stub, make_account: MakeAccount, mariadb: stack.MariaDB
) -> None:
    account, database, user = await account_with_database(databases, make_account)
    # Quotes, backslashes, '%' and non-ASCII are just characters of a bound parameter.
    new_password = "n'ew\" \\pa%ss; DROP USER root; -- é"
    request = databases_pb2.UpdateDatabaseUserRequest(
        account=account, name=user, password=new_password
    )
    request.update_mask.paths.append("password")
    await databases.UpdateDatabaseUser(request)
    for login in logins(user, PASSWORD, mariadb):
        assert login.error("SELECT 1") == ACCESS_DENIED_TO_USER
    for login in logins(user, new_password, mariadb):
        assert login.ok("SELECT 1", database) == ["1"]


@asynccontextmanager
async def open_session(user: str, database: str) -> AsyncIterator[Any]:
    """A session of the user that stays open, as a web application's would."""
    connection = await aiomysql.connect(
        unix_socket=stack.MARIADB_SOCKET, user=user, password=PASSWORD, db=database
    )
    try:
        yield connection
    finally:
        connection.close()


async def session_works(connection: Any) -> bool:
    try:
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT COUNT(*) FROM information_schema.TABLES")
    except pymysql.MySQLError:
        return False
    return True


async def test_open_sessions_end_when_access_goes(
    databases: Stub, make_account: MakeAccount
) -> None:
    """MariaDB keeps a session's database privileges after REVOKE, and its session after DROP
    USER; the agent ends those sessions, so what is taken away is gone at once."""
    account, database, user = await account_with_database(databases, make_account)
    pb = databases_pb2
    password = pb.UpdateDatabaseUserRequest(account=account, name=user, password=PASSWORD)
    password.update_mask.paths.append("password")
    changes: list[Callable[[], Awaitable[object]]] = [
        lambda: databases.RevokeDatabaseAccess(
            pb.RevokeDatabaseAccessRequest(account=account, user=user, database=database)
        ),
        lambda: databases.UpdateDatabaseUser(password),
        lambda: databases.DeleteDatabaseUser(
            pb.DeleteDatabaseUserRequest(account=account, name=user)
        ),
    ]
    for change in changes:
        await grant(databases, account, user, database)
        async with open_session(user, database) as session:
            assert await session_works(session)
            await change()
            assert not await session_works(session)
        if change is not changes[-1]:
            assert Login(user, PASSWORD).ok("SELECT 1") == ["1"]


async def test_a_dropped_database_name_reopened_by_another_account_is_closed_to_old_sessions(
    databases: Stub, make_account: MakeAccount
) -> None:
    bob = (await make_account()).name
    bob_x = (await make_account(f"{bob}_x")).name
    name = f"{bob}_x_shop"
    await create_database(databases, bob, name)
    await create_user(databases, bob, f"{bob}_rw")
    await grant(databases, bob, f"{bob}_rw", name)
    async with open_session(f"{bob}_rw", name) as session:
        await databases.DeleteDatabase(databases_pb2.DeleteDatabaseRequest(account=bob, name=name))
        await create_database(databases, bob_x, name)
        assert not await session_works(session)
    assert Login(f"{bob}_rw", PASSWORD).error("SELECT 1", name) == ACCESS_DENIED_TO_DATABASE
