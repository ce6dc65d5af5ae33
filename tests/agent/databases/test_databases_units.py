"""The hosted databases' validators, ownership record and SQL layer on their own (run anywhere)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
import pymysql
import pytest

from agent.errors import Internal, InvalidArgument
from agent.system.databases import database_owners, mariadb
from agent.system.databases.database_owners import Owners
from agent.validators import accounts as accounts_validators
from agent.validators.accounts import AccountName
from agent.validators.databases import (
    DatabaseName,
    DatabasePassword,
    DatabaseUserName,
    database_name,
    database_password,
    database_user_name,
)

ALICE = AccountName("alice")
TIMEOUTS = mariadb.Timeouts(connect=5.0, statement=5.0)


@pytest.mark.parametrize(
    "name", ["alice_shop", "alice_1", "alice_x_y", "alice_shop_", "alice_" + "a" * 58]
)
def test_database_names_of_the_account_pass(name: str) -> None:
    assert database_name(name, ALICE) == name


@pytest.mark.parametrize(
    "name",
    [
        "alice_",
        "alice__",
        "alice__x",
        "alice",
        "alicex",
        "bob_shop",
        "alice_" + "a" * 59,  # 65 characters
        "alice_Shop",
        "alice_sh`op",
        "alice_sh%op",
        "alice_shop\n",
        "alice_\u0161hop",
    ],
)
def test_other_database_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        database_name(name, ALICE)
    assert raised.value.field == "name"
    assert name not in raised.value.message


def test_user_names_may_be_longer_than_database_names() -> None:
    assert database_user_name("alice_" + "u" * 74, ALICE) == "alice_" + "u" * 74
    with pytest.raises(InvalidArgument):
        database_user_name("alice_" + "u" * 75, ALICE, "user")


@pytest.mark.parametrize("schema", ["information_schema", "performance_schema"])
def test_system_schemas_are_refused_whatever_the_prefix(schema: str) -> None:
    account = accounts_validators.account_name(schema.split("_")[0])
    with pytest.raises(InvalidArgument, match="reserved for MariaDB"):
        database_name(schema, account)


@pytest.mark.parametrize("password", ["x" * 8, "x" * 128, "ünïcödé pässwörd", "a'b\"c\\d%e;f"])
def test_database_passwords_pass(password: str) -> None:
    assert database_password(password) == password


@pytest.mark.parametrize("password", ["", "x" * 7, "x" * 129, "pass\nword", "pass\x00word"])
def test_database_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        database_password(password)
    assert raised.value.field == "password"


# The ownership record


def test_a_missing_record_is_empty(tmp_path: Path) -> None:
    assert database_owners.load(tmp_path / "none.json") == Owners()


def test_the_record_is_written_for_root_alone_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "agent" / "databases.json"
    owners = Owners(
        {DatabaseName("alice_shop"): ALICE},
        {DatabaseUserName("alice_x_rw"): AccountName("alice_x")},
    )
    database_owners.save(path, owners)
    assert database_owners.load(path) == owners
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [entry.name for entry in path.parent.iterdir()] == ["databases.json"]


def test_the_record_is_read_again_whenever_its_file_changes(tmp_path: Path) -> None:
    """The agent keeps the record it read last, and reads the file again once it changed."""
    path = tmp_path / "databases.json"
    database_owners.save(path, Owners({DatabaseName("alice_shop"): ALICE}))
    first = database_owners.load(path)
    first.databases.clear()  # the caller's copy: what the next call reads is not changed
    assert database_owners.load(path) == Owners({DatabaseName("alice_shop"): ALICE})
    # Edited by hand in place: the same size, a later time.
    path.write_text(path.read_text().replace("alice_shop", "alice_shoq"))
    later = time.time_ns() + 10**9
    os.utime(path, ns=(later, later))
    assert database_owners.load(path) == Owners({DatabaseName("alice_shoq"): ALICE})
    path.write_text('{"version": 1, "databases": {"mysql": "alice"}, "users": {}}')
    with pytest.raises(Internal, match="ownership record"):
        database_owners.load(path)
    path.unlink()
    assert database_owners.load(path) == Owners()


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "[]",
        '{"version": 2, "databases": {}, "users": {}}',
        '{"version": 1, "databases": [], "users": {}}',
        '{"version": 1, "databases": {"mysql": "alice"}, "users": {}}',
        '{"version": 1, "databases": {"bob_shop": "alice"}, "users": {}}',
        '{"version": 1, "databases": {}, "users": {"alice_rw": "root"}}',
        '{"version": 1, "databases": {}, "users": {"alice_rw": 7}}',
    ],
)
def test_a_damaged_record_stops_everything(tmp_path: Path, document: str) -> None:
    path = tmp_path / "databases.json"
    path.write_text(document)
    with pytest.raises(Internal, match="ownership record"):
        database_owners.load(path)


@pytest.mark.parametrize("unsafe", ["symlink", "group-writable"])
def test_the_record_is_not_written_into_an_unsafe_directory(tmp_path: Path, unsafe: str) -> None:
    directory = tmp_path / "agent"
    if unsafe == "symlink":
        (tmp_path / "elsewhere").mkdir()
        directory.symlink_to(tmp_path / "elsewhere")
    else:
        directory.mkdir()
        os.chmod(directory, 0o770)  # noqa: S103 - the unsafe directory under test
    with pytest.raises(Internal, match="only root can write"):
        database_owners.save(directory / "databases.json", Owners())
    assert not (tmp_path / "elsewhere" / "databases.json").exists()


# The SQL layer


class FakeConnection:
    """Records statements; raises `error` for those that start with `failing`."""

    def __init__(self, failing: str = "", error: Exception | None = None) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.failing, self.error = failing, error

    @asynccontextmanager
    async def cursor(self) -> AsyncIterator[FakeConnection]:
        yield self

    async def execute(self, sql: str, arguments: Sequence[object] | None) -> None:
        self.statements.append((sql, arguments))
        if self.error is not None and self.failing and sql.startswith(self.failing):
            raise self.error

    async def fetchall(self) -> tuple[tuple[Any, ...], ...]:
        return ()


async def test_statements_bind_every_value_and_escape_grant_wildcards() -> None:
    connection = FakeConnection()
    session = mariadb.Session(connection, TIMEOUTS.statement)
    user, password = DatabaseUserName("alice_rw"), DatabasePassword("it's a secret")
    await session.set_user(user, password, 20)
    await session.grant(user, DatabaseName("alice_x_shop"), ["localhost"])
    create = "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS %s"
    alter = "ALTER USER %s@%s IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS %s"
    assert connection.statements == [
        (create, ("alice_rw", "localhost", password, 20)),
        (alter, ("alice_rw", "localhost", password, 20)),
        (create, ("alice_rw", "127.0.0.1", password, 20)),
        (alter, ("alice_rw", "127.0.0.1", password, 20)),
        ("GRANT ALL PRIVILEGES ON `alice\\_x\\_shop`.* TO %s@%s", ("alice_rw", "localhost")),
    ]


async def test_an_unchecked_name_never_reaches_sql() -> None:
    connection = FakeConnection()
    session = mariadb.Session(connection, TIMEOUTS.statement)
    with pytest.raises(Internal):
        await session.create_database(DatabaseName("x`; DROP DATABASE mysql; --"))
    with pytest.raises(Internal):
        await session.drop_user(DatabaseUserName("root'@'%"))
    assert connection.statements == []


async def test_a_failing_statement_with_a_password_does_not_tell_it() -> None:
    secret = "correct horse battery"
    error = pymysql.err.ProgrammingError(1064, f"syntax error near '{secret}' at line 1")
    session = mariadb.Session(FakeConnection("ALTER USER", error), TIMEOUTS.statement)
    with pytest.raises(Internal) as raised:
        await session.set_user(DatabaseUserName("alice_rw"), DatabasePassword(secret), 20)
    assert raised.value.message == "MariaDB refused ALTER USER (error 1064)"
    assert secret not in raised.value.detail
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


async def test_other_failures_keep_mariadbs_message_for_the_log() -> None:
    error = pymysql.err.OperationalError(1007, "Can't create database 'alice_x'")
    session = mariadb.Session(FakeConnection("CREATE DATABASE", error), TIMEOUTS.statement)
    with pytest.raises(Internal) as raised:
        await session.create_database(DatabaseName("alice_x"))
    assert "Can't create database" in raised.value.detail


async def test_a_lost_server_is_unavailable() -> None:
    error = pymysql.err.OperationalError(2013, "Lost connection to server during query")
    session = mariadb.Session(FakeConnection("DROP DATABASE", error), TIMEOUTS.statement)
    with pytest.raises(mariadb.MariaDBUnavailable):
        await session.drop_database(DatabaseName("alice_x"))


async def test_no_server_on_the_socket_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(mariadb.MariaDBUnavailable, match="does not answer"):
        async with mariadb.session(tmp_path / "mysqld.sock", TIMEOUTS):
            pass


class SilentConnection(FakeConnection):
    """A server that takes the statement and never answers (stopped, or stuck on a lock)."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    async def execute(self, sql: str, arguments: Sequence[object] | None) -> None:
        await asyncio.Event().wait()

    def close(self) -> None:
        self.closed = True


