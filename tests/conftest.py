"""Fixtures every suite shares: the sandbox guard, the gateway's system user and MariaDB.

Tests that touch the system (agent, MariaDB, end to end) run only inside the sandbox that
scripts/sandbox.sh makes (`make test` starts pytest there), never on the host itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import stack


def sandbox_dir() -> Path | None:
    """The sandbox's run directory, or None when the tests run on the host."""
    run = os.environ.get("JOPANEL_SANDBOX")
    if not run:
        return None
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        fields = [line.split() for line in mounts]
    overlaid = {f[1] for f in fields if f[2] == "overlay"}
    mounted = {f[1] for f in fields}
    return Path(run) if {"/etc", "/var", "/srv"} <= overlaid and "/home" in mounted else None


@pytest.fixture(scope="session")
def sandbox() -> Path:
    """The sandbox run directory; the test is skipped outside a sandbox (run it by `make test`)."""
    run = sandbox_dir()
    if run is None or os.geteuid() != 0:
        pytest.skip("needs the sandbox as root: run it through `make test`")
    return run


@pytest.fixture(scope="session")
def gateway_user(sandbox: Path) -> str:
    """The unprivileged system user the gateway runs as; its group may use the agent's socket."""
    stack.ensure_gateway_user()
    return stack.GATEWAY_USER


@pytest.fixture(scope="session")
def mariadb(sandbox: Path, gateway_user: str) -> Iterator[stack.MariaDB]:
    """One MariaDB server for the whole run, on a free loopback port."""
    server = stack.MariaDB(stack.free_port(), sandbox / "logs")
    server.start()
    yield server
    server.stop()


# `make test` runs the suite as two halves side by side, each in a sandbox of its own
# (scripts/test.sh sets JOPANEL_TEST_HALF to 1 or 2): the first half is the tests under these
# folders of tests/, the second all the others. Chosen from whole runs' durations (pytest's
# --durations): with agent/vpn/ here too, the halves took 1,216 s and 1,013 s beside the third
# lane (ci37, docs/architecture.md), so vpn/ (about 60 s) went to the second half; then half 1
# still ended 64-242 s after half 2 (ci38-ci41: it holds the tests whose length is wall time,
# fuzzing's and the browser's), so agent/cron/ (about 70 s) went too. A new folder goes to the
# second half.
FIRST_HALF: Final = ("e2e/", "agent/backups/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    half = os.environ.get("JOPANEL_TEST_HALF")
    if not half:
        return
    if half not in ("1", "2"):
        raise pytest.UsageError(f"JOPANEL_TEST_HALF must be 1 or 2, not {half!r}")
    tests = Path(__file__).resolve().parent
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        first = item.path.relative_to(tests).as_posix().startswith(FIRST_HALF)
        (kept if first == (half == "1") else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
