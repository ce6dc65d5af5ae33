"""Certificates as recorded: each website's last attempt and what its installed certificate
covers (the key and chain are the agent's)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiomysql

from gateway.db import execute, fetch_all_as, fetch_one_as, naive_utc

Status = Literal["none", "issuing", "valid", "failed"]
Source = Literal["acme", "upload"]
KeyType = Literal["ecdsa-p256", "rsa-2048", "rsa-3072", "rsa-4096"]


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A website and its certificate's record ("none" before the first attempt)."""

    domain_id: int
    domain: str
    account: str
    account_id: int
    status: Status
    source: Source
    key_type: KeyType
    redirect_http: bool
    hsts: bool
    names_json: str
    issuer: str
    not_before: datetime | None
    not_after: datetime | None
    fingerprint: str | None
    last_attempt_at: datetime | None
    last_error: str
    failures: int
    next_attempt_at: datetime | None

    @property
    def names(self) -> list[str]:
        return list(json.loads(self.names_json)) if self.names_json else []


_SELECT = (
    "SELECT d.id AS domain_id, d.name AS domain, u.name AS account, u.id AS account_id,"
    " COALESCE(c.status, 'none') AS status, COALESCE(c.source, 'acme') AS source,"
    " COALESCE(c.key_type, 'ecdsa-p256') AS key_type,"
    " COALESCE(c.redirect_http, 0) AS redirect_http, COALESCE(c.hsts, 0) AS hsts,"
    " COALESCE(c.names, '') AS names_json, COALESCE(c.issuer, '') AS issuer, c.not_before,"
    " c.not_after, c.fingerprint, c.last_attempt_at, COALESCE(c.last_error, '') AS last_error,"
    " CAST(COALESCE(c.failures, 0) AS SIGNED) AS failures, c.next_attempt_at"
    " FROM domains d JOIN users u ON u.id = d.account_id"
    " LEFT JOIN certificates c ON c.domain_id = d.id"
)


async def of_domain(pool: aiomysql.Pool, name: str) -> CertificateRecord | None:
    """The website's certificate record; None when no website has the name."""
    return await fetch_one_as(pool, CertificateRecord, _SELECT + " WHERE d.name = %s", (name,))


def begin_statement(
    domain_id: int, key_type: KeyType, redirect_http: bool, hsts: bool
) -> tuple[str, tuple[object, ...]]:
    """The statement `begin` runs, for a transaction that also queues the order's job."""
    return (
        "INSERT INTO certificates"
        " (domain_id, status, key_type, redirect_http, hsts, last_attempt_at, last_error)"
        " VALUES (%s, 'issuing', %s, %s, %s, NOW(6), '')"
        " ON DUPLICATE KEY UPDATE status = 'issuing', key_type = VALUES(key_type),"
        " redirect_http = VALUES(redirect_http), hsts = VALUES(hsts),"
        " last_attempt_at = NOW(6), last_error = ''",
        (domain_id, key_type, redirect_http, hsts),
    )


async def begin(
    pool: aiomysql.Pool, domain_id: int, key_type: KeyType, redirect_http: bool, hsts: bool
) -> None:
    """An attempt starts: the installed certificate's fields stay until a new one replaces them."""
    await execute(pool, *begin_statement(domain_id, key_type, redirect_http, hsts))


async def installed(
    pool: aiomysql.Pool,
    domain_id: int,
    *,
    names: list[str],
    issuer: str,
    not_before: datetime,
    not_after: datetime,
    fingerprint: str,
    renew_at: datetime,
) -> None:
    await execute(
        pool,
        "UPDATE certificates SET status = 'valid', names = %s, issuer = %s, not_before = %s,"
        " not_after = %s, fingerprint = %s, last_error = '', failures = 0, source = 'acme',"
        " next_attempt_at = %s WHERE domain_id = %s",
        (
            json.dumps(sorted(names)),
            issuer[:1024],
            naive_utc(not_before),
            naive_utc(not_after),
            fingerprint,
            naive_utc(renew_at),
            domain_id,
        ),
    )


async def failed(
    pool: aiomysql.Pool, domain_id: int, reason: str, retry_at: datetime | None
) -> None:
    """The attempt failed; an installed certificate is tried again at retry_at."""
    await execute(
        pool,
        "UPDATE certificates SET status = 'failed', last_error = %s, failures = failures + 1,"
        " next_attempt_at = IF(fingerprint IS NULL, NULL, %s) WHERE domain_id = %s",
        (reason[:2000], None if retry_at is None else naive_utc(retry_at), domain_id),
    )


async def due(pool: aiomysql.Pool, now: datetime, limit: int) -> list[CertificateRecord]:
    """Installed certificates whose next attempt is due, soonest first."""
    return await fetch_all_as(
        pool,
        CertificateRecord,
        _SELECT + " WHERE c.next_attempt_at <= %s AND c.status <> 'issuing'"
        " ORDER BY c.next_attempt_at LIMIT %s",
        (naive_utc(now), limit),
    )


async def set_settings(
    pool: aiomysql.Pool, domain_id: int, redirect_http: bool, hsts: bool
) -> None:
    await execute(
        pool,
        "UPDATE certificates SET redirect_http = %s, hsts = %s WHERE domain_id = %s",
        (redirect_http, hsts, domain_id),
    )


async def delete(pool: aiomysql.Pool, domain_id: int) -> None:
    await execute(pool, "DELETE FROM certificates WHERE domain_id = %s", (domain_id,))


