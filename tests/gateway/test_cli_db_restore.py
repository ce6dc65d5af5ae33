"""The administrator's CLI for the panel database's dumps in the backup repositories: it lists
them and asks the agent to load one, never while the gateway runs (no sandbox needed: the
agent is a stub here; tests/agent/backups/test_backups_panel.py loads real dumps)."""

from __future__ import annotations

from typing import Any

import pytest
from jopanel.agent.backups.v1 import backups_pb2 as pb

from gateway import cli

DUMP = "ab" * 32


class Stub:
    def __init__(self) -> None:
        self.restores: list[pb.RestorePanelDatabaseRequest] = []

    def ListPanelDatabaseBackups(self, request: Any, timeout: float) -> Any:
        dump = pb.PanelDatabaseBackup(id=DUMP, bytes=1234)
        dump.time.FromSeconds(1_800_000_000)
        return pb.ListPanelDatabaseBackupsResponse(backups=[dump])

    def RestorePanelDatabase(self, request: Any, timeout: float) -> Any:
        self.restores.append(request)
        return pb.RestorePanelDatabaseResponse()


def test_db_backups_lists_the_dumps(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.db_backups(Stub(), "") == 0  # type: ignore[arg-type]
    assert capsys.readouterr().out == f"{DUMP}  2027-01-15 08:00:00  1234\n"


def test_db_restore_refuses_while_the_gateway_runs(capsys: pytest.CaptureFixture[str]) -> None:
    stub = Stub()
    assert cli.db_restore(stub, DUMP, "", "active") == 1  # type: ignore[arg-type]
    assert stub.restores == []
    assert "stop jopanel-gateway first" in capsys.readouterr().err


def test_db_restore_asks_the_agent_for_that_dump_in_that_repository() -> None:
    stub = Stub()
    assert cli.db_restore(stub, DUMP, "offsite", "inactive") == 0  # type: ignore[arg-type]
    (request,) = stub.restores
    assert (request.backup_id, request.repository) == (DUMP, "offsite")
