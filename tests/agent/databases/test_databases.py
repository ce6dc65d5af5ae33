"""DatabaseService against a real MariaDB, through the agent's socket (sandbox only): ownership,
idempotency, sizes, and the drop that comes with DeleteAccount."""

from __future__ import annotations

import asyncio
import os
import pwd
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.databases.v1 import databases_pb2

from agent.system.accounts.users import Users
from agent.system.databases.database_owners import REGISTRY_PATH
from agent.system.databases.hosted import HostedDatabases
from agent.system.databases.mariadb import MariaDBUnavailable
from agent.validators.accounts import AccountName
from tests.agent.databases.db_support import (
    PASSWORD,
    MakeAccount,
    create_database,
    create_user,
    databases,
    fill_table,
    grant,
    grant_rows,
    grants_of,
    make_account,
    mariadb_state,
    mariadb_users,
    password_hashes,
    registry,
    root_sql,
    schemas,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.databases.db_support import AccountStub, Stub

__all__ = ["databases", "make_account"]  # fixtures, used by name


async def list_databases(databases: Stub, account: str) -> dict[str, int]:
    request = databases_pb2.ListDatabasesRequest(account=account, with_size=True)
    listed = (await databases.ListDatabases(request)).databases
    assert all(database.account == account for database in listed)
    return {database.name: database.size_bytes for database in listed}


async def list_users(databases: Stub, account: str) -> dict[str, list[str]]:
    request = databases_pb2.ListDatabaseUsersRequest(account=account)
    listed = (await databases.ListDatabaseUsers(request)).users
    assert all(user.account == account for user in listed)
    return {user.name: list(user.databases) for user in listed}


def update_password(
    account: str, name: str, password: str
) -> databases_pb2.UpdateDatabaseUserRequest:
    request = databases_pb2.UpdateDatabaseUserRequest(account=account, name=name, password=password)
    request.update_mask.paths.append("password")
    return request


async def test_create_database_is_listed_with_its_size(
    databases: Stub, make_account: MakeAccount
) -> None:
    account = (await make_account()).name
    created = await create_database(databases, account, f"{account}_shop")
    assert created == databases_pb2.Database(name=f"{account}_shop", account=account, size_bytes=0)
    assert f"{account}_shop" in schemas()
    assert await list_databases(databases, account) == {f"{account}_shop": 0}

    size = fill_table(f"{account}_shop", "items")
    assert size > 0
    assert await list_databases(databases, account) == {f"{account}_shop": size}


async def test_create_database_again_returns_it(databases: Stub, make_account: MakeAccount) -> None:
    account = (await make_account()).name
    first = await create_database(databases, account, f"{account}_blog")
    root_sql(f"CREATE TABLE `{account}_blog`.posts (id INT)")
    before = mariadb_state()
    again = await create_database(databases, account, f"{account}_blog")
    assert again.name == first.name
    assert mariadb_state() == before
    assert root_sql(f"SHOW TABLES FROM `{account}_blog`") == ["posts"]


async def test_concurrent_creates_make_one_database(
    databases: Stub, make_account: MakeAccount
) -> None:
    account = (await make_account()).name
    name = f"{account}_busy"
    created = await asyncio.gather(*(create_database(databases, account, name) for _ in range(5)))
    assert {database.name for database in created} == {name}
    assert schemas().count(name) == 1


async def test_delete_database_is_idempotent(databases: Stub, make_account: MakeAccount) -> None:
    account = (await make_account()).name
    await create_database(databases, account, f"{account}_old")
    for _ in range(2):
        request = databases_pb2.DeleteDatabaseRequest(account=account, name=f"{account}_old")
        await databases.DeleteDatabase(request)
        assert f"{account}_old" not in schemas()
        assert await list_databases(databases, account) == {}
    never = databases_pb2.DeleteDatabaseRequest(account=account, name=f"{account}_never")
    await databases.DeleteDatabase(never)


async def test_database_user_lifecycle(databases: Stub, make_account: MakeAccount) -> None:
    account = (await make_account()).name
    user, database = f"{account}_rw", f"{account}_app"
    await create_database(databases, account, database)
    created = await create_user(databases, account, user)
    assert created == databases_pb2.DatabaseUser(name=user, account=account)
    assert {f"{user}@localhost", f"{user}@127.0.0.1"} <= set(mariadb_users())
    assert await list_users(databases, account) == {user: []}

    for _ in range(2):  # granting twice is granting once
        assert await grant(databases, account, user, database) == [database]
    assert await list_users(databases, account) == {user: [database]}
    escaped = database.replace("_", "\\_")  # '_' is a wildcard in grants, so it is escaped
    for host in ("localhost", "127.0.0.1"):
        assert f"GRANT ALL PRIVILEGES ON `{escaped}`.* TO `{user}`@`{host}`" in grants_of(user)
    assert not any("WITH GRANT OPTION" in line for line in grants_of(user))

    revoke = databases_pb2.RevokeDatabaseAccessRequest(
        account=account, user=user, database=database
    )
    for _ in range(2):
        assert list((await databases.RevokeDatabaseAccess(revoke)).user.databases) == []
    assert grant_rows(f"{user}") == []

    delete = databases_pb2.DeleteDatabaseUserRequest(account=account, name=user)
    for _ in range(2):
        await databases.DeleteDatabaseUser(delete)
    assert not [entry for entry in mariadb_users() if entry.startswith(f"{user}@")]
    assert await list_users(databases, account) == {}


async def test_create_user_again_sets_the_password(
    databases: Stub, make_account: MakeAccount
) -> None:
    account = (await make_account()).name
    user = f"{account}_again"
    await create_user(databases, account, user, "first password")
    hashes = password_hashes(user)
    await create_user(databases, account, user, "second password")
    changed = password_hashes(user)
    assert len(changed) == 2
    assert set(changed).isdisjoint(hashes)


async def test_deleting_a_database_drops_its_grants(
    databases: Stub, make_account: MakeAccount
) -> None:
    account = (await make_account()).name
    await create_user(databases, account, f"{account}_rw")
    await create_database(databases, account, f"{account}_tmp")
    await grant(databases, account, f"{account}_rw", f"{account}_tmp")
    request = databases_pb2.DeleteDatabaseRequest(account=account, name=f"{account}_tmp")
    await databases.DeleteDatabase(request)
    assert grant_rows(f"{account}_rw") == []
    assert await list_users(databases, account) == {f"{account}_rw": []}


async def test_update_needs_the_password_path(databases: Stub, make_account: MakeAccount) -> None:
    account = (await make_account()).name
    await create_user(databases, account, f"{account}_u")
    for paths in ([], ["name"], ["password", "name"]):
        request = databases_pb2.UpdateDatabaseUserRequest(
            account=account, name=f"{account}_u", password="another password"
        )
        request.update_mask.paths.extend(paths)
        code, message = await rpc_error(databases.UpdateDatabaseUser(request))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message.startswith("update_mask: ")


async def test_missing_account_is_a_failed_precondition(
    databases: Stub, new_name: Callable[[], str], stranger: str
) -> None:
    for account in (new_name(), stranger):
        before = mariadb_state()
        calls: list[Awaitable[object]] = [
            databases.ListDatabases(databases_pb2.ListDatabasesRequest(account=account)),
            databases.CreateDatabase(
                databases_pb2.CreateDatabaseRequest(account=account, name=f"{account}_db")
            ),
            databases.CreateDatabaseUser(
                databases_pb2.CreateDatabaseUserRequest(
                    account=account, name=f"{account}_u", password=PASSWORD
                )
            ),
            databases.DeleteDatabase(
                databases_pb2.DeleteDatabaseRequest(account=account, name=f"{account}_db")
            ),
        ]
        for call in calls:
            code, message = await rpc_error(call)
            assert code == grpc.StatusCode.FAILED_PRECONDITION
            assert message == f"account {account} does not exist; create it first"
        assert mariadb_state() == before


async def prefix_trap(databases: Stub, make_account: MakeAccount) -> tuple[str, str]:
    """Accounts "<a>" and "<a>_x"; "<a>_x_shop" and the user "<a>_x_rw" are the second's."""
    bob = (await make_account()).name
    bob_x = (await make_account(f"{bob}_x")).name
    await create_database(databases, bob_x, f"{bob_x}_shop")
    await create_user(databases, bob_x, f"{bob_x}_rw")
    await create_user(databases, bob, f"{bob}_rw")
    await create_database(databases, bob, f"{bob}_own")
    return bob, bob_x


async def test_another_accounts_database_does_not_exist_for_an_account(
    databases: Stub, make_account: MakeAccount
) -> None:
    bob, bob_x = await prefix_trap(databases, make_account)
    theirs = f"{bob_x}_shop"  # also fits the prefix "<bob>_"
    assert await list_databases(databases, bob) == {f"{bob}_own": 0}
    assert await list_users(databases, bob) == {f"{bob}_rw": []}
    before = mariadb_state()
    grants_before = grants_of(f"{bob}_rw") + grants_of(f"{bob_x}_rw")

    code, message = await rpc_error(create_database(databases, bob, theirs))
    assert (code, message) == (
        grpc.StatusCode.ALREADY_EXISTS,
        f"{theirs} is taken; choose another name",
    )
    code, _ = await rpc_error(create_user(databases, bob, f"{bob_x}_rw"))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    not_found: list[Awaitable[object]] = [
        databases.DeleteDatabase(databases_pb2.DeleteDatabaseRequest(account=bob, name=theirs)),
        databases.DeleteDatabaseUser(
            databases_pb2.DeleteDatabaseUserRequest(account=bob, name=f"{bob_x}_rw")
        ),
        databases.UpdateDatabaseUser(update_password(bob, f"{bob_x}_rw", "taken over!")),
        # bob's user on bob_x's database, and bob_x's user on bob's database
        grant(databases, bob, f"{bob}_rw", theirs),
        grant(databases, bob, f"{bob_x}_rw", f"{bob}_own"),
        databases.RevokeDatabaseAccess(
            databases_pb2.RevokeDatabaseAccessRequest(
                account=bob, user=f"{bob}_rw", database=theirs
            )
        ),
    ]
    for call in not_found:
        code, _ = await rpc_error(call)
        assert code == grpc.StatusCode.NOT_FOUND
    assert mariadb_state() == before
    assert grants_of(f"{bob}_rw") + grants_of(f"{bob_x}_rw") == grants_before


async def test_cross_account_grant_with_the_other_prefix_is_invalid(
    databases: Stub, make_account: MakeAccount
) -> None:
    alice, bob = (await make_account()).name, (await make_account()).name
    await create_database(databases, alice, f"{alice}_shop")
    await create_user(databases, bob, f"{bob}_rw")
    before, grants_before = mariadb_state(), grants_of(f"{bob}_rw")
    for account, field in ((bob, "database"), (alice, "user")):
        request = databases_pb2.GrantDatabaseAccessRequest(
            account=account, user=f"{bob}_rw", database=f"{alice}_shop"
        )
        code, message = await rpc_error(databases.GrantDatabaseAccess(request))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message.startswith(f"{field}: ")
    assert mariadb_state() == before
    assert grants_of(f"{bob}_rw") == grants_before


async def test_a_dropped_name_taken_by_another_account_opens_to_none_of_the_old_users(
    databases: Stub, make_account: MakeAccount
) -> None:
    bob = (await make_account()).name
    bob_x = (await make_account(f"{bob}_x")).name
    name = f"{bob}_x_shop"
    await create_database(databases, bob, name)  # first come: bob's, for now
    await create_user(databases, bob, f"{bob}_rw")
    await grant(databases, bob, f"{bob}_rw", name)
    await databases.DeleteDatabase(databases_pb2.DeleteDatabaseRequest(account=bob, name=name))

    await create_database(databases, bob_x, name)
    assert await list_databases(databases, bob_x) == {name: 0}
    assert await list_users(databases, bob) == {f"{bob}_rw": []}
    assert grant_rows(f"{bob}_rw") == []


async def test_databases_made_by_hand_are_not_any_accounts(
    databases: Stub, make_account: MakeAccount
) -> None:
    account = (await make_account()).name
    root_sql(
        f"CREATE DATABASE `{account}_legacy`;"
        f" CREATE USER '{account}_legacy'@'localhost' IDENTIFIED BY 'not the panels'"
    )
    before = mariadb_state()
    assert await list_databases(databases, account) == {}
    assert await list_users(databases, account) == {}
    code, _ = await rpc_error(create_database(databases, account, f"{account}_legacy"))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    code, _ = await rpc_error(create_user(databases, account, f"{account}_legacy"))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    delete = databases_pb2.DeleteDatabaseRequest(account=account, name=f"{account}_legacy")
    assert (await rpc_error(databases.DeleteDatabase(delete)))[0] == grpc.StatusCode.NOT_FOUND
    drop = databases_pb2.DeleteDatabaseUserRequest(account=account, name=f"{account}_legacy")
    assert (await rpc_error(databases.DeleteDatabaseUser(drop)))[0] == grpc.StatusCode.NOT_FOUND
    assert mariadb_state() == before


async def test_ownership_record_is_roots_alone(databases: Stub, make_account: MakeAccount) -> None:
    account = (await make_account()).name
    await create_database(databases, account, f"{account}_x")
    info, folder = os.lstat(REGISTRY_PATH), os.lstat(REGISTRY_PATH.parent)
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o600)
    assert (folder.st_uid, stat.S_IMODE(folder.st_mode)) == (0, 0o700)
    assert f'"{account}_x": "{account}"'.encode() in registry()


