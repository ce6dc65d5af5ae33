"""The agent's socket as a local attacker meets it (sandbox only).

Who may connect is decided by the kernel at connect(2): the socket is 0660 root:<gateway group>
and, in the layout the agent makes itself, its directory is 0750 root:<gateway group>. These
tests connect as real users through setpriv: a user outside the group and a hosting account's
owner are refused at connect, while the gateway's user and a member of its group get an HTTP/2
answer from the same socket, so the refusals are the permissions and nothing else.

Messages above max_message_bytes are refused with RESOURCE_EXHAUSTED by every registered RPC
before the agent's code sees them, and the agent keeps serving.
"""

from __future__ import annotations

import asyncio
import grp
import os
import shutil
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import grpc.aio
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.config import AgentConfig
from agent.daemon import RunningAgent, start
from tests.agent.boundary_support import code_of, connect_as, ensure_user, registered_rpcs
from tests.agent.support import account_files, rpc_error, short_temp_dir

CONNECTED: str = "connected 4"  # the server's first HTTP/2 frame is SETTINGS (type 4)
REFUSED: str = "refused EACCES"
# A field number no request message uses: its bytes are carried as an unknown field.
UNKNOWN_FIELD: int = 1000


@pytest.fixture(params=["own directory", "directory like /run"])
async def exposed_socket(
    request: pytest.FixtureRequest, sandbox: Path, gateway_user: str
) -> AsyncIterator[Path]:
    """An agent whose socket every user could reach but for its permissions.

    The session's agent sits below a 0700 temporary folder, which would refuse everyone by
    itself. Here the folder above is 0755, as /run is. "own directory": the agent makes its
    0750 directory (production's /run/jopanel). "directory like /run": the socket sits in a
    root-owned 0755 directory, which the agent accepts; then only the socket's mode keeps
    others out.
    """
    top = short_temp_dir()
    top.chmod(0o755)
    inside = top / "jopanel" if request.param == "own directory" else top
    config = AgentConfig(socket_path=inside / "agent.sock", gateway_group=gateway_user)
    running = await start(config)
    yield config.socket_path
    await running.stop(grace=None)
    shutil.rmtree(top)


@pytest.fixture(scope="module")
def outsider(sandbox: Path) -> str:
    """A local user in no group of the panel (a daemon's user, say)."""
    return ensure_user("jpoutsider").pw_name


@pytest.fixture(scope="module")
def insider(sandbox: Path, gateway_user: str) -> str:
    """A user whose supplementary group is the gateway's."""
    return ensure_user("jpinsider", groups=[gateway_user]).pw_name


async def test_the_socket_is_root_and_the_gateway_groups_only(
    exposed_socket: Path, gateway_user: str
) -> None:
    gid = grp.getgrnam(gateway_user).gr_gid
    info = os.lstat(exposed_socket)
    assert stat.S_ISSOCK(info.st_mode)
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o660, 0, gid)
    directory = os.lstat(exposed_socket.parent)
    if exposed_socket.parent.name == "jopanel":
        assert (stat.S_IMODE(directory.st_mode), directory.st_uid) == (0o750, 0)
        assert directory.st_gid == gid


async def test_a_user_outside_the_gateway_group_is_refused_at_connect(
    exposed_socket: Path, outsider: str
) -> None:
    assert connect_as(outsider, exposed_socket, init_groups=True) == REFUSED


async def test_an_account_owner_is_refused_at_connect(
    exposed_socket: Path, account: accounts_pb2.Account
) -> None:
    """A hosting customer with a shell: the attacker the socket is most exposed to."""
    assert connect_as(account.name, exposed_socket, init_groups=True) == REFUSED


async def test_the_gateway_user_connects(exposed_socket: Path, gateway_user: str) -> None:
    assert connect_as(gateway_user, exposed_socket, init_groups=False) == CONNECTED


async def test_a_member_of_the_gateway_group_connects(exposed_socket: Path, insider: str) -> None:
    assert connect_as(insider, exposed_socket, init_groups=True) == CONNECTED
    # The same user without its supplementary groups is an outsider.
    assert connect_as(insider, exposed_socket, init_groups=False) == REFUSED


def unknown_field_message(size: int) -> bytes:
    """A serialized request of exactly `size` bytes: one length-delimited unknown field, which
    every request message accepts and ignores."""
    tag = _varint(UNKNOWN_FIELD << 3 | 2)
    for length in range(size, 0, -1):
        encoded = tag + _varint(length)
        if len(encoded) + length == size:
            return encoded + b"x" * length
    raise ValueError(size)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


