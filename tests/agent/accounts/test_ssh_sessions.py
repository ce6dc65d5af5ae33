"""Ending an account's SSH sessions (agent/system/accounts/sessions.py), with real processes:
the account's `sshd` session process and everything under it end; another account's, and the
account's processes outside a session, are left alone (sandbox only; through the real sshd:
tests/e2e/test_ssh_shell_e2e.py)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jopanel.agent.accounts.v1 import accounts_pb2

from agent.system.accounts import sessions
from tests.agent.support import as_account, short_temp_dir

if TYPE_CHECKING:
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    AccountStub = accounts_pb2_grpc.AccountServiceAsyncStub

SESSION = "sleep 300 & sleep 301 & wait"


def session_of(account: str, sshd: Path) -> subprocess.Popen[bytes]:
    """A process of the account named `sshd` (as OpenSSH's session process is), running two
    commands."""
    return subprocess.Popen(as_account(account, [str(sshd), "-c", SESSION]))


def processes_of(account: str) -> list[str]:
    """The names of the account's live processes (a killed one may linger as a zombie until
    the sandbox's first process reaps it)."""
    done = subprocess.run(
        ["ps", "-u", account, "-o", "stat=,comm="], capture_output=True, text=True, check=False
    )
    rows = [line.split() for line in done.stdout.splitlines()]
    return sorted(name for state, name in rows if not state.startswith("Z"))


def settled(condition: Callable[[], bool]) -> bool:
    for _ in range(50):
        if condition():
            return True
        time.sleep(0.1)
    return False


async def test_the_accounts_sessions_end_with_what_they_run_and_no_one_elses(
    account: accounts_pb2.Account, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
    other = (await accounts.CreateAccount(request)).account
    await asyncio.to_thread(_sessions_end, account, other.name)


def _sessions_end(account: accounts_pb2.Account, other: str) -> None:
    folder = short_temp_dir()
    folder.chmod(0o755)
    sshd = folder / "sshd"
    sshd.symlink_to("/bin/sh")
    mine = session_of(account.name, sshd)
    theirs = session_of(other, sshd)
    outside = subprocess.Popen(as_account(account.name, ["sleep", "302"]))
    try:
        assert settled(lambda: processes_of(account.name).count("sleep") == 3)
        assert settled(lambda: processes_of(other) == ["sleep", "sleep", "sshd"])

        ended = sessions.end_ssh_sessions(account.uid)

        assert ended == 1
        assert mine.wait(timeout=5) != 0
        assert settled(lambda: processes_of(account.name) == ["sleep"])  # outside a session
        assert processes_of(other) == ["sleep", "sleep", "sshd"]
        assert theirs.poll() is None
        assert outside.poll() is None
    finally:
        for process in (mine, theirs, outside):
            process.kill()
        for user in (account.name, other):
            subprocess.run(["pkill", "-KILL", "-u", user], check=False)
