"""A site's logs, read for its owner: the last lines, a plain-text search, new lines as written.

Two logs per site (docs/web.md, Logs):
- the access log, /var/log/jopanel/web/D/access.log, written by nginx (www-data) in a folder
  the account can read but not write;
- the PHP error log, /home/A/web/D/php-error.log, written by the account's own PHP inside the
  account's tree, where the account may put anything at that name at any moment.

So a log is reached the way webroots.py reaches a document root: every folder opened relative
to its parent with O_NOFOLLOW and checked to be the expected owner's, then the file itself
opened with O_PATH | O_NOFOLLOW, which opens nothing (a FIFO does not block, a device is not
touched, a link is not followed) and lets fstat say what it is. Only a regular file owned by the
account (PHP) or by the web server (access) is then opened for reading, through that very
descriptor (/proc/self/fd), so no name is looked up twice. A hard link to another user's file
(/etc/shadow, another account's log) has that user as its owner and is refused.

Every read is bounded whatever the file holds: at most the last SCAN_BYTES of the file are
looked at (a 5 GB sparse file costs the same as a 64 MiB one), lines are cut at LINE_MAX bytes,
and a follow reads at most FOLLOW_BYTES per call. A search is a substring compared as bytes:
no pattern a tenant gives ever reaches root's regex engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import pwd
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from jopanel.agent.web.v1 import web_pb2

from agent.errors import FailedPrecondition
from agent.system.accounts.users import HOME_ROOT
from agent.system.web import webroots
from agent.system.web.records import Site

LINE_MAX: Final = 8192
SCAN_BYTES: Final = 64 * 1024 * 1024
CHUNK: Final = 256 * 1024
# One follow call: how long it lasts, how often it looks, how much it reads at most.
FOLLOW_SECONDS: Final = 10.0
POLL_SECONDS: Final = 0.25
FOLLOW_BYTES: Final = 16 * 1024 * 1024
# A cursor further behind than this resumes this far from the end (a follow is a live view).
FOLLOW_BACKLOG: Final = 1024 * 1024
ACCESS_LOG: Final = "access.log"
_DIR_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Cursor:
    inode: int
    offset: int


@dataclass(frozen=True)
class Found:
    lines: list[str]
    truncated: bool


class SiteLogs:
    """Opens and reads the logs of sites; log_root is the agent's web_log_dir."""

    def __init__(self, log_root: Path) -> None:
        self._log_root = log_root

    async def read(
        self, site: Site, log: web_pb2.SiteLog.ValueType, count: int, contains: bytes | None
    ) -> Found:
        return await asyncio.to_thread(self._read, site, log, count, contains)

    def _read(
        self, site: Site, log: web_pb2.SiteLog.ValueType, count: int, contains: bytes | None
    ) -> Found:
        fd = self.open(site, log)
        if fd is None:
            return Found([], False)
        try:
            return _last_lines(fd, count, contains)
        finally:
            os.close(fd)

    async def follow(
        self, site: Site, log: web_pb2.SiteLog.ValueType, cursor: Cursor | None
    ) -> AsyncIterator[tuple[list[str], Cursor]]:
        """(new lines, cursor) as the log grows, for FOLLOW_SECONDS; the first and the last
        answers may hold no line, so the caller always has a cursor to go on from."""
        follower = _Follower(lambda: self.open(site, log), cursor)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FOLLOW_SECONDS
        try:
            yield [], await asyncio.to_thread(follower.start)
            while loop.time() < deadline and follower.budget > 0:
                lines = await asyncio.to_thread(follower.poll)
                if lines:
                    yield lines, follower.cursor
                else:
                    await asyncio.sleep(POLL_SECONDS)
            yield [], follower.cursor
        finally:
            follower.close()

    def open(self, site: Site, log: web_pb2.SiteLog.ValueType) -> int | None:
        """A descriptor reading the log, or None when it does not exist (yet)."""
        if log == web_pb2.SITE_LOG_ACCESS:
            owners = {0, webroots.web_server_uid()}
            shown = self._log_root / site.name / ACCESS_LOG
            with _folder_chain(self._log_root, [site.name], owners, shown) as d:
                return None if d is None else _open_file(d, ACCESS_LOG, owners, shown)
        try:
            uid = pwd.getpwnam(site.account).pw_uid
        except KeyError:  # the account is being deleted: its sites go with it
            raise FailedPrecondition(f"account {site.account} no longer exists") from None
        shown = webroots.php_error_log(site.account, site.name)
        with _folder_chain(HOME_ROOT, [site.account, "web", site.name], {uid}, shown) as d:
            return None if d is None else _open_file(d, shown.name, {uid}, shown)


