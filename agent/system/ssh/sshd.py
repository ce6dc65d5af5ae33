"""sshd's configuration for account owners, written by the agent, checked, reloaded.

One file, `<ssh_dir>/sshd_config.d/jopanel.conf`, which Debian's sshd_config includes before
its own settings (for sshd the first value of a setting wins). It is rendered from the agent's
configuration alone, so it changes only when that does: the agent brings it up to date when it
starts (`prepare`) and again before each SSH key or access change, so a failure at start is
retried and a hand edit is put back. What it says (docs/sftp.md):

- every managed account (group jopanel-accounts) gets SFTP only: `ForceCommand internal-sftp`,
  chrooted to /home (root's, mode 0711: an account can enter its own home, list nothing else)
  and started in `/<account>`; no shell, forwarding, tunnel, PTY or ~/.ssh/rc;
- except members of jopanel-ssh-shell (their plan allows a shell): matched first, they get
  their login shell and a PTY, not chrooted, still no forwarding, tunnel or ~/.ssh/rc;
- its keys are read from root's files only (agent/system/ssh/keys.py), never from ~/.ssh;
- members of jopanel-ssh-off are refused (DenyGroups), whatever their password or keys;
- a suspended account is refused by its expired account (PAM's account check; sshd's own
  without PAM), as for every other kind of login (agent/system/accounts/users.py).

A new file is written over the old one, checked with `sshd -t` and put back when the check
fails, so a bad file lives on disk only for the check: sshd reads its configuration when it
starts and when it is told to reload, never per connection. The reload is SIGHUP to the
master named in the pid file (sshd re-executes itself in place); it counts once the master
has written its pid file again, which it does after it listens.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import stat
import time
from pathlib import Path
from typing import Final

from agent.config import AgentConfig
from agent.errors import FailedPrecondition, TimedOut
from agent.system.accounts.users import HOME_ROOT, MANAGED_GROUP, SSH_OFF_GROUP, SSH_SHELL_GROUP
from agent.system.base import files, process
from agent.system.base.process import Limits
from agent.system.ssh.keys import KEYS_DIR_NAME

logger = logging.getLogger(__name__)

CONFIG_NAME: Final = "sshd_config.d/jopanel.conf"
CONFIG_MODE: Final = 0o644
# The chroot: root's, and others may pass through it to their own home, not list it.
HOME_ROOT_MODE: Final = 0o711
SSHD: Final = "/usr/sbin/sshd"
PRIVSEP_DIR: Final = Path("/run/sshd")
_POLL_SECONDS: Final = 0.05

TEMPLATE: Final = """\
# Written by jopanel-agent (agent/system/ssh/sshd.py) and replaced whole: edit nothing here.
# Account owners sign in for SFTP only, chrooted to {home} and started in their own folder,
# unless their plan gives them a shell ({shell}: their login shell, not chrooted); their keys
# are root's files; members of {off} are refused (docs/sftp.md).
DenyGroups {off}
# First: for sshd the first value of a setting wins, so "none" here undoes the chroot and the
# ForceCommand of the block below for these accounts, and nothing else.
Match Group {shell}
\tAuthorizedKeysFile {keys}/%u
\tAuthorizedPrincipalsFile none
\tChrootDirectory none
\tForceCommand none
\tPubkeyAuthentication yes
\tPasswordAuthentication yes
\tAllowTcpForwarding no
\tAllowStreamLocalForwarding no
\tAllowAgentForwarding no
\tX11Forwarding no
\tPermitTunnel no
\tPermitTTY yes
\tPermitUserRC no
\tGatewayPorts no
Match Group {managed}
\tAuthorizedKeysFile {keys}/%u
\tAuthorizedPrincipalsFile none
\tChrootDirectory {home}
\tForceCommand internal-sftp -d /%u
\tPubkeyAuthentication yes
\tPasswordAuthentication yes
\tAllowTcpForwarding no
\tAllowStreamLocalForwarding no
\tAllowAgentForwarding no
\tX11Forwarding no
\tPermitTunnel no
\tPermitTTY no
\tPermitUserRC no
\tGatewayPorts no
"""


def render(keys_dir: Path) -> str:
    return TEMPLATE.format(
        home=HOME_ROOT,
        off=SSH_OFF_GROUP,
        shell=SSH_SHELL_GROUP,
        managed=MANAGED_GROUP,
        keys=keys_dir,
    )


class Sshd:
    def __init__(self, ssh_dir: Path, pid_file: Path, limits: Limits) -> None:
        self.ssh_dir = ssh_dir
        self.config_path = ssh_dir / CONFIG_NAME
        self.pid_file = pid_file
        self._limits = limits
        self._text = render(ssh_dir / KEYS_DIR_NAME)
        self._lock = asyncio.Lock()

    async def ensure(self) -> None:
        """sshd runs this configuration for accounts: written, checked and reloaded when the
        file on disk is not it (missing, or edited by hand), which costs one small read when
        it is. FAILED_PRECONDITION when sshd is not installed or refuses it."""
        async with self._lock:
            _close_home_root()
            old = _read(self.config_path)
            if old != self._text:
                await self._write_checked(old)
                await self._reload()

    async def _write_checked(self, old: str | None) -> None:
        if not _installed():
            raise FailedPrecondition(f"{SSHD} is missing: install openssh-server")
        self.config_path.parent.mkdir(mode=0o755, exist_ok=True)
        # sshd -t wants its privilege separation folder, which systemd makes only while sshd
        # runs (RuntimeDirectory); root's and empty, as sshd requires.
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        files.write_atomic(self.config_path, self._text, CONFIG_MODE)
        argv = [SSHD, "-t", "-f", str(self.ssh_dir / "sshd_config")]
        done = await process.run(argv, ok_codes=range(256), limits=self._limits)
        if done.returncode == 0:
            return
        if old is None:
            self.config_path.unlink()
        else:
            files.write_atomic(self.config_path, old, CONFIG_MODE)
        logger.error("sshd -t refused %s: %s", self.config_path, done.stderr[-2000:])
        raise FailedPrecondition("sshd -t refuses the configuration; ask the administrator")

    async def _reload(self) -> None:
        """SIGHUP to the running master, if any, and wait until it has re-executed itself."""
        try:
            before = self.pid_file.stat().st_mtime_ns
            master = int(self.pid_file.read_text().split()[0])
            os.kill(master, signal.SIGHUP)
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            return  # not running: it reads this file when it starts
        deadline = time.monotonic() + self._limits.timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            try:
                if self.pid_file.stat().st_mtime_ns != before:
                    return
            except FileNotFoundError:
                continue
        raise TimedOut(
            f"sshd did not reload within {self._limits.timeout:g} s ({self._limits.setting})"
        )


def _close_home_root() -> None:
    """/home as ChrootDirectory needs it (root's, not writable by others) and 0711, so a
    chrooted account lists nothing above its own home."""
    info = os.lstat(HOME_ROOT)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0:
        raise FailedPrecondition(f"{HOME_ROOT} must be a folder of root's")
    if stat.S_IMODE(info.st_mode) != HOME_ROOT_MODE:
        os.chmod(HOME_ROOT, HOME_ROOT_MODE)


def _installed() -> bool:
    return os.access(SSHD, os.X_OK)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


@functools.cache
def sshd(config: AgentConfig) -> Sshd:
    return Sshd(config.ssh_dir, config.sshd_pid_file, config.limits("account"))
