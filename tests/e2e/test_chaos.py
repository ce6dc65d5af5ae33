"""The crash test (scripts/chaos.py) against the real stack: random writes through the REST API
while the agent, the gateway and MariaDB are killed with SIGKILL and restarted; afterwards no
acknowledged write is lost and, once reconcile has run, records and system agree.

Short here (JOPANEL_CHAOS_WRITES=60, JOPANEL_CHAOS_KILLS=6); `make chaos` runs 1,000 writes and
50 kills. JOPANEL_CHAOS_SEED replays a run. It kills the shared stack's processes, so it runs
after every other e2e test (tests/e2e/conftest.py)."""

from __future__ import annotations

import os

import chaos
import pytest
import stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_kill_9_loses_no_acknowledged_write_and_reconcile_leaves_no_disagreement(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    writes = int(os.environ.get("JOPANEL_CHAOS_WRITES", "60"))
    kills = int(os.environ.get("JOPANEL_CHAOS_KILLS", "6"))
    table = await chaos.run(live, admin_credentials, writes, kills)
    report = table.render()
    (live.logs / "chaos.txt").write_text(report + "\n")
    print(f"\n{report}")
    assert sum(table.kills.values()) == kills
    assert all(table.kills.values()), table.kills  # each process was killed
    assert table.lost == [], report
    assert table.after == [], report
