"""DatabaseService's fields: database and user names under their account's prefix, passwords."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Final, NewType

from agent.errors import InvalidArgument
from agent.validators.accounts import PASSWORD_MAX, PASSWORD_MIN, AccountName
from agent.validators.common import MAX_PAGE_SIZE
from jopanel_rules.databases import DATABASE_NAME_MAX, DATABASE_SUFFIX_PATTERN, DATABASE_USER_MAX

# Hosted databases. Names become SQL identifiers (between backticks) and folder names in
# MariaDB's data directory, so they are held to [a-z0-9_]. Each starts with its account's name
# and "_"; the prefix alone does not prove ownership ("bob_x_shop" fits accounts "bob" and
# "bob_x"), the agent's ownership record does (agent/system/databases/database_owners.py).

DatabaseName = NewType("DatabaseName", str)
DatabaseUserName = NewType("DatabaseUserName", str)
# 8 to 128 characters without control characters, never empty: a database user without a
# password would be open to every local process.
DatabasePassword = NewType("DatabasePassword", str)

# MariaDB's and the panel's own. The prefix rule keeps most out ("mysql" and "sys" are reserved
# account names), but "information_schema" would fit an account named "information".
SYSTEM_SCHEMAS: Final = frozenset(
    {"mysql", "information_schema", "performance_schema", "sys", "jopanel", "jopanel_agent"}
)
SYSTEM_DATABASE_USERS: Final = frozenset(
    {"root", "mysql", "mariadb.sys", "jopanel", "public", "none", "debian-sys-maint"}
)


def database_name(value: str, account: AccountName, field: str = "name") -> DatabaseName:
    """A database name for `account`: "<account>_<suffix>", at most 64 characters."""
    return DatabaseName(_prefixed(value, account, DATABASE_NAME_MAX, SYSTEM_SCHEMAS, field))


# What a list's page token may carry: a database or user name, of any account.
NAME_KEY: Final = re.compile(rf"[a-z0-9_]{{1,{max(DATABASE_NAME_MAX, DATABASE_USER_MAX)}}}")


def database_names(
    values: Collection[str], account: AccountName, field: str = "names"
) -> tuple[DatabaseName, ...]:
    """1 to MAX_PAGE_SIZE database names of `account`, each valid, in name order without
    repeats."""
    if not 1 <= len(values) <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"give 1 to {MAX_PAGE_SIZE} names")
    return tuple(sorted({database_name(value, account, field) for value in values}))


def database_user_name(value: str, account: AccountName, field: str = "name") -> DatabaseUserName:
    """A database user name for `account`: "<account>_<suffix>", at most 80 characters."""
    name = _prefixed(value, account, DATABASE_USER_MAX, SYSTEM_DATABASE_USERS, field)
    return DatabaseUserName(name)


def _prefixed(
    value: str, account: AccountName, limit: int, reserved: Collection[str], field: str
) -> str:
    prefix = f"{account}_"
    suffix = value[len(prefix) :]
    if (
        len(value) > limit
        or not value.startswith(prefix)
        or not DATABASE_SUFFIX_PATTERN.fullmatch(suffix)
    ):
        raise InvalidArgument(
            field,
            'must be the account\'s name, "_", then a lowercase letter or digit and more '
            f'lowercase letters, digits or "_", at most {limit} characters',
        )
    if value in reserved:
        raise InvalidArgument(field, "is reserved for MariaDB or the panel")
    return value


def database_password(value: str, field: str = "password") -> DatabasePassword:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise InvalidArgument(field, f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    # Category Cc is C0 (NUL, CR, LF, ...), DEL and C1.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(field, "must not contain control characters")
    return DatabasePassword(value)
