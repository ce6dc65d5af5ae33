"""The panel's own certificate on the wire: what nginx serves for the panel's host name, and
the last ACME attempt (docs/certificates.md, "The panel's own host name")."""

from __future__ import annotations

from datetime import UTC, datetime

from jopanel.agent.certificates.v1 import certificates_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.store.panel_certificate import PanelCertificateRecord, Status


class PanelCertificateIssue(BaseModel):
    """Nothing to choose: the host name is the agent's configuration, the key ECDSA P-256."""

    model_config = ConfigDict(extra="forbid")


class ServedCertificate(BaseModel):
    names: list[str] = Field(description="The names the served certificate covers")
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    self_signed: bool = Field(
        description="The installer's self-signed certificate: no ACME certificate installed yet"
    )


class PanelCertificate(BaseModel):
    host_name: str = Field(
        description="The panel's host name, from the agent's configuration; empty when none",
        examples=["panel.example.net"],
    )
    served: ServedCertificate | None = Field(
        description="What nginx serves for the host name; null when the agent has none"
    )
    status: Status = Field(
        description="The last ACME attempt: none, issuing, valid, or failed (see last_error)"
    )
    last_attempt_at: datetime | None
    last_error: str = Field(description="Why the last attempt failed; empty when it did not")
    next_attempt_at: datetime | None = Field(
        description="When the worker renews it (a third of its life before expiry, later after"
        " failures); null when it is not renewed on its own"
    )


def panel_certificate_of(
    record: PanelCertificateRecord, served: pb.PanelCertificate | None
) -> PanelCertificate:
    shown = None
    if served is not None:
        shown = ServedCertificate(
            names=list(served.names),
            issuer=served.issuer,
            not_before=served.not_before.ToDatetime(UTC),
            not_after=served.not_after.ToDatetime(UTC),
            fingerprint_sha256=served.fingerprint_sha256,
            self_signed=served.self_signed,
        )
    return PanelCertificate(
        host_name=served.host_name if served is not None else "",
        served=shown,
        status=record.status,
        last_attempt_at=record.last_attempt_at,
        last_error=record.last_error,
        next_attempt_at=record.next_attempt_at,
    )
