"""Gateway tests: the real gateway app and a real MariaDB, with the fake agent on a socket."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
import stack
from aiohttp.test_utils import TestClient, TestServer
from jopanel.agent.accounts.v1 import accounts_pb2_grpc
from jopanel.agent.backups.v1 import backups_pb2_grpc
from jopanel.agent.certificates.v1 import certificates_pb2_grpc
from jopanel.agent.cron.v1 import cron_pb2_grpc
from jopanel.agent.databases.v1 import databases_pb2_grpc
from jopanel.agent.dns.v1 import dns_pb2_grpc
from jopanel.agent.files.v1 import files_pb2_grpc
from jopanel.agent.server.v1 import server_pb2_grpc
from jopanel.agent.ssh.v1 import ssh_pb2_grpc
from jopanel.agent.vpn.v1 import vpn_pb2_grpc
from jopanel.agent.web.v1 import web_pb2_grpc

from gateway.__main__ import ensure_admin
from gateway.app import create_app
from gateway.config import AuthConfig, DatabaseConfig, GatewayConfig
from tests.gateway.certificates.fake_certificates import FakeCertificates
from tests.gateway.fake_agent import (
    FakeAccounts,
    FakeBackups,
    FakeCron,
    FakeDatabases,
    FakeDns,
    FakePanelCertificates,
    FakeServer,
    FakeSsh,
    FakeWeb,
)
from tests.gateway.files.fake_files import FakeFiles
from tests.gateway.vpn.fake_vpn import FakeVpn

ADMIN_PASSWORD = "admin-password-1"
# The TCP ports the gateway under test allows proxy backends.
PROXY_PORTS = ((3000, 3000), (20000, 20999))


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A private folder with a short path (Unix socket paths must stay under 108 bytes)."""
    with tempfile.TemporaryDirectory(prefix="jp-gw-", dir="/tmp") as folder:
        yield Path(folder)


@dataclass
class FakeAgent:
    accounts: FakeAccounts
    web: FakeWeb
    databases: FakeDatabases
    cron: FakeCron
    dns: FakeDns
    socket: str
    vpn: FakeVpn
    ssh: FakeSsh
    backups: FakeBackups = field(default_factory=FakeBackups)
    panel_tls: FakePanelCertificates = field(default_factory=FakePanelCertificates)
    files: FakeFiles = field(default_factory=FakeFiles)
    certificates: FakeCertificates = field(default_factory=FakeCertificates)


@pytest.fixture
async def fake_agent(scratch: Path) -> AsyncIterator[FakeAgent]:
    accounts = FakeAccounts()
    agent = FakeAgent(
        accounts,
        FakeWeb(accounts),
        FakeDatabases(),
        FakeCron(),
        FakeDns(),
        str(scratch / "agent.sock"),
        FakeVpn(),
        FakeSsh(accounts),
    )
    # Like the real agent, the fake checks names against both sites and zones, and deleting
    # an account removes everything it has.
    agent.web.dns, agent.dns.web = agent.dns, agent.web
    agent.backups.cron, agent.backups.dns = agent.cron, agent.dns
    agent.backups.accounts = accounts
    agent.files.accounts = accounts
    accounts.resources = [
        agent.web,
        agent.dns,
        agent.databases,
        agent.cron,
        agent.vpn,
        agent.ssh,
        agent.files,
        agent.certificates,
    ]
    server = grpc.aio.server()
    accounts_pb2_grpc.add_AccountServiceServicer_to_server(agent.accounts, server)
    web_pb2_grpc.add_WebDomainServiceServicer_to_server(agent.web, server)
    databases_pb2_grpc.add_DatabaseServiceServicer_to_server(agent.databases, server)
    cron_pb2_grpc.add_CronJobServiceServicer_to_server(agent.cron, server)
    dns_pb2_grpc.add_DnsZoneServiceServicer_to_server(agent.dns, server)
    server_pb2_grpc.add_ServerServiceServicer_to_server(FakeServer(agent.accounts), server)
    vpn_pb2_grpc.add_VpnServiceServicer_to_server(agent.vpn, server)
    ssh_pb2_grpc.add_SshServiceServicer_to_server(agent.ssh, server)
    backups_pb2_grpc.add_BackupServiceServicer_to_server(agent.backups, server)
    agent.certificates.panel = agent.panel_tls
    certificates_pb2_grpc.add_CertificateServiceServicer_to_server(agent.certificates, server)
    files_pb2_grpc.add_FileServiceServicer_to_server(agent.files, server)
    server.add_insecure_port(f"unix:{agent.socket}")
    await server.start()
    yield agent
    await server.stop(None)


