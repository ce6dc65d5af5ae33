"""Domains through the REST API: ownership, names unique server-wide, plan limits, rollback."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from tests.gateway.conftest import Api


async def test_owner_puts_a_php_site_online(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, domain = await api.call(
        "POST",
        "/api/v1/domains",
        alice,
        json={"name": "Shop.Example.com", "aliases": ["www.shop.example.com"]},
    )
    assert status == 201, domain
    assert domain["name"] == "shop.example.com"
    assert domain["account"] == "alice"
    assert domain["backend"] == {"type": "php", "version": "8.2"}
    assert domain["status"] == "active"
    assert domain["document_root"] == "/home/alice/web/shop.example.com/public_html"
    served = api.web.domains["shop.example.com"]
    assert served.account == "alice"
    assert list(served.aliases) == ["www.shop.example.com"]
    assert served.php.version == "8.2"


async def test_unicode_names_are_stored_as_punycode(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, domain = await api.call(
        "POST",
        "/api/v1/domains",
        alice,
        json={"name": "bücher.example", "backend": {"type": "static"}},
    )
    assert status == 201
    assert (domain["name"], domain["unicode_name"]) == ("xn--bcher-kva.example", "bücher.example")
    assert (await api.call("GET", "/api/v1/domains/bücher.example", alice))[0] == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "bad_name!"}, "name"),
        ({"name": "a\nb.com"}, "name"),
        ({"name": "a;b.com"}, "name"),
        ({"name": "{a}.com"}, "name"),
        ({"name": "$host.com"}, "name"),
        ({"name": "a b.com"}, "name"),
        ({"name": "a..com"}, "name"),
        ({"name": "example.com."}, "name"),
        ({"name": "localhost"}, "name"),
        ({"name": ("a" * 64) + ".com"}, "name"),
        ({"name": "'q'.com"}, "name"),
        ({"name": "ok.com", "aliases": ["fine.com", "bad\nalias.com"]}, "aliases.1"),
        ({"name": "ok.com", "aliases": ["ok.com"]}, "aliases"),
        (
            {"name": "ok.com", "backend": {"type": "redirect", "url": "https://x.com/$1"}},
            "backend.url",
        ),
        (
            {"name": "ok.com", "backend": {"type": "redirect", "url": "https://x.com/\n"}},
            "backend.url",
        ),
        (
            {"name": "ok.com", "backend": {"type": "redirect", "url": "javascript:alert(1)"}},
            "backend.url",
        ),
        (
            {
                "name": "ok.com",
                "backend": {"type": "redirect", "url": "https://x.com/", "code": 307},
            },
            "backend.code",
        ),
        ({"name": "ok.com", "backend": {"type": "proxy", "port": 80}}, "backend.port"),
        ({"name": "ok.com", "backend": {"type": "php", "version": "5.6"}}, "backend.version"),
        ({"name": "ok.com", "backend": {"type": "cgi"}}, "backend"),
        ({"name": "ok.com", "root": "/etc"}, "root"),
    ],
)
async def test_hostile_values_are_refused_and_nothing_is_served(
    api: Api, admin: str, body: dict[str, Any], field: str
) -> None:
    alice = await api.owner(admin)
    status, answer = await api.call("POST", "/api/v1/domains", alice, json=body)
    assert status == 400, answer
    assert answer["errors"][0]["field"] == field
    assert api.web.domains == {}
    assert (await api.call("GET", "/api/v1/domains", alice))[1]["items"] == []


async def test_names_and_aliases_are_unique_across_the_server(api: Api, admin: str) -> None:
    alice = await api.owner(admin, "alice")
    bob = await api.owner(admin, "bob")
    await api.call(
        "POST", "/api/v1/domains", alice, json={"name": "alice.com", "aliases": ["www.alice.com"]}
    )
    for body in (
        {"name": "alice.com"},
        {"name": "www.alice.com"},
        {"name": "bob.com", "aliases": ["alice.com"]},
    ):
        status, answer = await api.call("POST", "/api/v1/domains", bob, json=body)
        assert status == 409, body
        assert "Already served" in answer["detail"]
    status, _ = await api.call("POST", "/api/v1/domains", bob, json={"name": "bob.com"})
    assert status == 201
    status, _ = await api.call(
        "PATCH", "/api/v1/domains/bob.com", bob, json={"aliases": ["www.alice.com"]}
    )
    assert status == 409
    assert list(api.web.domains["bob.com"].aliases) == []


async def test_another_account_gets_404_on_every_route(api: Api, admin: str) -> None:
    alice = await api.owner(admin, "alice")
    bob = await api.owner(admin, "bob")
    await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"})
    one = "/api/v1/domains/alice.com"
    for method, path, body in [
        ("GET", one, None),
        ("PATCH", one, {"aliases": ["x.alice.com"]}),
        ("DELETE", one, None),
        ("POST", one + "/suspend", None),
        ("POST", one + "/unsuspend", None),
        ("GET", "/api/v1/domains?account=alice", None),
        ("POST", "/api/v1/domains", {"name": "new.alice.com", "account": "alice"}),
    ]:
        status, _ = await api.call(method, path, bob, json=body)
        assert status == 404, (method, path)
    status, listing = await api.call("GET", "/api/v1/domains", bob)
    assert listing["items"] == []
    assert "alice.com" in api.web.domains
    assert not api.web.domains["alice.com"].suspended
    assert [c for c in api.web.calls if "alice" in c] == ["CreateWebDomain alice.com"]


async def test_admin_sees_all_and_filters_by_account(api: Api, admin: str) -> None:
    alice = await api.owner(admin, "alice")
    await api.owner(admin, "bob")
    await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"})
    status, _ = await api.call("POST", "/api/v1/domains", admin, json={"name": "bob.com"})
    assert status == 400  # an administrator names the account
    status, made = await api.call(
        "POST", "/api/v1/domains", admin, json={"name": "bob.com", "account": "bob"}
    )
    assert (status, made["account"]) == (201, "bob")
    _, everything = await api.call("GET", "/api/v1/domains", admin)
    assert [d["name"] for d in everything["items"]] == ["alice.com", "bob.com"]
    _, bobs = await api.call("GET", "/api/v1/domains?account=bob", admin)
    assert [d["name"] for d in bobs["items"]] == ["bob.com"]


async def test_backends_aliases_suspend_and_delete(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"})
    one = "/api/v1/domains/alice.com"
    redirect = {
        "type": "redirect",
        "url": "https://new.example/",
        "code": 302,
        "preserve_path": True,
    }
    status, domain = await api.call(
        "PATCH", one, alice, json={"backend": redirect, "aliases": ["www.alice.com"]}
    )
    assert status == 200
    assert domain["backend"] == redirect
    assert domain["aliases"] == ["www.alice.com"]
    served = api.web.domains["alice.com"]
    assert served.WhichOneof("backend") == "redirect"
    assert served.redirect.url == "https://new.example/"
    status, domain = await api.call(
        "PATCH", one, alice, json={"backend": {"type": "proxy", "port": 3000}}
    )
    assert domain["backend"] == {"type": "proxy", "socket_path": None, "port": 3000}
    assert domain["aliases"] == ["www.alice.com"]
    status, domain = await api.call("POST", one + "/suspend", alice)
    assert (status, domain["status"]) == (200, "suspended")
    assert api.web.domains["alice.com"].suspended
    status, domain = await api.call("POST", one + "/unsuspend", alice)
    assert domain["status"] == "active"
    assert (await api.call("DELETE", one + "?keep_files=true", alice))[0] == 204
    assert "DeleteWebDomain alice.com" in api.web.calls
    assert "alice.com" not in api.web.domains
    # The names are free again.
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "www.alice.com"}))[
        0
    ] == 201


async def test_agent_failure_leaves_no_record_and_frees_the_name(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    api.web.fail_next = grpc.StatusCode.FAILED_PRECONDITION
    status, _body = await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"})
    assert status == 409
    assert (await api.call("GET", "/api/v1/domains/alice.com", alice))[0] == 404
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    api.web.fail_next = grpc.StatusCode.INTERNAL
    status, _ = await api.call(
        "PATCH", "/api/v1/domains/alice.com", alice, json={"aliases": ["www.alice.com"]}
    )
    assert status == 502
    _, domain = await api.call("GET", "/api/v1/domains/alice.com", alice)
    assert domain["aliases"] == []


async def test_plan_limits_name_the_limit(api: Api, admin: str) -> None:
    await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "small", "max_domains": 1, "max_aliases": 1}
    )
    alice = await api.owner(admin, plan="small")
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "a.com"}))[0] == 201
    status, body = await api.call("POST", "/api/v1/domains", alice, json={"name": "b.com"})
    assert status == 403
    assert body["title"] == "Plan limit reached"
    assert body["detail"] == "The plan 'small' allows 1 domains."
    status, body = await api.call(
        "PATCH", "/api/v1/domains/a.com", alice, json={"aliases": ["x.a.com", "y.a.com"]}
    )
    assert status == 403
    assert "1 aliases per domain" in body["detail"]
    status, me = await api.call("GET", "/api/v1/me", alice)
    assert me["usage"]["max_domains"] == 1
    # Lowering the plan below what alice uses is refused, and says who uses what.
    status, body = await api.call("PATCH", "/api/v1/plans/small", admin, json={"max_domains": 0})
    assert status == 409
    assert "alice uses 1 domains (limit 0)" in body["detail"]


async def test_concurrent_creates_cannot_pass_the_limit(api: Api, admin: str) -> None:
    import asyncio

    await api.call("POST", "/api/v1/plans", admin, json={"name": "three", "max_domains": 3})
    alice = await api.owner(admin, plan="three")
    results = await asyncio.gather(
        *[
            api.call("POST", "/api/v1/domains", alice, json={"name": f"site{i}.com"})
            for i in range(8)
        ]
    )
    assert sorted(status for status, _ in results) == [201] * 3 + [403] * 5
    assert len(api.web.domains) == 3


async def test_account_suspension_and_deletion_reach_its_sites(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for name in ("a.com", "b.com"):
        await api.call("POST", "/api/v1/domains", alice, json={"name": name})
    await api.call("POST", "/api/v1/domains/b.com/suspend", alice)
    await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    assert api.web.domains["a.com"].suspended
    assert api.web.domains["b.com"].suspended
    await api.call("POST", "/api/v1/accounts/alice/unsuspend", admin)
    assert not api.web.domains["a.com"].suspended
    assert api.web.domains["b.com"].suspended  # suspended on its own, stays so
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    assert api.web.domains == {}
    _status, listing = await api.call("GET", "/api/v1/domains", admin)
    assert listing["items"] == []


async def test_php_versions(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, body = await api.call("GET", "/api/v1/php-versions", alice)
    assert (status, body) == (200, {"versions": ["8.2"]})
