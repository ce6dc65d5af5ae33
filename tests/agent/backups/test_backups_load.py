"""Database restores load the dump as the account, logged in as a MariaDB user that holds
exactly the target database (sandbox only). A dump written into the repository by someone else
(made here with restic directly) cannot reach another database, MariaDB's users and grants,
its global settings, the server's files or a shell; an honest dump with views, triggers and
routines loads, and they go on working under the loader, which no one can log in as."""

from __future__ import annotations

import pwd
import secrets
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2

from agent.system.backups.load import rewrite
from agent.system.backups.repository import HOST, Layout
from tests.agent.backups.backup_support import (
    back_up,
    backup_account,
    backups,
    hostile_backup,
    hostile_tree,
    restic,
    restore,
)
from tests.agent.databases.db_support import create_database, databases
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from jopanel.agent.databases.v1 import databases_pb2_grpc

    from tests.agent.backups.backup_support import AccountStub, Stub

__all__ = ["backup_account", "backups", "databases"]  # fixtures, used by name


def sql(statement: str, database: str = "") -> list[str]:
    """Runs SQL as MariaDB's root; the output's lines."""
    argv = ["mariadb", "--no-defaults", f"--socket={stack.MARIADB_SOCKET}", "--batch"]
    argv += ["--skip-column-names", "--raw", *([f"--database={database}"] if database else [])]
    done = subprocess.run([*argv, "--execute", statement], check=True, capture_output=True)
    return done.stdout.decode().splitlines()


def dump_backup(account: str, database: str, dump: bytes) -> str:
    """A backup of the account whose only database part is `dump`, made with restic directly."""
    with hostile_tree(account) as view:
        backup = hostile_backup(account, view, (database,))
    uid = pwd.getpwnam(account).pw_uid
    tags = f"jopanel,account={account},uid={uid},backup={backup},part=database={database}"
    restic("backup", "--host", HOST, "--tag", tags, "--stdin", "--stdin-filename",
           f"{database}.sql", stdin=dump)  # fmt: skip
    return backup


def server_state(victim: str) -> dict[str, object]:
    """What a hostile dump must leave as it is: another account's rows, the users and their
    privileges, a global setting, and the files a FILE privilege or a shell would write."""
    return {
        "victim": sql("SELECT id, note FROM secrets ORDER BY id", victim),
        "users": sql("SELECT User, Host FROM mysql.user ORDER BY 1, 2"),
        "grants": sql("SELECT User, Host, Db FROM mysql.db ORDER BY 1, 2, 3"),
        "global_grants": sql(
            "SELECT User, Host, JSON_VALUE(Priv, '$.access') FROM mysql.global_priv ORDER BY 1, 2"
        ),
        "global": sql("SELECT @@GLOBAL.max_connections, @@GLOBAL.read_only"),
        "schemas": sql("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1"),
        "outfile": Path("/tmp/jopanel-hostile-dump").exists(),
        "shell": Path("/tmp/jopanel-hostile-shell").exists(),
    }


def hostile_statements(victim: str, loader: str) -> list[str]:
    """Each one alone after an honest statement: the client stops at the first refusal."""
    return [
        f"USE {victim};\nDROP TABLE secrets;",
        f"DROP TABLE {victim}.secrets;",
        f"UPDATE `{victim}`.secrets SET note = 'stolen';",  # noqa: S608 (hostile SQL under test)
        f"DROP DATABASE {victim};",
        f"GRANT ALL PRIVILEGES ON *.* TO '{loader}'@'localhost' WITH GRANT OPTION;",
        f"GRANT ALL PRIVILEGES ON `{victim}`.* TO '{loader}'@'localhost';",
        "CREATE USER 'evil'@'%' IDENTIFIED BY 'evil password';",
        "UPDATE mysql.global_priv SET Priv = '{}' WHERE User = 'root';",
        "SET GLOBAL max_connections = 7;",
        "SET GLOBAL read_only = 1;",
        "SELECT 'x' INTO OUTFILE '/tmp/jopanel-hostile-dump';",
        "\\! touch /tmp/jopanel-hostile-shell",
        "system touch /tmp/jopanel-hostile-shell",
        "CREATE DEFINER=root@localhost PROCEDURE up() UPDATE mysql.global_priv SET Priv = '{}';",
        "/*!50013 DEFINER=root@localhost SQL SECURITY DEFINER */ CREATE VIEW v AS "  # noqa: S608 (hostile SQL under test)
        f"SELECT * FROM `{victim}`.secrets;",
    ]


@pytest.fixture
async def victim(
    accounts: AccountStub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    new_name: Callable[[], str],
) -> str:
    """Another account's database holding a row."""
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(request)).account.name
    database = f"{other}_secrets"
    await create_database(databases, other, database)
    sql("CREATE TABLE secrets (id INT PRIMARY KEY, note TEXT)", database)
    sql("INSERT INTO secrets VALUES (1, 'the other tenant''s')", database)
    return database


