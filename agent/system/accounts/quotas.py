"""Disk quotas: hard limits on the space an account's files take and on how many files,
folders and links (inodes) it owns, kept by the kernel.

The limits are Linux user quotas on the filesystem that holds /home (ext4 with the quota
feature or XFS, mounted with usrquota): the kernel charges every block a file takes to the
file's owner, wherever in that filesystem it lies and whichever program writes it, and refuses
the write that would pass the limit with EDQUOT. Nothing an account does can escape it: a
user cannot give files away (chown needs root), and space is charged when it is allocated.
The inode limit is the same user quota's other half: without it, an account within its disk
quota could still fill the filesystem's inode table with millions of empty files (ext4 has a
fixed number of inodes), and every other account would get ENOSPC.
(btrfs subvolume quotas were rejected: any user may create a subvolume inside its home, and
what it writes there is charged to no limit; docs/agent.md shows the test.)

The agent asks the kernel directly through quotactl_fd(2) (Linux 5.14 and later, Debian 12
has 6.1), which names the filesystem by an open directory: no device lookup, no quota tools,
no process per call, so reading an account's usage costs microseconds and GetAccount can show
it. The structures are those of <linux/quota.h> and <linux/dqblk_xfs.h>.

A filesystem without quota support (overlayfs, tmpfs, a kernel built without a quota format)
or mounted without usrquota simply does not enforce: usage reads as unknown, and setting a
limit fails with FAILED_PRECONDITION that says how to turn quotas on. Removing a limit is
always possible.
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import FailedPrecondition, Internal
from agent.validators.accounts import DiskQuotaMb, InodeQuota

# quotactl_fd(2) has this number on every architecture Linux shares the generic table with
# (x86_64 and arm64 included).
SYS_QUOTACTL_FD: Final = 443
USRQUOTA: Final = 0
Q_GETQUOTA: Final = 0x800007
Q_SETQUOTA: Final = 0x800008
Q_XGETQSTAT: Final = (ord("X") << 8) + 5
QIF_BLIMITS: Final = 1
QIF_ILIMITS: Final = 4
# Limits are counted in blocks of this size (QIF_DQBLKSIZE); usage is in bytes.
QUOTA_BLOCK: Final = 1024
FS_QUOTA_UDQ_ENFD: Final = 1 << 1
MIB: Final = 1024 * 1024

_libc = ctypes.CDLL(None, use_errno=True)


class _DiskQuotaBlock(ctypes.Structure):
    """struct if_dqblk"""

    _fields_ = [
        ("bhardlimit", ctypes.c_uint64),
        ("bsoftlimit", ctypes.c_uint64),
        ("curspace", ctypes.c_uint64),
        ("ihardlimit", ctypes.c_uint64),
        ("isoftlimit", ctypes.c_uint64),
        ("curinodes", ctypes.c_uint64),
        ("btime", ctypes.c_uint64),
        ("itime", ctypes.c_uint64),
        ("valid", ctypes.c_uint32),
    ]


class _QuotaFileStat(ctypes.Structure):
    """struct fs_qfilestat"""

    _fields_ = [("ino", ctypes.c_uint64), ("nblks", ctypes.c_uint64), ("nextents", ctypes.c_uint32)]


class _QuotaState(ctypes.Structure):
    """struct fs_quota_stat: only qs_flags is read."""

    _fields_ = [
        ("version", ctypes.c_int8),
        ("flags", ctypes.c_uint16),
        ("pad", ctypes.c_int8),
        ("uquota", _QuotaFileStat),
        ("gquota", _QuotaFileStat),
        ("incoredqs", ctypes.c_uint32),
        ("btimelimit", ctypes.c_int32),
        ("itimelimit", ctypes.c_int32),
        ("rtbtimelimit", ctypes.c_int32),
        ("bwarnlimit", ctypes.c_uint16),
        ("iwarnlimit", ctypes.c_uint16),
    ]


@dataclass(frozen=True)
class DiskUsage:
    used_bytes: int
    limit_bytes: int  # 0: no limit
    used_inodes: int = 0
    inode_limit: int = 0  # 0: no limit


class DiskQuotas:
    """User quotas on the filesystem that holds `root` (the homes)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def enforced(self) -> bool:
        """Whether that filesystem enforces user quota limits now."""
        state = _QuotaState()
        try:
            self._quotactl(Q_XGETQSTAT, 0, state)
        except OSError:
            return False
        return bool(state.flags & FS_QUOTA_UDQ_ENFD)

    def usage(self, uid: int) -> DiskUsage | None:
        """What the user's files take and its limit; None where quotas are not enforced."""
        return self.usages([uid]).get(uid)

    def usages(self, uids: Iterable[int]) -> dict[int, DiskUsage]:
        """usage() of several users, asking once whether quotas are enforced (empty if not)."""
        if not self.enforced():
            return {}
        found: dict[int, DiskUsage] = {}
        for uid in uids:
            block = _DiskQuotaBlock()
            self._quotactl(Q_GETQUOTA, uid, block)
            found[uid] = DiskUsage(
                block.curspace, block.bhardlimit * QUOTA_BLOCK, block.curinodes, block.ihardlimit
            )
        return found

    def require_enforced(self) -> None:
        if not self.enforced():
            raise FailedPrecondition(
                f"disk quotas are not enforced on the filesystem of {self._root}: mount it with"
                " usrquota (ext4 or XFS) to set a limit"
            )

    def set_limit(self, uid: int, limit_mb: DiskQuotaMb) -> None:
        """Sets the user's hard limit on space; 0 removes it."""
        self.set_limits(uid, disk_mb=limit_mb)

    def set_limits(
        self, uid: int, *, disk_mb: DiskQuotaMb | None = None, inodes: InodeQuota | None = None
    ) -> None:
        """Sets the user's hard limits on space and on inodes, those given (None leaves one as it
        is); 0 removes a limit (and is no error where none is enforced)."""
        if not disk_mb and not inodes and not self.enforced():
            return
        self.require_enforced()
        block = _DiskQuotaBlock(bsoftlimit=0, isoftlimit=0, valid=0)
        if disk_mb is not None:
            block.bhardlimit = disk_mb * (MIB // QUOTA_BLOCK)
            block.valid |= QIF_BLIMITS
        if inodes is not None:
            block.ihardlimit = inodes
            block.valid |= QIF_ILIMITS
        if block.valid:
            self._quotactl(Q_SETQUOTA, uid, block)

    def _quotactl(self, command: int, uid: int, data: ctypes.Structure) -> None:
        directory = os.open(self._root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            done = _libc.syscall(
                SYS_QUOTACTL_FD,
                ctypes.c_uint(directory),
                ctypes.c_uint((command << 8) | USRQUOTA),
                ctypes.c_int(uid),
                ctypes.byref(data),
            )
        finally:
            os.close(directory)
        if done != 0:
            code = ctypes.get_errno()
            if command == Q_XGETQSTAT:
                raise OSError(code, os.strerror(code))
            # The filesystem said it enforces quotas a moment ago: anything else is a fault.
            raise Internal("quotactl failed", f"{errno.errorcode.get(code, code)} for uid {uid}")