# The panel's and the name servers' names, as a server's gateway.toml lists them.
SERVER_NAMES = ("panel.jopanel.test", "ns1.jopanel.test", "ns2.jopanel.test")


@pytest.fixture
def config(mariadb: stack.MariaDB, fake_agent: FakeAgent, scratch: Path) -> GatewayConfig:
    """A fresh database for each test, reached as MariaDB's root over the socket."""
    database = f"gw_{secrets.token_hex(6)}"
    mariadb.sql(f"CREATE DATABASE {database}")
    secret = scratch / "jwt.secret"
    secret.write_text(secrets.token_urlsafe(48))
    return GatewayConfig(
        agent_socket=fake_agent.socket,
        server_names=SERVER_NAMES,
        reconcile_in_background=False,
        renew_in_background=False,
        invoices_in_background=False,
        backups_in_background=False,
        database=DatabaseConfig(database=database, user="root", pool_min=1, pool_max=8),
        auth=AuthConfig(secret_file=str(secret), cookie_secure=False, bcrypt_rounds=4),
        proxy_ports=PROXY_PORTS,
    )


@dataclass
class Api:
    """A client of the gateway under test, with helpers to sign in."""

    client: TestClient[Any, Any]
    agent: FakeAccounts
    web: FakeWeb
    databases: FakeDatabases
    cron: FakeCron
    dns: FakeDns
    ssh: FakeSsh
    backups: FakeBackups = field(default_factory=FakeBackups)
    files: FakeFiles = field(default_factory=FakeFiles)
    certificates: FakeCertificates = field(default_factory=FakeCertificates)

    async def login(self, name: str, password: str) -> str:
        response = await self.client.post(
            "/api/v1/auth/login", json={"username": name, "password": password}
        )
        assert response.status == 200, await response.text()
        token: str = (await response.json())["access_token"]
        return token

    async def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.request(method, path, headers=headers, **kwargs)
        body = await response.json() if response.content_type.endswith("json") else None
        return response.status, body

    async def owner(self, admin: str, name: str = "alice", **fields: Any) -> str:
        """Creates an account and returns its owner's access token."""
        await self.create_account(admin, name, **fields)
        return await self.login(name, "owner-pass-1")

    async def create_account(
        self, token: str, name: str, password: str = "owner-pass-1", **fields: Any
    ) -> dict[str, Any]:
        status, body = await self.call(
            "POST", "/api/v1/accounts", token, json={"name": name, "password": password, **fields}
        )
        assert status == 201, body
        return dict(body)


@pytest.fixture
async def api(config: GatewayConfig, fake_agent: FakeAgent) -> AsyncIterator[Api]:
    await ensure_admin(config, "admin", ADMIN_PASSWORD)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(config)))
    await client.start_server()
    yield Api(
        client,
        fake_agent.accounts,
        fake_agent.web,
        fake_agent.databases,
        fake_agent.cron,
        fake_agent.dns,
        fake_agent.ssh,
        fake_agent.backups,
        fake_agent.files,
        fake_agent.certificates,
    )
    await client.close()


@pytest.fixture
async def admin(api: Api) -> str:
    """An administrator's access token."""
    return await api.login("admin", ADMIN_PASSWORD)
