"""The OpenAPI document describes every route the gateway serves, and is valid 3.1."""

from __future__ import annotations

from tests.gateway.conftest import Api


async def test_every_route_is_documented(api: Api) -> None:
    status, document = await api.call("GET", "/api/v1/openapi.json")
    assert status == 200
    assert document["openapi"] == "3.1.0"
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in api.client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
    }
    documented = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert served == documented
    assert ("post", "/api/v1/accounts") in documented


async def test_documented_schemas_resolve(api: Api) -> None:
    _, document = await api.call("GET", "/api/v1/openapi.json")
    schemas = document["components"]["schemas"]

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    create = document["paths"]["/api/v1/accounts"]["post"]
    assert create["security"] == [{"bearer": []}]
    assert "400" in create["responses"]
    assert "201" in create["responses"]
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == []
