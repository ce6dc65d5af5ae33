"""Domains through the REST API: ownership, names unique server-wide, plan limits, rollback."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from gateway import keys
from gateway.store import names as names_store
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
    assert status in (400, 422), answer  # 422: a rule the document cannot state
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
        assert "is held by another account" in answer["detail"]
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
    assert status == 422  # an administrator names the account
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


# One owner per name (docs/security.md, Names): alice holds alice.test (its zone too) with the
# alias www.alice.example; mallory tries every route that claims a name with a name equal to,
# below and above one of hers.
ALICE_NAMES = [
    ("alice.test", "alice.test' is held"),
    ("www.alice.test", "is below 'alice.test'"),
    ("mail.alice.test", "is below 'alice.test'"),
    ("deep.shop.alice.test", "is below 'alice.test'"),
    ("www.alice.example", "www.alice.example' is held"),
    ("x.www.alice.example", "is below 'www.alice.example'"),
    ("alice.example", "is above 'www.alice.example'"),
]


async def _alice_and_mallory(api: Api, admin: str) -> tuple[str, str]:
    alice = await api.owner(admin, "alice")
    mallory = await api.owner(admin, "mallory")
    status, _ = await api.call(
        "POST",
        "/api/v1/domains",
        alice,
        json={"name": "alice.test", "aliases": ["www.alice.example"], "dns_zone": True},
    )
    assert status == 201
    status, _ = await api.call("POST", "/api/v1/domains", mallory, json={"name": "mallory.test"})
    assert status == 201
    return alice, mallory


def _claims(name: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """Every owner route that claims a name, with the body that claims `name`."""
    return [
        ("POST", "/api/v1/domains", {"name": name}, "name"),
        ("POST", "/api/v1/domains", {"name": "other.test", "aliases": [name]}, "aliases"),
        ("PATCH", "/api/v1/domains/mallory.test", {"aliases": [name]}, "aliases"),
    ]


@pytest.mark.parametrize(("name", "says"), ALICE_NAMES)
async def test_no_account_claims_a_name_equal_to_below_or_above_another_s(
    api: Api, admin: str, name: str, says: str
) -> None:
    await _alice_and_mallory(api, admin)
    for method, path, body, _ in _claims(name):
        status, answer = await api.call(
            method, path, await api.login("mallory", "owner-pass-1"), json=body
        )
        assert status == 409, (path, body, answer)
        assert says in answer["detail"]
        assert "alice" not in answer["detail"].replace("alice.test", "").replace(
            "alice.example", ""
        ), "the answer names the other account"
    assert api.web.served_by(name) in (None, "alice.test")
    assert sorted(api.web.domains) == ["alice.test", "mallory.test"]
    assert list(api.web.domains["mallory.test"].aliases) == []
    # A zone needs a name the account holds: none of these is mallory's.
    status, answer = await api.call(
        "POST",
        "/api/v1/dns-zones",
        await api.login("mallory", "owner-pass-1"),
        json={"name": name},
    )
    assert status == 422, answer
    assert answer["errors"][0]["field"] == "name"
    assert sorted(api.dns.zones) == ["alice.test"]


async def test_the_first_holder_of_a_name_below_blocks_the_name_above(api: Api, admin: str) -> None:
    """Both directions: a name below held by mallory keeps alice.test from anyone else (an
    administrator settles such a squat by moving the name, docs/security.md)."""
    mallory = await api.owner(admin, "mallory")
    alice = await api.owner(admin, "alice")
    status, _ = await api.call("POST", "/api/v1/domains", mallory, json={"name": "shop.alice.test"})
    assert status == 201
    for method, path, body, _ in [
        ("POST", "/api/v1/domains", {"name": "alice.test"}, "name"),
        ("POST", "/api/v1/domains", {"name": "a.test", "aliases": ["alice.test"]}, "aliases"),
    ]:
        status, answer = await api.call(method, path, alice, json=body)
        assert status == 409, answer
        assert answer["detail"] == (
            "'alice.test' is above 'shop.alice.test', which another account holds."
        )
    assert sorted(api.web.domains) == ["shop.alice.test"]


async def test_an_account_adds_names_below_its_own(api: Api, admin: str) -> None:
    alice, _ = await _alice_and_mallory(api, admin)
    for name in ("blog.alice.test", "shop.www.alice.example"):
        status, answer = await api.call("POST", "/api/v1/domains", alice, json={"name": name})
        assert status == 201, answer
    status, answer = await api.call(
        "PATCH",
        "/api/v1/domains/alice.test",
        alice,
        json={"aliases": ["www.alice.example", "alice.example"]},
    )
    assert status == 200, answer


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("panel.jopanel.test", "'panel.jopanel.test' is a name of this server"),
        ("ns1.jopanel.test", "'ns1.jopanel.test' is a name of this server"),
        (
            "evil.ns2.jopanel.test",
            "'evil.ns2.jopanel.test' is below 'ns2.jopanel.test', which is a name of this server",
        ),
    ],
)
async def test_the_server_s_names_belong_to_no_account(
    api: Api, admin: str, name: str, says: str
) -> None:
    await _alice_and_mallory(api, admin)
    mallory = await api.login("mallory", "owner-pass-1")
    for method, path, body, field in [
        *_claims(name),
        ("POST", "/api/v1/dns-zones", {"name": name}, "name"),
    ]:
        for token in (mallory, admin):
            claim = {**body, "account": "mallory"} if token == admin and method == "POST" else body
            status, answer = await api.call(method, path, token, json=claim)
            assert status == 422, (path, claim, answer)
            assert answer["errors"] == [{"field": field, "message": says}]
    assert sorted(api.web.domains) == ["alice.test", "mallory.test"]
    assert sorted(api.dns.zones) == ["alice.test"]


async def test_a_name_above_the_server_s_names_can_be_held(api: Api, admin: str) -> None:
    """Refused are the server's names and the names below them; the domain above the panel's
    own name is often the hosting company's own site (docs/security.md, Names)."""
    alice = await api.owner(admin, "alice")
    status, answer = await api.call("POST", "/api/v1/domains", alice, json={"name": "jopanel.test"})
    assert status == 201, answer


