"""The route table: every operation declares its access rule, body and answer in one place.

The application's routes, its authorisation and its OpenAPI document all come from these
declarations, so a route cannot exist without a documented access rule.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic

import aiomysql
import grpc
from aiohttp import web
from pydantic import BaseModel, ValidationError
from typing_extensions import TypeVar

from gateway import keys
from gateway.access import may_act_on
from gateway.agent import Agent
from gateway.config import GatewayConfig
from gateway.context import Context
from gateway.principal import Principal
from gateway.problems import (
    FieldError,
    Problem,
    bad_request,
    field_error,
    forbidden,
    from_agent,
    not_found,
    unprocessable,
)
from gateway.validation import Unprocessable

M = TypeVar("M", bound=BaseModel)


class NoBody(BaseModel):
    """What an operation without a body receives as its body."""


class NoQuery(BaseModel):
    """What an operation without query parameters receives as its query."""


B = TypeVar("B", bound=BaseModel, default=NoBody)
Q = TypeVar("Q", bound=BaseModel, default=NoQuery)
R = TypeVar("R")


class Access(StrEnum):
    PUBLIC = "public"  # no token needed
    # Administrators; resellers and owners where `owner` says so (or for the account they
    # name, through gateway/scope.py).
    SIGNED_IN = "signed-in"
    # Administrators and resellers (a reseller where `owner` says so); owners get 403.
    RESELLER = "reseller"
    ADMIN = "admin"  # administrators only; resellers and owners get 403


@dataclass
class Call(Generic[B, Q]):
    """One request as a handler sees it: validated body and query, and who is calling.

    A handler names its body and query types in its signature (`Call[CronJobCreate]`,
    `Call[NoBody, CronJobQuery]`); add_operations checks at start-up that they are the types
    its operation validates, so `call.body` is typed without a cast.
    """

    request: web.Request
    principal: Principal | None
    body: B
    query: Q
    # The record an owner-checked operation addresses, as its `owner` function found it.
    resource: object = None

    @property
    def db(self) -> aiomysql.Pool:
        return self.request.app[keys.DB]

    @property
    def config(self) -> GatewayConfig:
        return self.request.app[keys.CONFIG]

    @property
    def agent(self) -> Agent:
        return self.request.app[keys.AGENT]

    @property
    def me(self) -> Principal:
        assert self.principal is not None, "only signed-in operations ask who is calling"
        return self.principal

    @property
    def context(self) -> Context:
        """What a service needs to act for this caller."""
        return Context(
            db=self.db,
            agent=self.agent,
            me=self.me,
            client=self.client,
            sessions=self.request.app[keys.SESSIONS],
        )

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    def param_like(self, name: str, shape: re.Pattern[str]) -> str | None:
        """The path parameter when it has the shape of the names it could stand for, else
        None: such a value names nothing, and never reaches SQL against an ASCII column."""
        value = self.param(name)
        return value if shape.fullmatch(value) else None

    def found(self, record: type[R], what: str) -> R:
        """The record the operation's `owner` function found, or 404 naming `what`."""
        if not isinstance(self.resource, record):
            raise not_found(what)
        return self.resource

    @property
    def client(self) -> str:
        return client_address(self.request, self.config.trusted_proxies)


@dataclass(frozen=True)
class Owned:
    """What a request addresses: the name of the account that owns it, and its record where
    one was read. What belongs to no account (a plan) has `account` None and names its
    reseller instead (None: an administrator's)."""

    account: str | None
    record: object = None
    reseller_id: int | None = None


Handler = Callable[[Call[Any, Any]], Awaitable[web.StreamResponse]]
# Finds what a request addresses (None when nothing exists there).
OwnerOf = Callable[[Call], Awaitable[Owned | None]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    access: Access = Access.ADMIN
    # What the request addresses: a caller may act only where gateway/access.py allows it
    # (an owner: its own account; a reseller: its accounts and plans), and anything else
    # answers 404 exactly as if it did not exist. None: no owner check.
    owner: OwnerOf | None = None
    body: type[BaseModel] | None = None
    # The body may be left out altogether (it then reads as `{}`).
    body_optional: bool = False
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    # A body of raw bytes (uploads) of this media type, which the handler streams itself;
    # an answer of raw bytes (downloads) of this media type.
    raw_body: str | None = None
    raw_response: str | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default=())


def path_param(name: str) -> OwnerOf:
    """The owner is named by a path parameter (the account routes)."""

    async def owner(call: Call) -> Owned | None:
        return Owned(call.param(name))

    return owner


