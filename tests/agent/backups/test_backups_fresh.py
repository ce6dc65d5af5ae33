"""A whole account onto a server that does not know it (sandbox only, real agent, restic,
MariaDB and named): the panel's records travel in the backup, a repository's accounts that no
account here owns are listed, and one restores into a new account of its name, as that
account; a live tenant's backups can never be named this way."""

from __future__ import annotations

import pwd
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2

from tests.agent.backups.backup_support import backup_account, backups, tree_of
from tests.agent.backups.test_backups import add_cron_job, fill, in_database
from tests.agent.databases.db_support import create_database, databases
from tests.agent.dns.dns_support import a, create_zone, dig, dns, named, new_zone
from tests.agent.support import field_errors, rpc_error

if TYPE_CHECKING:
    import grpc.aio
    import stack
    from jopanel.agent.databases.v1 import databases_pb2_grpc

    from tests.agent.backups.backup_support import AccountStub, Stub
    from tests.agent.dns.dns_support import Stub as DnsStub

__all__ = ["backup_account", "backups", "databases", "dns", "named", "new_zone"]


def records_of(account: str) -> backups_pb2.AccountRecords:
    site = account.replace("_", "-") + ".test"
    records = backups_pb2.AccountRecords(
        plan="gold",
        domains=[backups_pb2.RecordedDomain(name=site, aliases=[f"www.{site}"])],
        databases=[f"{account}_shop"],
        database_users=[
            backups_pb2.RecordedDatabaseUser(name=f"{account}_app", databases=[f"{account}_shop"])
        ],
    )
    certificate = records.certificates.add(names=[site, f"*.{site}"], issuer="Pebble")
    certificate.not_after.FromSeconds(1_900_000_000)
    bought = records.certificates.add(names=[f"shop.{site}"], issuer="Bought CA", uploaded=True)
    bought.not_after.FromSeconds(1_950_000_000)
    return records


async def back_up_with(stub: Stub, account: str, records: backups_pb2.AccountRecords) -> str:
    request = backups_pb2.BackUpAccountRequest(account=account, records=records)
    responses = [response async for response in stub.BackUpAccount(request)]
    return responses[-1].backup.id


async def repository_accounts(stub: Stub) -> dict[str, backups_pb2.RepositoryAccount]:
    reply = await stub.ListRepositoryAccounts(backups_pb2.ListRepositoryAccountsRequest())
    return {item.account: item for item in reply.accounts}


async def test_the_panels_records_travel_in_the_backup(backups: Stub, backup_account: str) -> None:
    backup = await back_up_with(backups, backup_account, records_of(backup_account))

    found = await backups.GetBackupSettings(
        backups_pb2.GetBackupSettingsRequest(account=backup_account, backup_id=backup)
    )

    assert found.records == records_of(backup_account)


async def test_records_naming_another_account_are_refused_and_nothing_is_backed_up(
    backups: Stub, backup_account: str
) -> None:
    good = records_of(backup_account)
    bad: list[tuple[str, backups_pb2.AccountRecords]] = []
    changes: list[tuple[str, Callable[[backups_pb2.AccountRecords], object]]] = [
        ("records.databases[1]", lambda r: r.databases.append("other_shop")),
        ("records.databases[1]", lambda r: r.databases.append(f"{backup_account}x_shop")),
        ("records.database_users[0].name", lambda r: r.database_users[0].__setattr__(
            "name", "other_app")),
        ("records.plan", lambda r: r.__setattr__("plan", "Gold Plan\n")),
        ("records.domains[0].name", lambda r: r.domains[0].__setattr__("name", "../etc")),
        ("records.domains", lambda r: r.domains.extend(
            [backups_pb2.RecordedDomain(name=f"d{i}.test") for i in range(1000)])),
        ("records.certificates[0].issuer", lambda r: r.certificates[0].__setattr__(
            "issuer", "x" * 201)),
    ]  # fmt: skip
    for field, change in changes:
        records = backups_pb2.AccountRecords()
        records.CopyFrom(good)
        change(records)
        bad.append((field, records))
    for field, records in bad:
        request = backups_pb2.BackUpAccountRequest(account=backup_account, records=records)
        errors = await field_errors(_drain(backups.BackUpAccount(request)))
        assert field in [name for name, _ in errors], (field, errors)
    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=backup_account))
    assert list(listed.backups) == []


async def _drain(stream: object) -> None:
    async for _ in stream:  # type: ignore[attr-defined]
        pass


