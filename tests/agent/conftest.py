"""Fixtures for the agent's tests: the real agent server, in-process, on a temporary socket.

The tests that use them change real users, so they run only inside the sandbox (they depend on
the `sandbox` fixture, which skips them elsewhere).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import grpc.aio
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.config import AgentConfig
from agent.server import RunningAgent, start
from tests.agent.support import short_temp_dir


@pytest.fixture(scope="session")
def agent_config(sandbox: Path, gateway_user: str) -> Iterator[AgentConfig]:
    directory = short_temp_dir()
    # The socket's directory does not exist yet: the agent makes it.
    yield AgentConfig(socket_path=directory / "run" / "agent.sock", gateway_group=gateway_user)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
async def agent(agent_config: AgentConfig) -> AsyncIterator[RunningAgent]:
    running = await start(agent_config)
    yield running
    await running.stop(grace=None)


@pytest.fixture(scope="session")
async def channel(agent: RunningAgent) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"unix:{agent.socket_path}") as channel:
        yield channel


@pytest.fixture(scope="session")
def accounts(channel: grpc.aio.Channel) -> accounts_pb2_grpc.AccountServiceAsyncStub:
    return accounts_pb2_grpc.AccountServiceStub(channel)


@pytest.fixture
def new_name() -> Callable[[], str]:
    """Makes account names no other test uses (the sandbox lives for the whole session)."""
    prefix = f"t{uuid.uuid4().hex[:8]}"
    count = iter(range(100))
    return lambda: f"{prefix}_{next(count)}"


@pytest.fixture
async def account(
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub, new_name: Callable[[], str]
) -> accounts_pb2.Account:
    """A fresh account with the password "first password" and bash."""
    request = accounts_pb2.CreateAccountRequest(
        name=new_name(), password="first password", shell=accounts_pb2.SHELL_BASH
    )
    return (await accounts.CreateAccount(request)).account


@pytest.fixture(scope="session")
def stranger(sandbox: Path) -> str:
    """A user with uid >= 1000 that is not a managed account (made by hand, say)."""
    name = "jpstranger"
    if subprocess.run(["id", "-u", name], capture_output=True, check=False).returncode:
        subprocess.run(["useradd", "--create-home", name], check=True)
    return name


@pytest.fixture(scope="session")
def system_group(sandbox: Path) -> str:
    """A system group with no user of its name, and a name that is not on the reserved list."""
    name = "jpsysgroup"
    if subprocess.run(["getent", "group", name], capture_output=True, check=False).returncode:
        subprocess.run(["groupadd", "--system", name], check=True)
    return name
