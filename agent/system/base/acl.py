"""POSIX access ACL entries, set through an open file descriptor.

setfacl takes a path and resolves it again, and inside an account's tree that path could have
become a symlink in the meantime. Writing the `system.posix_acl_access` attribute through a
descriptor opened with O_NOFOLLOW changes exactly the directory that was checked. The value is
the kernel's binary ACL format (linux/posix_acl_xattr.h): a version header, then (tag, perm, id)
entries sorted by tag and id.
"""

from __future__ import annotations

import errno
import os
import struct
from typing import Final

ACCESS_ACL: Final = "system.posix_acl_access"
_VERSION: Final = 2
_HEADER: Final = struct.Struct("<I")
_ENTRY: Final = struct.Struct("<HHI")
USER_OBJ: Final = 0x01
USER: Final = 0x02
GROUP_OBJ: Final = 0x04
GROUP: Final = 0x08
MASK: Final = 0x10
OTHER: Final = 0x20
_NO_ID: Final = 0xFFFFFFFF
# The entries whose permissions the mask bounds (and so must cover).
_GROUP_CLASS: Final = (USER, GROUP_OBJ, GROUP)

READ: Final = 4
EXECUTE: Final = 1

Entries = dict[tuple[int, int], int]


def grant_user(fd: int, uid: int, permissions: int) -> None:
    """Adds `permissions` for user `uid` to the open file's access ACL (like setfacl -m)."""
    current = read_entries(fd)
    entries = dict(current)
    entries[(USER, uid)] = entries.get((USER, uid), 0) | permissions
    # As setfacl does, the mask becomes the union of the group class so the grant takes effect.
    mask = 0
    for (tag, _), perms in entries.items():
        if tag in _GROUP_CLASS:
            mask |= perms
    entries[(MASK, _NO_ID)] = mask
    if entries != current:
        os.setxattr(fd, ACCESS_ACL, encode(entries))


def read_entries(fd: int) -> Entries:
    """The file's access ACL; a file without one has the three entries of its mode."""
    try:
        return decode(os.getxattr(fd, ACCESS_ACL))
    except OSError as error:
        if error.errno != errno.ENODATA:
            raise
    mode = os.fstat(fd).st_mode
    return {
        (USER_OBJ, _NO_ID): (mode >> 6) & 7,
        (GROUP_OBJ, _NO_ID): (mode >> 3) & 7,
        (OTHER, _NO_ID): mode & 7,
    }


def encode(entries: Entries) -> bytes:
    body = b"".join(_ENTRY.pack(tag, perms, id_) for (tag, id_), perms in sorted(entries.items()))
    return _HEADER.pack(_VERSION) + body


def decode(data: bytes) -> Entries:
    if len(data) < _HEADER.size or (len(data) - _HEADER.size) % _ENTRY.size:
        raise ValueError("malformed POSIX ACL attribute")
    (version,) = _HEADER.unpack_from(data)
    if version != _VERSION:
        raise ValueError(f"unknown POSIX ACL version {version}")
    entries: Entries = {}
    for offset in range(_HEADER.size, len(data), _ENTRY.size):
        tag, perms, id_ = _ENTRY.unpack_from(data, offset)
        entries[(tag, id_)] = perms
    return entries
