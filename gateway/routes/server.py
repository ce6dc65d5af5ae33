"""The server at a glance, for the administrator's dashboard: facts from the agent and how
many of each resource the panel holds."""

from __future__ import annotations

from aiohttp import web

from gateway.api import Call, Operation, json_response
from gateway.models.server import ServerOverview, server_overview_of
from gateway.services import server as service


async def get_server(call: Call) -> web.StreamResponse:
    status, counts = await service.overview(call.context)
    return json_response(server_overview_of(status, counts))


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
