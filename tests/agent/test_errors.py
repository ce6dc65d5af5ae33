"""The ErrorInterceptor on a real gRPC server over loopback (no sandbox needed)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import grpc.aio
import pytest
from grpc_status import rpc_status

from agent.errors import (
    INTERNAL_MESSAGE,
    AlreadyExists,
    ErrorInterceptor,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
)
from tests.agent.support import field_violations, rpc_error

Context = grpc.aio.ServicerContext[Any, Any]
ERRORS: dict[str, Exception] = {
    "Invalid": InvalidArgument("name", "must match ^[a-z]+$"),
    "NotFound": NotFound("account alice does not exist"),
    "Exists": AlreadyExists("account alice exists"),
    "Precondition": FailedPrecondition("/home/alice exists; move it away"),
    "Internal": Internal("useradd exited with status 1", detail="secret detail"),
    "Crash": RuntimeError("secret detail"),
}


async def raising(request: bytes, context: Context) -> bytes:
    raise ERRORS[request.decode()]


async def aborting(request: bytes, context: Context) -> bytes:
    await context.abort(grpc.StatusCode.PERMISSION_DENIED, "its own status")


async def echo(request: bytes, context: Context) -> bytes:
    return request


async def stream_then_raise(request: bytes, context: Context) -> AsyncIterator[bytes]:
    yield b"first"
    raise ERRORS[request.decode()]


async def write_then_raise(request: bytes, context: Context) -> None:
    await context.write(b"first")
    raise ERRORS[request.decode()]


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    handlers = {
        "Raise": grpc.unary_unary_rpc_method_handler(raising),
        "Abort": grpc.unary_unary_rpc_method_handler(aborting),
        "Echo": grpc.unary_unary_rpc_method_handler(echo),
        "Stream": grpc.unary_stream_rpc_method_handler(stream_then_raise),
        "Write": grpc.unary_stream_rpc_method_handler(write_then_raise),
    }
    server = grpc.aio.server(interceptors=[ErrorInterceptor()])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("t.T", handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    await server.stop(None)


async def unary(channel: grpc.aio.Channel, method: str, request: bytes) -> bytes:
    call = channel.unary_unary(
        f"/t.T/{method}", request_serializer=None, response_deserializer=None
    )
    response: bytes = await call(request)
    return response


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ("Invalid", grpc.StatusCode.INVALID_ARGUMENT, "name: must match ^[a-z]+$"),
        ("NotFound", grpc.StatusCode.NOT_FOUND, "account alice does not exist"),
        ("Exists", grpc.StatusCode.ALREADY_EXISTS, "account alice exists"),
        ("Precondition", grpc.StatusCode.FAILED_PRECONDITION, "/home/alice exists; move it away"),
        ("Internal", grpc.StatusCode.INTERNAL, "useradd exited with status 1"),
        ("Crash", grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE),
    ],
)
async def test_errors_map_to_status_codes(
    channel: grpc.aio.Channel, error: str, code: grpc.StatusCode, message: str
) -> None:
    assert await rpc_error(unary(channel, "Raise", error.encode())) == (code, message)


async def test_unexpected_errors_are_logged_with_traceback_but_not_sent(
    channel: grpc.aio.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="agent.errors"):
        _, message = await rpc_error(unary(channel, "Raise", b"Crash"))
    assert "secret" not in message
    [record] = caplog.records
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "secret detail"


async def test_internal_detail_goes_to_the_log_only(
    channel: grpc.aio.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="agent.errors"):
        _, message = await rpc_error(unary(channel, "Raise", b"Internal"))
    assert "secret" not in message
    assert "secret detail" in caplog.text


async def test_a_handler_abort_keeps_its_status(channel: grpc.aio.Channel) -> None:
    assert await rpc_error(unary(channel, "Abort", b"")) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "its own status",
    )


async def test_successful_calls_pass_through(channel: grpc.aio.Channel) -> None:
    assert await unary(channel, "Echo", b"hello") == b"hello"


async def test_unknown_methods_stay_unimplemented(channel: grpc.aio.Channel) -> None:
    code, _ = await rpc_error(unary(channel, "Nothing", b""))
    assert code == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize("method", ["Stream", "Write"])
async def test_streaming_handlers_are_mapped_too(channel: grpc.aio.Channel, method: str) -> None:
    call = channel.unary_stream(
        f"/t.T/{method}", request_serializer=None, response_deserializer=None
    )
    received: list[bytes] = []

    async def consume() -> None:
        async for response in call(b"NotFound"):
            received.append(response)

    assert await rpc_error(consume()) == (grpc.StatusCode.NOT_FOUND, "account alice does not exist")
    assert received == [b"first"]


async def invalid_call(channel: grpc.aio.Channel, method: str) -> None:
    if method == "Raise":
        await unary(channel, method, b"Invalid")
        return
    call = channel.unary_stream(
        f"/t.T/{method}", request_serializer=None, response_deserializer=None
    )
    async for _ in call(b"Invalid"):
        pass


@pytest.mark.parametrize("method", ["Raise", "Stream", "Write"])
async def test_a_field_error_travels_as_a_bad_request_field_violation(
    channel: grpc.aio.Channel, method: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await invalid_call(channel, method)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    # The field and what is valid, apart: no client parses the message back into a field.
    assert field_violations(error) == [("name", "must match ^[a-z]+$")]
    assert error.details() == "name: must match ^[a-z]+$"


@pytest.mark.parametrize("error", ["NotFound", "Precondition", "Internal", "Crash"])
async def test_other_errors_carry_no_field_details(channel: grpc.aio.Channel, error: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await unary(channel, "Raise", error.encode())
    assert rpc_status.from_call(caught.value) is None  # type: ignore[arg-type]


async def test_unknown_methods_are_unimplemented_and_not_kept() -> None:
    """Guarded handlers are kept per method (issue 14); a client naming a thousand methods
    that do not exist gets UNIMPLEMENTED for each and makes the interceptor keep none of them,
    while a known method answers through its kept handler, every error still mapped."""
    interceptor = ErrorInterceptor()
    server = grpc.aio.server(interceptors=[interceptor])
    handlers = {"Raise": grpc.unary_unary_rpc_method_handler(raising)}
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("t.T", handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            for i in range(1000):
                code, _ = await rpc_error(unary(channel, f"Missing{i}", b""))
                assert code == grpc.StatusCode.UNIMPLEMENTED
            for _ in range(2):
                code, _ = await rpc_error(unary(channel, "Raise", b"NotFound"))
                assert code == grpc.StatusCode.NOT_FOUND
                answer = await rpc_error(unary(channel, "Raise", b"Crash"))
                assert answer == (grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
    finally:
        await server.stop(None)
    assert list(interceptor._guarded) == ["/t.T/Raise"]
