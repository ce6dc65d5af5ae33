"""nginx: the generations of site files, `nginx -t`, and reloads that are known to have worked.

Layout under /etc/nginx (the configured nginx_dir):

    conf.d/jopanel.conf          include /etc/nginx/jopanel/sites/*.conf;
    jopanel/sites -> sites.<n>   the live generation (a symlink, switched with one rename)
    jopanel/sites.<n>/           <domain>.conf per site, _http.conf, _default.conf
    jopanel/test.conf            the main configuration that `nginx -t` checks a staged one with

A change stages generation n+1 beside the live one: every unchanged file is a hard link to the
live file (cheap at thousands of sites), changed files are written as new files (a hard-linked
file is never written in place), removed ones unlinked. `nginx -t` checks the staged files; only
then the symlink is switched and nginx reloaded. When the check fails, the staged tree is thrown
away and the live one was never touched.

What `nginx -t` reads: while nginx is known to run the live generation, only the http-level
files and the files the change wrote (the others are byte for byte what nginx already loaded);
otherwise (the agent's first change after a start, nginx not running) every file. A conflict
only the whole set shows is refused by the master at the reload: `reload` then reports the
master's reason and the caller switches the link back (`SiteTree.roll_back`).

The next generation is made ready after a change has been answered, by `prepare_next`: the next
change finds generation n+1 already a copy of the live one and pays only for its own files,
`nginx -t` and the reload. After a change that went live, the generation it replaced (n-1, which
nginx no longer reads) becomes n+1: renamed, and only the files that change wrote or removed are
linked again from n. Linking every file afresh and removing the old folder took 0.15 s of CPU at
5,000 sites, in the very moments the batch's callers send their next changes; it is left for
when nothing says how the old folder differs (the first change after a start, a refused reload).

A reload counts as done when the master has started new workers and every old worker is
shutting down: `nginx -s reload` only sends a signal, and a master that cannot load the new
configuration keeps its old workers and says why in its error log: `reload` sees it asleep
again without new workers, and fails at once with the reason from that log instead of waiting
for workers that never come.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO, Final

from agent.errors import FailedPrecondition, Internal
from agent.system.base import files, process
from agent.system.web.nginx_render import Layout, render_include, render_test_config

GENERATION_PREFIX: Final = "sites."
# The agent's nginx files are root's alone: the master reads them as root, and a site file names
# its account, aliases and backend, which no account should harvest of the others.
FILE_MODE: Final = 0o640
FOLDER_MODE: Final = 0o750
RELOAD_TIMEOUT: Final = 60.0
# How often a reload looks at the master's workers: reading two small /proc files, cheap beside
# the few milliseconds a coarser step adds to every change.
_POLL: Final = 0.005
_MESSAGE_MAX: Final = 1000
# "nginx: [emerg] text" before the error log is open, "<date> <time> [emerg] <pid>#<tid>: text"
# after (Debian's build logs to stderr in the log format).
_LOG_LINE: Final = re.compile(
    r"^(?:nginx: |[0-9/]+ [0-9:]+ )\[(?:emerg|alert|crit|error)\] (?:[0-9]+#[0-9]+: )?(.*)$"
)
_FILE_POSITION: Final = re.compile(r" in (/[^\s:]+):(\d+)$")


class NginxRejected(FailedPrecondition):
    """`nginx -t` refused a staged configuration; the message is nginx's, trimmed."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"nginx refused the configuration: {detail}")


class ReloadRefused(NginxRejected):
    """The master refused to load the configuration; it still runs the one it had."""


