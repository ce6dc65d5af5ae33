"""End-to-end tests: the real agent (root) and gateway (user jopanel) as processes, over HTTP."""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
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
            # scripts/test-vm.sh: its one end-to-end test orders no certificate.
            acme_worker=os.environ.get("JOPANEL_ACME_WORKER") != "0",
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


# What a failed test's report shows of the stack's logs: the clean-clone CI run keeps only the
# test's output, and a 503 says "try again" without the program or server that did not answer.
# The agent's refusals of bad input (NOT_FOUND, INVALID_ARGUMENT, ...) are left out: a fuzzing
# run logs hundreds, which pushed the one UNAVAILABLE that failed it out of the last lines.
_NOTABLE = re.compile(
    r" (WARNING|ERROR|CRITICAL) "
    r"| agent\.errors: \S+: (UNAVAILABLE|INTERNAL|UNKNOWN|DEADLINE_EXCEEDED|DATA_LOSS) "
)
_LOG_LINES = 25


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()
    live = getattr(item, "funcargs", {}).get("live")
    if report.when != "call" or not report.failed or not isinstance(live, stack.Stack):
        return
    for name in ("agent.log", "gateway.log"):
        try:
            lines = (live.logs / name).read_text(errors="replace").splitlines()
        except OSError:
            continue
        notable = [line for line in lines if _NOTABLE.search(line)][-_LOG_LINES:]
        report.sections.append((f"{name}, its last warnings and errors", "\n".join(notable)))
