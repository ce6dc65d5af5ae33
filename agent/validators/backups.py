"""Validators of BackupService's fields: pure functions, tested on their own with hostile input."""

from __future__ import annotations

import re
from typing import Final, NewType

from agent.errors import InvalidArgument

BackupId = NewType("BackupId", str)
# A path below an account's home, as given: segments joined by '/', none empty, '.' or '..'.
HomePath = NewType("HomePath", str)
# A name the caller gives a backup or restore, to cancel it by: 32 lowercase hex digits.
JobId = NewType("JobId", str)
# The most backups a retention keeps per kind (days, weeks, months).
KEEP_MAX: Final = 1000

_BACKUP_ID: Final = re.compile(r"[0-9a-f]{32}")
_MAX_PATH_BYTES: Final = 4096
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def backup_id(value: str, field: str = "backup_id") -> BackupId:
    if not _BACKUP_ID.fullmatch(value):
        raise InvalidArgument(field, "must be 32 lowercase hexadecimal digits")
    return BackupId(value)


def job_id(value: str, field: str = "job_id") -> JobId:
    if not _BACKUP_ID.fullmatch(value):
        raise InvalidArgument(field, "must be 32 lowercase hexadecimal digits")
    return JobId(value)


def keep_count(value: int, field: str) -> int:
    if not 0 <= value <= KEEP_MAX:
        raise InvalidArgument(field, f"must be 0 to {KEEP_MAX}")
    return value


def home_path(value: str, field: str = "path") -> HomePath:
    """A folder or file below the home, relative to it. '..', '.', empty segments and absolute
    paths are refused rather than cleaned: a request that means something else is a mistake or
    an attack, never a path to guess at."""
    if not value or len(value.encode("utf-8", errors="replace")) > _MAX_PATH_BYTES:
        raise InvalidArgument(field, f"must be 1 to {_MAX_PATH_BYTES} bytes")
    if _CONTROL.search(value):
        raise InvalidArgument(field, "must not hold control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(field, "must be UTF-8") from None
    if any(segment in ("", ".", "..") for segment in value.split("/")):
        raise InvalidArgument(
            field, "must be relative to the home, segments separated by '/', none '.' or '..'"
        )
    return HomePath(value)
