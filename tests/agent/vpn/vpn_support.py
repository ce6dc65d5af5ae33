"""Fixtures for VpnService's tests: the agent's OpenVPN server configured once on this machine,
and a network namespace of its own for each client, joined to this one by a veth pair.

The suite's sandbox has a network namespace of its own (scripts/sandbox.sh), so the server's
tun device and the veth's near end exist there only while the tests run; their names and
networks are random per run (10.200-250.x) and both go when the session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc.aio
import pytest
import stack
from jopanel.agent.vpn.v1 import vpn_pb2, vpn_pb2_grpc

from agent.daemon import RunningAgent
from tests.agent.support import until

if TYPE_CHECKING:
    Stub = vpn_pb2_grpc.VpnServiceAsyncStub


@dataclass(frozen=True)
class Lan:
    """A namespace for clients and the two ends of the link to it."""

    namespace: str
    host_address: str  # this side's end: the server's public address for the profiles
    client_address: str  # the namespace's end
    tunnel_network: str  # the VPN's clients' network

    @property
    def server_tunnel_address(self) -> str:
        return self.tunnel_network.rsplit(".", 1)[0] + ".1"


@pytest.fixture(scope="session")
def vpn(channel: grpc.aio.Channel) -> Stub:
    return vpn_pb2_grpc.VpnServiceStub(channel)


@pytest.fixture(scope="session")
def lan(sandbox: Path) -> Iterator[Lan]:
    tag = secrets.token_hex(3)
    namespace, host_end, client_end = f"jpvpn-{tag}", f"jpvh{tag}", f"jpvc{tag}"
    second, third = random.randrange(200, 250), random.randrange(0, 256)
    host, client = f"10.{second}.{third}.1", f"10.{second}.{third}.2"
    commands = [
        ["ip", "netns", "add", namespace],
        ["ip", "link", "add", host_end, "type", "veth", "peer", "name", client_end],
        ["ip", "link", "set", client_end, "netns", namespace],
        ["ip", "addr", "add", f"{host}/30", "dev", host_end],
        ["ip", "link", "set", host_end, "up"],
        ["ip", "-n", namespace, "addr", "add", f"{client}/30", "dev", client_end],
        ["ip", "-n", namespace, "link", "set", client_end, "up"],
        ["ip", "-n", namespace, "link", "set", "lo", "up"],
    ]
    try:
        for command in commands:
            subprocess.run(command, check=True)
        yield Lan(namespace, host, client, f"10.{second + 1}.{third}.0/24")
    finally:
        subprocess.run(["ip", "link", "del", host_end], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], check=False, capture_output=True)


def server_settings(lan: Lan, port: int, **changes: object) -> vpn_pb2.VpnServer:
    server = vpn_pb2.VpnServer(
        enabled=True,
        network=lan.tunnel_network,
        port=port,
        protocol=vpn_pb2.PROTOCOL_UDP,
        public_address=lan.host_address,
        dns_servers=["10.0.0.53"],
        routes=["192.168.77.0/24"],
    )
    for name, value in changes.items():
        setattr(server, name, value)
    return server


@pytest.fixture(scope="module")
async def vpn_server(vpn: Stub, lan: Lan, agent: RunningAgent) -> AsyncIterator[vpn_pb2.VpnServer]:
    """The agent's OpenVPN, configured and serving; stopped when the module's tests end (a
    package-scoped fixture outside a conftest.py lasts the session).

    Not at the end of the session: the end-to-end tests' agent shares the sandbox's VPN folders
    and finds a running OpenVPN by its pid file. Its first SuspendAccount then rewrote the
    configuration with its own tun device and restarted this OpenVPN (seen in its log), and a
    restart that fails fails the suspension with 503: the likely cause of stop 27's CI failure
    in test_account_lifecycle_over_http."""
    settings = server_settings(lan, stack.free_port())
    answer = await vpn.ConfigureVpnServer(vpn_pb2.ConfigureVpnServerRequest(server=settings))
    assert answer.running
    yield answer.server
    settings.enabled = False
    await vpn.ConfigureVpnServer(vpn_pb2.ConfigureVpnServerRequest(server=settings))


def new_owner() -> str:
    return f"o{secrets.token_hex(5)}"


class Client:
    """`openvpn` with a profile, in the lan's namespace, logging to a file."""

    def __init__(self, lan: Lan, profile: str, directory: Path) -> None:
        self.lan = lan
        self.profile = directory / f"{secrets.token_hex(4)}.ovpn"
        self.profile.write_text(profile, encoding="ascii")
        self.log = self.profile.with_suffix(".log")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *options: str) -> None:
        self.process = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.lan.namespace,
                "openvpn",
                "--config",
                str(self.profile),
                "--log",
                str(self.log),
                *options,
            ],
            stdin=subprocess.DEVNULL,
        )

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def connected(self) -> bool:
        return "Initialization Sequence Completed" in self.log_text()

    def ended(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    async def until_connected(self) -> None:
        await until(lambda: self.connected() or self.ended(), "the client to connect or end")
        assert self.connected(), self.log_text()[-3000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    async def reach(self, address: str) -> bytes:
        """Connects from the namespace to a TCP listener on `address` and reads what it says."""
        token = secrets.token_hex(8).encode()

        async def greet(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(token)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(greet, address, 0)
        port = server.sockets[0].getsockname()[1]
        code = (
            "import socket,sys;"
            f"s=socket.create_connection(({address!r},{port}),timeout=10);"
            "sys.stdout.write(s.recv(64).decode())"
        )
        async with server:
            process = await asyncio.create_subprocess_exec(
                "ip",
                "netns",
                "exec",
                self.lan.namespace,
                sys.executable,
                "-c",
                code,
                stdout=subprocess.PIPE,
            )
            output, _ = await process.communicate()
        assert output == token
        return output


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[list[Client]]:
    """Clients started in a test, stopped after it."""
    started: list[Client] = []
    yield started
    for client in started:
        with contextlib.suppress(subprocess.TimeoutExpired):
            client.stop()