async def test_an_administrator_moves_a_squatted_name_to_its_owner(api: Api, admin: str) -> None:
    """The first holder of a name can squat it; an administrator settles the dispute by moving
    the name with everything below it (docs/security.md, Names)."""
    mallory = await api.owner(admin, "mallory")
    alice = await api.owner(admin, "alice")
    for body in (
        {"name": "alice.test", "aliases": ["www.alice.test"], "dns_zone": True},
        {"name": "blog.alice.test"},
        {"name": "mallory.test"},
    ):
        assert (await api.call("POST", "/api/v1/domains", mallory, json=body))[0] == 201
    status, _ = await api.call(
        "POST",
        "/api/v1/dns-zones/alice.test/records",
        mallory,
        json={"type": "TXT", "name": "@", "text": "kept"},
    )
    assert status == 201
    move = "/api/v1/domains/alice.test/move"
    status, answer = await api.call("POST", move, mallory, json={"account": "alice"})
    assert status == 403, answer
    status, answer = await api.call("POST", move, alice, json={"account": "alice"})
    assert status == 403, answer
    status, domain = await api.call("POST", move, admin, json={"account": "alice"})
    assert status == 200, domain
    assert (domain["account"], domain["aliases"]) == ("alice", ["www.alice.test"])
    assert {n: d.account for n, d in api.web.domains.items()} == {
        "alice.test": "alice",
        "blog.alice.test": "alice",
        "mallory.test": "mallory",
    }
    assert api.dns.zones["alice.test"].account == "alice"
    assert len(api.dns.zones["alice.test"].records) == 6
    assert (await api.call("GET", "/api/v1/domains/blog.alice.test", mallory))[0] == 404
    assert (await api.call("GET", "/api/v1/dns-zones/alice.test", mallory))[0] == 404
    assert (await api.call("GET", "/api/v1/dns-zones/alice.test/records", alice))[0] == 200
    _, log = await api.call("GET", "/api/v1/audit-log?limit=1", admin)
    entry = log["items"][0]
    assert (entry["action"], entry["target"]) == ("domain.move", "alice.test")
    assert entry["result"] == "ok"
    assert entry["detail"] == "from mallory to alice"
    # mallory can no longer claim anything below it.
    status, _ = await api.call("POST", "/api/v1/domains", mallory, json={"name": "x.alice.test"})
    assert status == 409


