"""Where a proxy backend's application listens: a socket in the account's socket folder, or a
TCP port that no other user's program holds.

**Sockets.** `<app_socket_dir>/<account>/<name>.sock` (by default /home/.apps/A/x.sock):

    /home/.apps        root:root 0711, mounted nosymfollow (its own bind mount)
    /home/.apps/A      root:A 0770, ACL u:www-data:--x

Only A (its group) may create entries in its folder; nginx (www-data) may only pass through to
connect; other accounts cannot enter, so they can neither create A's socket nor connect to it.
A can still put a symbolic link where the socket goes (to another account's socket, to the
panel's): nginx's connect(2) would follow it, and nothing in nginx can stop that. So the folder
tree is mounted `nosymfollow` (Linux 5.10): no link in it is ever followed, by anyone; connect
fails with ELOOP and nginx answers 502. The agent does not make that mount (a mount made in its
own namespace would not be nginx's); the installer and the sandbox do, and the agent refuses a
socket backend (FAILED_PRECONDITION) while the folder is not on such a mount. The folder is on
/home's filesystem, so what A puts there counts against its disk and inode quotas. The root of
A's folder belongs to root, so A cannot swap the folder itself for a link either.

**Ports.** Any user may listen on any free port of 1024 and above, so a TCP backend is safe
only while the account's own application holds the port. A port on which a program of another
user listens (a system service, another account's application) is refused; /proc/net/tcp and
tcp6 say who listens (the network namespace is the server's).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from pathlib import Path
from typing import Final

from agent.errors import FailedPrecondition, InvalidArgument
from agent.system.base import acl
from agent.system.web.webroots import Owner, web_server_uid

ST_NOSYMFOLLOW: Final = 0x2000  # statvfs f_flag, <sys/statvfs.h>
FOLDER_MODE: Final = 0o770
_DIR_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_TCP_LISTEN: Final = "0A"
_PROC_NET: Final = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def prepare_folder(root: Path, owner: Owner, socket: str, field: str) -> None:
    """<root>/<account>: root:<account> 0770 with www-data allowed to pass through; and the
    socket's name there is no link now (one planted later is not followed either: the mount)."""
    top = _open_root(root)
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(owner.name, FOLDER_MODE, dir_fd=top)
        try:
            folder = os.open(owner.name, _DIR_FLAGS, dir_fd=top)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                raise FailedPrecondition(f"{root / owner.name} is not a folder") from None
            raise
    finally:
        os.close(top)
    try:
        if os.fstat(folder).st_uid != 0:
            raise FailedPrecondition(f"{root / owner.name} is not root's; move it away")
        os.fchown(folder, 0, owner.gid)
        os.fchmod(folder, FOLDER_MODE)
        acl.grant_user(folder, web_server_uid(), acl.EXECUTE)
        _refuse_link(folder, Path(socket).name, field)
    finally:
        os.close(folder)


def _refuse_link(folder: int, name: str, field: str) -> None:
    try:
        info = os.lstat(name, dir_fd=folder)
    except FileNotFoundError:
        return  # the application makes it when it starts
    if stat.S_ISLNK(info.st_mode):
        raise InvalidArgument(
            field, "is a symbolic link; only the application's socket may be there"
        )


def remove_folder(root: Path, account: str) -> None:
    """Removes the account's socket folder (its processes are gone: nothing races the walk,
    which goes by descriptors and never follows a link anyway)."""
    try:
        top = os.open(root, _DIR_FLAGS)
    except OSError:
        return
    try:
        shutil.rmtree(account, dir_fd=top)
    except FileNotFoundError:
        pass
    finally:
        os.close(top)


def _open_root(root: Path) -> int:
    """The socket folders' root: a folder of root's, on a nosymfollow mount."""
    try:
        top = os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        raise FailedPrecondition(_mount_hint(root, "is missing")) from None
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise FailedPrecondition(f"{root} must be a folder, not a link") from None
        raise
    info = os.fstat(top)
    if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        os.close(top)
        raise FailedPrecondition(f"{root} must be root's and writable by root alone")
    if not os.fstatvfs(top).f_flag & ST_NOSYMFOLLOW:
        os.close(top)
        raise FailedPrecondition(_mount_hint(root, "is not mounted nosymfollow"))
    return top


def _mount_hint(root: Path, problem: str) -> str:
    return (
        f"{root} {problem}: socket backends need it (mkdir -m 0711 {root}; fstab: "
        f"'{root} {root} none bind,nosymfollow 0 0'), so no link there is followed"
    )


def check_port_free_for(port: int, owner: Owner, field: str) -> None:
    """INVALID_ARGUMENT when a program of another user than the account listens on the port."""
    others = listeners(port) - {owner.uid}
    if others:
        raise InvalidArgument(
            field,
            "is a port another user's program listens on (a service of the server or another"
            " account); use a socket",
        )


def listeners(port: int) -> set[int]:
    """The uids of the TCP sockets listening on this port, IPv4 and IPv6."""
    found: set[int] = set()
    for table in _PROC_NET:
        try:
            lines = table.read_text().splitlines()[1:]
        except FileNotFoundError:  # no IPv6 in this kernel
            continue
        for line in lines:
            fields = line.split()
            local, state, uid = fields[1], fields[3], fields[7]
            if state == _TCP_LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                found.add(int(uid))
    return found
