"""A MariaDB that is down or drops the connection is a 503 the client may retry, not a 500."""

from __future__ import annotations

import pymysql
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.middleware import problems


async def _answer(error: Exception) -> tuple[int, dict[str, object]]:
    async def handler(request: web.Request) -> web.Response:
        raise error

    app = web.Application(middlewares=[problems])
    app.router.add_get("/api/v1/accounts", handler)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/v1/accounts")
        return response.status, await response.json(content_type=None)


@pytest.mark.parametrize("code", [2002, 2003, 2006, 2013, 1053])
async def test_an_unreachable_database_is_503(code: int) -> None:
    status, body = await _answer(pymysql.err.OperationalError(code, "Lost connection"))
    assert status == 503
    assert body["detail"] == "The panel's database is not reachable; try again."


async def test_other_database_errors_stay_500() -> None:
    status, _ = await _answer(pymysql.err.OperationalError(1205, "Lock wait timeout"))
    assert status == 500
