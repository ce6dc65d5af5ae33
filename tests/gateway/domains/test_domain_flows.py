"""The domain flows of gateway/services/domains.py: the agent alone checks a PHP version, and a
created domain is answered from what was written."""

from __future__ import annotations

from tests.gateway.conftest import Api


async def test_a_php_version_is_checked_by_the_agent_alone(api: Api, admin: str) -> None:
    api.web.php_versions = ["8.3", "8.2"]
    alice = await api.owner(admin)
    body = {"name": "shop.test", "backend": {"type": "php", "version": "8.2"}}
    status, domain = await api.call("POST", "/api/v1/domains", alice, json=body)
    assert status == 201, domain
    assert domain["backend"] == {"type": "php", "version": "8.2"}
    assert api.web.php_versions_asked == 0
    status, domain = await api.call("POST", "/api/v1/domains", alice, json={"name": "new.test"})
    assert status == 201, domain
    assert domain["backend"] == {"type": "php", "version": "8.3"}  # the newest, asked once
    assert api.web.php_versions_asked == 1


async def test_a_php_version_not_installed_is_a_422_and_nothing_is_kept(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    body = {"name": "shop.test", "backend": {"type": "php", "version": "5.6"}}
    status, problem = await api.call("POST", "/api/v1/domains", alice, json=body)
    # The document allows any version; the agent refuses one it has not installed: 422.
    assert status == 422, problem
    assert problem["errors"] == [
        {"field": "backend.version", "message": "must be an installed PHP version (8.2)"}
    ]
    assert api.web.domains == {}
    assert (await api.call("GET", "/api/v1/domains/shop.test", alice))[0] == 404
    # The name was freed with the record: it can be created at once.
    body["backend"] = {"type": "static"}
    assert (await api.call("POST", "/api/v1/domains", alice, json=body))[0] == 201


async def test_an_update_refused_by_the_agent_keeps_aliases_and_backend(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    body = {"name": "shop.test", "aliases": ["www.shop.test"], "backend": {"type": "static"}}
    assert (await api.call("POST", "/api/v1/domains", alice, json=body))[0] == 201
    change = {"aliases": ["shop2.test"], "backend": {"type": "php", "version": "5.6"}}
    status, problem = await api.call("PATCH", "/api/v1/domains/shop.test", alice, json=change)
    assert status == 422, problem
    assert problem["errors"][0]["field"] == "backend.version"
    _, domain = await api.call("GET", "/api/v1/domains/shop.test", alice)
    assert (domain["aliases"], domain["backend"]) == (["www.shop.test"], {"type": "static"})
    served = api.web.domains["shop.test"]
    assert (list(served.aliases), served.WhichOneof("backend")) == (["www.shop.test"], "static")
    # The alias it asked for was not kept either: another account may take it.
    bob = await api.owner(admin, "bob")
    assert (await api.call("POST", "/api/v1/domains", bob, json={"name": "shop2.test"}))[0] == 201


async def test_a_created_domain_is_answered_as_it_is_recorded(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for body in (
        {"name": "a.test", "aliases": ["z.a-alias.test", "b.a-alias.test"]},
        {"name": "b.test", "backend": {"type": "redirect", "url": "https://a.test/", "code": 302}},
        {"name": "c.test", "backend": {"type": "static"}, "dns_zone": True},
    ):
        status, created = await api.call("POST", "/api/v1/domains", alice, json=body)
        assert status == 201, created
        assert (await api.call("GET", f"/api/v1/domains/{body['name']}", alice)) == (200, created)
