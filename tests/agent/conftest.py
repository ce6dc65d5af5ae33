"""Fixtures for the agent's tests: the real agent server, in-process, on a temporary socket.

The tests that use them change real users, nginx and PHP-FPM, so they run only inside the
sandbox (they depend on the `sandbox` fixture, which skips them elsewhere).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import grpc.aio
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2_grpc

from agent.config import AgentConfig
from agent.daemon import RunningAgent, start
from tests.agent.support import short_temp_dir
from tests.agent.web.app_support import PROXY_PORTS


@pytest.fixture(scope="session")
def web_port() -> int:
    """The loopback port the agent's sites listen on (its web_listen)."""
    return stack.free_port()


@pytest.fixture(scope="session")
def web_tls_port() -> int:
    """The loopback port the agent's sites answer HTTPS on (its web_tls_listen)."""
    return stack.free_port()


@pytest.fixture(scope="session")
def dns_secondary_port() -> int:
    """Where the agent's configured secondary name server (127.0.0.2) gets NOTIFY."""
    return stack.free_port()


@pytest.fixture(scope="session")
def named_server(sandbox: Path) -> stack.Named:
    """named on free loopback ports, not started: the DNS tests start it (dns_support.py); the
    agent's configuration needs its rndc port from the start."""
    return stack.Named(stack.free_port(), stack.free_port(), sandbox / "logs")


@pytest.fixture(scope="session")
def agent_config(
    sandbox: Path,
    gateway_user: str,
    web_port: int,
    web_tls_port: int,
    named_server: stack.Named,
    dns_secondary_port: int,
) -> Iterator[AgentConfig]:
    directory = short_temp_dir()
    # The socket's directory does not exist yet: the agent makes it.
    yield AgentConfig(
        socket_path=directory / "run" / "agent.sock",
        gateway_group=gateway_user,
        acme_socket_path=str(directory / "acme" / "agent.sock"),
        acme_group=stack.ACME_USER,
        web_listen=(f"127.0.0.1:{web_port}",),
        web_tls_listen=(f"127.0.0.1:{web_tls_port}",),
        rndc_port=named_server.rndc_port,
        dns_port=named_server.dns_port,
        dns_nameservers=stack.DNS_NAMESERVERS,
        # A secondary name server: it alone may transfer the zones (test_dns_transfers.py).
        dns_secondaries=(f"127.0.0.2:{dns_secondary_port}",),
        server_names=(stack.PANEL_NAME,),
        panel_hostname=stack.PANEL_NAME,
        proxy_ports=(PROXY_PORTS,),
        # Clients' certificates are inside their renewal window at once (docs/vpn.md).
        vpn_client_days=30,
        # The network namespace is the host's: another checkout's tests (or a server's
        # OpenVPN) may hold the default tun device's name.
        vpn_device=f"jpvpn{uuid.uuid4().hex[:6]}",
    )
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="package")
def web_servers(sandbox: Path) -> Iterator[None]:
    """Real nginx and PHP-FPM, as the stack starts them, for the agent's web tests.

    Package scope: they stop when the agent's tests end, before the end-to-end tests start a
    stack of their own with the same pid files and configuration tree.
    """
    servers = stack.web_servers(sandbox / "logs")
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture(scope="session")
def web(channel: grpc.aio.Channel) -> web_pb2_grpc.WebDomainServiceAsyncStub:
    return web_pb2_grpc.WebDomainServiceStub(channel)


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


@pytest.fixture
def new_domain() -> Callable[[], str]:
    """Makes domain names no other test uses."""
    prefix = f"d{uuid.uuid4().hex[:8]}"
    count = iter(range(1000))
    return lambda: f"{prefix}-{next(count)}.example.com"
