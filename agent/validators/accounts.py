"""AccountService's fields: account names (and the reserved ones), passwords, shells, quotas."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from typing import Final, NewType

from jopanel.agent.accounts.v1 import accounts_pb2

from agent.errors import InvalidArgument
from agent.validators.common import MAX_PAGE_SIZE
from jopanel_rules.accounts import ACCOUNT_NAME_PATTERN as ACCOUNT_NAME_PATTERN
from jopanel_rules.accounts import ACCOUNT_NAME_RULE, is_reserved

AccountName = NewType("AccountName", str)
# A password that passed `password`; the empty string means "no password" (login by it locked).
Password = NewType("Password", str)
# The absolute path of a login shell from the whitelist below.
LoginShell = NewType("LoginShell", str)
# A disk quota in MiB: 0 (no limit) up to DISK_QUOTA_MAX_MB.
DiskQuotaMb = NewType("DiskQuotaMb", int)
# An inode quota (files, folders, links an account may own): 0 (no limit) up to INODE_QUOTA_MAX.
InodeQuota = NewType("InodeQuota", int)


PASSWORD_MIN: Final = 8
PASSWORD_MAX: Final = 128

NOLOGIN: Final = LoginShell("/usr/sbin/nologin")
# The shells an account may have, by the wire value of the Shell enum.
LOGIN_SHELLS: Final[Mapping[accounts_pb2.Shell.ValueType, LoginShell]] = {
    accounts_pb2.SHELL_NOLOGIN: NOLOGIN,
    accounts_pb2.SHELL_BASH: LoginShell("/bin/bash"),
    accounts_pb2.SHELL_SH: LoginShell("/bin/sh"),
}


def account_name(value: str, field: str = "name") -> AccountName:
    # fullmatch, not match with "$": "$" also matches before a trailing newline.
    if not ACCOUNT_NAME_PATTERN.fullmatch(value):
        raise InvalidArgument(field, ACCOUNT_NAME_RULE)
    if is_reserved(value):
        raise InvalidArgument(field, "is reserved for the system; choose another name")
    return AccountName(value)


def account_filter(value: str, field: str = "account") -> AccountName | None:
    """A list's account: a valid name, or empty for every account's (None)."""
    return account_name(value, field) if value else None


def account_names(values: Collection[str], field: str = "names") -> tuple[AccountName, ...]:
    """1 to MAX_PAGE_SIZE account names, each valid, in name order without repeats."""
    if not 1 <= len(values) <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"give 1 to {MAX_PAGE_SIZE} names")
    return tuple(sorted({account_name(value, field) for value in values}))


def password(value: str, field: str = "password") -> Password:
    """An empty password means none; otherwise 8..128 characters without control characters."""
    if value and not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise InvalidArgument(
            field, f"must be empty (no password) or {PASSWORD_MIN} to {PASSWORD_MAX} characters"
        )
    # Category Cc is C0 (including NUL, CR, LF), DEL and C1: chpasswd reads one line per user.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(field, "must not contain control characters")
    return Password(value)


def login_shell(value: accounts_pb2.Shell.ValueType, field: str = "shell") -> LoginShell:
    """A Shell enum value; SHELL_UNSPECIFIED and numbers the proto does not define are refused."""
    shell = LOGIN_SHELLS.get(value)
    if shell is None:
        raise InvalidArgument(field, "must be SHELL_NOLOGIN, SHELL_BASH or SHELL_SH")
    return shell


# The kernel counts inodes in 64 bits; the proto field is 32 bits.
INODE_QUOTA_MAX: Final = 2**32 - 1
# 16 TiB: more than any one server offers, and far below what the kernel counts.
DISK_QUOTA_MAX_MB: Final = 16 * 1024 * 1024


def inode_quota(value: int, field: str = "inode_quota") -> InodeQuota:
    if not 0 <= value <= INODE_QUOTA_MAX:
        raise InvalidArgument(field, f"must be 0 (no limit) to {INODE_QUOTA_MAX}")
    return InodeQuota(value)


def disk_quota_mb(value: int, field: str = "disk_quota_mb") -> DiskQuotaMb:
    if not 0 <= value <= DISK_QUOTA_MAX_MB:
        raise InvalidArgument(field, f"must be 0 (no limit) to {DISK_QUOTA_MAX_MB} MiB")
    return DiskQuotaMb(value)
