"""Which account owns each hosted database and database user: the agent's own record.

The name alone cannot say it: accounts "bob" and "bob_x" may both exist, and "bob_x_shop" fits
either prefix. So the agent records the owner when it creates a name and checks the record in
every operation. The record is a JSON file that only root can read or write, replaced
atomically (see files.write_atomic) and changed only under HostedDatabases' lock. It lives
outside MariaDB so that deleting an account that owns nothing needs no MariaDB at all.

A name is claimed before it is created in MariaDB and released after it is dropped, so a crash
in between leaves a claim without a database (which a retry completes or releases), never a
database that nobody owns.

The record is read again only when its file changed: on a server of 5,000 accounts it names
tens of thousands of databases and users, and reading and checking them all takes about 25 ms,
which every call of DatabaseService paid.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from agent.errors import Internal, InvalidArgument
from agent.system.base.files import write_atomic
from agent.validators import accounts as accounts_validators
from agent.validators import databases as databases_validators
from agent.validators.accounts import AccountName
from agent.validators.databases import DatabaseName, DatabaseUserName

REGISTRY_PATH: Final = Path("/var/lib/jopanel/agent/databases.json")
DIRECTORY_MODE: Final = 0o700
FILE_MODE: Final = 0o600
VERSION: Final = 1

Name = TypeVar("Name", DatabaseName, DatabaseUserName)


@dataclass
class Owners:
    """The owning account by database name and by database user name."""

    databases: dict[DatabaseName, AccountName] = field(default_factory=dict)
    users: dict[DatabaseUserName, AccountName] = field(default_factory=dict)


def owned_by(entries: Mapping[Name, AccountName], account: AccountName) -> list[Name]:
    """The account's names, in name order."""
    return sorted(name for name, owner in entries.items() if owner == account)


# The file's identity and the record it held, by path: the last one read or written.
_known: dict[Path, tuple[tuple[int, ...], Owners]] = {}


def load(path: Path) -> Owners:
    """The record (a copy the caller may change); a missing file is an empty one, a damaged one
    stops every operation."""
    try:
        with path.open("rb") as file:
            # The identity of the file read, not of the path: one replaced meanwhile is read
            # again at the next call.
            identity = _identity(os.fstat(file.fileno()))
            known = _known.get(path)
            if known is not None and known[0] == identity:
                return _copy(known[1])
            data = json.loads(file.read())
    except FileNotFoundError:
        return Owners()
    except (OSError, ValueError) as error:
        raise Internal("the database ownership record is unreadable", detail=str(error)) from None
    owners = _parsed(data, path)
    _known[path] = (identity, _copy(owners))
    return owners


def save(path: Path, owners: Owners) -> None:
    _ensure_directory(path.parent)
    document = {"version": VERSION, "databases": owners.databases, "users": owners.users}
    _known.pop(path, None)
    write_atomic(path, json.dumps(document, indent=1, sort_keys=True) + "\n", FILE_MODE)
    _known[path] = (_identity(path.stat()), _copy(owners))


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _copy(owners: Owners) -> Owners:
    return Owners(dict(owners.databases), dict(owners.users))


def _parsed(data: Any, path: Path) -> Owners:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise Internal("the database ownership record has an unknown format", detail=str(path))
    databases = _entries(data.get("databases"), databases_validators.database_name, path)
    return Owners(
        databases, _entries(data.get("users"), databases_validators.database_user_name, path)
    )


def _entries(
    value: Any, check: Callable[[str, AccountName], Name], path: Path
) -> dict[Name, AccountName]:
    """Each entry passes the validators again: the file decides who may touch what, so a
    hand-edited "mysql" must never become droppable."""
    damaged = Internal("the database ownership record is damaged", detail=str(path))
    if not isinstance(value, dict):
        raise damaged
    entries: dict[Name, AccountName] = {}
    try:
        for name, owner in value.items():
            if not isinstance(owner, str):
                raise damaged
            account = accounts_validators.account_name(owner)
            entries[check(name, account)] = account
    except InvalidArgument:
        raise damaged from None
    return entries


def _ensure_directory(directory: Path) -> None:
    """Root's own directory: created 0700, and refused when anyone else could write to it."""
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    info = os.lstat(directory)
    # lstat: a symlink is refused whatever it points to.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise Internal(f"{directory} must be a directory that only root can write to")