class SiteTree:
    """The agent's part of /etc/nginx: the live generation and the staging of the next one."""

    def __init__(self, layout: Layout, limits: process.Limits) -> None:
        self.layout = layout
        self.limits = limits  # of `nginx -t`
        self.folder = layout.nginx_dir / "jopanel"
        self.live = self.folder / "sites"
        self.include_file = layout.nginx_dir / "conf.d" / "jopanel.conf"
        self.test_config = self.folder / "test.conf"
        self._next: Staging | None = None  # linked ahead by prepare_next
        self._published: Staging | None = None  # the staging that went live last (publish)

    def ensure_layout(self) -> None:
        """Creates what is missing (first start) and removes generations a crash left behind."""
        self.folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        self.folder.chmod(FOLDER_MODE)
        if not os.path.lexists(self.live):
            first = self.folder / f"{GENERATION_PREFIX}1"
            first.mkdir(mode=FOLDER_MODE, exist_ok=True)
            self._point_live_at(first.name)
        if not self.live.is_symlink():
            raise FailedPrecondition(f"{self.live} must be a link to a generation; move it away")
        # Older generations only, and whatever another remover takes first is fine: an agent
        # that ran before (the tests start a second system layer beside the first) may still be
        # removing them or linking its next one (prepare_next). A newer folder is only ever a
        # staging, which stage() empties before use and prepare_next removes.
        live = self.generation()
        for stale in self._generations():
            if stale < live:
                shutil.rmtree(self.folder / f"{GENERATION_PREFIX}{stale}", ignore_errors=True)
        self._restrict_live()
        include = render_include(self.live)
        if _read(self.include_file) != include:
            files.write_atomic(self.include_file, include, FILE_MODE)

    def _restrict_live(self) -> None:
        """Files of a generation written before they were root's alone become so (the next
        generations hard-link them, modes included)."""
        live = self.live_dir()
        live.chmod(FOLDER_MODE)
        for path in live.glob("*.conf"):
            if stat.S_IMODE(path.lstat().st_mode) != FILE_MODE:
                path.chmod(FILE_MODE)

    def generation(self) -> int:
        return int(os.readlink(self.live).removeprefix(GENERATION_PREFIX))

    def live_dir(self) -> Path:
        return self.folder / f"{GENERATION_PREFIX}{self.generation()}"

    def read_live(self) -> dict[str, str]:
        """The live generation's files by name."""
        return {path.name: path.read_text() for path in self.live_dir().glob("*.conf")}

    def stage(self) -> Staging:
        """The next generation: the one prepare_next linked, when it still copies the live one."""
        ready, self._next = self._next, None
        if ready is not None and ready.copies(self.live_dir()):
            return ready
        if ready is not None:
            ready.discard()
        return Staging(self, self.generation() + 1)

    def prepare_next(self) -> None:
        """Makes the next generation a copy of the live one ahead of need (from the generation
        the last change replaced, when there is one) and removes every other."""
        live = self.generation()
        if self._next is not None and not self._next.copies(self.live_dir()):
            self._next = None
        if self._next is None:
            self._next = self._recycled(live)
        keep = {live} if self._next is None else {live, self._next.generation}
        for stale in self._generations() - keep:
            shutil.rmtree(self.folder / f"{GENERATION_PREFIX}{stale}", ignore_errors=True)
        if self._next is None:
            self._next = Staging(self, live + 1)

    def _recycled(self, live: int) -> Staging | None:
        """Generation live + 1 made of the folder the last published staging was linked from,
        when that staging is the live generation: only the names it touched differ."""
        published, self._published = self._published, None
        if published is None or published.generation != live:
            return None
        return Staging.recycled(self, live + 1, published)

    def roll_back(self, previous: int, staging: Staging) -> None:
        """The previous generation live again (its files were never written), after the master
        refused the staged one; the refused folder is thrown away."""
        self._point_live_at(f"{GENERATION_PREFIX}{previous}")
        self._published = None
        staging.discard()

    def _generations(self) -> set[int]:
        found = set()
        for path in self.folder.glob(f"{GENERATION_PREFIX}*"):
            number = path.name.removeprefix(GENERATION_PREFIX)
            if number.isdigit() and path.is_dir() and not path.is_symlink():
                found.add(int(number))
        return found

    def _point_live_at(self, name: str) -> None:
        # rename() replaces the old link in one step: nginx sees one generation or the other.
        temporary = self.folder / f".sites.{secrets.token_hex(4)}.tmp"
        os.symlink(name, temporary)
        os.rename(temporary, self.live)
        files.sync_directory(self.folder)


