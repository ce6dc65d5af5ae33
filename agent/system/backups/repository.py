"""The agent's restic repository: where it is, its password, and the restic runs it allows.

The repository (/var/backups/jopanel/restic, 0700) is encrypted with a password the agent makes
on first use (/var/lib/jopanel/backups/repository.key, 0600 root, 32 random bytes in base64)
and never sends anywhere: restic reads it from that file (--password-file), so it is in no argv
and no environment. Every restic run of the agent starts here, with the repository, the password
file and the cache given by the agent, a fixed host name (so snapshots do not depend on the
machine's name), and low CPU and I/O priority (nice 19, ionice best-effort 7): a backup takes
what the server's sites leave.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from agent.config import AgentConfig
from agent.errors import Internal
from agent.system.base import files, process

logger = logging.getLogger(__name__)

REPOSITORY: Final = Path("/var/backups/jopanel/restic")
STATE_DIR: Final = Path("/var/lib/jopanel/backups")
CACHE_DIR: Final = Path("/var/cache/jopanel/restic")
# Client option files of database loads (load.py), one per load: 0711 root, so an account
# reaches its own file by its random name and lists nothing.
LOAD_DIR: Final = Path("/run/jopanel-backups")
HOST: Final = "jopanel"
# nice and ionice wrap every restic run and every dump: the server's sites come first.
LOW_PRIORITY: Final = ("nice", "-n", "19", "ionice", "-c", "2", "-n", "7")
# The settings document of one backup is read whole; it is made by the agent and small.
_MAX_READ: Final = 64 * 1024 * 1024

Line = dict[str, Any]


@dataclass(frozen=True)
class Layout:
    repository: Path = REPOSITORY
    state_dir: Path = STATE_DIR
    cache_dir: Path = CACHE_DIR
    load_dir: Path = LOAD_DIR

    @property
    def password_file(self) -> Path:
        return self.state_dir / "repository.key"

    @property
    def view_dir(self) -> Path:
        """Where an account's home is mounted read-only for its backup (views/<account>)."""
        return self.state_dir / "views"


@dataclass(frozen=True)
class Target:
    """A remote repository as restic is told of it (remotes.py): its repository string, the
    password file, options (the ssh command) and environment (S3 keys), all from the agent."""

    repository: str
    password_file: Path
    options: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


