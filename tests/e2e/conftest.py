"""End-to-end tests: the real agent (root) and gateway (user jopanel) as processes, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stack


@pytest.fixture(scope="session")
def live(sandbox: Path, mariadb: stack.MariaDB) -> Iterator[stack.Stack]:
    dist = stack.TOP / "webui" / "dist"
    with stack.running(
        stack.Stack(
            sandbox,
            stack.free_port(),
            mariadb,
            static_dir=str(dist) if (dist / "index.html").exists() else "",
        )
    ) as running:
        yield running


@pytest.fixture(scope="session")
def admin_credentials(live: stack.Stack) -> tuple[str, str]:
    return live.ensure_admin()


LAST = {"test_fuzz.py": 1, "test_chaos.py": 2}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The API fuzzers change the shared stack at random (plans, accounts, settings) as an
    administrator may, and the crash test kills its processes: they run after every other
    test, so none depends on what they left."""
    items.sort(key=lambda item: LAST.get(item.path.name, 0))