async def test_a_name_is_moved_with_the_name_above_it_or_not_at_all(api: Api, admin: str) -> None:
    mallory = await api.owner(admin, "mallory")
    await api.owner(admin, "alice")
    for name in ("x.test", "shop.x.test"):
        assert (await api.call("POST", "/api/v1/domains", mallory, json={"name": name}))[0] == 201
    status, answer = await api.call(
        "POST", "/api/v1/domains/shop.x.test/move", admin, json={"account": "alice"}
    )
    assert status == 409, answer
    assert "'shop.x.test' is below 'x.test'" in answer["detail"]
    assert {n: d.account for n, d in api.web.domains.items()} == {
        "x.test": "mallory",
        "shop.x.test": "mallory",
    }
    _, domain = await api.call("GET", "/api/v1/domains/shop.x.test", admin)
    assert domain["account"] == "mallory"


async def test_look_alike_names_are_not_related(api: Api, admin: str) -> None:
    """The reversed-name range covers names below alice.test, not names that end alike."""
    _, mallory = await _alice_and_mallory(api, admin)
    for name in ("evilalice.test", "alice.test.evil", "alice.tests", "xwww.alice.example"):
        status, answer = await api.call("POST", "/api/v1/domains", mallory, json={"name": name})
        assert status == 201, (name, answer)


async def test_a_name_check_reads_indexes_not_whole_tables(api: Api, admin: str) -> None:
    """With thousands of names, the check of one name is a few index lookups and one range
    of the reversed-name index (store/names.py), never a scan of host_names or dns_zones."""
    await _alice_and_mallory(api, admin)
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute(
            "SELECT user_id FROM accounts JOIN users ON users.id = user_id"
            " WHERE users.name = 'alice'"
        )
        alice_id = (await cur.fetchone())["user_id"]
        names = [f"d{i}.a{i % 97}.test" for i in range(4000)]
        await cur.executemany(
            "INSERT INTO domains (name, account_id, backend, status) VALUES (%s, %s, 'static',"
            " 'active')",
            [(n, alice_id) for n in names],
        )
        await cur.execute("SELECT id, name FROM domains WHERE name LIKE 'd%%'")
        rows = await cur.fetchall()
        await cur.executemany(
            "INSERT INTO host_names (name, domain_id, is_alias) VALUES (%s, %s, 0)",
            [(r["name"], r["id"]) for r in rows],
        )
        await cur.executemany(
            "INSERT INTO dns_zones (name, account_id, status) VALUES (%s, %s, 'active')",
            [(n, alice_id) for n in names[::2]],
        )
        await cur.execute("ANALYZE TABLE host_names, dns_zones, domains")
        await cur.fetchall()
        sql, args = names_store.held_query("www.d17.a17.test", alice_id + 1)
        await cur.execute("EXPLAIN " + sql, args)
        plan = await cur.fetchall()
    scans = [(row["table"], row["type"]) for row in plan if row["type"] in ("ALL", "index")]
    assert scans == [], plan
    mallory = await api.login("mallory", "owner-pass-1")
    for name in ("www.d17.a17.test", "a17.test", "d17.a17.test"):
        status, _ = await api.call("POST", "/api/v1/domains", mallory, json={"name": name})
        assert status == 409, name


async def test_the_agent_refuses_a_name_the_gateway_let_through(api: Api, admin: str) -> None:
    """Defence in depth: when the gateway's records miss a name (damaged by hand, a bug), the
    agent's own check refuses it; the owner gets 409 and no record claims the name."""
    await _alice_and_mallory(api, admin)
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute("DELETE FROM dns_zones WHERE name = 'alice.test'")
        await cur.execute("DELETE FROM host_names WHERE name = 'alice.test'")
    mallory = await api.login("mallory", "owner-pass-1")
    status, answer = await api.call(
        "POST", "/api/v1/domains", mallory, json={"name": "www.alice.test"}
    )
    assert status == 409, answer
    assert api.web.served_by("www.alice.test") is None
    _, page = await api.call("GET", "/api/v1/domains", admin)
    assert [d["name"] for d in page["items"]] == ["alice.test", "mallory.test"]
