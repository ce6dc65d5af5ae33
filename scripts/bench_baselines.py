"""The two baselines of `make bench`, as bare aiohttp servers on the same event loop as the gateway.

a PORT                          a handler that returns a small JSON body
b PORT SECRET_FILE AGENT_SOCKET the least an authenticated, agent-backed request must do:
                                verify a JWT, one primary-key SELECT through aiomysql, one
                                gRPC health check on the agent's socket
j PORT SECRET_FILE SOCKET       verify a JWT and one gRPC health check on SOCKET, no SELECT
grpc SOCKET                     a bare grpc.aio server with only the health service on SOCKET:
                                what gRPC itself allows, beside the agent (issue 14, target 6)
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiomysql
import grpc
import jwt
import uvloop
from aiohttp import web
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

POOL = web.AppKey("pool", aiomysql.Pool)
HEALTH = web.AppKey("health", health_pb2_grpc.HealthStub)


async def bare(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def baseline_a() -> web.Application:
    app = web.Application()
    app.router.add_get("/", bare)
    return app


def _claims(request: web.Request, secret: bytes) -> dict[str, object]:
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims: dict[str, object] = jwt.decode(
        token, secret, algorithms=["HS256"], audience="jopanel-api", issuer="jopanel"
    )
    return claims


def baseline_j(secret: bytes, socket: str) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        claims = _claims(request, secret)
        await request.app[HEALTH].Check(health_pb2.HealthCheckRequest(), timeout=5)
        return web.json_response({"sub": claims["sub"]})

    async def resources(app: web.Application) -> AsyncIterator[None]:
        channel = grpc.aio.insecure_channel(f"unix:{socket}")
        app[HEALTH] = health_pb2_grpc.HealthStub(channel)
        yield
        await channel.close(None)

    app = web.Application()
    app.cleanup_ctx.append(resources)
    app.router.add_get("/", handler)
    return app


async def bare_grpc(socket: str) -> None:
    """A grpc.aio server as its documentation shows it: the health service, nothing else."""
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(HealthServicer(), server)
    server.add_insecure_port(f"unix:{socket}")
    await server.start()
    await server.wait_for_termination()


def baseline_b(secret: bytes, agent_socket: str) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        claims = _claims(request, secret)
        async with request.app[POOL].acquire() as conn, conn.cursor() as cur:
            await cur.execute(
                "SELECT id, name, token_version FROM users WHERE id = %s",
                (int(str(claims["sub"])),),
            )
            row = await cur.fetchone()
        await request.app[HEALTH].Check(health_pb2.HealthCheckRequest(), timeout=5)
        return web.json_response({"id": row["id"], "name": row["name"]})

    async def resources(app: web.Application) -> AsyncIterator[None]:
        app[POOL] = await aiomysql.create_pool(
            minsize=4,
            maxsize=32,
            user="jopanel",
            db="jopanel",
            unix_socket="/run/mysqld/mysqld.sock",
            autocommit=True,
            cursorclass=aiomysql.DictCursor,
        )
        channel = grpc.aio.insecure_channel(f"unix:{agent_socket}")
        app[HEALTH] = health_pb2_grpc.HealthStub(channel)
        yield
        await channel.close(None)
        app[POOL].close()
        await app[POOL].wait_closed()

    app = web.Application()
    app.cleanup_ctx.append(resources)
    app.router.add_get("/", handler)
    return app


def main() -> None:
    if sys.argv[1] == "grpc":
        uvloop.run(bare_grpc(sys.argv[2]))
        return
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "a":
        app = baseline_a()
    else:
        make = baseline_b if kind == "b" else baseline_j
        app = make(Path(sys.argv[3]).read_bytes().strip(), sys.argv[4])
    web.run_app(
        app, host="127.0.0.1", port=port, access_log=None, print=None, loop=uvloop.new_event_loop()
    )


if __name__ == "__main__":
    main()
