"""The panel's records of an account, kept in its backups' settings (BackUpAccountRequest's
`records`), so that an account can be made again on a server whose panel never knew it.

The same reader validates them when the gateway sends them and when a restore reads them
back from a repository (which may hold a crafted document): every name through the validator
of the RPC that makes it, every database and database user the account's own, every list
bounded. The records hold no password, key or certificate.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from agent.errors import InvalidArgument
from agent.validators import backups as backups_validators
from agent.validators import common as common_validators
from agent.validators import databases as databases_validators
from agent.validators import web as web_validators
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.databases import DatabaseName, DatabaseUserName

MAX_ENTRIES: Final = 1000
MAX_CERTIFICATE_NAMES: Final = 100


@dataclass(frozen=True)
class RecordedDomain:
    name: Hostname
    aliases: tuple[Hostname, ...]


@dataclass(frozen=True)
class RecordedDatabaseUser:
    name: DatabaseUserName
    databases: tuple[DatabaseName, ...]


@dataclass(frozen=True)
class RecordedCertificate:
    names: tuple[str, ...]
    issuer: str
    not_after: datetime.datetime
    uploaded: bool = False  # the owner's own (bought) certificate, which is never renewed


@dataclass(frozen=True)
class PanelRecords:
    plan: str
    domains: tuple[RecordedDomain, ...] = ()
    databases: tuple[DatabaseName, ...] = ()
    database_users: tuple[RecordedDatabaseUser, ...] = ()
    certificates: tuple[RecordedCertificate, ...] = ()


def read(raw: object, account: AccountName, field: str = "records") -> PanelRecords:
    """Records from plain values (a request's fields, or a backup's JSON); InvalidArgument
    naming the first bad field."""
    if not isinstance(raw, Mapping):
        raise InvalidArgument(field, "must be an object")
    return PanelRecords(
        plan=backups_validators.plan_name(_text(raw.get("plan", "")), f"{field}.plan"),
        domains=tuple(
            _domain(item, f"{field}.domains[{i}]")
            for i, item in _entries(raw, "domains", field, MAX_ENTRIES)
        ),
        databases=tuple(
            databases_validators.database_name(_text(item), account, f"{field}.databases[{i}]")
            for i, item in _entries(raw, "databases", field, MAX_ENTRIES)
        ),
        database_users=tuple(
            _database_user(item, account, f"{field}.database_users[{i}]")
            for i, item in _entries(raw, "database_users", field, MAX_ENTRIES)
        ),
        certificates=tuple(
            _certificate(item, f"{field}.certificates[{i}]")
            for i, item in _entries(raw, "certificates", field, MAX_ENTRIES)
        ),
    )


def to_json(records: PanelRecords) -> dict[str, Any]:
    return {
        "plan": records.plan,
        "domains": [{"name": d.name, "aliases": list(d.aliases)} for d in records.domains],
        "databases": list(records.databases),
        "database_users": [
            {"name": u.name, "databases": list(u.databases)} for u in records.database_users
        ],
        "certificates": [
            {
                "names": list(c.names),
                "issuer": c.issuer,
                "not_after": c.not_after.isoformat(),
                "uploaded": c.uploaded,
            }
            for c in records.certificates
        ],
    }


def _entries(raw: Mapping[str, Any], key: str, field: str, limit: int) -> list[tuple[int, Any]]:
    items = raw.get(key, [])
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise InvalidArgument(f"{field}.{key}", "must be a list")
    if len(items) > limit:
        raise InvalidArgument(f"{field}.{key}", f"must hold at most {limit} entries")
    return list(enumerate(items))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgument("records", "must hold text where text is expected")
    return value


def _domain(item: Any, field: str) -> RecordedDomain:
    if not isinstance(item, Mapping):
        raise InvalidArgument(field, "must be an object")
    name = common_validators.hostname(_text(item.get("name")), f"{field}.name")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, Sequence) or isinstance(aliases, str):
        raise InvalidArgument(f"{field}.aliases", "must be a list")
    return RecordedDomain(
        name, web_validators.aliases([_text(a) for a in aliases], name, f"{field}.aliases")
    )


def _database_user(item: Any, account: AccountName, field: str) -> RecordedDatabaseUser:
    if not isinstance(item, Mapping):
        raise InvalidArgument(field, "must be an object")
    name = databases_validators.database_user_name(
        _text(item.get("name")), account, f"{field}.name"
    )
    databases = tuple(
        databases_validators.database_name(_text(value), account, f"{field}.databases[{i}]")
        for i, value in _entries(item, "databases", field, MAX_ENTRIES)
    )
    return RecordedDatabaseUser(name, databases)


def _certificate(item: Any, field: str) -> RecordedCertificate:
    if not isinstance(item, Mapping):
        raise InvalidArgument(field, "must be an object")
    names = tuple(
        backups_validators.certificate_name(_text(value), f"{field}.names[{i}]")
        for i, value in _entries(item, "names", field, MAX_CERTIFICATE_NAMES)
    )
    if not names:
        raise InvalidArgument(f"{field}.names", "must name at least one host")
    try:
        not_after = datetime.datetime.fromisoformat(_text(item.get("not_after")))
    except ValueError:
        raise InvalidArgument(f"{field}.not_after", "must be a time") from None
    if not_after.tzinfo is None:
        raise InvalidArgument(f"{field}.not_after", "must carry its time zone")
    issuer = backups_validators.issuer(_text(item.get("issuer")), f"{field}.issuer")
    uploaded = item.get("uploaded", False)  # absent in backups made before it was recorded
    if not isinstance(uploaded, bool):
        raise InvalidArgument(f"{field}.uploaded", "must be true or false")
    return RecordedCertificate(names, issuer, not_after.astimezone(datetime.UTC), uploaded)