class Staging:
    """Generation n+1 being prepared beside the live generation n."""

    def __init__(self, tree: SiteTree, generation: int, *, linked: bool = False) -> None:
        """A copy of the live generation (`linked`: the folder is one already)."""
        self.tree = tree
        self.generation = generation
        self.folder = tree.folder / f"{GENERATION_PREFIX}{generation}"
        self._source = tree.live_dir()
        self.written: set[str] = set()  # the site files differing from the live generation
        self._touched: set[str] = set()  # every name written or removed since the copy
        self._written = False
        if not linked:
            self.reset()

    @classmethod
    def recycled(cls, tree: SiteTree, generation: int, published: Staging) -> Staging | None:
        """The folder `published` was linked from, made a copy of `published` (live now) under
        the number `generation`: the names `published` touched are linked again or removed.
        None when that folder is gone (a crash, another agent's work)."""
        old = published._source
        if old == tree.live_dir():  # never the folder nginx reads
            return None
        folder = tree.folder / f"{GENERATION_PREFIX}{generation}"
        if folder.exists():
            shutil.rmtree(folder)
        try:
            os.rename(old, folder)
        except FileNotFoundError:
            return None
        for name in sorted(published._touched):
            (folder / name).unlink(missing_ok=True)
            with contextlib.suppress(FileNotFoundError):  # removed by `published`
                os.link(published.folder / name, folder / name)
        return cls(tree, generation, linked=True)

    def copies(self, live: Path) -> bool:
        """Whether this staging was linked from `live`, nothing was written to it yet, and it
        still holds exactly the live files, the same inodes under the same names. Another
        process at work in the folder (a second agent's start removing it as stale while this
        one renamed it, an administrator) would otherwise publish a generation short of the
        files it lost: every other site, and the http-level files. Read from the directory
        entries, without a stat: a few milliseconds at 5,000 sites (docs/web.md)."""
        if self._source != live or self._written or not self.folder.is_dir():
            return False
        return _entries(self.folder) == _entries(live)

    def reset(self) -> None:
        """Back to a copy of the live generation (hard links)."""
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(mode=FOLDER_MODE)
        for path in self._source.glob("*.conf"):
            os.link(path, self.folder / path.name)
        self._written = False
        self.written = set()
        self._touched = set()

    def write(self, changes: Mapping[str, str | None]) -> None:
        """Sets the staged files: text to write, None to remove."""
        self._written = True
        self._touched.update(changes)
        for name, text in changes.items():
            if text is None:
                (self.folder / name).unlink(missing_ok=True)
                self.written.discard(name)
            else:
                self._write_file(name, text)
                self.written.add(name)

    def _write_file(self, name: str, text: str) -> None:
        # A new inode renamed over the name: the old one may be a hard link to a live file.
        temporary = self.folder / f".{name}.tmp"
        with temporary.open("w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(FILE_MODE)
        os.rename(temporary, self.folder / name)

    async def check(self, *, whole: bool) -> None:
        """`nginx -t` of the staged generation: every file (`whole`) or the http-level files and
        the written ones; raises NginxRejected with nginx's reasons."""
        names = None if whole else sorted(self.written)
        text = render_test_config(self.tree.layout, self.folder, names)
        if _read(self.tree.test_config) != text:
            # Not fsynced: it is read by the nginx -t below and never after a crash.
            _write_unsynced(self.tree.test_config, text)
        argv = ["nginx", "-t", "-q", "-c", str(self.tree.test_config)]
        completed = await process.run(argv, ok_codes=range(256), limits=self.tree.limits)
        if completed.returncode != 0:
            raise NginxRejected(message(completed.stderr, self.folder))

    def publish(self) -> None:
        """Makes the staged generation the live one. The previous one stays until the tree's
        prepare_next (or the next start) removes it, after the change has been answered."""
        files.sync_directory(self.folder)
        self.tree._point_live_at(self.folder.name)
        self.tree._published = self

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _entries(folder: Path) -> dict[str, int]:
    """A generation's files (what `*.conf` matches) by name, with their inode numbers."""
    with os.scandir(folder) as entries:
        return {
            entry.name: entry.inode()
            for entry in entries
            if entry.name.endswith(".conf") and not entry.name.startswith(".")
        }


def message(stderr: bytes, staged: Path | None = None) -> str:
    """nginx's error lines, with file positions made short ("example.com.conf line 7")."""
    lines = []
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        match = _LOG_LINE.match(line.strip())
        if match:
            lines.append(_FILE_POSITION.sub(_short_position, match[1]))
    text = "; ".join(lines) or "nginx failed without a message"
    if staged is not None:
        text = text.replace(f"{staged}/", "")
    return process.excerpt(text, _MESSAGE_MAX)


def _short_position(match: re.Match[str]) -> str:
    return f" ({Path(match[1]).name} line {match[2]})"


def running(pid_file: Path) -> bool:
    """Whether an nginx master runs (the pid file names one)."""
    return _master_pid(pid_file) is not None


async def reload(pid_file: Path, live: Path | None = None) -> None:
    """Signals the master to reload (SIGHUP), then waits until it runs the new configuration.

    The signal goes straight to the master, as systemd's ExecReload does: `nginx -s reload`
    would parse the whole configuration once more only to find the pid (0.6 s at 5,000 sites),
    and the master parses it anyway. _master_pid checked that the pid is nginx's master.
    A master that refuses the configuration raises ReloadRefused with its reason (file
    positions below `live` made short), once its old workers are seen still serving.
    """
    master = _master_pid(pid_file)
    if master is None:
        raise FailedPrecondition(
            "nginx is not running; start it (the configuration is in place and checked)"
        )
    before = _children(master)
    with _ErrorLog(master) as error_log:
        os.kill(master, signal.SIGHUP)
        await _wait_for_new_workers(master, before, error_log, live)


class _ErrorLog:
    """What the master writes to its error log from now on, when that log is a file: the
    reason a refused reload gives, never what decides that it was refused (_idle does).

    The master's standard error is its error log (nginx redirects it there at start); a refused
    reload is logged there at level emerg by the master's pid. A pipe or socket (error_log
    stderr under systemd) is never opened: reading it would take the lines from their reader.
    """

    def __init__(self, master: int) -> None:
        # A line of the master's own, from its start: a worker's line may quote a request's
        # path, and a decoded %0A in it can start what looks like a line.
        self._line = re.compile(rb"^[0-9/]+ [0-9:]+ \[emerg\] %d#[0-9]+: " % master)
        self._file: BinaryIO | None = None
        try:
            path = f"/proc/{master}/fd/2"
            if stat.S_ISREG(os.stat(path).st_mode):
                self._file = open(path, "rb")  # noqa: SIM115 - closed by __exit__
                self._file.seek(0, os.SEEK_END)
        except OSError:
            self._file = None

    def __enter__(self) -> _ErrorLog:
        return self

    def __exit__(self, *_: object) -> None:
        if self._file is not None:
            self._file.close()

    def emerg_lines(self) -> list[bytes]:
        """The master's emerg lines written since the last call."""
        if self._file is None:
            return []
        return [line for line in self._file.read().splitlines() if self._line.match(line)]


async def _wait_for_new_workers(
    master: int, before: set[int], error_log: _ErrorLog, live: Path | None
) -> None:
    """Returns once new workers serve and the old ones are shutting down; raises
    ReloadRefused once the master is back asleep without new workers.

    The master blocks its signals except in sigsuspend(), so after the SIGHUP it sleeps there
    again only once it has handled it; a master that loaded the new configuration has forked
    its new workers by then. Read in that order (asleep first, then the workers), asleep with no
    new worker is a refusal, whatever anyone wrote into the error log.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELOAD_TIMEOUT
    reasons: list[bytes] = []
    while True:
        idle = _idle(master)
        current = _children(master)
        old = current & before
        if current - before and not any(map(_serving, old)):
            return
        reasons += error_log.emerg_lines()
        if idle and not current - before:
            _check_still_serving(master, before)
            raise ReloadRefused(
                message(b"\n".join(reasons), live)
                if reasons
                else "the master kept its old configuration; its error log says why"
            )
        if not process.running(master):
            raise Internal("nginx exited while reloading; its error log says why")
        if loop.time() > deadline:
            raise Internal("nginx did not load the new configuration; its error log says why")
        await asyncio.sleep(_POLL)


def _idle(master: int) -> bool:
    """Whether the master sleeps in sigsuspend(), waiting for a signal. (Where the kernel does
    not name the function a process sleeps in, never: a refusal is then the timeout.)"""
    try:
        return b"sigsuspend" in Path(f"/proc/{master}/wchan").read_bytes()
    except OSError:
        return False


def _check_still_serving(master: int, before: set[int]) -> None:
    """After a refused reload, the master must still run its old workers (its old cycle)."""
    if not process.running(master) or not before or not all(map(_serving, before)):
        raise Internal(
            "nginx refused the new configuration and stopped serving; its error log says why"
        )


def _master_pid(pid_file: Path) -> int | None:
    """The pid in the file if that process is an nginx master (a stale file names another)."""
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if cmdline.startswith(b"nginx: master process") else None


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(child) for child in text.split()}


def _serving(worker: int) -> bool:
    """An old worker still accepts requests until it retitles itself "... shutting down"."""
    try:
        return b"shutting down" not in Path(f"/proc/{worker}/cmdline").read_bytes()
    except OSError:  # gone (ENOENT, or ESRCH while it exits)
        return False


def _write_unsynced(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with open(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.rename(temporary, path)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
