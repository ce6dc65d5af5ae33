"""The server at a glance on the wire: facts from the agent and the panel's resource counts."""

from __future__ import annotations

from jopanel.agent.server.v1 import server_pb2 as pb
from pydantic import BaseModel, Field

from gateway.store.server import ResourceCounts


class Filesystem(BaseModel):
    path: str
    total_bytes: int
    available_bytes: int


class ServerFacts(BaseModel):
    hostname: str
    kernel: str
    uptime_seconds: int
    cpus: int
    load: list[float]
    memory_total_bytes: int
    memory_available_bytes: int
    filesystems: list[Filesystem]
    disk_quotas_enforced: bool = Field(
        description="Whether /home enforces user quotas, so plans' disk quotas hold"
    )


class Counts(BaseModel):
    accounts: int
    domains: int
    databases: int
    cron_jobs: int
    dns_zones: int


class ServerOverview(BaseModel):
    server: ServerFacts
    counts: Counts


def server_overview_of(status: pb.ServerStatus, counts: ResourceCounts) -> ServerOverview:
    facts = ServerFacts(
        hostname=status.hostname,
        kernel=status.kernel,
        uptime_seconds=status.uptime_seconds,
        cpus=status.cpus,
        load=[status.load_1, status.load_5, status.load_15],
        memory_total_bytes=status.memory_total_bytes,
        memory_available_bytes=status.memory_available_bytes,
        filesystems=[
            Filesystem(path=f.path, total_bytes=f.total_bytes, available_bytes=f.available_bytes)
            for f in status.filesystems
        ],
        disk_quotas_enforced=status.disk_quotas_enforced,
    )
    return ServerOverview(
        server=facts,
        counts=Counts(
            accounts=counts.accounts,
            domains=counts.domains,
            databases=counts.databases,
            cron_jobs=counts.cron_jobs,
            dns_zones=counts.dns_zones,
        ),
    )