async def test_delete_account_drops_its_databases_and_users(
    databases: Stub, accounts: AccountStub, make_account: MakeAccount
) -> None:
    account = (await make_account()).name
    other = (await make_account()).name
    await create_database(databases, account, f"{account}_a")
    await create_database(databases, account, f"{account}_b")
    await create_user(databases, account, f"{account}_rw")
    await grant(databases, account, f"{account}_rw", f"{account}_a")
    await create_database(databases, other, f"{other}_kept")

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account))
    with pytest.raises(KeyError):
        pwd.getpwnam(account)
    assert not [name for name in schemas() if name.startswith(f"{account}_")]
    assert not [user for user in mariadb_users() if user.startswith(f"{account}_")]
    assert grant_rows(f"{account}_rw") == []
    assert f'"{account}"'.encode() not in registry()
    assert f"{other}_kept" in schemas()
    assert await list_databases(databases, other) == {f"{other}_kept": 0}


async def test_account_deletion_stops_when_its_databases_cannot_go(
    make_account: MakeAccount, tmp_path: Path
) -> None:
    """With MariaDB unreachable, an account that owns databases stays, to be deleted again."""
    account = AccountName((await make_account()).name)
    record = tmp_path / "owners" / "databases.json"
    record.parent.mkdir(mode=0o700)
    record.write_text(
        f'{{"version": 1, "databases": {{"{account}_db": "{account}"}}, "users": {{}}}}'
    )
    unreachable = HostedDatabases(tmp_path / "no-mariadb.sock", record)
    with pytest.raises(MariaDBUnavailable):
        await Users(resources=[unreachable]).delete(account)
    assert pwd.getpwnam(account)

    # An account that owns nothing needs no MariaDB to be deleted.
    record.write_text('{"version": 1, "databases": {}, "users": {}}')
    await Users(resources=[unreachable]).delete(account)
    with pytest.raises(KeyError):
        pwd.getpwnam(account)
