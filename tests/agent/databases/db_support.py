"""Fixtures and helpers for the DatabaseService tests: the real agent and a real MariaDB.

The session's MariaDB (tests/conftest.py) listens on the production socket that the agent's
default configuration names, so the agent fixture needs nothing more. Test modules import the
fixtures they use from here.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import grpc.aio
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.databases.v1 import databases_pb2, databases_pb2_grpc

from agent.system.databases.database_owners import REGISTRY_PATH

if TYPE_CHECKING:
    Stub: TypeAlias = databases_pb2_grpc.DatabaseServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

PASSWORD = "a database password"
# MariaDB's error numbers, as the mariadb client prints them ("ERROR 1044 (42000) ...").
ACCESS_DENIED_TO_DATABASE = 1044
ACCESS_DENIED_TO_USER = 1045
TABLE_ACCESS_DENIED = 1142


@pytest.fixture(scope="session")
def databases(
    mariadb: stack.MariaDB, channel: grpc.aio.Channel
) -> databases_pb2_grpc.DatabaseServiceAsyncStub:
    # The panel's own schema exists on a real server; users must not reach it.
    mariadb.ensure_panel_database()
    return databases_pb2_grpc.DatabaseServiceStub(channel)


MakeAccount: TypeAlias = Callable[..., Awaitable[accounts_pb2.Account]]


@pytest.fixture
def make_account(accounts: AccountStub, new_name: Callable[[], str]) -> MakeAccount:
    """`await make_account()` creates an account with a fresh name, or with the name given."""

    async def make(name: str | None = None) -> accounts_pb2.Account:
        request = accounts_pb2.CreateAccountRequest(
            name=name or new_name(), shell=accounts_pb2.SHELL_NOLOGIN
        )
        return (await accounts.CreateAccount(request)).account

    return make


async def create_database(databases: Stub, account: str, name: str) -> databases_pb2.Database:
    request = databases_pb2.CreateDatabaseRequest(account=account, name=name)
    return (await databases.CreateDatabase(request)).database


async def create_user(
    databases: Stub, account: str, name: str, password: str = PASSWORD
) -> databases_pb2.DatabaseUser:
    request = databases_pb2.CreateDatabaseUserRequest(account=account, name=name, password=password)
    return (await databases.CreateDatabaseUser(request)).user


async def grant(databases: Stub, account: str, user: str, database: str) -> list[str]:
    request = databases_pb2.GrantDatabaseAccessRequest(
        account=account, user=user, database=database
    )
    return list((await databases.GrantDatabaseAccess(request)).user.databases)


def root_sql(statement: str) -> list[str]:
    """Runs SQL as MariaDB's root and returns the output's lines (tab-separated columns)."""
    done = subprocess.run(
        [
            "mariadb",
            "--no-defaults",
            f"--socket={stack.MARIADB_SOCKET}",
            "--batch",
            "--skip-column-names",
            "--raw",
            "--execute",
            statement,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.splitlines()


@dataclass(frozen=True)
class Login:
    """A database user logging in with the real mariadb client."""

    user: str
    password: str
    tcp_port: int | None = None  # None: over the socket

    def run(self, statement: str, database: str = "") -> subprocess.CompletedProcess[str]:
        where = (
            ["--protocol=TCP", "--host=127.0.0.1", f"--port={self.tcp_port}"]
            if self.tcp_port is not None
            else ["--protocol=SOCKET", f"--socket={stack.MARIADB_SOCKET}"]
        )
        argv = ["mariadb", "--no-defaults", *where, f"--user={self.user}", "--batch"]
        argv += ["--skip-column-names", "--raw", "--execute", statement]
        if database:
            argv.append(f"--database={database}")
        # The password travels in the environment, never in argv (readable in /proc).
        environment = {"PATH": os.environ["PATH"], "MYSQL_PWD": self.password}
        return subprocess.run(argv, capture_output=True, text=True, env=environment, check=False)

    def ok(self, statement: str, database: str = "") -> list[str]:
        done = self.run(statement, database)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    def error(self, statement: str, database: str = "") -> int:
        """The MariaDB error number of a statement that must fail."""
        done = self.run(statement, database)
        assert done.returncode != 0, done.stdout
        # The client may echo the statement first: "ERROR 1044 (42000) at line 1: ..." counts.
        found = re.search(r"^ERROR (\d+) ", done.stderr, re.MULTILINE)
        assert found, done.stderr
        return int(found[1])


def schemas() -> list[str]:
    return root_sql("SHOW DATABASES")


def mariadb_users() -> list[str]:
    return root_sql("SELECT CONCAT(User, '@', Host) FROM mysql.user ORDER BY 1")


# The helpers below put names into SQL: names the tests made, never hostile input.


def grants_of(user: str) -> list[str]:
    """SHOW GRANTS for each host of the user (none when it does not exist)."""
    shown: list[str] = []
    for host in ("localhost", "127.0.0.1"):
        if f"{user}@{host}" in mariadb_users():
            shown += root_sql(f"SHOW GRANTS FOR '{user}'@'{host}'")
    return shown


def grant_rows(user: str) -> list[str]:
    """The databases named in the user's rows of mysql.db (escaped as stored)."""
    return root_sql(f"SELECT Db FROM mysql.db WHERE User = '{user}'")  # noqa: S608


def password_hashes(user: str) -> list[str]:
    return root_sql(f"SELECT authentication_string FROM mysql.user WHERE User = '{user}'")  # noqa: S608


def fill_table(database: str, table: str) -> int:
    """Creates a table with a row of 20 kB in the database; returns the database's size."""
    where = f"`{database}`.`{table}`"
    root_sql(f"CREATE TABLE {where} (id INT PRIMARY KEY, label TEXT)")
    root_sql(f"INSERT INTO {where} VALUES (1, REPEAT('x', 20000))")  # noqa: S608
    root_sql(f"ANALYZE TABLE {where}")
    (size,) = root_sql(
        "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES"  # noqa: S608
        f" WHERE TABLE_SCHEMA = '{database}'"
    )
    return int(size)


def registry() -> bytes:
    return REGISTRY_PATH.read_bytes() if REGISTRY_PATH.exists() else b""


def mariadb_state() -> tuple[list[str], ...]:
    """What a refused request must leave as it was: schemas, users with their password hashes,
    database grants, and the ownership record."""
    return (
        schemas(),
        root_sql(
            "SELECT CONCAT(User, '@', Host, ' ', authentication_string) FROM mysql.user ORDER BY 1"
        ),
        root_sql("SELECT CONCAT(User, '@', Host, ' ', Db) FROM mysql.db ORDER BY 1"),
        registry().decode().splitlines(),
    )
