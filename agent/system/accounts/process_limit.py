"""How many processes each account runs at once (`account_processes`, RLIMIT_NPROC, which
counts threads too): no tenant's fork bomb takes the server's process table from the others.

The kernel counts a limit against all processes of the uid, wherever they were started; each
way an account starts programs carries the limit:
- PHP-FPM's workers inherit it from their master (web/php_fpm.py: the agent sets the master's,
  and on a server the masters' unit has LimitNPROC too);
- cron jobs and SSH sessions get it from pam_limits (Debian's /etc/pam.d/cron and sshd run
  it), which reads the file below for every member of the accounts' group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from agent.system.accounts.users import MANAGED_GROUP
from agent.system.base import files

LIMITS_FILE: Final = Path("/etc/security/limits.d/jopanel-accounts.conf")


def render(processes: int) -> str:
    return (
        "# Written by jopanel-agent (agent.toml's account_processes); edits are overwritten.\n"
        f"@{MANAGED_GROUP} soft nproc {int(processes)}\n"
        f"@{MANAGED_GROUP} hard nproc {int(processes)}\n"
    )


def write(processes: int, path: Path = LIMITS_FILE) -> bool:
    """Writes the file when it differs; whether it did."""
    return files.write_if_changed(path, render(processes), 0o644)
