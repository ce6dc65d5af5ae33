"""Debian's real cron daemon runs the jobs the agent installs, as the account, and hands each
command to the shell exactly as it was given (sandbox only)."""

from __future__ import annotations

import asyncio
import pwd
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import stack

from tests.agent.cron.cron_support import create, cron, cron_account, cron_daemon, job

if TYPE_CHECKING:
    from tests.agent.cron.cron_support import Stub

__all__ = ["cron", "cron_account", "cron_daemon"]  # fixtures, used by name

# Commands whose '%' and '\' cron would read its own way if the agent did not escape them.
TRICKY = ["50%", "%%", "\\%", "\\\\%", "\\", "a\\nb", "\\\\\\x", "date +%Y", "\u00e9t\u00e9"]
# Where cron notes that it has run the @reboot jobs of this boot (a tmpfs in the sandbox).
REBOOT_MARK = Path("/run/crond.reboot")


async def wait_for_file(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"cron did not write {path.name} in time"
        await asyncio.sleep(0.2)


async def test_cron_runs_each_command_as_written_as_the_account(
    cron: Stub, cron_account: str, sandbox: Path
) -> None:
    """@reboot jobs run as soon as cron starts: each one saves the command line its shell got."""
    home = Path(pwd.getpwnam(cron_account).pw_dir)
    save = "cat /proc/$$/cmdline > shell.{0}.tmp && mv shell.{0}.tmp shell.{0}"
    commands = [f"{save.format(number)}; : '{text}'" for number, text in enumerate(TRICKY)]
    for number, command in enumerate(commands):
        await create(cron, cron_account, job(f"job{number:05d}", "@reboot", command))
    REBOOT_MARK.unlink(missing_ok=True)
    daemon = stack.Cron(sandbox / "logs")
    daemon.start()
    try:
        for number, command in enumerate(commands):
            saved = home / f"shell.{number}"
            await wait_for_file(saved, 10)
            assert saved.read_bytes().split(b"\0")[:3] == [b"/bin/sh", b"-c", command.encode()]
            assert saved.stat().st_uid == pwd.getpwnam(cron_account).pw_uid
    finally:
        daemon.stop()


@pytest.mark.slow
async def test_cron_runs_a_job_at_the_next_minute(
    cron: Stub, cron_account: str, cron_daemon: stack.Cron
) -> None:
    """A job installed while cron runs: cron reads the changed crontab at the next minute
    boundary (at most 60 s away) and runs the job there."""
    home = Path(pwd.getpwnam(cron_account).pw_dir)
    command = "id -u > proof.tmp; printf '%s\\n' '50%' >> proof.tmp; mv proof.tmp proof"
    await create(cron, cron_account, job("aaaa1111", "* * * * *", command))
    await wait_for_file(home / "proof", 75)
    uid = pwd.getpwnam(cron_account).pw_uid
    assert (home / "proof").read_text().splitlines() == [str(uid), "50%"]
