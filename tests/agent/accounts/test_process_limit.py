"""Cron jobs and SSH sessions of every account are held to account_processes by pam_limits
(the agent writes its file at start; PHP's workers: tests/agent/web/test_web_backends.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2

from agent.config import AgentConfig
from agent.services import accounts as accounts_service
from agent.system.accounts import process_limit


def test_the_file_names_the_accounts_group_and_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "limits.d" / "jopanel-accounts.conf"

    assert process_limit.write(300, path)
    assert not process_limit.write(300, path)  # unchanged: not written again

    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert lines == ["@jopanel-accounts soft nproc 300", "@jopanel-accounts hard nproc 300"]
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(not Path("/etc/pam.d/runuser").exists(), reason="needs util-linux's runuser")
async def test_a_pam_session_of_an_account_gets_the_limit_and_a_system_user_does_not(
    account: accounts_pb2.Account,
    agent_config: AgentConfig,
) -> None:
    """A PAM session (runuser -l, through pam_limits as cron and sshd are) of an account has
    account_processes as its limit; root's is untouched. Debian's cron and sshd run
    pam_limits too."""
    await accounts_service.prepare(agent_config)

    def limit_of(user: str) -> str:
        done = subprocess.run(
            ["runuser", "-l", user, "-s", "/bin/bash", "-c", "ulimit -u"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    assert limit_of(account.name) == str(agent_config.account_processes)
    assert limit_of("root") != str(agent_config.account_processes)
    for service in ("cron", "sshd"):
        assert "pam_limits.so" in Path(f"/etc/pam.d/{service}").read_text()
