"""Account uids: never given twice.

A uid is an identity: whatever a deleted account left behind that the kernel still counts as
its own (a setuid copy of a shell in a world-writable folder, a file in /dev/shm, a SysV
segment, a file inside another account's tree) would belong to the next account given the same
uid. useradd picks the lowest free one, so the agent picks instead: one above a high-water mark
it keeps in a root-only file, and never at or below the highest uid /etc/passwd holds in the
account range (an account made by hand, or a mark lost with a restored /var). The mark is
written (temporary file, fsync, rename, fsync of the folder) *before* useradd runs, so a crash
in between wastes a uid rather than giving one twice. The same number is the account's gid: a
uid the mark passes over is skipped when a user or a group of any kind already has it.

Callers hold the accounts lock (users.py), so one allocation runs at a time.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path
from typing import Final

from agent.errors import FailedPrecondition, Internal
from agent.system.base.files import write_atomic

HIGH_WATER_PATH: Final = Path("/var/lib/jopanel/agent/uid-high-water")
FIRST_UID: Final = 1000
# Debian's UID_MAX and GID_MAX (login.defs); above them lie nobody (65534) and subuid ranges.
LAST_UID: Final = 59999
DIRECTORY_MODE: Final = 0o700
FILE_MODE: Final = 0o600


def high_water(path: Path = HIGH_WATER_PATH) -> int:
    """The highest uid ever given to an account (FIRST_UID - 1 before the first)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return FIRST_UID - 1
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise Internal(f"{path} must be a regular file that only root can write to")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not text.isdigit() or not FIRST_UID - 1 <= int(text) <= LAST_UID:
        raise Internal(f"{path} is damaged; it should hold the highest uid given to an account")
    return int(text)


def reserve(path: Path = HIGH_WATER_PATH) -> int:
    """A uid (and gid) no account ever had, recorded as given before it is used."""
    candidate = max(high_water(path), _highest_account_uid()) + 1
    while candidate <= LAST_UID and _taken(candidate):
        candidate += 1
    if candidate > LAST_UID:
        raise FailedPrecondition(f"every account uid up to {LAST_UID} has been given")
    _ensure_directory(path.parent)
    write_atomic(path, f"{candidate}\n", FILE_MODE)
    return candidate


def _highest_account_uid() -> int:
    in_range = [e.pw_uid for e in pwd.getpwall() if FIRST_UID <= e.pw_uid <= LAST_UID]
    return max(in_range, default=FIRST_UID - 1)


def _taken(number: int) -> bool:
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(number)
        except KeyError:
            continue
        return True
    return False


def _ensure_directory(directory: Path) -> None:
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise Internal(f"{directory} must be a directory that only root can write to")
