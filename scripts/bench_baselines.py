"""The two baselines of `make bench`, as bare aiohttp servers on the same event loop as the gateway.

a PORT                          a handler that returns a small JSON body
b PORT SECRET_FILE AGENT_SOCKET the least an authenticated, agent-backed request must do:
                                verify a JWT, one primary-key SELECT through aiomysql, one
                                gRPC health check on the agent's socket
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

POOL = web.AppKey("pool", aiomysql.Pool)
HEALTH = web.AppKey("health", health_pb2_grpc.HealthStub)


async def bare(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def baseline_a() -> web.Application:
    app = web.Application()
    app.router.add_get("/", bare)
    return app


def baseline_b(secret: bytes, agent_socket: str) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience="jopanel-api", issuer="jopanel"
        )
        async with request.app[POOL].acquire() as conn, conn.cursor() as cur:
            await cur.execute(
                "SELECT id, name, token_version FROM users WHERE id = %s", (int(claims["sub"]),)
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
    kind, port = sys.argv[1], int(sys.argv[2])
    app = (
        baseline_a()
        if kind == "a"
        else baseline_b(Path(sys.argv[3]).read_bytes().strip(), sys.argv[4])
    )
    web.run_app(
        app, host="127.0.0.1", port=port, access_log=None, print=None, loop=uvloop.new_event_loop()
    )


if __name__ == "__main__":
    main()
