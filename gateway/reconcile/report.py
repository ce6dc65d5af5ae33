"""The report of a reconcile: what was compared, and each difference with its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# start: at the gateway's start; request: POST /reconcile; recovery: after an agent call whose
# outcome is unknown (gateway/consistency.py).
Trigger = Literal["start", "request", "recovery"]
Resource = Literal[
    "account",
    "domain",
    "database",
    "database_user",
    "cron_job",
    "dns_zone",
    "dns_record",
    "ssh_key",
    "ssh_access",
    "php_pool",
    "vpn_client",
    "certificate",
]
RESOURCES: tuple[Resource, ...] = (
    "account",
    "domain",
    "database",
    "database_user",
    "cron_job",
    "dns_zone",
    "dns_record",
    "ssh_key",
    "ssh_access",
    "php_pool",
    "vpn_client",
    "certificate",
)
Outcome = Literal["repaired", "drift", "failed", "in_progress"]


class Finding(BaseModel):
    resource: Resource
    name: str = Field(description="The resource's name (a cron job's id; zone/id for records)")
    account: str | None = Field(description="The owning account, when known")
    difference: str = Field(description="What differed between the record and the system")
    outcome: Outcome = Field(
        description="repaired; drift (left for a person); failed (the repair failed);"
        " in_progress (its record changed while the reconcile looked)"
    )
    action: str = Field(description="What was done, or why nothing was")


class ResourceSummary(BaseModel):
    resource: Resource
    checked: int = Field(description="Records and system objects compared")
    repaired: int
    drift: int
    failed: int


class ReconcileReport(BaseModel):
    started_at: datetime
    finished_at: datetime
    trigger: Trigger
    actor: str
    resources: list[ResourceSummary]
    findings: list[Finding]

    @property
    def disagreements(self) -> int:
        return sum(1 for f in self.findings if f.outcome != "repaired")
