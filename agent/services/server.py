"""ServerService: facts for the administrator's dashboard (see agent/system/server/facts.py)."""

from __future__ import annotations

import asyncio
from typing import Any, Final

import grpc.aio
from jopanel.agent.server.v1 import server_pb2, server_pb2_grpc

from agent.config import AgentConfig
from agent.system.accounts.quotas import DiskQuotas
from agent.system.accounts.users import HOME_ROOT
from agent.system.server.facts import read_facts

SERVICE_NAME: Final[str] = server_pb2.DESCRIPTOR.services_by_name["ServerService"].full_name

Context = grpc.aio.ServicerContext[Any, Any]


class ServerServicer(server_pb2_grpc.ServerServiceServicer):
    async def GetServerStatus(
        self, request: server_pb2.GetServerStatusRequest, context: Context
    ) -> server_pb2.GetServerStatusResponse:
        facts = await asyncio.to_thread(read_facts)
        status = server_pb2.ServerStatus(
            hostname=facts.hostname,
            kernel=facts.kernel,
            uptime_seconds=facts.uptime_seconds,
            cpus=facts.cpus,
            load_1=facts.load[0],
            load_5=facts.load[1],
            load_15=facts.load[2],
            memory_total_bytes=facts.memory_total_bytes,
            memory_available_bytes=facts.memory_available_bytes,
            filesystems=[
                server_pb2.Filesystem(
                    path=f.path, total_bytes=f.total_bytes, available_bytes=f.available_bytes
                )
                for f in facts.filesystems
            ],
            disk_quotas_enforced=DiskQuotas(HOME_ROOT).enforced(),
        )
        return server_pb2.GetServerStatusResponse(status=status)


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    server_pb2_grpc.add_ServerServiceServicer_to_server(ServerServicer(), server)
