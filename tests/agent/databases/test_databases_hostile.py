"""Hostile DatabaseService requests sent straight to the agent, as a compromised gateway could.

Each is INVALID_ARGUMENT naming the field, never echoes the value, and leaves MariaDB's
databases, users and grants and the ownership record as they were (sandbox only).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.databases.v1 import databases_pb2

from tests.agent.databases.db_support import (
    PASSWORD,
    create_database,
    create_user,
    databases,
    mariadb_state,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.databases.db_support import AccountStub, Stub

__all__ = ["databases"]  # a fixture, used by name

# "{a}" stands for the account's name, "{b}" for another account's.
HOSTILE_NAMES = [
    "{a}_a`b",
    "{a}_a`; DROP DATABASE mysql; -- ",
    "{a}_a'b",
    '{a}_a"b',
    "{a}_a;b",
    "{a}_a b",
    "{a}_a\nb",
    "{a}_shop\n",
    "{a}_a\x00b",
    "{a}_a%b",
    "{a}_%",
    "{a}_a\\b",
    "{a}_a.b",
    "{a}_a-b",
    "{a}_a/b",
    "{a}_..",
    "{a}_",
    "{a}__",
    "{a}___",
    "{a}__x",
    "{a}_Shop",
    "{A}_shop",
    "{a}_é",
    "{a}_\uff53hop",  # FULLWIDTH LATIN SMALL LETTER S
    "{a}_\u0131",  # dotless i, which some case foldings turn into "i"
    "{a}_" + "x" * 81,
    "{a}",
    "{a}x_shop",
    "shop",
    "_shop",
    "",
    "{b}_shop",
    "mysql",
    "information_schema",
    "performance_schema",
    "sys",
    "jopanel",
    "jopanel_agent",
    "root",
    "mariadb.sys",
]

# Database names that fit the prefix rule of an account and are still MariaDB's own.
SYSTEM_NAMES = [
    ("information", "information_schema"),
    ("performance", "performance_schema"),
]

HOSTILE_ACCOUNTS = ["", "root", "mysql", "jopanel", "A_b", "a;b", "ab", "abc\n", "a\x00bc", "é_ab"]

HOSTILE_PASSWORDS = [
    "",
    "1234567",
    "x" * 129,
    "password\n",
    "pass\nword",
    "pass\rword",
    "pass\x00word",
    "pass\x7fword",
    "pass\x1bword",
    "pass\u0085word",  # C1 NEL
]


@pytest.fixture(scope="module")
async def owners(accounts: AccountStub, databases: Stub) -> tuple[str, str]:
    """Two accounts; the first has the database "<a>_db" and the user "<a>_rw"."""
    names = [f"h{uuid.uuid4().hex[:8]}", f"h{uuid.uuid4().hex[:8]}"]
    for name in names:
        request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
        await accounts.CreateAccount(request)
    await create_database(databases, names[0], f"{names[0]}_db")
    await create_user(databases, names[0], f"{names[0]}_rw")
    await create_database(databases, names[1], f"{names[1]}_shop")
    return names[0], names[1]


Calls = list[tuple[str, Awaitable[object]]]


def name_calls(databases: Stub, account: str, name: str) -> Calls:
    """Every RPC that takes a database or user name, with `name` there; (field, call)."""
    pb, db, user = databases_pb2, f"{account}_db", f"{account}_rw"
    update = pb.UpdateDatabaseUserRequest(account=account, name=name, password=PASSWORD)
    update.update_mask.paths.append("password")
    new_user = pb.CreateDatabaseUserRequest(account=account, name=name, password=PASSWORD)
    return [
        ("name", databases.CreateDatabase(pb.CreateDatabaseRequest(account=account, name=name))),
        ("name", databases.DeleteDatabase(pb.DeleteDatabaseRequest(account=account, name=name))),
        ("name", databases.CreateDatabaseUser(new_user)),
        ("name", databases.UpdateDatabaseUser(update)),
        (
            "name",
            databases.DeleteDatabaseUser(pb.DeleteDatabaseUserRequest(account=account, name=name)),
        ),
        (
            "user",
            databases.GrantDatabaseAccess(
                pb.GrantDatabaseAccessRequest(account=account, user=name, database=db)
            ),
        ),
        (
            "database",
            databases.GrantDatabaseAccess(
                pb.GrantDatabaseAccessRequest(account=account, user=user, database=name)
            ),
        ),
        (
            "user",
            databases.RevokeDatabaseAccess(
                pb.RevokeDatabaseAccessRequest(account=account, user=name, database=db)
            ),
        ),
        (
            "database",
            databases.RevokeDatabaseAccess(
                pb.RevokeDatabaseAccessRequest(account=account, user=user, database=name)
            ),
        ),
    ]


async def refused(make_calls: Callable[[], Calls], value: str) -> None:
    """Each call is INVALID_ARGUMENT for its field and nothing changed. The calls are made only
    after the state is taken: a gRPC call starts as soon as it is made."""
    before = mariadb_state()
    for field, call in make_calls():
        code, message = await rpc_error(call)
        assert code == grpc.StatusCode.INVALID_ARGUMENT, (field, message)
        assert message.startswith(f"{field}: ")
        if len(value) > 4:
            assert value not in message.removeprefix(f"{field}: ")
    assert mariadb_state() == before


@pytest.mark.parametrize("template", HOSTILE_NAMES)
async def test_hostile_names_are_refused(
    databases: Stub, owners: tuple[str, str], template: str
) -> None:
    account, other = owners
    name = template.format(a=account, A=account.upper(), b=other)
    await refused(lambda: name_calls(databases, account, name), name)


@pytest.mark.parametrize(("account", "name"), SYSTEM_NAMES)
async def test_system_schemas_are_refused_even_with_a_fitting_prefix(
    databases: Stub, account: str, name: str
) -> None:
    pb, user = databases_pb2, f"{account}_rw"

    def calls() -> Calls:
        return [
            (
                "name",
                databases.CreateDatabase(pb.CreateDatabaseRequest(account=account, name=name)),
            ),
            (
                "name",
                databases.DeleteDatabase(pb.DeleteDatabaseRequest(account=account, name=name)),
            ),
            (
                "database",
                databases.GrantDatabaseAccess(
                    pb.GrantDatabaseAccessRequest(account=account, user=user, database=name)
                ),
            ),
        ]

    await refused(calls, name)


@pytest.mark.parametrize("account", HOSTILE_ACCOUNTS)
async def test_hostile_accounts_are_refused(databases: Stub, account: str) -> None:
    def calls() -> Calls:
        # An empty account lists every account's (test_databases_lists.py); it names none.
        listing: list[Awaitable[object]] = (
            [
                databases.ListDatabases(databases_pb2.ListDatabasesRequest(account=account)),
                databases.ListDatabaseUsers(
                    databases_pb2.ListDatabaseUsersRequest(account=account)
                ),
            ]
            if account
            else []
        )
        named = [call for _, call in name_calls(databases, account, f"{account}_x")]
        return [("account", call) for call in listing + named]

    await refused(calls, account)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
async def test_hostile_passwords_are_refused(
    databases: Stub, owners: tuple[str, str], password: str
) -> None:
    account, _ = owners
    create = databases_pb2.CreateDatabaseUserRequest(
        account=account, name=f"{account}_new", password=password
    )
    again = databases_pb2.CreateDatabaseUserRequest(
        account=account, name=f"{account}_rw", password=password
    )
    update = databases_pb2.UpdateDatabaseUserRequest(
        account=account, name=f"{account}_rw", password=password
    )
    update.update_mask.paths.append("password")
    await refused(
        lambda: [
            ("password", databases.CreateDatabaseUser(create)),
            ("password", databases.CreateDatabaseUser(again)),
            ("password", databases.UpdateDatabaseUser(update)),
        ],
        password,
    )
