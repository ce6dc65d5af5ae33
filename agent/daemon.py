"""The agent's gRPC server on its Unix socket.

The socket is the agent's only door, so its directory must be one that only root can change: a
real directory (not a symlink), owned by root, writable by nobody else. The agent creates it
(0750 root:<gateway group>) when missing and refuses to start otherwise. The socket itself is
0660 root:<gateway group>: the gateway's group may connect, no other user may.
"""

from __future__ import annotations

import asyncio
import errno
import grp
import logging
import os
import signal
import socket
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import grpc.aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

# The asyncio health servicer; grpc_health also exports it as health.aio, which its stubs lack.
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from agent import acme_socket
from agent.config import AgentConfig
from agent.errors import AgentError, ErrorInterceptor
from agent.services import SERVICES

logger = logging.getLogger(__name__)

SOCKET_DIR_MODE: Final = 0o750
SOCKET_MODE: Final = 0o660
# How long in-flight RPCs may take to finish after SIGTERM or SIGINT.
STOP_GRACE: Final = 10.0


class StartupError(Exception):
    """The agent cannot start safely; the message says what to fix."""


@dataclass
class RunningAgent:
    server: grpc.aio.Server
    health: HealthServicer
    socket_path: Path
    # The ACME worker's socket and its server (agent/acme_socket.py), when configured.
    acme_server: grpc.aio.Server | None = None
    acme_socket_path: Path | None = None

    async def stop(self, grace: float | None = STOP_GRACE) -> None:
        await self.health.enter_graceful_shutdown()
        if self.acme_server is not None:
            await self.acme_server.stop(grace)
        await self.server.stop(grace)
        self.socket_path.unlink(missing_ok=True)
        if self.acme_socket_path is not None:
            self.acme_socket_path.unlink(missing_ok=True)


async def build_server(
    config: AgentConfig,
) -> tuple[grpc.aio.Server, HealthServicer, grpc.aio.Server | None]:
    """A server with every service, health checking and reflection, and (when configured)
    the ACME worker's server sharing its servicers; not bound or started yet."""
    server = _server(config, [ErrorInterceptor()])
    acme: grpc.aio.Server | None = None
    registry = server
    if config.acme_socket_path:
        only = acme_socket.OnlyListed(acme_socket.ACME_RPCS, config.acme_socket_path)
        acme = _server(config, [only, ErrorInterceptor()])
        # Not a server, but all that add_to_server calls on one.
        registry = cast(grpc.aio.Server, acme_socket.Both(server, acme))
    health_servicer = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for service in SERVICES:
        service.add_to_server(registry, config)
        await health_servicer.set(service.full_name, health_pb2.HealthCheckResponse.SERVING)
    names = [service.full_name for service in SERVICES]
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    return server, health_servicer, acme


def _server(config: AgentConfig, interceptors: list[Any]) -> grpc.aio.Server:
    limit = config.max_message_bytes
    return grpc.aio.server(
        interceptors=interceptors,
        options=[
            ("grpc.max_send_message_length", limit),
            ("grpc.max_receive_message_length", limit),
        ],
    )


async def start(config: AgentConfig) -> RunningAgent:
    """Prepares the socket, then builds, binds and starts the server."""
    gid = _group_id(config.gateway_group)
    prepare_socket_dir(config.socket_path.parent, gid)
    remove_stale_socket(config.socket_path)
    acme_path = Path(config.acme_socket_path) if config.acme_socket_path else None
    acme_gid = _group_id(config.acme_group, "acme_group") if acme_path else 0
    if acme_path is not None:
        prepare_socket_dir(acme_path.parent, acme_gid)
        remove_stale_socket(acme_path)
    server, health_servicer, acme = await build_server(config)
    await _prepare(config)
    _listen(server, config.socket_path, gid)
    if acme is not None and acme_path is not None:
        _listen(acme, acme_path, acme_gid)
        await acme.start()
        logger.info("serving the ACME worker's RPCs only on %s", acme_path)
    await server.start()
    logger.info("serving %s on %s", ", ".join(s.name for s in SERVICES), config.socket_path)
    return RunningAgent(server, health_servicer, config.socket_path, acme, acme_path)


def _listen(server: grpc.aio.Server, path: Path, gid: int) -> None:
    try:
        server.add_insecure_port(f"unix:{path}")
    except RuntimeError as error:  # grpc's way of saying the bind failed
        raise StartupError(f"cannot listen on {path}: {error}") from None
    # The directory lets no one else in, so the socket is safe until it has its final mode.
    os.chown(path, 0, gid, follow_symlinks=False)
    os.chmod(path, SOCKET_MODE)


async def _prepare(config: AgentConfig) -> None:
    """What services bring up to date before the first request (sshd's configuration). A
    failure is logged, not fatal: the other services serve, and the service tries again at
    its next request."""
    for service in SERVICES:
        if service.prepare is None:
            continue
        try:
            await service.prepare(config)
        except (AgentError, OSError) as error:
            logger.warning("%s: not prepared: %s", service.name, error)


async def serve(config: AgentConfig) -> None:
    """Runs the agent until SIGTERM or SIGINT, then lets in-flight RPCs finish."""
    agent = await start(config)
    notify_ready()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    logger.info("stopping")
    await agent.stop()


def notify_ready() -> None:
    """Tells systemd the socket is serving (Type=notify), so units ordered after the agent
    (the gateway) start only then. Outside systemd there is no NOTIFY_SOCKET: nothing to do."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address.startswith(("/", "@")):
        return
    if address.startswith("@"):  # an abstract socket: a leading NUL byte
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.sendto(b"READY=1", address)


def prepare_socket_dir(directory: Path, gid: int) -> None:
    """Creates the socket directory, or checks that an existing one only root can change."""
    try:
        os.mkdir(directory, SOCKET_DIR_MODE)
    except FileExistsError:
        _check_socket_dir(directory)
        return
    except OSError as error:
        raise StartupError(
            f"cannot create socket directory {directory}: {error.strerror}"
        ) from None
    # A directory we just made: give it its final owner and mode (mkdir applies the umask).
    os.chown(directory, 0, gid, follow_symlinks=False)
    os.chmod(directory, SOCKET_DIR_MODE)


def _check_socket_dir(directory: Path) -> None:
    # lstat, not stat: a symlink is refused whatever it points to.
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode):
        raise StartupError(f"socket directory {directory} is a symlink; make it a directory")
    if not stat.S_ISDIR(info.st_mode):
        raise StartupError(f"socket directory {directory} is not a directory")
    if info.st_uid != 0:
        raise StartupError(f"socket directory {directory} must be owned by root")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(info.st_mode)
        raise StartupError(
            f"socket directory {directory} is writable by group or others (mode {mode:04o}); "
            f"chmod it {SOCKET_DIR_MODE:04o}"
        )


def remove_stale_socket(path: Path) -> None:
    """Removes a socket left by an agent that is gone; refuses when one still listens."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(info.st_mode):
        raise StartupError(f"{path} exists and is not a socket; remove it")
    if _listening(path):
        raise StartupError(f"another process already listens on {path}")
    path.unlink()


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError as error:
            if error.errno == errno.ECONNREFUSED:  # nobody accepts on it: stale
                return False
            raise
    return True


def _group_id(name: str, key: str = "gateway_group") -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise StartupError(f"group {name} ({key}) does not exist; create it") from None
