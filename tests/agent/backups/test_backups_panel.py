"""The panel's own database in the backup repository (sandbox only): dumped through restic,
listed, restored by a MariaDB user that holds that database only; a hostile dump of it reaches
no other database."""

from __future__ import annotations

import json
import pwd
import subprocess
from typing import TYPE_CHECKING

import grpc
import pytest
import stack
from jopanel.agent.backups.v1 import backups_pb2 as pb

from agent.system.backups.backups import PANEL_FILE, PANEL_TAGS
from agent.system.backups.repository import HOST
from tests.agent.backups.backup_support import back_up, backup_account, backups, restic
from tests.agent.databases.db_support import create_database, databases
from tests.agent.support import field_errors, rpc_error

if TYPE_CHECKING:
    from jopanel.agent.databases.v1 import databases_pb2_grpc

    from tests.agent.backups.backup_support import Stub

__all__ = ["backup_account", "backups", "databases"]  # fixtures, used by name


def sql(statement: str, database: str = "") -> list[str]:
    argv = ["mariadb", "--no-defaults", f"--socket={stack.MARIADB_SOCKET}", "--batch"]
    argv += ["--skip-column-names", *([f"--database={database}"] if database else [])]
    done = subprocess.run([*argv, "--execute", statement], check=True, capture_output=True)
    return done.stdout.decode().splitlines()


async def test_the_panels_database_is_dumped_listed_and_restored(
    backups: Stub, databases: databases_pb2_grpc.DatabaseServiceAsyncStub
) -> None:
    sql("CREATE TABLE IF NOT EXISTS settings (name VARCHAR(32) PRIMARY KEY, value TEXT)", "jopanel")
    sql("REPLACE INTO settings VALUES ('marker', 'before')", "jopanel")
    made = await backups.BackUpPanelDatabase(pb.BackUpPanelDatabaseRequest())
    assert made.backup.bytes > 0
    listed = await backups.ListPanelDatabaseBackups(pb.ListPanelDatabaseBackupsRequest())
    assert listed.backups[0].id == made.backup.id
    sql("UPDATE settings SET value = 'after' WHERE name = 'marker'", "jopanel")

    await backups.RestorePanelDatabase(pb.RestorePanelDatabaseRequest(backup_id=made.backup.id))

    assert sql("SELECT value FROM settings WHERE name = 'marker'", "jopanel") == ["before"]
    assert "ACCOUNT LOCK" in sql("SHOW CREATE USER '0r_jopanel'@'localhost'")[0]


async def test_a_hostile_panel_dump_reaches_no_other_database(
    backups: Stub,
    databases: databases_pb2_grpc.DatabaseServiceAsyncStub,
    backup_account: str,
) -> None:
    victim = f"{backup_account}_shop"
    await create_database(databases, backup_account, victim)
    sql("CREATE TABLE kept (id INT)", victim)
    await backups.BackUpPanelDatabase(pb.BackUpPanelDatabaseRequest())  # the repository exists
    dump = f"DROP TABLE `{victim}`.kept;\nCREATE USER 'evil'@'%';\n".encode()
    restic("backup", "--host", HOST, "--tag", ",".join(PANEL_TAGS), "--stdin",
           "--stdin-filename", PANEL_FILE, stdin=dump)  # fmt: skip
    listed = await backups.ListPanelDatabaseBackups(pb.ListPanelDatabaseBackupsRequest())
    request = pb.RestorePanelDatabaseRequest(backup_id=listed.backups[0].id)
    code, _ = await rpc_error(backups.RestorePanelDatabase(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert sql("SHOW TABLES", victim) == ["kept"]
    assert sql("SELECT COUNT(*) FROM mysql.user WHERE User = 'evil'") == ["0"]


async def test_an_accounts_backup_is_no_panel_dump(backups: Stub, backup_account: str) -> None:
    await back_up(backups, backup_account)
    listed = await backups.ListPanelDatabaseBackups(pb.ListPanelDatabaseBackupsRequest())
    uid = pwd.getpwnam(backup_account).pw_uid
    snapshots = json.loads(restic("snapshots", "--json", "--tag", f"uid={uid}"))
    ids = {item["id"] for item in snapshots}
    assert ids
    assert not ids & {item.id for item in listed.backups}


@pytest.mark.parametrize("backup_id", ["", "../x", "A" * 64, "0" * 63, "0" * 10_000])
async def test_a_bad_dump_id_is_refused(backups: Stub, backup_id: str) -> None:
    request = pb.RestorePanelDatabaseRequest(backup_id=backup_id)
    assert [path for path, _ in await field_errors(backups.RestorePanelDatabase(request))] == [
        "backup_id"
    ]


async def test_an_unknown_dump_is_not_found(backups: Stub) -> None:
    await backups.BackUpPanelDatabase(pb.BackUpPanelDatabaseRequest())
    request = pb.RestorePanelDatabaseRequest(backup_id="0" * 64)
    code, _ = await rpc_error(backups.RestorePanelDatabase(request))
    assert code == grpc.StatusCode.NOT_FOUND