async def test_a_repository_lists_the_accounts_no_account_here_owns(
    backups: Stub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    gone, live = new_name(), new_name()
    for name in (gone, live):
        request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
        await accounts.CreateAccount(request)
    old_uid = pwd.getpwnam(gone).pw_uid
    backup = await back_up_with(backups, gone, records_of(gone))
    await back_up_with(backups, live, records_of(live))
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=gone))

    listed = await repository_accounts(backups)

    assert live not in listed  # a live tenant's backups are its own, never listed
    assert (listed[gone].uid, listed[gone].name_taken) == (old_uid, False)
    assert [item.id for item in listed[gone].backups] == [backup]
    # What it holds is readable before an account of its name exists here again.
    settings = await backups.GetBackupSettings(
        backups_pb2.GetBackupSettingsRequest(account=gone, backup_id=backup, source_uid=old_uid)
    )
    assert settings.records == records_of(gone)
    request = accounts_pb2.CreateAccountRequest(name=gone, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)  # a new tenant of that name: another uid
    assert (await repository_accounts(backups))[gone].name_taken


async def test_a_whole_account_restores_onto_a_server_that_no_longer_knows_it(
    backups: Stub,
    accounts: AccountStub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    dns: DnsStub,
    named: stack.Named,
    channel: grpc.aio.Channel,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
) -> None:
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    home = fill(name)
    before = tree_of(home)
    database = f"{name}_shop"
    await create_database(databases, name, database)
    in_database(database, "CREATE TABLE items (id INT PRIMARY KEY, name TEXT)")
    in_database(database, "INSERT INTO items VALUES (1, 'one'), (2, 'two')")
    await add_cron_job(channel, name)
    zone = new_zone()
    await create_zone(dns, zone, name, a("aaaa1111", "www", "192.0.2.1"))
    old_uid = pwd.getpwnam(name).pw_uid
    backup = await back_up_with(backups, name, records_of(name))
    # The server forgets the account entirely; a new account of its name gets a new uid.
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))
    assert not home.exists()
    await accounts.CreateAccount(request)
    new_uid = pwd.getpwnam(name).pw_uid
    assert new_uid != old_uid

    restore = backups_pb2.RestoreBackupRequest(
        account=name,
        backup_id=backup,
        whole_account=True,
        placement=backups_pb2.PLACEMENT_IN_PLACE,
        source_uid=old_uid,
    )
    responses = [response async for response in backups.RestoreBackup(restore)]

    restored = responses[-1].restored
    assert (list(restored.databases), list(restored.zones), restored.crontab) == (
        [database],
        [zone],
        True,
    )
    after = tree_of(home)
    assert {
        path: (mode, content) for path, (mode, _, content) in after.items() if path in before
    } == {path: (mode, content) for path, (mode, _, content) in before.items()}
    assert {uid for _, uid, _ in after.values()} == {new_uid}
    assert in_database(database, "SELECT id, name FROM items ORDER BY id") == ["1\tone", "2\ttwo"]
    listing = subprocess.run(
        ["crontab", "-u", name, "-l"], capture_output=True, text=True, check=True
    )
    assert "0 3 * * * echo \\%night" in listing.stdout
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.1"]
    # The backups stay the old uid's: listed, with the name now taken by the new account.
    assert (await repository_accounts(backups))[name].name_taken
    settings = await backups.GetBackupSettings(
        backups_pb2.GetBackupSettingsRequest(account=name, backup_id=backup, source_uid=old_uid)
    )
    assert settings.records.plan == "gold"


async def test_a_live_users_uid_opens_no_backup(
    backups: Stub, accounts: AccountStub, backup_account: str, new_name: Callable[[], str]
) -> None:
    """source_uid must be a uid no user here has: another tenant's uid (whose backups are its
    own), a system user's, or this account's own are refused before the repository is read."""
    other = new_name()
    request = accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    backup = await back_up_with(backups, other, records_of(other))
    for uid in (pwd.getpwnam(other).pw_uid, pwd.getpwnam(backup_account).pw_uid, 1, 65534):
        settings = backups_pb2.GetBackupSettingsRequest(
            account=backup_account, backup_id=backup, source_uid=uid
        )
        code, _ = await rpc_error(backups.GetBackupSettings(settings))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, uid
        restore = backups_pb2.RestoreBackupRequest(
            account=backup_account,
            backup_id=backup,
            whole_account=True,
            placement=backups_pb2.PLACEMENT_IN_PLACE,
            source_uid=uid,
        )
        errors = await field_errors(_drain(backups.RestoreBackup(restore)))
        assert "source_uid" in [field for field, _ in errors], uid


async def test_a_foreign_backup_restores_only_whole_and_in_place(
    backups: Stub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    old_uid = pwd.getpwnam(name).pw_uid
    backup = await back_up_with(backups, name, records_of(name))
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))
    await accounts.CreateAccount(request)
    home = Path(pwd.getpwnam(name).pw_dir)
    for what, placement in (
        ({"path": "web"}, backups_pb2.PLACEMENT_IN_PLACE),
        ({"whole_account": True}, backups_pb2.PLACEMENT_BESIDE),
    ):
        restore = backups_pb2.RestoreBackupRequest(
            account=name, backup_id=backup, placement=placement, source_uid=old_uid, **what
        )
        errors = await field_errors(_drain(backups.RestoreBackup(restore)))
        assert "source_uid" in [field for field, _ in errors]
    assert not (home / "web").exists()
