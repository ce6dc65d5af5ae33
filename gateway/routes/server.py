"""The server at a glance, for the administrator's dashboard: facts from the agent and how
many of each resource the panel holds."""

from __future__ import annotations

from aiohttp import web
from jopanel.agent.server.v1 import server_pb2 as pb
from pydantic import BaseModel, Field

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.api import Call, Operation, json_response
from gateway.db import fetch_one


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


_COUNTS = (
    "SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM domains) AS"
    " domains, (SELECT COUNT(*) FROM hosted_databases) AS `databases`, (SELECT COUNT(*) FROM"
    " cron_jobs) AS cron_jobs, (SELECT COUNT(*) FROM dns_zones) AS dns_zones"
)


async def get_server(call: Call) -> web.StreamResponse:
    reply = await call.agent.server.GetServerStatus(
        pb.GetServerStatusRequest(), timeout=CALL_TIMEOUT_SECONDS
    )
    status = reply.status
    counts = await fetch_one(call.db, _COUNTS)
    assert counts is not None
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
    return json_response(ServerOverview(server=facts, counts=Counts(**counts)))


operations = [
    Operation(
        "GET",
        "/api/v1/server",
        get_server,
        "getServer",
        "Server facts (load, memory, disk) and resource counts",
        "server",
        response=ServerOverview,
    ),
]
