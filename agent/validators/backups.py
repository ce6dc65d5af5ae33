"""Validators of BackupService's fields: pure functions, tested on their own with hostile input."""

from __future__ import annotations

import ipaddress
import re
from typing import Final, NewType

from agent.errors import InvalidArgument
from agent.validators import common

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


_SNAPSHOT_ID: Final = re.compile(r"[0-9a-f]{64}")


def snapshot_id(value: str, field: str = "backup_id") -> str:
    if not _SNAPSHOT_ID.fullmatch(value):
        raise InvalidArgument(field, "must be 64 lowercase hexadecimal digits")
    return value


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


# Remote repositories (CreateBackupRepository). Each value below ends up in a restic repository
# string, an ssh argv or a file the agent writes: the patterns leave no room for an option
# (a leading '-'), a space, a quote, a ':' or '@' where restic splits, or a control character.
RepositoryName = NewType("RepositoryName", str)
LOCAL_REPOSITORY: Final = "local"
_REPOSITORY_NAME: Final = re.compile(r"[a-z][a-z0-9-]{0,31}")
_REMOTE_USER: Final = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_SEGMENT: Final = re.compile(r"[A-Za-z0-9._-]+")
_REMOTE_PATH_MAX: Final = 255
_BUCKET: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REGION: Final = re.compile(r"[a-z0-9-]{1,32}")
_ACCESS_KEY_ID: Final = re.compile(r"[A-Za-z0-9]{16,128}")
_PRIVATE_KEY_MAX: Final = 16 * 1024
_PRIVATE_KEY: Final = re.compile(
    r"-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n?"
)


def repository_name(value: str, field: str = "repository") -> RepositoryName:
    if not _REPOSITORY_NAME.fullmatch(value) or value == LOCAL_REPOSITORY:
        raise InvalidArgument(field, "must match ^[a-z][a-z0-9-]{0,31}$ and not be 'local'")
    return RepositoryName(value)


def remote_port(value: int, field: str) -> int:
    if value == 0:
        return 22
    if not 1 <= value <= 65535:
        raise InvalidArgument(field, "must be 1 to 65535 (0: 22)")
    return value


def remote_user(value: str, field: str) -> str:
    if not _REMOTE_USER.fullmatch(value):
        raise InvalidArgument(field, "must match ^[a-z_][a-z0-9_.-]{0,31}$")
    return value


def remote_path(value: str, field: str, *, absolute: bool) -> str:
    """A path on the remote side: segments of [A-Za-z0-9._-], none '.' or '..'; refused, never
    cleaned, like home_path."""
    if len(value) > _REMOTE_PATH_MAX:
        raise InvalidArgument(field, f"must be at most {_REMOTE_PATH_MAX} bytes")
    if absolute != value.startswith("/"):
        raise InvalidArgument(field, "must be absolute" if absolute else "must be relative")
    segments = value.removeprefix("/").split("/")
    if not all(_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments):
        raise InvalidArgument(field, "must be segments of [A-Za-z0-9._-], none '.' or '..'")
    return value


def bucket(value: str, field: str) -> str:
    if not _BUCKET.fullmatch(value) or ".." in value:
        raise InvalidArgument(field, "must be 3 to 63 of [a-z0-9.-], a letter or digit at each end")
    return value


def region(value: str, field: str) -> str:
    if value and not _REGION.fullmatch(value):
        raise InvalidArgument(field, "must be empty or match ^[a-z0-9-]{1,32}$")
    return value


def access_key_id(value: str, field: str) -> str:
    if not _ACCESS_KEY_ID.fullmatch(value):
        raise InvalidArgument(field, "must match ^[A-Za-z0-9]{16,128}$")
    return value


def secret(value: str, field: str, low: int, high: int, *, spaces: bool) -> str:
    """A password or secret key: printable ASCII, no line break; spaces only where allowed."""
    if not low <= len(value) <= high or not value.isascii() or not value.isprintable():
        raise InvalidArgument(field, f"must be {low} to {high} printable ASCII characters")
    if not spaces and " " in value:
        raise InvalidArgument(field, "must not hold a space")
    return value


def private_key(value: str, field: str) -> str:
    """An OpenSSH private key's text; that it is one (and unencrypted) ssh-keygen checks."""
    if len(value) > _PRIVATE_KEY_MAX or not _PRIVATE_KEY.fullmatch(value):
        raise InvalidArgument(field, "must be an OpenSSH private key (at most 16 KiB)")
    return value if value.endswith("\n") else value + "\n"


def remote_host(value: str, field: str) -> str:
    """A host name (the common rule) or an IP address (IPv6 as restic takes it, in brackets
    only where a port follows: the agent adds them)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return common.hostname(value, field)


def endpoint(value: str, field: str) -> str:
    """https://<host>[:port] and nothing more: no user, path, query or plain http (the keys
    would cross the network in the clear)."""
    rest = value.removeprefix("https://")
    if rest == value or not rest:
        raise InvalidArgument(field, "must be https://<host>[:port]")
    host, _, port = rest.partition(":")
    remote_host(host, field)
    if port and (not port.isdigit() or not 1 <= int(port) <= 65535 or port.startswith("0")):
        raise InvalidArgument(field, "must be https://<host>[:port], port 1 to 65535")
    return value


_PLAN_NAME: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_PRINTABLE: Final = re.compile(r"[\x20-\x7e]{1,200}")


def plan_name(value: str, field: str = "plan") -> str:
    """A plan's name as the panel names plans (gateway/models/plans.py); empty for none."""
    if value and not _PLAN_NAME.fullmatch(value):
        raise InvalidArgument(field, "must be ^[a-z0-9][a-z0-9_-]{0,63}$ or empty")
    return value


def certificate_name(value: str, field: str) -> str:
    """A host name a certificate covers: a hostname, or "*." and one."""
    wildcard = value.startswith("*.")
    name = common.hostname(value.removeprefix("*."), field)
    return f"*.{name}" if wildcard else name


def issuer(value: str, field: str = "issuer") -> str:
    if not _PRINTABLE.fullmatch(value):
        raise InvalidArgument(field, "must be 1 to 200 printable ASCII characters")
    return value


def source_uid(value: int, taken: bool, field: str = "source_uid") -> int:
    """The uid a backup of another server's (or a deleted) account was made under: no user of
    this server may have it, so no live tenant's backups can be named this way."""
    if not 1000 <= value < 2**31 or taken:
        raise InvalidArgument(
            field, "must be the uid of a backup's account that no user of this server has"
        )
    return value
