"""What a deleted account owned outside its home: removed before its user goes.

Its uid is never given again (uids.py), so nothing left behind can become another account's;
still, a setuid copy of a shell in /var/tmp, files in /tmp and /dev/shm, SysV shared memory,
semaphores and message queues, and a mail spool are the account's data and must not outlive it.
Its private /tmp and /var/tmp (private_tmp.py) are folders of its own in root's folders in
/home: removed whole (private_tmp.remove_instances).

The shared temporary folders are world-writable and sticky: every account can plant links,
FIFOs and devices there, and swap a folder for a link at any moment. So they are walked with
descriptors: a folder is entered only through openat(O_DIRECTORY | O_NOFOLLOW) relative to its
parent and only on the folder's own filesystem, an entry is examined with fstatat(
AT_SYMLINK_NOFOLLOW), and what belongs to the uid is removed with unlinkat. Nothing but folders
is ever opened, and no link is ever followed: a planted link is removed as the link it is.
(In a sticky folder no other account can replace the uid's entry between the check and the
unlinkat; elsewhere only the folder's writer can, and it could remove that entry itself.)

SysV objects are found in /proc/sysvipc (by owner or creator uid) and removed with ipcrm.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.system.accounts import private_tmp
from agent.system.base import process
from agent.system.base.process import Limits

logger = logging.getLogger(__name__)

SHARED_TEMPORARY: Final = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))  # noqa: S108
MAIL_SPOOL: Final = Path("/var/mail")
SYSVIPC: Final = Path("/proc/sysvipc")
# ipcrm's option for each kind of object, by its file in /proc/sysvipc.
IPC_KINDS: Final = {"shm": "-m", "sem": "-s", "msg": "-q"}
# The id column's name in each file.
_IPC_ID_COLUMNS: Final = {"shm": "shmid", "sem": "semid", "msg": "msqid"}
# A folder deeper than this is left as it is (and logged): a bound on the descriptors held.
MAX_DEPTH: Final = 64
_DIR_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass
class Removal:
    """What a cleanup removed, and what it had to leave (logged)."""

    removed: int = 0
    left: int = 0


async def remove(uid: int, name: str, limits: Limits) -> Removal:
    """Removes what uid owns in the shared temporary folders, its SysV IPC objects and the
    mail spool of `name`. Run after the account's processes are stopped."""
    removal = Removal()
    for root in SHARED_TEMPORARY:
        # Off the event loop: a big /tmp must not stall every other RPC meanwhile.
        await asyncio.to_thread(_remove_owned_below, root, uid, removal)
    removal.left += private_tmp.remove_instances(name)
    await _remove_ipc(uid, removal, limits)
    _remove_mail_spool(name, removal)
    if removal.left:
        logger.warning("deleting uid %d left %d objects it owned", uid, removal.left)
    return removal


def _remove_owned_below(root: Path, uid: int, removal: Removal) -> None:
    try:
        fd = os.open(root, _DIR_FLAGS)
    except OSError:
        return  # not there, or not a folder (a link): nothing of anyone's to walk
    try:
        _walk(fd, os.fstat(fd).st_dev, uid, removal, depth=0)
    finally:
        os.close(fd)


def _walk(directory: int, device: int, uid: int, removal: Removal, depth: int) -> None:
    """Removes every entry of uid below `directory`, its folders once emptied (post-order)."""
    for name in _names(directory):
        try:
            info = os.stat(name, dir_fd=directory, follow_symlinks=False)
        except OSError:
            continue  # gone meanwhile
        if stat.S_ISDIR(info.st_mode):
            if info.st_dev == device:
                _enter(directory, name, device, uid, removal, depth)
            if info.st_uid == uid:
                _unlink(directory, name, removal, folder=True)
        elif info.st_uid == uid:
            _unlink(directory, name, removal, folder=False)


def _enter(directory: int, name: str, device: int, uid: int, removal: Removal, depth: int) -> None:
    if depth >= MAX_DEPTH:
        removal.left += 1
        return
    with _opened(directory, name) as child:
        if child is None:
            return
        try:
            here = os.fstat(child).st_dev
        except OSError:
            return  # removed since it was opened (some file systems say so to fstat too)
        # Swapped for another filesystem's folder since the check: not ours to walk.
        if here == device:
            _walk(child, device, uid, removal, depth + 1)


@contextlib.contextmanager
def _opened(directory: int, name: str) -> Iterator[int | None]:
    try:
        child = os.open(name, _DIR_FLAGS, dir_fd=directory)
    except OSError:
        yield None  # swapped for a link or a file since the check: never followed
        return
    try:
        yield child
    finally:
        os.close(child)


def _names(directory: int) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def _unlink(directory: int, name: str, removal: Removal, *, folder: bool) -> None:
    try:
        if folder:
            os.rmdir(name, dir_fd=directory)
        else:
            os.unlink(name, dir_fd=directory)
    except FileNotFoundError:
        return
    except OSError as error:
        # A folder still holding other accounts' files (they stay theirs), a file swapped
        # for a folder: left, and counted.
        if error.errno not in (errno.ENOTEMPTY, errno.EISDIR, errno.EEXIST, errno.EBUSY):
            logger.warning("could not remove %s: %s", name, error)
        removal.left += 1
        return
    removal.removed += 1


async def _remove_ipc(uid: int, removal: Removal, limits: Limits) -> None:
    for kind, option in IPC_KINDS.items():
        for ipc_id in owned_ipc_ids(kind, uid):
            argv = ["ipcrm", option, str(ipc_id)]
            completed = await process.run(argv, ok_codes=range(256), limits=limits)
            if completed.returncode == 0:
                removal.removed += 1
            else:
                removal.left += 1


def owned_ipc_ids(kind: str, uid: int, sysvipc: Path = SYSVIPC) -> list[int]:
    """The ids of the SysV objects of a kind (shm, sem, msg) that uid owns or created."""
    try:
        lines = (sysvipc / kind).read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return []
    if not lines:
        return []
    header = lines[0].split()
    try:
        columns = (header.index(_IPC_ID_COLUMNS[kind]), header.index("uid"), header.index("cuid"))
    except (KeyError, ValueError):
        return []
    found = []
    for line in lines[1:]:
        fields = line.split()
        try:
            ipc_id, owner, creator = (int(fields[c]) for c in columns)
        except (IndexError, ValueError):
            continue
        if uid in (owner, creator):
            found.append(ipc_id)
    return found


def _remove_mail_spool(name: str, removal: Removal) -> None:
    """/var/mail/<name>: root's folder (group mail), so no account plants anything there; an
    unlink removes a link itself, never its target."""
    try:
        os.unlink(MAIL_SPOOL / name)
    except FileNotFoundError:
        return
    except OSError as error:
        logger.warning("could not remove the mail spool of %s: %s", name, error)
        removal.left += 1
        return
    removal.removed += 1
