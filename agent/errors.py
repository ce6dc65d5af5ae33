"""The agent's exceptions and the one interceptor that turns them into gRPC status codes.

Servicers and the system layer raise these exceptions and never touch the gRPC context for
errors: the mapping to canonical codes (AIP-193) happens once, here, at the servicer edge. Every
message is short and actionable and never carries a secret: validators name the bad field and
say what is valid without echoing the value, and the standard error output of programs is logged
but not sent to the client.
"""

from __future__ import annotations

import errno
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar, Final, NoReturn, TypeAlias

# Module imports: types-protobuf's google-stubs would hide google.rpc from `from google.rpc`.
import google.rpc.code_pb2 as code_pb2
import google.rpc.error_details_pb2 as error_details_pb2
import google.rpc.status_pb2 as status_pb2
import grpc
import grpc.aio
from google.protobuf import any_pb2
from grpc_status import rpc_status

logger = logging.getLogger(__name__)

# What the client sees for an unexpected failure; the details are in the agent's log.
INTERNAL_MESSAGE = "internal error in the agent; its log has the details"


class AgentError(Exception):
    """An error the agent reports to its client with a canonical status code."""

    code: ClassVar[grpc.StatusCode] = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(AgentError):
    """A request field is invalid. The client gets it as a google.rpc.BadRequest field violation
    in the status details (field: the request's field path, such as `domain.aliases[2]`;
    description: what is valid); the status message reads "<field>: <description>" for logs and
    people."""

    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.description = message