async def test_a_statement_that_gets_no_answer_is_unavailable_after_its_timeout() -> None:
    connection = SilentConnection()
    session = mariadb.Session(connection, 0.2)
    with pytest.raises(mariadb.MariaDBUnavailable) as raised:
        await session.create_database(DatabaseName("alice_x"))
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert raised.value.message == (
        "MariaDB did not answer within 0.2 s (mariadb_timeout); try again"
    )
    assert connection.closed  # in the middle of a statement: never used again


async def test_a_server_that_never_greets_is_unavailable_after_the_connect_timeout(
    tmp_path: Path,
) -> None:
    # A socket that accepts connections (the kernel's backlog) and never says a word, as a
    # stopped mariadbd does.
    path = tmp_path / "mysqld.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        listener.listen(8)
        with pytest.raises(mariadb.MariaDBUnavailable) as raised:
            async with mariadb.session(path, mariadb.Timeouts(connect=0.3, statement=5.0)):
                pass
    assert raised.value.message == (
        f"MariaDB did not answer on {path} within 0.3 s (mariadb_connect_timeout); "
        "check that it runs, then try again"
    )


def test_record_documents_are_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "r" / "databases.json"
    database_owners.save(path, Owners({DatabaseName("alice_a"): ALICE}))
    assert json.loads(path.read_text()) == {
        "version": 1,
        "databases": {"alice_a": "alice"},
        "users": {},
    }
