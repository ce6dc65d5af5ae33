"""The ACME worker's own socket: only the RPCs it needs, every other one UNIMPLEMENTED; the
gateway's socket unchanged; the two share one set of servicers (agent/acme_socket.py)."""

from __future__ import annotations

import grp
import logging
import os
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc
import grpc.aio
import pytest
import stack
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent import acme_socket
from agent.daemon import RunningAgent
from agent.services import SERVICES
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, get, spec

pytestmark = pytest.mark.usefixtures("web_servers")

TOKEN = "tok" + "C" * 40
THUMBPRINT = "T" * 43


@pytest.fixture
async def acme_channel(agent: RunningAgent) -> AsyncIterator[grpc.aio.Channel]:
    assert agent.acme_socket_path is not None
    async with grpc.aio.insecure_channel(f"unix:{agent.acme_socket_path}") as channel:
        yield channel


def every_method() -> list[str]:
    """Every RPC the agent serves, by its full name, from the proto descriptors."""
    pool = descriptor_pool.Default()
    names = []
    for service in SERVICES:
        found = pool.FindServiceByName(service.full_name)
        names += [f"/{found.full_name}/{method.name}" for method in found.methods]
    return names


async def raw_call(channel: grpc.aio.Channel, method: str) -> grpc.StatusCode:
    """The method called with an empty message (valid protobuf for any request type)."""
    call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
    try:
        await call(b"", timeout=30)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def test_every_other_rpc_is_unimplemented_on_the_workers_socket(
    agent: RunningAgent, acme_channel: grpc.aio.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=acme_socket.__name__)
    others = [name for name in every_method() if name not in acme_socket.ACME_RPCS]
    assert len(others) > 50  # the whole whitelist of the agent, less the worker's dozen
    for method in [
        *others,
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/jopanel.agent.nothing.v1.Nothing/Anything",
    ]:
        assert await raw_call(acme_channel, method) == grpc.StatusCode.UNIMPLEMENTED, method
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused ")]
    assert (
        "refused /jopanel.agent.accounts.v1.AccountService/DeleteAccount on the ACME worker's"
        f" socket {agent.acme_socket_path}" in refused
    )


async def test_the_workers_rpcs_answer_there_and_are_logged_with_the_socket(
    agent: RunningAgent,
    acme_channel: grpc.aio.Channel,
    channel: grpc.aio.Channel,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A site made through the gateway's socket; its token written through the worker's is
    served (one set of servicers); another account's site is NOT_FOUND there too."""
    caplog.set_level(logging.INFO, logger=acme_socket.__name__)
    web = web_pb2_grpc.WebDomainServiceStub(channel)
    domain, victim = new_domain(), new_domain()
    await create(web, spec(domain, account.name))
    worker_certificates = certificates_pb2_grpc.CertificateServiceStub(acme_channel)
    worker_web = web_pb2_grpc.WebDomainServiceStub(acme_channel)

    await worker_certificates.CreateChallengeToken(
        certificates_pb2.CreateChallengeTokenRequest(
            domain=domain,
            account=account.name,
            token=TOKEN,
            key_authorization=f"{TOKEN}.{THUMBPRINT}",
        )
    )
    answer = await get(web_port, domain, f"/.well-known/acme-challenge/{TOKEN}")
    assert (answer.status, answer.body) == (200, f"{TOKEN}.{THUMBPRINT}")
    got = await worker_web.GetWebDomain(web_pb2.GetWebDomainRequest(name=domain))
    assert got.domain.account == account.name
    code, _ = await rpc_error(
        worker_certificates.CreateChallengeToken(
            certificates_pb2.CreateChallengeTokenRequest(
                domain=victim,
                account=account.name,
                token=TOKEN,
                key_authorization=f"{TOKEN}.{THUMBPRINT}",
            )
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND
    lines = [r.getMessage() for r in caplog.records]
    assert (
        "/jopanel.agent.certificates.v1.CertificateService/CreateChallengeToken on the ACME"
        f" worker's socket {agent.acme_socket_path}"
    ) in lines


async def test_the_gateways_socket_serves_as_before(
    channel: grpc.aio.Channel, acme_channel: grpc.aio.Channel
) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    answer = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    listed = "/jopanel.agent.web.v1.WebDomainService/ListWebDomains"
    assert await raw_call(channel, listed) == grpc.StatusCode.OK
    assert await raw_call(acme_channel, listed) == grpc.StatusCode.UNIMPLEMENTED


def test_the_workers_socket_is_its_groups_alone(agent: RunningAgent) -> None:
    assert agent.acme_socket_path is not None
    acme_gid = grp.getgrnam(stack.ACME_USER).gr_gid
    for path, mode in ((agent.acme_socket_path, 0o660), (agent.acme_socket_path.parent, 0o750)):
        info = os.lstat(path)
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, acme_gid, mode)
    assert Path(agent.socket_path).parent != agent.acme_socket_path.parent
    assert os.lstat(agent.socket_path.parent).st_gid != acme_gid
