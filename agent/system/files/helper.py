"""The file manager's hands: every file operation, run as the account (docs/files.md).

The agent starts this file with the system's python3 (-I: no environment, no user site, not
even this file's folder on sys.path) under setpriv, as the account's uid and gid with no other
group, no capability and no_new_privs. Whatever it does, the account could have done itself;
on top of that it never follows a symbolic link: every path is walked from the home one folder
at a time with O_NOFOLLOW, files are opened with O_NOFOLLOW | O_NONBLOCK (a FIFO planted where
a file is read does not block) and must be regular files, and links are acted on as links.
Standard library only: it runs outside the agent's virtualenv.

Protocol: the first line of standard input is the request (JSON: "op", "home" and the
operation's fields), checked by the agent already; an upload's or a text's bytes follow it.
Standard output carries JSON lines (progress, then the result) and, for "read", the file's
bytes after the first line. A refusal is a line {"error": code, "message": text} and status 1.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

CHUNK = 1 << 20
_REPORT_EVERY = 0.5  # seconds between progress lines
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# Names the helper gives its own files while they are being written.
UPLOAD_PREFIX = ".jopanel-upload-"
_WORK_PREFIXES = (UPLOAD_PREFIX, ".jopanel-edit-", ".jopanel-archive-")
_LINK_MAX = 4096


class Refused(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


_ERRNO_CODES = {
    errno.ENOENT: ("not_found", "does not exist"),
    errno.EEXIST: ("exists", "exists already"),
    errno.ELOOP: ("link", "is a symbolic link, which the file manager never follows"),
    errno.ENOTDIR: ("not_folder", "is not a folder"),
    errno.EISDIR: ("folder", "is a folder"),
    errno.ENOTEMPTY: ("exists", "is a folder that is not empty"),
    errno.EACCES: ("denied", "is not accessible to the account (see its permissions)"),
    errno.EPERM: ("denied", "is not the account's to change"),
    errno.EDQUOT: ("quota", "the account's disk quota is used up"),
    errno.ENOSPC: ("quota", "the server's disk is full"),
    errno.ENAMETOOLONG: ("invalid", "has a name that is too long"),
    errno.EXDEV: ("invalid", "is on another file system"),
    errno.ENXIO: ("not_file", "is not a regular file"),
}


class Home:
    """Paths below the home, each opened one folder at a time, never through a link."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, _DIR_FLAGS)

    def folder(self, path: str) -> int:
        """A new descriptor of the folder at `path` ("" is the home)."""
        fd = os.dup(self.fd)
        try:
            for part in _parts(path):
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def parent(self, path: str) -> tuple[int, str]:
        """The folder holding `path` and its last segment."""
        head, _, name = path.rpartition("/")
        return self.folder(head), name


def _parts(path: str) -> list[str]:
    parts = path.split("/") if path else []
    if any(part in ("", ".", "..") for part in parts):  # the agent refused these already
        raise Refused("invalid", "is not a plain relative path")
    return parts