async def test_a_hostile_dump_changes_nothing_outside_the_accounts_database(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    backup_account: str,
    victim: str,
) -> None:
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    _, honest = await back_up(backups, backup_account)
    await restore(backups, backup_account, honest.id, database=database)  # the loader exists
    before = server_state(victim)
    for statement in hostile_statements(victim, f"0r_{database}"):
        dump = f"CREATE TABLE IF NOT EXISTS fine (id INT);\n{statement}\n".encode()
        backup = dump_backup(backup_account, database, dump)
        code, message = await rpc_error(restore(backups, backup_account, backup, database=database))
        assert (code, "did not load" in message) == (grpc.StatusCode.FAILED_PRECONDITION, True), (
            statement,
            message,
        )
        assert server_state(victim) == before, statement
    # What the loader holds after all of them: the account's database, nothing more.
    assert sql(f"SHOW GRANTS FOR '0r_{database}'@'localhost'")[1:] == [
        f"GRANT ALL PRIVILEGES ON `{database.replace('_', chr(92) + '_')}`.* "
        f"TO `0r_{database}`@`localhost`"
    ]
    assert sql("SHOW TABLES", database) == ["fine"]  # what came before the refusal loaded


async def test_a_dump_cannot_reach_another_accounts_database_named_just_above_or_below(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    backup_account: str,
) -> None:
    """`<account>_shop` must not open `<account>_shopx` or `<account>Xshop` ('_' is a
    wildcard in grants: the loader's grant escapes it)."""
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    neighbour = f"{backup_account}_shop_2"
    await create_database(databases, backup_account, neighbour)
    sql("CREATE TABLE kept (id INT)", neighbour)
    lookalike = f"{backup_account}xshop"
    sql(f"CREATE DATABASE `{lookalike}`")
    sql("CREATE TABLE kept (id INT)", lookalike)
    await back_up(backups, backup_account)  # the repository exists
    try:
        for other in (neighbour, lookalike):
            backup = dump_backup(backup_account, database, f"DROP TABLE `{other}`.kept;\n".encode())
            code, _ = await rpc_error(restore(backups, backup_account, backup, database=database))
            assert code == grpc.StatusCode.FAILED_PRECONDITION
            assert sql("SHOW TABLES", other) == ["kept"]
    finally:
        sql(f"DROP DATABASE `{lookalike}`")


async def test_views_triggers_and_routines_come_back_and_work_under_a_locked_loader(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    backup_account: str,
) -> None:
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    sql("CREATE TABLE items (id INT PRIMARY KEY, note TEXT)", database)
    sql("CREATE TABLE log (id INT)", database)
    sql("CREATE TRIGGER logged AFTER INSERT ON items FOR EACH ROW INSERT INTO log VALUES (NEW.id)",
        database)  # fmt: skip
    sql("CREATE VIEW notes AS SELECT note FROM items", database)
    sql("CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2", database)
    # A row that reads like a definer clause is data, and stays as it is.
    sql("INSERT INTO items VALUES (1, 'DEFINER=`root`@`localhost`')", database)
    _, backup = await back_up(backups, backup_account)
    sql("DROP TRIGGER logged; DROP VIEW notes; DROP FUNCTION twice; DELETE FROM items", database)

    await restore(backups, backup_account, backup.id, database=database)

    assert sql("SELECT note FROM notes", database) == ["DEFINER=`root`@`localhost`"]
    sql("INSERT INTO items VALUES (2, 'two')", database)
    assert sql("SELECT id FROM log ORDER BY id", database) == ["1", "2"]
    assert sql("SELECT twice(21)", database) == ["42"]
    definers = sql(
        "SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
        " UNION ALL SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
        " UNION ALL SELECT DEFINER FROM information_schema.ROUTINES"
        " WHERE ROUTINE_SCHEMA = DATABASE()",
        database,
    )
    assert definers == [f"0r_{database}@localhost"] * 3
    assert "ACCOUNT LOCK" in sql(f"SHOW CREATE USER '0r_{database}'@'localhost'")[0]


async def test_the_loaders_option_file_is_gone_after_the_load(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    backup_account: str,
) -> None:
    database = f"{backup_account}_shop"
    await create_database(databases, backup_account, database)
    _, backup = await back_up(backups, backup_account)
    await restore(backups, backup_account, backup.id, backups_pb2.PLACEMENT_BESIDE,
                  database=database)  # fmt: skip
    folder = Layout().load_dir
    assert list(folder.iterdir()) == []
    assert folder.stat().st_mode & 0o777 == 0o711


REWRITES = [
    (
        b"CREATE DEFINER=`a_b`@`localhost` PROCEDURE p()",
        b"CREATE DEFINER=CURRENT_USER PROCEDURE p()",
    ),
    (
        b"/*!50017 DEFINER=`x``y`@`%`*/ /*!50003 TRIGGER",
        b"/*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER",
    ),
    (
        b"/*!50013 DEFINER=`a`@`%` SQL SECURITY DEFINER */",
        b"/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */",
    ),
]
UNTOUCHED = [
    b"INSERT INTO `t` VALUES ('DEFINER=`a`@`b`')",  # a row
    b"(1,'DEFINER=`a`@`b`'),",  # a row of its own (MariaDB 10.11.8 and later)
    b"CREATE DEFINER=root@localhost VIEW",  # not mariadb-dump's form: MariaDB judges it
]


@pytest.mark.parametrize(("line", "expected"), [*REWRITES, *((line, line) for line in UNTOUCHED)])
def test_definer_clauses_outside_rows_become_the_loaders(line: bytes, expected: bytes) -> None:
    assert rewrite(line) == expected


def test_loader_names_cannot_be_an_accounts_user() -> None:
    from agent.system.databases.hosted import loader_name
    from agent.validators.databases import DatabaseName

    name = loader_name(DatabaseName(f"bob_{secrets.token_hex(3)}"))
    assert name.startswith("0r_")
    assert not name[0].isalpha()