@contextlib.contextmanager
def _folder_chain(
    top: Path, names: list[str], owners: set[int], shown: Path
) -> Iterator[int | None]:
    """The last folder of top/names..., each opened without following a link and owned by one
    of `owners` (top itself is root's); None when one is missing."""
    try:
        fd = os.open(top, _DIR_FLAGS)
    except FileNotFoundError:
        yield None
        return
    try:
        for name in names:
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                yield None
                return
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refused(shown) from None
                raise
            os.close(fd)
            fd = child
            if os.fstat(fd).st_uid not in owners:
                raise _refused(shown)
        yield fd
    finally:
        os.close(fd)


def _open_file(folder: int, name: str, owners: set[int], shown: Path) -> int | None:
    try:
        handle = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_uid not in owners:
            raise _refused(shown)
        # The very inode checked above: no second lookup of the name.
        return os.open(f"/proc/self/fd/{handle}", os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    finally:
        os.close(handle)


def _refused(shown: Path) -> FailedPrecondition:
    return FailedPrecondition(
        f"{shown} is not a regular file of the site's own (a link, a folder, a pipe?);"
        " remove it and the log starts again"
    )


def _last_lines(fd: int, count: int, contains: bytes | None) -> Found:
    size = os.fstat(fd).st_size
    floor = max(0, size - SCAN_BYTES)
    end = size - 1 if size and os.pread(fd, 1, size - 1) == b"\n" else size
    found: list[str] = []
    for line in _backward(fd, floor, end):
        if contains is None or contains in line:
            found.append(_text(line))
            if len(found) == count:
                return Found(found[::-1], False)
    return Found(found[::-1], floor > 0)


def _backward(fd: int, floor: int, end: int) -> Iterator[bytes]:
    """The lines between floor and end, newest first; each cut to its first LINE_MAX bytes
    (only those are kept while its start is looked for); a line cut by floor is left out."""
    position, partial = end, b""
    while position > floor:
        size = min(CHUNK, position - floor)
        position -= size
        pieces = (os.pread(fd, size, position) + partial).split(b"\n")
        partial = pieces[0][:LINE_MAX]
        yield from reversed(pieces[1:])
    if position == 0 and end > 0:
        yield partial


def _text(line: bytes) -> str:
    return line[:LINE_MAX].removesuffix(b"\r").decode("utf-8", "replace")


class _Follower:
    """Reads a log's new complete lines; reopens it when it was rotated or truncated."""

    def __init__(self, opener: Callable[[], int | None], cursor: Cursor | None) -> None:
        self._open = opener
        self._wanted = cursor
        self._fd: int | None = None
        self.cursor = Cursor(0, 0)
        self.budget = FOLLOW_BYTES

    def start(self) -> Cursor:
        self._fd = self._open()
        if self._fd is None:
            return self.cursor
        info = os.fstat(self._fd)
        wanted = self._wanted
        if wanted is None:
            offset = info.st_size
        elif wanted.inode == info.st_ino and wanted.offset <= info.st_size:
            offset = max(wanted.offset, info.st_size - FOLLOW_BACKLOG)
        else:
            offset = max(0, info.st_size - FOLLOW_BACKLOG)
        self.cursor = Cursor(info.st_ino, offset)
        return self.cursor

    def poll(self) -> list[str]:
        if self._fd is not None:
            lines = self._read_new(self._fd)
            if lines:
                return lines
        self._reopen_if_replaced()
        return []

    def _read_new(self, fd: int) -> list[str]:
        data = os.pread(fd, min(CHUNK, self.budget), self.cursor.offset)
        if not data:
            return []
        last = data.rfind(b"\n")
        if last < 0:
            if len(data) < LINE_MAX:
                return []  # a line being written: wait for its end
            last = len(data) - 1  # a line longer than LINE_MAX: cut where the read stopped
        taken = data[: last + 1]
        self.budget -= len(taken)
        self.cursor = Cursor(self.cursor.inode, self.cursor.offset + len(taken))
        return [_text(line) for line in taken.split(b"\n")[:-1]]

    def _reopen_if_replaced(self) -> None:
        fresh = self._open()
        if fresh is None:
            return
        info = os.fstat(fresh)
        if self._fd is not None and (
            info.st_ino == self.cursor.inode and info.st_size >= self.cursor.offset
        ):
            os.close(fresh)
            return
        # Rotated (a new file) or truncated in place (copytruncate): from its beginning.
        self.close()
        self._fd = fresh
        self.cursor = Cursor(info.st_ino, 0)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
