"""The agent's server: socket rules, health checking, reflection, limits, signals (sandbox only)."""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import grpc.aio
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.config import AgentConfig
from agent.daemon import RunningAgent, StartupError, start
from tests.agent.support import rpc_error, short_temp_dir

ACCOUNT_SERVICE = "jopanel.agent.accounts.v1.AccountService"
TOP = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch(sandbox: Path) -> Iterator[Path]:
    directory = short_temp_dir()
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def config(scratch: Path, gateway_user: str) -> AgentConfig:
    return AgentConfig(socket_path=scratch / "run" / "agent.sock", gateway_group=gateway_user)


async def test_socket_and_directory_belong_to_root_and_the_gateway_group(
    agent: RunningAgent, gateway_user: str
) -> None:
    gid = grp.getgrnam(gateway_user).gr_gid
    sock = os.lstat(agent.socket_path)
    directory = os.lstat(agent.socket_path.parent)
    assert stat.S_ISSOCK(sock.st_mode)
    assert (stat.S_IMODE(sock.st_mode), sock.st_uid, sock.st_gid) == (0o660, 0, gid)
    assert stat.S_ISDIR(directory.st_mode)
    assert (stat.S_IMODE(directory.st_mode), directory.st_uid, directory.st_gid) == (0o750, 0, gid)


@pytest.mark.parametrize("service", ["", ACCOUNT_SERVICE])
async def test_health_check_answers_serving(channel: grpc.aio.Channel, service: str) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=service))
    assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_health_check_of_an_unknown_service_is_not_found(channel: grpc.aio.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    code, _ = await rpc_error(stub.Check(health_pb2.HealthCheckRequest(service="no.Such")))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_reflection_lists_every_service(channel: grpc.aio.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    responses = [response async for response in stub.ServerReflectionInfo(iter([request]))]
    names = {service.name for service in responses[0].list_services_response.service}
    assert {ACCOUNT_SERVICE, "grpc.health.v1.Health"} <= names


async def test_refuses_a_symlinked_socket_directory(config: AgentConfig, scratch: Path) -> None:
    (scratch / "real").mkdir(mode=0o750)
    config.socket_path.parent.symlink_to(scratch / "real")
    with pytest.raises(StartupError, match="symlink"):
        await start(config)
    assert os.listdir(scratch / "real") == []


async def test_refuses_a_socket_directory_not_owned_by_root(
    config: AgentConfig, gateway_user: str
) -> None:
    config.socket_path.parent.mkdir(mode=0o750)
    os.chown(config.socket_path.parent, pwd.getpwnam(gateway_user).pw_uid, -1)
    with pytest.raises(StartupError, match="owned by root"):
        await start(config)
    assert not config.socket_path.exists()


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777, 0o752])
async def test_refuses_a_socket_directory_others_can_write(config: AgentConfig, mode: int) -> None:
    config.socket_path.parent.mkdir()
    config.socket_path.parent.chmod(mode)
    with pytest.raises(StartupError, match="writable"):
        await start(config)
    assert not config.socket_path.exists()


async def test_refuses_a_socket_path_that_is_not_a_socket(config: AgentConfig) -> None:
    config.socket_path.parent.mkdir(mode=0o750)
    config.socket_path.write_text("")
    with pytest.raises(StartupError, match="not a socket"):
        await start(config)


async def test_refuses_a_socket_another_process_listens_on(config: AgentConfig) -> None:
    config.socket_path.parent.mkdir(mode=0o750)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(config.socket_path))
        listener.listen()
        with pytest.raises(StartupError, match="already listens"):
            await start(config)


async def test_replaces_a_stale_socket(config: AgentConfig) -> None:
    config.socket_path.parent.mkdir(mode=0o750)
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(config.socket_path))  # bound, never listened on, then closed
    running = await start(config)
    try:
        assert stat.S_IMODE(os.lstat(config.socket_path).st_mode) == 0o660
    finally:
        await running.stop(grace=None)
    assert not config.socket_path.exists()


@pytest.fixture
async def small_agent(scratch: Path, gateway_user: str) -> AsyncIterator[grpc.aio.Channel]:
    config = AgentConfig(
        socket_path=scratch / "small.sock", gateway_group=gateway_user, max_message_bytes=1024
    )
    running = await start(config)
    async with grpc.aio.insecure_channel(f"unix:{config.socket_path}") as channel:
        yield channel
    await running.stop(grace=None)


async def test_messages_above_the_limit_are_refused(small_agent: grpc.aio.Channel) -> None:
    stub = accounts_pb2_grpc.AccountServiceStub(small_agent)
    request = accounts_pb2.GetAccountRequest(name="x" * 2000)
    code, _ = await rpc_error(stub.GetAccount(request))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED


def write_config(config: AgentConfig, directory: Path) -> Path:
    path = directory / "agent.toml"
    path.write_text(
        f'socket_path = "{config.socket_path}"\ngateway_group = "{config.gateway_group}"\n'
    )
    return path


def agent_command(config_file: Path) -> list[str]:
    return [sys.executable, "-m", "agent", "--config", str(config_file)]


def test_main_exits_non_zero_when_it_refuses_to_start(config: AgentConfig, scratch: Path) -> None:
    config.socket_path.parent.mkdir()
    config.socket_path.parent.chmod(0o777)
    result = subprocess.run(
        agent_command(write_config(config, scratch)), capture_output=True, text=True, cwd=TOP
    )
    assert result.returncode == 1
    assert "writable by group or others" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_exits_non_zero_on_a_bad_config(scratch: Path) -> None:
    config_file = scratch / "agent.toml"
    config_file.write_text('sockett_path = "/run/x.sock"\n')
    result = subprocess.run(agent_command(config_file), capture_output=True, text=True, cwd=TOP)
    assert result.returncode == 1
    assert "unknown keys: sockett_path" in result.stderr


async def test_sigterm_stops_the_agent_gracefully(config: AgentConfig, scratch: Path) -> None:
    agent = await asyncio.create_subprocess_exec(
        *agent_command(write_config(config, scratch)), stderr=subprocess.PIPE, cwd=TOP
    )
    try:
        async with grpc.aio.insecure_channel(f"unix:{config.socket_path}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest()
            response = await stub.Check(request, wait_for_ready=True, timeout=20)
            assert response.status == health_pb2.HealthCheckResponse.SERVING
        agent.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(agent.communicate(), 20)
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()
    assert agent.returncode == 0
    assert b"stopping" in stderr
    assert not config.socket_path.exists()
