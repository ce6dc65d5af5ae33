"""Writes restored files as the account: the unprivileged half of a restore.

The agent starts this file with the system's python3 (-I: no environment, no user site) under
setpriv, as the account's uid and gid with no other group, no capability and no_new_privs, so
every file it writes is the account's own, counts against its quota, and lands only where the
account itself could write. It reads what `restic dump` (run by root) writes on its standard
input, and never sees the repository or its password. Standard library only: it runs outside
the agent's virtualenv.

    python3 -I extract.py tar TARGET PREFIX HOME  # a tar stream: members below PREFIX, into TARGET
    python3 -I extract.py file TARGET MODE    # one file's bytes, into TARGET with MODE (octal)

On top of the uid, every path is walked from TARGET one folder at a time with O_NOFOLLOW (no
link in the archive or on disk is followed), absolute and '..' paths are left out, symbolic
links are made only when they lead inside HOME (read as text), devices, FIFOs, sockets and hard
links are never made, and setuid, setgid and sticky bits are cleared. What is left out is
counted, not fatal. Progress and the outcome are JSON lines on standard output; a full quota or
disk ends the run (status 3).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import tarfile
import time

_REPORT_EVERY = 0.5  # seconds between progress lines


class _Counts:
    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0
        self.skipped = 0
        self._reported = 0.0

    def report(self, final: bool = False) -> None:
        now = time.monotonic()
        if final or now - self._reported >= _REPORT_EVERY:
            self._reported = now
            line = {"files": self.files, "bytes": self.bytes, "skipped": self.skipped}
            print(json.dumps({"final": final, **line}), flush=True)


def extract_tar(target: str, prefix: str, home: str) -> _Counts:
    """Writes the members below `prefix` into `target`, each path walked from `target` one
    folder at a time with O_NOFOLLOW, so no link (in the archive or already on disk) is ever
    followed. Folders get their modes at the end, so a read-only one is filled first."""
    counts = _Counts()
    os.makedirs(target, mode=0o700, exist_ok=True)
    root = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    folders: list[tuple[list[str], int, float]] = []
    try:
        # The archive comes from restic as root; the name of the stream mode is "r|".
        with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as archive:
            for member in archive:
                parts = _parts(member.name, prefix)
                if parts is None or not _write(archive, member, root, parts, target, home):
                    counts.skipped += parts != []  # restic writes no entry for the top folder
                    continue
                if member.isdir():
                    folders.append((parts, member.mode & 0o777, member.mtime))
                else:
                    counts.files += 1
                    counts.bytes += member.size if member.isreg() else 0
                counts.report()
        for parts, mode, mtime in reversed(folders):
            _finish_folder(root, parts, mode, mtime)
    finally:
        os.close(root)
    return counts


def _parts(name: str, prefix: str) -> list[str] | None:
    """The member's path below `prefix` as segments; None when it is not below it or is not a
    plain relative path (absolute, '..', '.', empty segments)."""
    name = name.rstrip("/")
    if name == prefix:
        return []
    if not name.startswith(prefix + "/"):
        return None
    parts = name[len(prefix) + 1 :].split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def _write(
    archive: tarfile.TarFile,
    member: tarfile.TarInfo,
    root: int,
    parts: list[str],
    target: str,
    home: str,
) -> bool:
    """Writes one member; False when it is left out (unsafe, or in the way of a folder)."""
    if not parts:
        return False
    if member.issym() and not _link_stays_in(member.linkname, parts, target, home):
        return False
    if not (member.isreg() or member.isdir() or member.issym()):
        return False  # devices, FIFOs, sockets, hard links: never made
    try:
        folder = _open_folder(root, parts[:-1])
    except OSError as error:
        if error.errno in (errno.EDQUOT, errno.ENOSPC):
            raise
        return False  # a link or a file where a folder should be
    try:
        return _write_entry(archive, member, folder, parts[-1])
    finally:
        os.close(folder)


def _write_entry(archive: tarfile.TarFile, member: tarfile.TarInfo, folder: int, name: str) -> bool:
    existing = _lstat(name, folder)
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        return member.isdir()  # a folder merges; nothing replaces a folder
    if existing is not None and not member.isdir():
        os.unlink(name, dir_fd=folder)  # a file or link: replaced, never written through
    if member.isdir():
        if existing is not None:
            os.unlink(name, dir_fd=folder)
        os.mkdir(name, 0o700, dir_fd=folder)
        return True
    if member.issym():
        os.symlink(member.linkname, name, dir_fd=folder)
        return True
    source = archive.extractfile(member)
    assert source is not None  # a regular file
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(name, flags, 0o600, dir_fd=folder)
    with open(fd, "wb") as file:
        while chunk := source.read(1 << 20):
            file.write(chunk)
        file.flush()  # before the times are set: a later write would change them
        # The account's own mode without setuid, setgid or sticky bits.
        os.fchmod(file.fileno(), member.mode & 0o777)
        os.utime(file.fileno(), (member.mtime, member.mtime))
    return True


def _lstat(name: str, folder: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _open_folder(root: int, parts: list[str]) -> int:
    """The folder below root, made (0700) where missing; never through a link."""
    fd = os.dup(root)
    try:
        for part in parts:
            try:
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                os.mkdir(part, 0o700, dir_fd=fd)
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _finish_folder(root: int, parts: list[str], mode: int, mtime: float) -> None:
    try:
        fd = _open_folder(root, parts)
    except OSError:
        return  # replaced meanwhile (by the account itself): its business
    try:
        os.fchmod(fd, mode | 0o700)  # the owner always keeps its way in
        os.utime(fd, (mtime, mtime))
    finally:
        os.close(fd)


def _link_stays_in(linkname: str, parts: list[str], target: str, home: str) -> bool:
    """Whether a symbolic link leads to a place inside the home, read as text: an absolute
    link below the home, or a relative one that stays below it."""
    if "\0" in linkname or not linkname:
        return False
    if os.path.isabs(linkname):
        resolved = os.path.normpath(linkname)
    else:
        resolved = os.path.normpath(os.path.join(target, *parts[:-1], linkname))
    return resolved.startswith(home.rstrip("/") + "/")


def extract_file(target: str, mode: int) -> _Counts:
    counts = _Counts()
    folder, name = os.path.split(target)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    temporary = os.path.join(folder, f".{name}.restoring")
    if os.path.lexists(temporary):
        os.unlink(temporary)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with open(fd, "wb") as file:
            while chunk := sys.stdin.buffer.read(1 << 20):
                file.write(chunk)
                counts.bytes += len(chunk)
                counts.report()
            file.flush()
            os.fchmod(file.fileno(), mode & 0o777)
        os.replace(temporary, target)  # replaces a link itself, never what it points to
    except BaseException:
        os.unlink(temporary)
        raise
    counts.files = 1
    return counts


def main(argv: list[str]) -> int:
    os.umask(0o077)
    try:
        if argv[1:2] == ["tar"] and len(argv) == 5:
            counts = extract_tar(argv[2], argv[3], argv[4])
        elif argv[1:2] == ["file"] and len(argv) == 4:
            counts = extract_file(argv[2], int(argv[3], 8))
        else:
            print(json.dumps({"error": "usage"}), flush=True)
            return 2
    except OSError as error:
        full = error.errno in (errno.EDQUOT, errno.ENOSPC)
        print(json.dumps({"error": "quota" if full else "write", "errno": error.errno}), flush=True)
        return 3
    counts.report(final=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
