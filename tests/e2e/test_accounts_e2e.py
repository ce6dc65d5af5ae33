"""An administrator and an owner drive the real stack over HTTP; the system changes for real."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.accounts.v1 import accounts_pb2_grpc

pytestmark = pytest.mark.e2e


async def call(
    session: aiohttp.ClientSession, method: str, url: str, token: str = "", **kwargs: Any
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.request(method, url, headers=headers, **kwargs) as response:
        body = await response.json() if response.content_type.endswith("json") else None
        return response.status, body


async def login(session: aiohttp.ClientSession, base: str, name: str, password: str) -> str:
    status, body = await call(
        session, "POST", f"{base}/auth/login", json={"username": name, "password": password}
    )
    assert status == 200, body
    return str(body["access_token"])


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


async def test_account_lifecycle_over_http(
    live: stack.Stack, admin_credentials: tuple[str, str], sandbox: Path
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        status, created = await call(
            session,
            "POST",
            f"{base}/accounts",
            admin,
            json={"name": "e2e_alice", "password": "alice-pass-1"},
        )
        assert status == 201, created
        assert created["status"] == "active"
        try:
            entry = pwd.getpwnam("e2e_alice")
            assert entry.pw_uid >= 1000
            assert entry.pw_dir == "/home/e2e_alice"
            home = os.stat("/home/e2e_alice")
            assert home.st_uid == entry.pw_uid
            assert home.st_mode & 0o007 == 0  # other accounts cannot read it
            # The host's own /etc/passwd (seen read-only under the run directory) is untouched.
            assert "e2e_alice" in Path("/etc/passwd").read_text()
            assert "e2e_alice" not in (sandbox / "host/etc/passwd").read_text()

            owner = await login(session, base, "e2e_alice", "alice-pass-1")
            status, me = await call(session, "GET", f"{base}/me", owner)
            assert (status, me["name"], me["role"]) == (200, "e2e_alice", "owner")
            status, own = await call(session, "GET", f"{base}/accounts/e2e_alice", owner)
            assert status == 200
            assert own["system"]["uid"] == entry.pw_uid
            assert (await call(session, "GET", f"{base}/accounts", owner))[0] == 403

            status, suspended = await call(
                session, "POST", f"{base}/accounts/e2e_alice/suspend", admin
            )
            assert (status, suspended["status"]) == (200, "suspended"), suspended
            assert (await call(session, "GET", f"{base}/me", owner))[0] == 401
            passwd_status = subprocess.run(
                ["passwd", "-S", "e2e_alice"], capture_output=True, text=True, check=True
            ).stdout.split()
            assert passwd_status[1] == "L"

            assert (await call(session, "DELETE", f"{base}/accounts/e2e_alice", admin))[0] == 204
            assert not user_exists("e2e_alice")
            assert not Path("/home/e2e_alice").exists()

            status, log = await call(session, "GET", f"{base}/audit-log", admin)
            actions = [(e["action"], e["target"], e["result"]) for e in log["items"]]
            assert ("account.delete", "e2e_alice", "ok") in actions
            assert ("account.suspend", "e2e_alice", "ok") in actions
            assert ("account.create", "e2e_alice", "ok") in actions
        finally:  # a failure above leaves no account behind for the tests that follow
            await call(session, "DELETE", f"{base}/accounts/e2e_alice", admin)


HOSTILE = ["-o", "root", "www-data", "a;id", "A", "é", "a" * 33, "", "abc\n", "daemon", "sudo"]


async def test_hostile_names_change_nothing_through_either_door(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    before = {p: Path(p).read_bytes() for p in ("/etc/passwd", "/etc/group", "/etc/shadow")}
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        for name in HOSTILE:
            status, body = await call(
                session,
                "POST",
                f"{base}/accounts",
                admin,
                json={"name": name, "password": "good-pass-1"},
            )
            assert status == 400, name
            assert body["errors"][0]["field"] == "name"
    # Straight to the agent's socket, as a compromised gateway would.
    async with grpc.aio.insecure_channel(f"unix:{stack.AGENT_SOCKET}") as channel:
        accounts = accounts_pb2_grpc.AccountServiceStub(channel)
        for name in HOSTILE:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await accounts.CreateAccount(
                    pb.CreateAccountRequest(
                        name=name, password="good-pass-1", shell=pb.SHELL_NOLOGIN
                    )
                )
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
    after = {p: Path(p).read_bytes() for p in before}
    assert after == before