def _lstat(folder: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    return "link" if stat.S_ISLNK(mode) else "other"


def _entry(path: str, info: os.stat_result, link_target: str = "") -> dict[str, Any]:
    return {
        "path": path,
        "name": path.rpartition("/")[2],
        "kind": _kind(info.st_mode),
        "size": info.st_size,
        "mode": stat.S_IMODE(info.st_mode),
        "mtime_ns": info.st_mtime_ns,
        "link_target": link_target,
    }


def _entry_at(folder: int, name: str, path: str) -> dict[str, Any]:
    info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    target = ""
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(name, dir_fd=folder)
    return _entry(path, info, target)


def _open_regular(folder: int, name: str) -> int:
    """A regular file opened for reading: never a link, a FIFO, a socket or a device."""
    fd = os.open(name, _READ_FLAGS, dir_fd=folder)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused("not_file", "is not a regular file")
    return fd


def _emit(line: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(line).encode() + b"\n")
    sys.stdout.buffer.flush()


class _Counts:
    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0
        self.skipped = 0
        self._reported = 0.0

    def report(self) -> None:
        now = time.monotonic()
        if now - self._reported >= _REPORT_EVERY:
            self._reported = now
            _emit({"progress": {"files": self.files, "bytes": self.bytes}})


def op_list(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    path = request["path"]
    fd = home.folder(path)
    try:
        folder = _entry(path, os.fstat(fd))
        names, unnamed = [], 0
        for name in os.listdir(fd):
            try:
                names.append((name.encode("utf-8"), name))
            except UnicodeEncodeError:  # not UTF-8 on disk: no request could name it
                unnamed += 1
        after = request["after"].encode("utf-8")
        names = sorted(item for item in names if item[0] > after)
        limit = request["limit"]
        entries = []
        for _, name in names[:limit]:
            child = f"{path}/{name}" if path else name
            try:
                entries.append(_entry_at(fd, name, child))
            except FileNotFoundError:  # removed meanwhile
                continue
        return {
            "folder": folder,
            "entries": entries,
            "more": len(names) > limit,
            "unnamed": unnamed,
        }
    finally:
        os.close(fd)


def op_read(home: Home, request: dict[str, Any]) -> None:
    folder, name = home.parent(request["path"])
    try:
        fd = _open_regular(folder, name)
    finally:
        os.close(folder)
    try:
        info = os.fstat(fd)
        limit = request.get("max_size", 0)
        if limit and info.st_size > limit:
            raise Refused("too_large", f"is larger than {limit} bytes", size=info.st_size)
        offset = min(request.get("offset", 0), info.st_size)
        left = info.st_size - offset
        if request.get("length"):
            left = min(left, request["length"])
        _emit({"file": _entry(request["path"], info)})
        while left > 0:
            sent = os.sendfile(1, fd, offset, min(left, CHUNK))
            if sent == 0:  # the file shrank meanwhile
                break
            offset += sent
            left -= sent
    finally:
        os.close(fd)
    return None


def partial_name(name: str) -> str:
    # A fixed length, so that the longest name a folder takes still has its partial file.
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return UPLOAD_PREFIX + digest


def _refuse_folder(folder: int, name: str) -> None:
    info = _lstat(folder, name)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise Refused("folder", "is a folder")


def op_upload_state(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    folder, name = home.parent(request["path"])
    try:
        info = _lstat(folder, partial_name(name))
    finally:
        os.close(folder)
    received = info.st_size if info is not None and stat.S_ISREG(info.st_mode) else 0
    return {"received": received}


def op_upload(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    """Appends standard input to the upload's partial file; once it holds `size` bytes, the
    partial file takes the target's name (replacing a file or a link, never writing through
    one)."""
    path, size, offset = request["path"], request["size"], request["offset"]
    folder, name = home.parent(path)
    try:
        _refuse_folder(folder, name)
        partial = partial_name(name)
        fd = _open_partial(folder, partial, offset)
        try:
            received = offset + _copy_in_or_discard(fd, size - offset, folder, partial)
            if received < size:
                return {"received": received, "complete": False}
            os.fchmod(fd, request["mode"])
            os.fsync(fd)
        finally:
            os.close(fd)
        _refuse_folder(folder, name)
        os.rename(partial, name, src_dir_fd=folder, dst_dir_fd=folder)
        os.fsync(folder)
        return {"received": received, "complete": True, "file": _entry_at(folder, name, path)}
    finally:
        os.close(folder)


def _open_partial(folder: int, partial: str, offset: int) -> int:
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(partial, flags | (os.O_CREAT if offset == 0 else 0), 0o600, dir_fd=folder)
    except FileNotFoundError:
        raise Refused("offset", "no upload is under way: start at 0", received=0) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refused("not_file", "has something other than a file where its upload goes")
    try:
        # Held until the upload ends (the descriptor closes with this process): a second upload
        # of the same file at once would truncate or interleave the first one's bytes.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Refused("busy", "has another upload under way: wait for it or resume it") from None
    if offset == 0:
        os.ftruncate(fd, 0)
    elif info.st_size != offset:
        os.close(fd)
        message = f"has {info.st_size} bytes of its upload: resume there"
        raise Refused("offset", message, received=info.st_size)
    os.lseek(fd, offset, os.SEEK_SET)
    return fd


def _copy_in_or_discard(fd: int, most: int, folder: int, partial: str) -> int:
    """_copy_in; when the disk or the quota is full, the partial file is removed: its name is
    one no request may name, so left behind it would hold the account's quota with nothing in
    the panel able to free it, and the upload could not end anyway."""
    try:
        return _copy_in(fd, most)
    except OSError as error:
        if error.errno in (errno.EDQUOT, errno.ENOSPC):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial, dir_fd=folder)
        raise


def _copy_in(fd: int, most: int) -> int:
    """Standard input into fd; never more than `most` bytes (more is refused). splice(2) moves
    the pipe's pages into the file without copying them through this process."""
    copied = 0
    while True:
        moved = _move(fd, min(CHUNK, most - copied + 1))
        if moved == 0:
            return copied
        copied += moved
        if copied > most:
            raise Refused("invalid", "more bytes arrived than the upload's size")


def _move(fd: int, most: int) -> int:
    try:
        return os.splice(0, fd, most)
    except OSError as error:
        if error.errno != errno.EINVAL:  # a file system without splice: read and write
            raise
    chunk = os.read(0, most)
    view = memoryview(chunk)
    while view:
        view = view[os.write(fd, view) :]
    return len(chunk)


def op_write_text(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    path = request["path"]
    data = _read_all(request["size"] + 1)
    if len(data) != request["size"]:
        raise Refused("invalid", "the text is not the size announced")
    folder, name = home.parent(path)
    try:
        existing = _lstat(folder, name)
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise Refused("not_file", "is not a regular file")
        mode = stat.S_IMODE(existing.st_mode) & 0o777 if existing else 0o644
        _replace(folder, name, data, mode, ".jopanel-edit-")
        return {"file": _entry_at(folder, name, path)}
    finally:
        os.close(folder)


def _replace(folder: int, name: str, data: bytes, mode: int, prefix: str) -> None:
    temporary = prefix + secrets.token_hex(8)
    fd = os.open(temporary, _NEW_FLAGS, 0o600, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temporary, dir_fd=folder)
        raise
    os.close(fd)
    os.rename(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    os.fsync(folder)


def op_mkdir(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    folder, name = home.parent(request["path"])
    try:
        os.mkdir(name, 0o755, dir_fd=folder)
        return {"file": _entry_at(folder, name, request["path"])}
    finally:
        os.close(folder)


def op_move(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    source, name = home.parent(request["path"])
    try:
        target, new_name = home.parent(request["destination"])
        try:
            if _lstat(source, name) is None:
                raise Refused("not_found", "does not exist")
            if _lstat(target, new_name) is not None:
                raise Refused("exists", "the destination exists already", field="destination")
            os.rename(name, new_name, src_dir_fd=source, dst_dir_fd=target)
            return {"file": _entry_at(target, new_name, request["destination"])}
        finally:
            os.close(target)
    finally:
        os.close(source)


def op_copy(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    source, name = home.parent(request["path"])
    try:
        target, new_name = home.parent(request["destination"])
        try:
            if _lstat(target, new_name) is not None:
                raise Refused("exists", "the destination exists already", field="destination")
            counts = _Counts()
            _copy_entry(source, name, target, new_name, counts)
            return {"file": _entry_at(target, new_name, request["destination"])}
        finally:
            os.close(target)
    finally:
        os.close(source)


def _copy_entry(source: int, name: str, target: int, new_name: str, counts: _Counts) -> None:
    info = _lstat(source, name)
    if info is None:
        raise Refused("not_found", "does not exist")
    if stat.S_ISLNK(info.st_mode):
        os.symlink(os.readlink(name, dir_fd=source), new_name, dir_fd=target)
    elif stat.S_ISREG(info.st_mode):
        _copy_file(source, name, target, new_name, counts)
    elif stat.S_ISDIR(info.st_mode):
        _copy_folder(source, name, target, new_name, stat.S_IMODE(info.st_mode), counts)
    else:
        counts.skipped += 1  # FIFOs, sockets, devices: never opened, never made


def _copy_file(source: int, name: str, target: int, new_name: str, counts: _Counts) -> None:
    fd = _open_regular(source, name)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode) & 0o777
        out = os.open(new_name, _NEW_FLAGS, 0o600, dir_fd=target)
        try:
            while copied := os.sendfile(out, fd, None, CHUNK):
                counts.bytes += copied
            os.fchmod(out, mode)
        finally:
            os.close(out)
    finally:
        os.close(fd)
    counts.files += 1


def _copy_folder(
    source: int, name: str, target: int, new_name: str, mode: int, counts: _Counts
) -> None:
    inner = os.open(name, _DIR_FLAGS, dir_fd=source)
    try:
        os.mkdir(new_name, 0o700, dir_fd=target)
        made = os.open(new_name, _DIR_FLAGS, dir_fd=target)
        try:
            for child in sorted(os.listdir(inner)):
                _copy_entry(inner, child, made, child, counts)
            os.fchmod(made, (mode & 0o777) | 0o700)
        finally:
            os.close(made)
    finally:
        os.close(inner)


def op_delete(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    folder, name = home.parent(request["path"])
    try:
        info = _lstat(folder, name)
        if info is None:
            raise Refused("not_found", "does not exist")
        if stat.S_ISDIR(info.st_mode):
            # shutil's descriptor-based walk: it opens each folder relative to its parent and
            # checks it is the one it listed, so a folder swapped for a link is not entered.
            shutil.rmtree(name, dir_fd=folder)
        else:
            os.unlink(name, dir_fd=folder)  # a link goes, never what it points to
        return {}
    finally:
        os.close(folder)


def op_chmod(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    mode = request["mode"]
    if not 0 <= mode <= 0o777:
        raise Refused("invalid", "the mode must be 0 to 0777")
    folder, name = home.parent(request["path"])
    try:
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
        try:
            info = os.fstat(fd)
            if stat.S_ISLNK(info.st_mode):
                raise Refused("link", "is a symbolic link, which the file manager never follows")
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                raise Refused("not_file", "is not a file or a folder")
            # Through the descriptor: the inode just checked, whatever the name holds now.
            os.chmod(f"/proc/self/fd/{fd}", mode)
        finally:
            os.close(fd)
        return {"file": _entry_at(folder, name, request["path"])}
    finally:
        os.close(folder)


def op_archive(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    source = home.folder(request["folder"])
    try:
        target, new_name = home.parent(request["destination"])
        try:
            if _lstat(target, new_name) is not None:
                raise Refused("exists", "the destination exists already", field="destination")
            counts = _Counts()
            temporary = ".jopanel-archive-" + secrets.token_hex(8)
            fd = os.open(temporary, _NEW_FLAGS, 0o600, dir_fd=target)
            try:
                with open(fd, "wb", closefd=False) as out:
                    _pack(out, request["format"], source, request["names"], counts)
                os.fchmod(fd, 0o644)
                os.fsync(fd)
            except BaseException:
                os.unlink(temporary, dir_fd=target)
                raise
            finally:
                os.close(fd)
            if _lstat(target, new_name) is not None:
                os.unlink(temporary, dir_fd=target)
                raise Refused("exists", "the destination exists already", field="destination")
            os.rename(temporary, new_name, src_dir_fd=target, dst_dir_fd=target)
            return {
                "file": _entry_at(target, new_name, request["destination"]),
                "files": counts.files,
                "bytes": counts.bytes,
                "skipped": counts.skipped,
            }
        finally:
            os.close(target)
    finally:
        os.close(source)


def _walk(
    folder: int, name: str, counts: _Counts
) -> Iterator[tuple[str, os.stat_result, int | None, str]]:
    """Each entry below `name` of `folder`: its archive name, its lstat, an open descriptor
    for regular files (the caller closes it) and a link's target. Folders are entered through
    descriptors, never through a link; FIFOs, sockets and devices are left out."""
    info = _lstat(folder, name)
    if info is None or name.startswith(_WORK_PREFIXES):
        return
    if stat.S_ISLNK(info.st_mode):
        yield name, info, None, os.readlink(name, dir_fd=folder)
    elif stat.S_ISREG(info.st_mode):
        try:
            fd = _open_regular(folder, name)
        except (Refused, OSError):
            counts.skipped += 1
            return
        yield name, os.fstat(fd), fd, ""
    elif stat.S_ISDIR(info.st_mode):
        inner = os.open(name, _DIR_FLAGS, dir_fd=folder)
        try:
            yield name, os.fstat(inner), None, ""
            for child in sorted(os.listdir(inner)):
                for path, child_info, opened, target in _walk(inner, child, counts):
                    yield f"{name}/{path}", child_info, opened, target
        finally:
            os.close(inner)
    else:
        counts.skipped += 1


def _pack(out: IO[bytes], fmt: str, source: int, names: list[str], counts: _Counts) -> None:
    if fmt == "zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name in names:
                for path, info, fd, _ in _walk(source, name, counts):
                    _zip_entry(archive, path, info, fd, counts)
        return
    with tarfile.open(fileobj=out, mode="w|gz", format=tarfile.PAX_FORMAT) as archive:
        for name in names:
            for path, info, fd, target in _walk(source, name, counts):
                _tar_entry(archive, path, info, fd, target, counts)


def _zip_entry(
    archive: zipfile.ZipFile, path: str, info: os.stat_result, fd: int | None, counts: _Counts
) -> None:
    if stat.S_ISLNK(info.st_mode):
        counts.skipped += 1  # zip has no portable links: left out
        return
    when = time.localtime(max(info.st_mtime, 315532800))[:6]  # zip's dates start in 1980
    entry = zipfile.ZipInfo(path + "/" if fd is None else path, date_time=when)
    entry.external_attr = (stat.S_IFMT(info.st_mode) | (info.st_mode & 0o777)) << 16
    if fd is None:
        archive.writestr(entry, b"")
        return
    entry.compress_type = zipfile.ZIP_DEFLATED
    try:
        with archive.open(entry, "w", force_zip64=True) as member:
            while chunk := os.read(fd, CHUNK):
                member.write(chunk)
                counts.bytes += len(chunk)
                counts.report()
    finally:
        os.close(fd)
    counts.files += 1


def _tar_entry(
    archive: tarfile.TarFile,
    path: str,
    info: os.stat_result,
    fd: int | None,
    target: str,
    counts: _Counts,
) -> None:
    entry = tarfile.TarInfo(path)
    entry.mode = info.st_mode & 0o777
    entry.mtime = int(info.st_mtime)
    if stat.S_ISLNK(info.st_mode):
        entry.type, entry.linkname = tarfile.SYMTYPE, target
        archive.addfile(entry)
        return
    if fd is None:
        entry.type = tarfile.DIRTYPE
        archive.addfile(entry)
        return
    entry.size = info.st_size
    try:
        with open(fd, "rb", closefd=False) as file:
            archive.addfile(entry, file)
    finally:
        os.close(fd)
    counts.files += 1
    counts.bytes += info.st_size
    counts.report()


class _Extractor:
    """Writes an archive's members below a folder with a restore's rules (see
    agent/system/backups/extract.py, whose rules these are): every path walked one folder at a
    time with O_NOFOLLOW, files and links in the way replaced and never written through,
    links made only when they stay in the home (read as text), no devices, FIFOs, sockets or
    hard links, modes without setuid, setgid and sticky bits, and at most `limit` bytes."""

    def __init__(self, root: int, root_path: str, home: str, limit: int) -> None:
        self.root = root
        self.root_path = root_path  # absolute, for the links' check
        self.home = home
        self.limit = limit
        self.counts = _Counts()
        self.folders: list[tuple[list[str], int, float]] = []

    def parts(self, name: str) -> list[str] | None:
        parts = name.rstrip("/").split("/")
        if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
            return None
        return parts

    def folder(self, parts: list[str]) -> int:
        fd = os.dup(self.root)
        try:
            for part in parts:
                try:
                    child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    os.mkdir(part, 0o755, dir_fd=fd)
                    child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def member(
        self,
        name: str,
        kind: str,
        mode: int,
        mtime: float,
        link: str,
        data: Callable[[], IO[bytes]],
    ) -> None:
        parts = self.parts(name)
        if parts is None or kind == "other" or (kind == "link" and not self._stays_in(link, parts)):
            self.counts.skipped += 1
            return
        try:
            folder = self.folder(parts[:-1])
        except OSError as error:
            if error.errno in (errno.EDQUOT, errno.ENOSPC):
                raise
            self.counts.skipped += 1  # a link or a file where a folder should be
            return
        try:
            self._write(folder, parts, kind, mode, mtime, link, data)
        finally:
            os.close(folder)
        self.counts.report()

    def _write(
        self,
        folder: int,
        parts: list[str],
        kind: str,
        mode: int,
        mtime: float,
        link: str,
        data: Callable[[], IO[bytes]],
    ) -> None:
        name = parts[-1]
        existing = _lstat(folder, name)
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            if kind == "folder":
                self.folders.append((parts, mode, mtime))
            else:
                self.counts.skipped += 1  # nothing replaces a folder
            return
        if existing is not None:
            os.unlink(name, dir_fd=folder)  # a file or a link: replaced, never written through
        if kind == "folder":
            os.mkdir(name, 0o700, dir_fd=folder)
            self.folders.append((parts, mode, mtime))
        elif kind == "link":
            os.symlink(link, name, dir_fd=folder)
            self.counts.files += 1
        else:
            self._file(folder, name, mode, mtime, data())

    def _file(self, folder: int, name: str, mode: int, mtime: float, source: IO[bytes]) -> None:
        fd = os.open(name, _NEW_FLAGS, 0o600, dir_fd=folder)
        with open(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                if self.counts.bytes + len(chunk) > self.limit:
                    raise Refused(
                        "too_large",
                        f"unpacks to more than {self.limit} bytes; what fit was extracted",
                    )
                out.write(chunk)
                self.counts.bytes += len(chunk)
                self.counts.report()
            out.flush()
            os.fchmod(out.fileno(), mode & 0o777)
            os.utime(out.fileno(), (mtime, mtime))
        self.counts.files += 1

    def _stays_in(self, link: str, parts: list[str]) -> bool:
        if not link or "\0" in link or len(link) > _LINK_MAX:
            return False
        if link.startswith("/"):
            resolved = os.path.normpath(link)
        else:
            resolved = os.path.normpath(os.path.join(self.root_path, *parts[:-1], link))
        return resolved.startswith(self.home.rstrip("/") + "/")

    def finish(self) -> None:
        for parts, mode, mtime in reversed(self.folders):
            try:
                fd = self.folder(parts)
            except OSError:
                continue  # replaced meanwhile by the account itself: its business
            try:
                os.fchmod(fd, (mode & 0o777) | 0o700)  # the owner always keeps its way in
                os.utime(fd, (mtime, mtime))
            finally:
                os.close(fd)


def op_extract(home: Home, request: dict[str, Any]) -> dict[str, Any]:
    folder, name = home.parent(request["path"])
    try:
        fd = _open_regular(folder, name)
    finally:
        os.close(folder)
    with open(fd, "rb") as archive_file:
        root = home.folder(request["destination"])
        try:
            root_path = os.path.join(request["home"], request["destination"]).rstrip("/")
            extractor = _Extractor(root, root_path, request["home"], request["limit"])
            try:
                if request["format"] == "zip":
                    _unzip(archive_file, extractor)
                else:
                    _untar(archive_file, extractor)
            finally:
                extractor.finish()
        finally:
            os.close(root)
    counts = extractor.counts
    return {"files": counts.files, "bytes": counts.bytes, "skipped": counts.skipped}


def _untar(source: IO[bytes], extractor: _Extractor) -> None:
    try:
        with tarfile.open(fileobj=source, mode="r|gz") as archive:
            for member in archive:
                kind = (
                    "file"
                    if member.isreg()
                    else "folder"
                    if member.isdir()
                    else "link"
                    if member.issym()
                    else "other"
                )  # hard links, devices, FIFOs: "other", never made
                extractor.member(
                    member.name,
                    kind,
                    member.mode,
                    member.mtime,
                    member.linkname,
                    functools.partial(_tar_data, archive, member),
                )
    except (tarfile.TarError, EOFError, OSError) as error:
        if isinstance(error, OSError) and error.errno in _ERRNO_CODES:
            raise
        raise Refused("archive", f"is not a readable tar.gz archive ({error})") from None


def _tar_data(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    data = archive.extractfile(member)
    assert data is not None  # a regular file
    return data


def _unzip(source: IO[bytes], extractor: _Extractor) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused("archive", f"is not a readable zip archive ({error})") from None
    with archive:
        for info in archive.infolist():
            mode = info.external_attr >> 16
            link = ""
            if stat.S_ISLNK(mode):
                kind = "link"
                with archive.open(info) as member:
                    link = member.read(_LINK_MAX + 1).decode("utf-8", "replace")
            elif info.is_dir():
                kind = "folder"
            elif stat.S_IFMT(mode) == 0 or stat.S_ISREG(mode):  # no type: DOS-made, a file
                kind = "file"
            else:
                kind = "other"
            permissions = mode & 0o777 or (0o755 if kind == "folder" else 0o644)
            mtime = time.mktime((*info.date_time, 0, 0, -1))
            try:
                extractor.member(
                    info.filename,
                    kind,
                    permissions,
                    mtime,
                    link,
                    functools.partial(archive.open, info),
                )
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
                raise Refused("archive", f"is not a readable zip archive ({error})") from None


_OPS: dict[str, Callable[[Home, dict[str, Any]], dict[str, Any] | None]] = {
    "list": op_list,
    "read": op_read,
    "upload": op_upload,
    "upload_state": op_upload_state,
    "write_text": op_write_text,
    "mkdir": op_mkdir,
    "move": op_move,
    "copy": op_copy,
    "delete": op_delete,
    "chmod": op_chmod,
    "archive": op_archive,
    "extract": op_extract,
}


def _read_all(most: int) -> bytes:
    chunks, size = [], 0
    while size < most and (chunk := os.read(0, min(CHUNK, most - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _request_line(most: int = 1 << 20) -> bytes:
    """The first line of standard input, read a byte at a time: nothing after it is taken from
    the pipe, which an upload's bytes then leave by splice(2)."""
    line = bytearray()
    while len(line) < most and (byte := os.read(0, 1)) and byte != b"\n":
        line += byte
    return bytes(line)


def main() -> int:
    os.umask(0o022)
    try:
        request = json.loads(_request_line())
        operation = _OPS[request["op"]]
        home = Home(request["home"])
        result = operation(home, request)
    except Refused as refused:
        _emit({"error": refused.code, "message": refused.message, **refused.extra})
        return 1
    except OSError as error:
        code, message = _ERRNO_CODES.get(
            error.errno or 0, ("failed", os.strerror(error.errno or 0))
        )
        _emit({"error": code, "message": message})
        return 1
    if result is not None:
        _emit({"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