async def serving(channel: grpc.aio.Channel) -> bool:
    health = health_pb2_grpc.HealthStub(channel)
    answer = await health.Check(health_pb2.HealthCheckRequest(), timeout=10)
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture
async def small_agent(sandbox: Path, gateway_user: str) -> AsyncIterator[grpc.aio.Channel]:
    """An agent with the smallest limit (1 KiB), so every RPC can be tried cheaply."""
    top = short_temp_dir()
    config = AgentConfig(
        socket_path=top / "agent.sock", gateway_group=gateway_user, max_message_bytes=1024
    )
    running = await start(config)
    async with grpc.aio.insecure_channel(f"unix:{config.socket_path}") as channel:
        yield channel
    await running.stop(grace=None)
    shutil.rmtree(top)


def raw_call(
    channel: grpc.aio.Channel, path: str
) -> grpc.aio.UnaryUnaryMultiCallable[bytes, bytes]:
    """The RPC at `path` taking and giving serialized messages, as they travel."""
    return channel.unary_unary(path, request_serializer=None, response_deserializer=None)


# What gRPC says of a request over the server's receive limit.
TOO_LARGE = "SERVER: Received message larger than max"


async def test_every_rpc_refuses_a_message_over_the_limit(small_agent: grpc.aio.Channel) -> None:
    before = account_files()
    rpcs = registered_rpcs()
    calls = [raw_call(small_agent, rpc.path) for rpc in rpcs]
    # All at once: a burst of oversized messages is refused like a single one.
    over = await asyncio.gather(
        *(code_of(call(unknown_field_message(1025), timeout=30)) for call in calls)
    )
    for rpc, (code, message) in zip(rpcs, over, strict=True):
        assert code == grpc.StatusCode.RESOURCE_EXHAUSTED, str(rpc)
        assert message.startswith(TOO_LARGE), str(rpc)
    for rpc, call in zip(rpcs, calls, strict=True):
        # At the limit the request is read, and then refused or answered by the RPC (a list
        # may answer RESOURCE_EXHAUSTED too: its response can outgrow this tiny limit).
        _, message = await code_of(call(unknown_field_message(1024), timeout=30))
        assert not message.startswith(TOO_LARGE), str(rpc)
    assert await serving(small_agent)
    assert account_files() == before


async def test_the_default_limit_holds_for_every_service(
    agent: RunningAgent, channel: grpc.aio.Channel, agent_config: AgentConfig
) -> None:
    """The session's agent runs with the production default (4 MiB)."""
    limit = agent_config.max_message_bytes
    first_of_each = {rpc.service: rpc for rpc in reversed(registered_rpcs())}
    oversized = unknown_field_message(limit + 1)
    over = await asyncio.gather(
        *(
            code_of(raw_call(channel, rpc.path)(oversized, timeout=30))
            for rpc in first_of_each.values()
        )
    )
    assert {code for code, _ in over} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    get_account = raw_call(channel, "/jopanel.agent.accounts.v1.AccountService/GetAccount")
    code, message = await rpc_error(get_account(unknown_field_message(limit), timeout=30))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("name: ")
    # A new connection, and an RPC that does real work, still get through.
    async with grpc.aio.insecure_channel(f"unix:{agent.socket_path}") as fresh:
        assert await serving(fresh)
        stub = accounts_pb2_grpc.AccountServiceStub(fresh)
        await stub.ListAccounts(accounts_pb2.ListAccountsRequest(), timeout=30)


# Bytes that are no protobuf message of any type: a field number 0 with an invalid wire type,
# and a length-delimited field longer than the bytes that follow.
CORRUPT = (b"\xff\xff\xff", b"\x0a\x05ab")


async def test_a_request_that_does_not_parse_is_refused_and_the_agent_keeps_serving(
    small_agent: grpc.aio.Channel,
) -> None:
    before = account_files()
    for rpc in registered_rpcs():
        for payload in CORRUPT:
            code, _ = await code_of(raw_call(small_agent, rpc.path)(payload, timeout=30))
            assert code != grpc.StatusCode.OK, str(rpc)
    assert await serving(small_agent)
    assert account_files() == before


async def test_a_request_that_does_not_parse_is_invalid_argument(
    small_agent: grpc.aio.Channel,
) -> None:
    codes = {
        (await code_of(raw_call(small_agent, rpc.path)(payload, timeout=30)))[0]
        for rpc in registered_rpcs()
        for payload in CORRUPT
    }
    assert codes == {grpc.StatusCode.INVALID_ARGUMENT}
