"""ListDatabases and ListDatabaseUsers against a real MariaDB: one account's or every account's,
page by page, or named; never another account's, whatever names or page token come with the
request; and the bounds that keep every answer within one gRPC message."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.databases.v1 import databases_pb2

from agent.errors import FailedPrecondition
from agent.system.databases import hosted
from agent.system.databases.hosted import HostedDatabases
from agent.validators.accounts import AccountName
from agent.validators.databases import DatabaseName, DatabasePassword, DatabaseUserName
from tests.agent.databases.db_support import (
    MakeAccount,
    create_database,
    create_user,
    databases,
    fill_table,
    grant,
    make_account,
    schemas,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.databases.db_support import Stub

__all__ = ["databases", "make_account"]  # fixtures, used by name


def token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


async def database_pages(
    databases: Stub, account: str, size: int, after: str = ""
) -> list[list[tuple[str, str]]]:
    """Every page, as (name, account) pairs, from the page after `after`."""
    pages, next_token = [], after
    while True:
        request = databases_pb2.ListDatabasesRequest(
            account=account, page_size=size, page_token=next_token
        )
        reply = await databases.ListDatabases(request)
        pages.append([(d.name, d.account) for d in reply.databases])
        next_token = reply.next_page_token
        if not next_token:
            return pages


async def user_pages(databases: Stub, account: str, size: int) -> list[list[tuple[str, ...]]]:
    """Every page of users, each as (name, account, database, ...)."""
    pages, next_token = [], ""
    while True:
        request = databases_pb2.ListDatabaseUsersRequest(
            account=account, page_size=size, page_token=next_token
        )
        reply = await databases.ListDatabaseUsers(request)
        pages.append([(u.name, u.account, *u.databases) for u in reply.users])
        next_token = reply.next_page_token
        if not next_token:
            return pages


async def two_accounts(databases: Stub, make_account: MakeAccount) -> tuple[str, str]:
    """Account A with databases a, b and c, and account "A_x", whose database "A_x_shop" fits
    A's prefix too and sorts after A's own."""
    alice = (await make_account()).name
    alice_x = (await make_account(f"{alice}_x")).name
    for suffix in ("a", "b", "c"):
        await create_database(databases, alice, f"{alice}_{suffix}")
    await create_database(databases, alice_x, f"{alice_x}_shop")
    return alice, alice_x


async def test_one_accounts_databases_come_page_by_page_and_never_anothers(
    databases: Stub, make_account: MakeAccount
) -> None:
    alice, alice_x = await two_accounts(databases, make_account)
    assert await database_pages(databases, alice, 2) == [
        [(f"{alice}_a", alice), (f"{alice}_b", alice)],
        [(f"{alice}_c", alice)],
    ]
    assert await database_pages(databases, alice_x, 2) == [[(f"{alice_x}_shop", alice_x)]]
    # A page token carrying the other account's name is a position, nothing more.
    assert await database_pages(databases, alice, 2, token(f"{alice_x}_shop")) == [[]]
    assert await database_pages(databases, alice, 2, token(f"{alice}_a")) == [
        [(f"{alice}_b", alice), (f"{alice}_c", alice)]
    ]


async def test_every_accounts_databases_come_page_by_page(
    databases: Stub, make_account: MakeAccount
) -> None:
    alice, alice_x = await two_accounts(databases, make_account)
    # Other tests' databases are there too: the sandbox lives for the whole session.
    listed = [entry for page in await database_pages(databases, "", 2) for entry in page]
    names = [name for name, _ in listed]
    assert names == sorted(set(names))
    mine = [(name, owner) for name, owner in listed if owner in (alice, alice_x)]
    assert mine == [
        (f"{alice}_a", alice),
        (f"{alice}_b", alice),
        (f"{alice}_c", alice),
        (f"{alice_x}_shop", alice_x),
    ]


async def test_named_databases_are_the_accounts_own_with_their_sizes_when_asked(
    databases: Stub, make_account: MakeAccount
) -> None:
    alice, alice_x = await two_accounts(databases, make_account)
    size = fill_table(f"{alice}_c", "items")
    names = [f"{alice}_c", f"{alice}_a", f"{alice_x}_shop", f"{alice}_nobodys", f"{alice}_a"]

    async def named(with_size: bool) -> list[tuple[str, str, int]]:
        request = databases_pb2.ListDatabasesRequest(
            account=alice, names=names, with_size=with_size
        )
        reply = await databases.ListDatabases(request)
        assert reply.next_page_token == ""
        return [(d.name, d.account, d.size_bytes) for d in reply.databases]

    assert await named(True) == [(f"{alice}_a", alice, 0), (f"{alice}_c", alice, size)]
    assert await named(False) == [(f"{alice}_a", alice, 0), (f"{alice}_c", alice, 0)]


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"names": ["{alice}_a"]}, "account"),  # named, but whose?
        ({"account": "{alice}", "names": ["{alice}_a"], "page_size": 2}, "names"),
        ({"account": "{alice}", "names": ["{alice}_a"], "page_token": "{token}"}, "names"),
        ({"account": "{alice}", "names": ["other_a"]}, "names"),  # another prefix
        ({"account": "{alice}", "names": ["{alice}_../../mysql"]}, "names"),
        ({"account": "{alice}", "names": ["mysql"]}, "names"),
        ({"account": "{alice}", "names": ["{alice}_a"] * 1001}, "names"),
        ({"account": "{alice}", "page_size": 1001}, "page_size"),
        ({"account": "{alice}", "page_size": -1}, "page_size"),
        ({"account": "{alice}", "page_token": "not a token!"}, "page_token"),
        ({"account": "{alice}", "page_token": "{dots}"}, "page_token"),
        ({"account": "{alice}", "page_token": "{huge}"}, "page_token"),
        ({"account": "../{alice}"}, "account"),
    ],
)
async def test_a_list_request_out_of_shape_is_refused(
    databases: Stub,
    make_account: MakeAccount,
    request_fields: dict[str, object],
    field: str,
) -> None:
    alice = (await make_account()).name
    values = {
        "alice": alice,
        "token": token(f"{alice}_a"),
        "dots": token("../../etc/passwd"),
        "huge": token("a" * 600),
    }

    def filled(value: object) -> object:
        if isinstance(value, str):
            return value.format(**values)
        if isinstance(value, list):
            return [filled(item) for item in value]
        return value

    fields = {key: filled(value) for key, value in request_fields.items()}
    code, message = await rpc_error(
        databases.ListDatabases(databases_pb2.ListDatabasesRequest(**fields))  # type: ignore[arg-type]
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in message
    if field.startswith("page"):
        users = databases_pb2.ListDatabaseUsersRequest(**fields)  # type: ignore[arg-type]
        assert (await rpc_error(databases.ListDatabaseUsers(users)))[0] == code


async def test_users_come_page_by_page_with_their_own_accounts_databases_only(
    databases: Stub, make_account: MakeAccount
) -> None:
    alice, alice_x = await two_accounts(databases, make_account)
    for suffix in ("u1", "u2", "u3"):
        await create_user(databases, alice, f"{alice}_{suffix}")
        await grant(databases, alice, f"{alice}_{suffix}", f"{alice}_a")
    await grant(databases, alice, f"{alice}_u2", f"{alice}_b")
    await create_user(databases, alice_x, f"{alice_x}_rw")
    await grant(databases, alice_x, f"{alice_x}_rw", f"{alice_x}_shop")

    assert await user_pages(databases, alice, 2) == [
        [(f"{alice}_u1", alice, f"{alice}_a"), (f"{alice}_u2", alice, f"{alice}_a", f"{alice}_b")],
        [(f"{alice}_u3", alice, f"{alice}_a")],
    ]
    assert await user_pages(databases, alice_x, 2) == [
        [(f"{alice_x}_rw", alice_x, f"{alice_x}_shop")]
    ]
    every = [user for page in await user_pages(databases, "", 3) for user in page]
    assert [u for u in every if u[1] in (alice, alice_x)] == [
        (f"{alice}_u1", alice, f"{alice}_a"),
        (f"{alice}_u2", alice, f"{alice}_a", f"{alice}_b"),
        (f"{alice}_u3", alice, f"{alice}_a"),
        (f"{alice_x}_rw", alice_x, f"{alice_x}_shop"),
    ]


async def drop_all(record: HostedDatabases, *accounts: AccountName) -> None:
    for account in accounts:
        async with record.removal(account):
            pass


@pytest.fixture
def own_record(tmp_path: Path) -> HostedDatabases:
    """The agent's system layer in this process, on the sandbox's MariaDB with an ownership
    record of its own (the running agent's is left alone)."""
    return HostedDatabases(Path(stack.MARIADB_SOCKET), tmp_path / "databases.json")


async def test_a_page_of_users_ends_early_once_their_databases_fill_it(
    own_record: HostedDatabases, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = AccountName((await make_account()).name)
    for suffix in ("a", "b", "c"):
        await own_record.create_database(account, DatabaseName(f"{account}_{suffix}"))
    grants = {"u1": ("a", "b"), "u2": ("a",), "u3": ("c",)}
    try:
        for user, names in grants.items():
            name = DatabaseUserName(f"{account}_{user}")
            await own_record.create_user(account, name, DatabasePassword("a database password"))
            for suffix in names:
                await own_record.grant(account, name, DatabaseName(f"{account}_{suffix}"))
        monkeypatch.setattr(hosted, "MAX_PAGE_GRANTS", 2)

        first, after = await own_record.users_page(account, None, 100)
        assert [u.name for u in first] == [f"{account}_u1"]
        assert after == f"{account}_u1"
        second, after = await own_record.users_page(account, after, 100)
        assert [(u.name, u.databases) for u in second] == [
            (f"{account}_u2", (f"{account}_a",)),
            (f"{account}_u3", (f"{account}_c",)),
        ]
        assert after is None
    finally:
        await drop_all(own_record, account)


async def test_an_account_holds_at_most_so_many_databases_and_users(
    own_record: HostedDatabases, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever its plan: the bound that keeps its lists within one answer."""
    account = AccountName((await make_account()).name)
    other = AccountName((await make_account()).name)
    monkeypatch.setattr(hosted, "MAX_PER_ACCOUNT", 2)
    password = DatabasePassword("a database password")
    try:
        for suffix in ("a", "b"):
            await own_record.create_database(account, DatabaseName(f"{account}_{suffix}"))
            await own_record.create_user(account, DatabaseUserName(f"{account}_{suffix}"), password)
        with pytest.raises(FailedPrecondition, match="2 databases"):
            await own_record.create_database(account, DatabaseName(f"{account}_c"))
        with pytest.raises(FailedPrecondition, match="2 database users"):
            await own_record.create_user(account, DatabaseUserName(f"{account}_c"), password)
        assert f"{account}_c" not in schemas()
        # Creating one it has already is no new one; another account is not held back.
        await own_record.create_database(account, DatabaseName(f"{account}_a"))
        await own_record.create_database(other, DatabaseName(f"{other}_a"))
        found, more = await own_record.databases_page(None, None, None, with_size=False)
        assert [d.name for d in found] == [f"{account}_a", f"{account}_b", f"{other}_a"]
        assert more is None
    finally:
        await drop_all(own_record, account, other)
