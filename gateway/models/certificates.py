"""Certificates on the wire: what an owner asks for and sees of a website's certificate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gateway.store.certificates import CertificateRecord, KeyType, Source, Status


class CertificateIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_type: Literal["ecdsa-p256", "rsa-2048"] = Field(
        default="ecdsa-p256", description="The site's new key: ECDSA P-256, or RSA 2048 bits"
    )
    redirect_http: bool = Field(
        default=False, description="Answer plain HTTP with a redirect to HTTPS"
    )
    hsts: bool = Field(
        default=False,
        description=(
            "Send Strict-Transport-Security (one year). Off by default: once browsers have "
            "seen it, the site cannot go back to plain HTTP for a year."
        ),
    )


Base64 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]+={0,2}$")]


class CertificateUpload(BaseModel):
    """PEM's line breaks are control characters, which no body may hold (gateway/api.py), so
    the key and certificates travel as base64 DER, as a JWK's x5c does (RFC 7517):
    `openssl pkcs8 -topk8 -nocrypt -outform DER -in key.pem | base64 -w0` and, per
    certificate, the base64 text between its PEM armour lines, joined."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[Base64, StringConstraints(max_length=12000)] = Field(
        description="The private key: PKCS#8 DER, base64; ECDSA P-256 or RSA 2048 to 4096 bits"
    )
    chain: list[Annotated[Base64, StringConstraints(max_length=12000)]] = Field(
        min_length=1,
        max_length=4,
        description="The certificate first, then each that signed the one before it (DER, base64)",
    )
    redirect_http: bool = False
    hsts: bool = False


class CertificateSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    redirect_http: bool | None = Field(
        default=None, description="Answer plain HTTP with a redirect to HTTPS"
    )
    hsts: bool | None = Field(
        default=None,
        description=(
            "Send Strict-Transport-Security (one year). Once browsers have seen it, the site "
            "cannot go back to plain HTTP for a year, even if this is turned off again."
        ),
    )


class Certificate(BaseModel):
    domain: str = Field(examples=["example.com"])
    status: Status = Field(
        description="none: never asked for; issuing; valid: installed; failed: see last_error"
    )
    source: Source = Field(description="acme: issued and renewed here; upload: bought elsewhere")
    names: list[str] = Field(description="The names the installed certificate covers")
    issuer: str = Field(description="The installed certificate's issuer; empty when none")
    not_after: datetime | None = Field(description="When the installed certificate expires")
    key_type: KeyType
    redirect_http: bool
    hsts: bool
    last_attempt_at: datetime | None
    last_error: str = Field(
        description="Why the last attempt failed, in words an owner can act on; else empty",
        examples=["example.com does not resolve to this server: ..."],
    )
    job_id: str = Field(
        default="",
        description="The order queued or running now (GET /api/v1/jobs/{id} follows it);"
        " empty when none is",
    )


def certificate_of(record: CertificateRecord, job_id: str = "") -> Certificate:
    return Certificate(
        domain=record.domain,
        status=record.status,
        source=record.source,
        names=record.names,
        issuer=record.issuer,
        not_after=record.not_after,
        key_type=record.key_type,
        redirect_http=record.redirect_http,
        hsts=record.hsts,
        last_attempt_at=record.last_attempt_at,
        last_error=record.last_error,
        job_id=job_id,
    )
