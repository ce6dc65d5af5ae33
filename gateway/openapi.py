"""The OpenAPI 3.1 document, generated from the route table so it cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gateway.api import Access, Operation

_REF = "#/components/schemas/{model}"
_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per invalid field (400 only)",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_REASONS = {
    400: "Invalid request (see errors per field)",
    401: "Not signed in, or the token is not valid",
    403: "Not allowed for this role",
    404: "No such resource (or not yours)",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Body is not JSON",
    416: "The range starts past the end",
    422: "Well formed, but refused by a rule the document cannot state (see errors per field)",
    429: "Too many requests",
    502: "The agent failed",
    503: "The agent is not reachable",
}


# Every string in a request body refuses control characters (gateway/api.py checks the whole
# body); strings whose own pattern, enum or const already excludes them keep their schema.
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x1f\\x7f]*$"


def build_document(operations: list[Operation], version: str) -> dict[str, Any]:
    schemas = _schemas(operations)
    bodies = _reachable({op.body.__name__ for op in operations if op.body}, schemas)
    for name in bodies:
        _refuse_control_characters(schemas[name])
    # An answer carries every field of its model, defaults included (json_response serialises
    # them all): in a schema only answers use, every property is required, so a client's
    # generated types do not make them optional.
    answers = _reachable({op.response.__name__ for op in operations if op.response}, schemas)
    for name in answers - bodies:
        properties = schemas[name].get("properties")
        if properties:
            schemas[name]["required"] = sorted(properties)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "JoPanel API", "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {**schemas, "Problem": _PROBLEM},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _schemas(operations: list[Operation]) -> dict[str, Any]:
    models: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for op in operations:
        if op.body is not None:
            models[(op.body, "validation")] = None
        if op.response is not None:
            models[(op.response, "serialization")] = None
    _, defs = models_json_schema(list(models), ref_template=_REF)
    return dict(defs.get("$defs", {}))


def _reachable(names: set[str], schemas: dict[str, Any]) -> set[str]:
    """The schemas named, and those their $refs lead to."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _refs(schemas[name])
    return seen


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _refuse_control_characters(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "enum", "const"} & node.keys():
            node["pattern"] = NO_CONTROL_CHARACTERS
        for value in node.values():
            _refuse_control_characters(value)
    elif isinstance(node, list):
        for value in node:
            _refuse_control_characters(value)


def _operation(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "security": [] if op.access is Access.PUBLIC else [{"bearer": []}],
        # Who may call it, for people and for the security tests that walk this document.
        "x-jopanel-access": op.access.value,
        "x-jopanel-owner-scoped": op.owner is not None,
        "parameters": _parameters(op),
        "responses": _responses(op),
    }
    if op.raw_body is not None:
        binary = {"type": "string", "contentMediaType": op.raw_body}
        doc["requestBody"] = {"required": True, "content": {op.raw_body: {"schema": binary}}}
    if op.body is not None:
        doc["requestBody"] = {
            "required": not op.body_optional,
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model=op.body.__name__)}}
            },
        }
    return doc


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema()
        # A parameter without a default is required (the export's start and end): the
        # document says so, since a request without it is a 400.
        required = set(schema.get("required", []))
        params += [
            {"name": name, "in": "query", "required": name in required, "schema": field}
            for name, field in schema["properties"].items()
        ]
    return params


def _responses(op: Operation) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "Success"}
    if op.response is not None:
        ref = {"$ref": _REF.format(model=op.response.__name__)}
        ok["content"] = {"application/json": {"schema": ref}}
    if op.raw_response is not None:
        binary = {"type": "string", "contentMediaType": op.raw_response}
        ok["content"] = {op.raw_response: {"schema": binary}}
    statuses = set(op.errors)
    if op.access is not Access.PUBLIC:
        # Any signed-in operation may need the agent, which can fail or be unreachable.
        statuses |= {401, 502, 503}
    if op.access in (Access.ADMIN, Access.RESELLER):
        statuses.add(403)
    if op.body is not None or op.query is not None:
        statuses |= {400, 422}
    if op.body is not None:
        statuses |= {413, 415}
    problem = {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}}
    responses = {str(op.status): ok}
    for status in sorted(statuses):
        responses[str(status)] = {"description": _REASONS[status], "content": problem}
    return responses