class Restic:
    def __init__(
        self, layout: Layout, limits: process.Limits, target: Target | None = None
    ) -> None:
        self.layout = layout
        self.target = target
        self._limits = limits
        self._ready = False
        self._env = dict(target.env) if target else {}

    @property
    def name(self) -> str:
        """The repository's restic string (for caches keyed by repository)."""
        return self.target.repository if self.target else str(self.layout.repository)

    def argv(self, *arguments: str, low_priority: bool = True) -> list[str]:
        """restic's argv; at low priority unless it only reads what an owner is waiting for
        (the snapshot list, a manifest, one entry's metadata), which must not queue behind
        the sites' work as a backup does."""
        layout, target = self.layout, self.target
        return [
            *(LOW_PRIORITY if low_priority else ()),
            "restic",
            "--repo",
            target.repository if target else str(layout.repository),
            "--password-file",
            str(target.password_file if target else layout.password_file),
            "--cache-dir",
            str(layout.cache_dir),
            *(target.options if target else ()),
            "--quiet" if "--json" not in arguments else "--verbose=0",
            *arguments,
        ]

    async def ensure(self) -> None:
        """Makes the folders, the password and the repository where they are missing."""
        if self._ready:
            return
        layout = self.layout
        # The folders a backup reads through (views/) are the server's, whichever repository
        # it goes to: a first backup may go to a remote one.
        for folder in (layout.state_dir, layout.view_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        if self.target is not None:  # made when it was added (remotes.py)
            layout.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._ready = True
            return
        layout.repository.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(layout.repository.parent, 0o700)
        layout.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not layout.password_file.exists():
            files.write_atomic(layout.password_file, secrets.token_urlsafe(32) + "\n", 0o600)
        if not (layout.repository / "config").exists():
            await process.run(self.argv("init"), limits=self._limits)
            logger.info("made the backup repository %s", layout.repository)
        self._ready = True

    async def backup(
        self,
        arguments: Sequence[str],
        on_status: Callable[[Line], None],
        *,
        producer: Sequence[str] | None = None,
        stdin: bytes | None = None,
    ) -> Line:
        """Runs `restic backup --json ARGUMENTS`; each status line goes to on_status and the
        summary line is returned."""
        await self.ensure()
        summary: Line = {}

        def line(raw: bytes) -> None:
            try:
                parsed = json.loads(raw)
            except ValueError:
                return
            if not isinstance(parsed, dict):
                return
            if parsed.get("message_type") == "summary":
                summary.update(parsed)
            elif parsed.get("message_type") == "status":
                on_status(parsed)

        argv = self.argv("backup", "--json", "--host", HOST, *arguments)
        await process.run_lines(
            argv,
            limits=self._limits,
            on_line=line,
            producer=producer,
            stdin=stdin,
            interrupt_first=True,  # a cancelled backup leaves no lock in the repository
            env=self._env,
        )
        if not summary:
            raise Internal("restic backup ended without a summary")
        return summary

    async def snapshots(self, tags: Sequence[str]) -> list[Line]:
        await self.ensure()
        lines: list[bytes] = []
        argv = self.argv(
            "snapshots", "--json", "--host", HOST, "--tag", ",".join(tags), low_priority=False
        )
        await process.run_lines(argv, limits=self._limits, on_line=lines.append, env=self._env)
        found = json.loads(b"".join(lines) or b"[]")
        return [item for item in found if isinstance(item, dict)] if found else []

    async def node(self, snapshot: str, path: str) -> Line | None:
        """The snapshot's entry at `path` (type, mode, size), or None."""
        await self.ensure()
        found: Line | None = None

        def line(raw: bytes) -> None:
            nonlocal found
            parsed = json.loads(raw)
            if parsed.get("struct_type") == "node" and parsed.get("path") == path:
                found = parsed

        await process.run_lines(
            self.argv("ls", "--json", snapshot, path, low_priority=False),
            limits=self._limits,
            on_line=line,
            env=self._env,
        )
        return found

    async def read(self, snapshot: str, path: str, limit: int = _MAX_READ) -> bytes:
        await self.ensure()
        chunks: list[bytes] = []
        size = 0

        def line(raw: bytes) -> None:
            nonlocal size
            size += len(raw)
            if size > limit:
                raise Internal(f"{path} in snapshot {snapshot} is larger than expected")
            chunks.append(raw)

        await process.run_lines(
            self.argv("dump", snapshot, path, low_priority=False),
            limits=self._limits,
            on_line=line,
            env=self._env,
            # A read stopped early (too large, a line past the reader's limit) ends restic
            # with SIGINT first, so it removes its lock: a SIGKILL would leave the lock behind
            # and the next forget or prune would find the repository locked.
            interrupt_first=True,
        )
        return b"".join(chunks)

    async def forget(self, snapshots: Sequence[str]) -> None:
        """Forgets the snapshots (their data stays until prune); a few hundred per run."""
        await self.ensure()
        for start in range(0, len(snapshots), _FORGET_BATCH):
            batch = snapshots[start : start + _FORGET_BATCH]
            await process.run(self.argv("forget", *batch), limits=self._limits, env=self._env)

    async def prune(self) -> None:
        await self.ensure()
        await process.run_lines(
            self.argv("prune"),
            limits=self._limits,
            on_line=_ignore,
            interrupt_first=True,
            env=self._env,
        )

    @property
    def env(self) -> dict[str, str]:
        """What restic's pipelines (a dump into a restore) need in their environment."""
        return dict(self._env)

    async def open_or_init(self) -> None:
        """Opens the repository with its password (`restic cat config`), or makes it there when
        none is; any other failure (a wrong host key, a refused login, another password)
        raises."""
        try:
            await process.run(
                self.argv("cat", "config", low_priority=False), limits=self._limits, env=self._env
            )
        except process.CommandFailed as error:
            if b"does not exist" not in error.stderr and b"Is there a repository" not in (
                error.stderr
            ):
                raise
            await process.run(self.argv("init"), limits=self._limits, env=self._env)

    def dump_argv(self, snapshot: str, path: str) -> list[str]:
        """restic dump of a folder (as a tar stream) or a file (its bytes), for a pipeline."""
        return self.argv("dump", "--archive", "tar", snapshot, path)


_FORGET_BATCH: Final = 200


def _ignore(line: bytes) -> None:
    pass


def restic(config: AgentConfig, layout: Layout | None = None) -> Restic:
    return Restic(layout or Layout(), config.limits("backup"))