def json_response(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(
        body=model.__pydantic_serializer__.to_json(model, by_alias=True),
        status=status,
        content_type="application/json",
    )


def add_operations(app: web.Application, operations: list[Operation]) -> None:
    concrete = {op.path for op in operations if "{" not in op.path}
    for op in operations:
        _check_handler(op)
        handler = _wrap(op)
        path = _routed_path(op.path, concrete)
        app.router.add_route(op.method, path, handler, name=op.operation_id)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _routed_path(path: str, concrete: set[str]) -> str:
    """The path as the router matches it. OpenAPI matches a concrete path before a templated
    one that takes it too, so /api/v1/invoices/run is POST alone, not also GET of invoice
    'run': the template's first parameter refuses the rest of each such concrete path (and a
    GET there, or an OPTIONS, is a 405 that names only POST in Allow)."""
    segments = path.split("/")
    params = [i for i, part in enumerate(segments) if _PLACEHOLDER.fullmatch(part)]
    if not params:
        return path
    template = re.compile(
        "/".join("[^/]+" if i in params else re.escape(part) for i, part in enumerate(segments))
    )
    first = params[0]
    taken = sorted(
        "/".join(other.split("/")[first:]) for other in concrete if template.fullmatch(other)
    )
    if not taken:
        return path
    refused = "|".join(re.escape(rest) for rest in taken)
    name = segments[first][1:-1]
    segments[first] = f"{{{name}:(?!(?:{refused})$)[^{{}}/]+}}"
    return "/".join(segments)


def operation_of(request: web.Request) -> Operation | None:
    op: Operation | None = getattr(request.match_info.handler, "jopanel_operation", None)
    return op


def _check_handler(op: Operation) -> None:
    """A handler's `Call[Body, Query]` must name the types its operation validates: mypy
    then checks every use of `call.body` and `call.query` in it."""
    hint = typing.get_type_hints(op.handler)["call"]
    args = typing.get_args(hint) or (NoBody, NoQuery)  # a bare `Call` is Call[NoBody, NoQuery]
    wanted = (op.body or NoBody, op.query or NoQuery)
    if args != wanted:
        raise TypeError(f"{op.operation_id}: the handler takes {hint}, the operation {wanted}")


def _wrap(op: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        principal = request.get(keys.PRINCIPAL)
        call: Call[Any, Any] = Call(request, principal, NoBody(), NoQuery())
        if op.access is not Access.PUBLIC:
            await _authorise(op, call)
        if op.query is not None:
            call.query = _validate(op.query, _typed_query(op.query, request.query), "query")
        if op.body is not None:
            absent = op.body_optional and not request.body_exists
            data = {} if absent else await _read_json(request)
            call.body = _validate(op.body, data, "body")
        try:
            return await op.handler(call)
        except Problem as problem:
            raise _as_unprocessable(problem) from None
        except grpc.aio.AioRpcError as exc:
            if exc.code() is not grpc.StatusCode.INVALID_ARGUMENT:
                raise
            raise _as_unprocessable(from_agent(exc)) from exc

    handle.jopanel_operation = op  # type: ignore[attr-defined]
    return handle


def _as_unprocessable(problem: Problem) -> Problem:
    """400 says a request breaks the OpenAPI document, and only the document's rules (checked
    before the handler runs) answer it. A field the handler or the agent refuses afterwards
    was well formed: a rule of state, role or across fields refused it, which is 422."""
    if problem.status != 400:
        return problem
    return unprocessable(problem.detail, problem.errors)


async def _authorise(op: Operation, call: Call) -> None:
    me = call.me
    if op.access is Access.ADMIN and not me.is_admin:
        raise forbidden("Only administrators may do this.")
    if op.access is Access.RESELLER and me.is_owner:
        raise forbidden("Only administrators and resellers may do this.")
    if op.owner is not None:
        owned = await op.owner(call)
        call.resource = owned.record if owned else None
        if not me.is_admin and (
            owned is None or not await may_act_on(call.db, me, owned.account, owned.reseller_id)
        ):
            raise not_found("This resource")


UNIX_PEER = "unix"


def client_address(request: web.Request, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: the peer, or where a trusted proxy says the request came from.

    X-Forwarded-For is read right to left and only while each hop is a trusted proxy, so a
    client cannot choose its address by sending the header itself. A peer on the gateway's
    Unix socket has no address: it is "unix" (trusted when listed; production lists it, since
    only nginx's group can reach the socket).
    """
    address = request.remote or UNIX_PEER
    if address not in trusted_proxies:
        return address
    for hop in reversed(request.headers.get("X-Forwarded-For", "").split(",")):
        try:
            address = str(ipaddress.ip_address(hop.strip()))
        except ValueError:
            break
        if address not in trusted_proxies:
            break
    return address


async def _read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise Problem(415, "Unsupported media type", "Send the body as application/json.")
    raw = await request.read()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"The body is not valid JSON: {exc}") from exc
    _refuse_control_characters(data, "")
    return data


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse_control_characters(node: Any, where: str) -> None:
    """No string anywhere in a body may hold CR, LF, NUL or another control character: such
    characters are how values break out of the config files and commands they end up in."""
    if isinstance(node, str):
        if _CONTROL.search(node):
            raise field_error(
                where or "body", "must not contain control characters (CR, LF, NUL, ...)"
            )
    elif isinstance(node, dict):
        for key, value in node.items():
            path = f"{where}.{key}" if where else str(key)
            _refuse_control_characters(key, path)
            _refuse_control_characters(value, path)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _refuse_control_characters(value, f"{where}.{index}" if where else str(index))


_INTEGER = re.compile(r"(-?[0-9]{1,20})(?:\.0+)?")
_BOOLEANS = {"true": True, "false": False}


def _typed_query(model: type[BaseModel], query: Mapping[str, str]) -> dict[str, Any]:
    """The query's values as the JSON the schema describes: a parameter typed integer becomes
    one only when written in decimal digits (a fraction of zeros allowed: 5.0 is 5 in JSON
    Schema), a boolean only when written true or false. Anything else stays a string, which
    strict validation then refuses: "1.5", "0x10", "yes" and "on" are not what the document
    promises."""
    types_of = _query_types(model)
    typed: dict[str, Any] = {}
    for name, value in query.items():
        types = types_of.get(name, frozenset())
        if "integer" in types and (integer := _INTEGER.fullmatch(value)):
            typed[name] = int(integer[1])
        elif "boolean" in types and value in _BOOLEANS:
            typed[name] = _BOOLEANS[value]
        else:
            typed[name] = value
    return typed


@functools.cache
def _query_types(model: type[BaseModel]) -> dict[str, frozenset[str]]:
    properties = model.model_json_schema().get("properties", {})
    return {name: frozenset(_json_types(schema)) for name, schema in properties.items()}


def _json_types(schema: dict[str, Any]) -> set[str]:
    found = {schema["type"]} if isinstance(schema.get("type"), str) else set()
    for option in schema.get("anyOf", []):
        found |= _json_types(option)
    return found


def _integral(node: Any) -> Any:
    """JSON Schema's integers are numbers without a fraction, however written: 221.0 is 221
    (and still no boolean is a number)."""
    if isinstance(node, float) and node.is_integer():
        return int(node)
    if isinstance(node, dict):
        return {key: _integral(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_integral(value) for value in node]
    return node


def _validate(model: type[M], data: Any, where: str) -> M:
    """The model from JSON data, validated strictly: a boolean is never an integer (false is
    not 0), a number never a string, a number with a fraction never an integer, exactly as
    the OpenAPI document's types say. The data goes through JSON so that strictness is JSON's:
    a string is a valid value of a Literal or an enum."""
    try:
        return model.model_validate_json(json.dumps(_integral(data)), strict=True)
    except ValidationError as exc:
        found = exc.errors(include_url=False)
        errors = [FieldError(_json_path(data, err["loc"]) or where, _message(err)) for err in found]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        if all(isinstance(err.get("ctx", {}).get("error"), Unprocessable) for err in found):
            raise unprocessable(detail, errors) from exc
        raise bad_request(detail, errors) from exc


def _json_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """The field as the client wrote it: pydantic's location without the tags it adds for
    tagged unions (backend.redirect.url is backend.url in the body)."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(node, dict) and step not in node and node.get("type") == step:
            continue
        parts.append(str(step))
        node = (
            node.get(step)
            if isinstance(node, dict)
            else (
                node[step]
                if isinstance(node, list) and isinstance(step, int) and step < len(node)
                else None
            )
        )
    return ".".join(parts)


def _message(err: Any) -> str:
    # Our own validators raise ValueError("..."); pydantic prefixes it with "Value error, ".
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")