async def uploaded(
    pool: aiomysql.Pool,
    domain_id: int,
    *,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
    names: list[str],
    issuer: str,
    not_before: datetime,
    not_after: datetime,
    fingerprint: str,
) -> None:
    """A bought certificate, installed: never renewed here (no next attempt)."""
    await execute(
        pool,
        "INSERT INTO certificates (domain_id, status, source, key_type, redirect_http, hsts,"
        " names, issuer, not_before, not_after, fingerprint, last_attempt_at, last_error,"
        " failures, next_attempt_at)"
        " VALUES (%s, 'valid', 'upload', %s, %s, %s, %s, %s, %s, %s, %s, NOW(6), '', 0, NULL)"
        " ON DUPLICATE KEY UPDATE status = 'valid', source = 'upload',"
        " key_type = VALUES(key_type), redirect_http = VALUES(redirect_http),"
        " hsts = VALUES(hsts), names = VALUES(names), issuer = VALUES(issuer),"
        " not_before = VALUES(not_before), not_after = VALUES(not_after),"
        " fingerprint = VALUES(fingerprint), last_attempt_at = NOW(6), last_error = '',"
        " failures = 0, next_attempt_at = NULL",
        (
            domain_id,
            key_type,
            redirect_http,
            hsts,
            json.dumps(sorted(names)),
            issuer[:1024],
            naive_utc(not_before),
            naive_utc(not_after),
            fingerprint,
        ),
    )


async def cancelled(pool: aiomysql.Pool, domain_id: int, reason: str) -> None:
    """The attempt was cancelled: an installed certificate is still what is served (`valid`,
    its renewal as it was); without one, the record says why there is none. Not a failure:
    the renewal's waits do not grow."""
    await execute(
        pool,
        "UPDATE certificates SET status = IF(fingerprint IS NULL, 'failed', 'valid'),"
        " last_error = %s WHERE domain_id = %s AND status = 'issuing'",
        (reason[:2000], domain_id),
    )


async def fail_interrupted(pool: aiomysql.Pool, reason: str) -> int:
    """Attempts left `issuing` by a worker that stopped in their middle (no queued order of
    theirs is waiting): failed with `reason`. An installed certificate keeps its next attempt,
    so its renewal is tried again."""
    return await execute(
        pool,
        "UPDATE certificates c JOIN domains d ON d.id = c.domain_id"
        " SET c.status = 'failed', c.last_error = %s, c.failures = c.failures + 1"
        " WHERE c.status = 'issuing' AND NOT EXISTS (SELECT 1 FROM jobs j"
        " WHERE j.kind = 'certificate' AND j.state = 'queued' AND j.subject = d.name)",
        (reason[:2000],),
    )


async def of_settled_domains(pool: aiomysql.Pool) -> list[CertificateRecord]:
    """The certificate record of every website that is served (active or suspended) in an
    account that is, for the reconcile (gateway/reconcile/certificates.py)."""
    return await fetch_all_as(
        pool,
        CertificateRecord,
        _SELECT + " JOIN accounts a ON a.user_id = d.account_id"
        " WHERE d.status IN ('active', 'suspended') AND a.status IN ('active', 'suspended')"
        " ORDER BY d.name",
    )


async def adopt(
    pool: aiomysql.Pool,
    domain_id: int,
    *,
    names: list[str],
    issuer: str,
    not_before: datetime,
    not_after: datetime,
    fingerprint: str,
    key_type: KeyType,
    redirect_http: bool,
    hsts: bool,
    renew_at: datetime | None,
) -> None:
    """The certificate the agent serves becomes the record's (an install whose recording was
    cut short, or a restore). A new row takes the settings it is served with; an existing one
    keeps the recorded settings (the owner's last word), which the reconcile applies next.
    `renew_at` None for an upload, which the record then says it is (never renewed here);
    else it is renewed as an issued one."""
    await execute(
        pool,
        "INSERT INTO certificates (domain_id, status, source, key_type, redirect_http, hsts,"
        " names, issuer, not_before, not_after, fingerprint, last_attempt_at, last_error,"
        " failures, next_attempt_at)"
        " VALUES (%s, 'valid', %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, '', 0, %s)"
        " ON DUPLICATE KEY UPDATE status = 'valid', source = VALUES(source),"
        " key_type = VALUES(key_type),"
        " names = VALUES(names),"
        " issuer = VALUES(issuer), not_before = VALUES(not_before),"
        " not_after = VALUES(not_after), fingerprint = VALUES(fingerprint), last_error = '',"
        " failures = 0, next_attempt_at = VALUES(next_attempt_at)",
        (
            domain_id,
            "upload" if renew_at is None else "acme",
            key_type,
            redirect_http,
            hsts,
            json.dumps(sorted(names)),
            issuer[:1024],
            naive_utc(not_before),
            naive_utc(not_after),
            fingerprint,
            None if renew_at is None else naive_utc(renew_at),
        ),
    )


async def gone(pool: aiomysql.Pool, domain_id: int, reason: str) -> None:
    """The recorded certificate is not served: the record says so, and renewals stop (the
    owner asks again; see the reconcile's note on why it is not issued again on its own)."""
    await execute(
        pool,
        "UPDATE certificates SET status = 'failed', names = '[]', issuer = '',"
        " not_before = NULL, not_after = NULL, fingerprint = NULL, last_error = %s,"
        " next_attempt_at = NULL WHERE domain_id = %s",
        (reason[:2000], domain_id),
    )


async def interrupted(pool: aiomysql.Pool, domain_id: int, reason: str) -> None:
    """An attempt left `issuing` by a crash: failed, the installed certificate kept."""
    await execute(
        pool,
        "UPDATE certificates SET status = 'failed', last_error = %s"
        " WHERE domain_id = %s AND status = 'issuing'",
        (reason[:2000], domain_id),
    )