class NotFound(AgentError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(AgentError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(AgentError):
    """The system is not in a state the operation can work from; the message says what to fix."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhausted(AgentError):
    """A per-resource limit is reached (challenge tokens of one domain); the message says which."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(AgentError):
    """A program or server the operation needs did not answer in time, or at all.

    Every agent operation is idempotent, so the client may simply try again; the message says
    what did not answer and, for a timeout, which configuration key bounds it.
    """

    code = grpc.StatusCode.UNAVAILABLE


class TimedOut(Unavailable):
    """A program or server did not finish within its resource's timeout (see agent/config.py).

    UNAVAILABLE rather than DEADLINE_EXCEEDED: the client's own deadline did not pass, the
    agent gave up on something it depends on, and a retry may succeed (AIP-193, DESIGN.md's
    table maps it to 503 at the gateway).
    """


class Internal(AgentError):
    """An operation failed on the system; `detail` goes to the log only, never to the client."""

    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


Behavior = Callable[..., Any]
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"  # the stubs are generic, grpc is not

# The four shapes of RPC handler and the function that rebuilds each around a new behavior.
_HANDLER_KINDS = (
    ("unary_unary", grpc.unary_unary_rpc_method_handler),
    ("unary_stream", grpc.unary_stream_rpc_method_handler),
    ("stream_unary", grpc.stream_unary_rpc_method_handler),
    ("stream_stream", grpc.stream_stream_rpc_method_handler),
)


# Writing a file for an account (a site's index page, say) can meet its full quota or a full
# disk: that is the caller's to resolve, not a fault of the agent.
_OUT_OF_SPACE: Final = {
    errno.EDQUOT: "the account's disk quota is used up: free space or raise its quota",
    errno.ENOSPC: "the server's disk is full",
}


class ErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Maps AgentError to its status code and any other exception to INTERNAL, for every RPC.

    A method's guarded handler is built at its first call and kept: the services' handlers
    never change once the server runs, and building it anew cost every RPC four closures and
    a handler (issue 14, target 6).
    """

    def __init__(self) -> None:
        self._guarded: dict[str, Handler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler:
        method = handler_call_details.method
        kept = self._guarded.get(method)
        if kept is not None:
            return kept
        handler = await continuation(handler_call_details)
        if handler is None:  # an unknown method: gRPC answers UNIMPLEMENTED itself (not kept:
            return handler  # a client could fill the cache with names that do not exist)
        guarded = _guarded(handler, method)
        self._guarded[method] = guarded
        return guarded


def _guarded(handler: Handler, method: str) -> Handler:
    for kind, rebuild in _HANDLER_KINDS:
        behavior = getattr(handler, kind)
        if behavior is not None:
            guarded = _guard(behavior, method)
            unary_request = kind in ("unary_unary", "unary_stream")
            if unary_request and handler.request_deserializer is not None:
                # Parse inside the guard: gRPC's own deserializer would answer a request
                # that is no message at all with UNKNOWN and protobuf's error text.
                guarded = _parsed(guarded, handler.request_deserializer)
                return rebuild(guarded, None, handler.response_serializer)
            if handler.request_deserializer is not None:  # a client stream (uploads)
                parsing = _parsed_each(behavior, handler.request_deserializer)
                guarded = _guard(parsing, method)
                return rebuild(guarded, None, handler.response_serializer)
            return rebuild(guarded, handler.request_deserializer, handler.response_serializer)
    return handler


def _parsed(behavior: Behavior, parse: Callable[[bytes], Any]) -> Behavior:
    """Takes the request's raw bytes and parses them itself: bytes that are no message of the
    RPC's type are INVALID_ARGUMENT, as any other malformed input is. A response stream
    (an async generator) stays one."""

    async def request_of(raw: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return parse(raw)
        except Exception:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "request: not a valid message")

    if inspect.isasyncgenfunction(behavior):

        async def parsing_stream(
            raw: bytes, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            request = await request_of(raw, context)
            async for response in behavior(request, context):
                yield response

        return parsing_stream

    async def parsing(raw: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        return await behavior(await request_of(raw, context), context)

    return parsing


def _parsed_each(behavior: Behavior, parse: Callable[[bytes], Any]) -> Behavior:
    """A client stream's messages parsed one by one as the handler reads them: bytes that are
    no message of the RPC's type are INVALID_ARGUMENT there, as for a unary request."""

    async def each(raw: AsyncIterator[bytes]) -> AsyncIterator[Any]:
        async for message in raw:
            try:
                parsed = parse(message)
            except Exception:
                raise InvalidArgument("request", "not a valid message") from None
            yield parsed

    if inspect.isasyncgenfunction(behavior):  # both ways streamed (reflection, say)

        async def parsing_stream(
            raw: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            async for response in behavior(each(raw), context):
                yield response

        return parsing_stream

    async def parsing(
        raw: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        return await behavior(each(raw), context)

    return parsing


def _guard(behavior: Behavior, method: str) -> Behavior:
    """Wraps a handler; streaming handlers may be async generators or coroutines that write."""
    if inspect.isasyncgenfunction(behavior):

        async def stream(
            request: Any, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            try:
                async for response in behavior(request, context):
                    yield response
            except Exception as error:
                await _abort(context, error, method)

        return stream

    # Unary responses, and response streams written with context.write().
    async def coroutine(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await behavior(request, context)
        except Exception as error:
            await _abort(context, error, method)

    return coroutine


async def _abort(
    context: grpc.aio.ServicerContext[Any, Any], error: Exception, method: str
) -> NoReturn:
    if isinstance(error, grpc.aio.AbortError):  # the handler aborted with its own status
        raise error
    if isinstance(error, OSError) and error.errno in _OUT_OF_SPACE:
        error = FailedPrecondition(_OUT_OF_SPACE[error.errno])
    if not isinstance(error, AgentError):
        logger.error("%s: unexpected error", method, exc_info=error)
        await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
    if isinstance(error, Internal):
        logger.error("%s: %s (%s)", method, error.message, error.detail, exc_info=error)
    else:
        logger.info("%s: %s %s", method, error.code.name, error.message)
    if isinstance(error, InvalidArgument):
        rich = invalid_argument(error.field, error.description)
        await context.abort(rich.code, rich.details, rich.trailing_metadata)
    await context.abort(error.code, error.message)


def invalid_argument(field: str, description: str) -> grpc.Status:
    """INVALID_ARGUMENT with the field as a google.rpc.BadRequest field violation in the status
    details (AIP-193), so no client parses the message back into a field."""
    violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=description)
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.BadRequest(field_violations=[violation]))
    status = status_pb2.Status(
        code=code_pb2.INVALID_ARGUMENT, message=f"{field}: {description}", details=[detail]
    )
    rich: grpc.Status = rpc_status.to_status(status)
    return rich
