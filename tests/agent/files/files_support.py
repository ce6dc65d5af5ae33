"""Fixtures and helpers for the FileService tests: the real agent, real accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc.aio
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.files.v1 import files_pb2, files_pb2_grpc

if TYPE_CHECKING:
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    Stub: TypeAlias = files_pb2_grpc.FileServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub


@pytest.fixture(scope="session")
def files(channel: grpc.aio.Channel) -> Stub:
    return files_pb2_grpc.FileServiceStub(channel)


@pytest.fixture
async def owner(accounts: AccountStub, new_name: Callable[[], str]) -> str:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    return (await accounts.CreateAccount(request)).account.name


def home(account: str) -> Path:
    return Path("/home") / account


async def upload(
    stub: Stub,
    account: str,
    path: str,
    data: bytes,
    *,
    offset: int = 0,
    size: int | None = None,
    chunk: int = 256 * 1024,
) -> files_pb2.WriteFileResponse:
    total = len(data) + offset if size is None else size

    async def messages() -> AsyncIterator[files_pb2.WriteFileRequest]:
        yield files_pb2.WriteFileRequest(
            upload=files_pb2.Upload(account=account, path=path, size=total, offset=offset)
        )
        for start in range(0, len(data), chunk):
            yield files_pb2.WriteFileRequest(data=data[start : start + chunk])

    return await stub.WriteFile(messages())


async def download(
    stub: Stub, account: str, path: str, offset: int = 0
) -> tuple[files_pb2.FileEntry, bytes]:
    parts = [
        part
        async for part in stub.ReadFile(
            files_pb2.ReadFileRequest(account=account, path=path, offset=offset)
        )
    ]
    assert parts
    assert parts[0].HasField("file")
    return parts[0].file, b"".join(part.data for part in parts[1:])
