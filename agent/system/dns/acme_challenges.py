"""ACME DNS-01 challenge records: where one goes and what it is called (RFC 8555 8.4).

A challenge for a name (a wildcard's base name) is a TXT record at `_acme-challenge.<name>`,
put into the closest zone this server serves that holds the name, and only when that zone is
the caller's: another account's zone is answered as if it did not exist, and so is a name
no zone here holds. The record's id is derived from its name and value, so publishing the
same challenge twice is one record, and removing it needs nothing but the challenge itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Final

from agent.errors import NotFound, ResourceExhausted
from agent.system.dns.zonefile import Record, Txt, Zone
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.dns import (
    ACME_CHALLENGE_LABEL,
    DnsRecordId,
    RecordName,
    TxtText,
    ZoneName,
)

# A live order holds one per name; a few orders may overlap (a renewal and an owner's issue).
MAX_PER_ZONE: Final = 20
TTL: Final = 60  # the lowest a record may have: a retried challenge is not cached long
ID_PREFIX: Final = "acme"


def zone_of(name: Hostname, account: AccountName, holder: Callable[[str], str | None]) -> ZoneName:
    """The closest served zone holding `name`, when it is `account`'s; else NotFound."""
    labels = name.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        held_by = holder(candidate)
        if held_by is None:
            continue
        if held_by != account:
            break  # the closest zone decides: a zone of the account above it does not
        return ZoneName(candidate)
    raise NotFound(f"account {account} has no zone holding {name}")


def challenge_record(zone: ZoneName, name: Hostname, value: TxtText) -> Record:
    below = name.removesuffix(zone).removesuffix(".")
    relative = ACME_CHALLENGE_LABEL + (f".{below}" if below else "")
    digest = hashlib.sha256(f"{name} {value}".encode("ascii")).hexdigest()
    return Record(
        id=DnsRecordId(ID_PREFIX + digest[:28]),
        name=RecordName(relative),
        ttl=TTL,
        data=Txt(value),
    )


def is_challenge(record: Record) -> bool:
    return (
        record.id.startswith(ID_PREFIX)
        and isinstance(record.data, Txt)
        and record.name.split(".")[0] == ACME_CHALLENGE_LABEL
    )


def check_room(zone: Zone, record: Record) -> None:
    """At most MAX_PER_ZONE challenge records in a zone (the same one again is no more)."""
    others = [r for r in zone.records.values() if is_challenge(r) and r.id != record.id]
    if len(others) >= MAX_PER_ZONE:
        raise ResourceExhausted(
            f"zone {zone.name} holds {MAX_PER_ZONE} ACME challenge records already"
        )
