"""Wildcard aliases (`*.X`) through the REST API: allowed only below a name of the same site,
never another account's, never the server's (docs/security.md, Names)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.conftest import Api

DOMAINS = "/api/v1/domains"


async def _alice_and_mallory(api: Api, admin: str) -> tuple[str, str]:
    alice = await api.owner(admin, "alice")
    mallory = await api.owner(admin, "mallory")
    body = {"name": "alice.test", "aliases": ["www.alice.test", "*.alice.test"]}
    status, answer = await api.call("POST", DOMAINS, alice, json=body)
    assert status == 201, answer
    assert answer["aliases"] == ["*.alice.test", "www.alice.test"]
    status, _ = await api.call("POST", DOMAINS, mallory, json={"name": "mallory.test"})
    assert status == 201
    return alice, mallory


def _sites(api: Api) -> dict[str, tuple[str, list[str]]]:
    return {n: (d.account, sorted(d.aliases)) for n, d in api.web.domains.items()}


async def test_a_site_takes_the_wildcard_of_its_own_names(api: Api, admin: str) -> None:
    alice, _ = await _alice_and_mallory(api, admin)
    status, answer = await api.call(
        "PATCH",
        f"{DOMAINS}/alice.test",
        alice,
        json={
            "aliases": ["*.alice.test", "shop.test", "*.shop.test", "*.Bücher.test", "bücher.test"]
        },
    )
    assert status == 200, answer
    assert answer["aliases"] == [
        "*.alice.test",
        "*.shop.test",
        "*.xn--bcher-kva.test",
        "shop.test",
        "xn--bcher-kva.test",
    ]
    assert _sites(api)["alice.test"][1] == sorted(answer["aliases"])


@pytest.mark.parametrize(
    "alias",
    [
        "*.test",
        "*",
        "*.",
        "*.*.alice.test",
        "a*.alice.test",
        "*x.test",
        "*a.alice.test",
        "x.*.alice.test",
        "**.alice.test",
        "*.alice.test.",
        "*.alice.test\n",
        " *.alice.test",
        "*.alice.test;",
        "*." + "a" * 64 + ".alice.test",
        "*." + "a" * 5_000 + ".alice.test",
    ],
)
async def test_a_malformed_wildcard_is_refused_by_the_document(
    api: Api, admin: str, alias: str
) -> None:
    alice, _ = await _alice_and_mallory(api, admin)
    before = _sites(api)
    for method, path, body in [
        ("POST", DOMAINS, {"name": "other.test", "aliases": ["www.other.test", alias]}),
        ("PATCH", f"{DOMAINS}/alice.test", {"aliases": ["www.alice.test", alias]}),
    ]:
        status, answer = await api.call(method, path, alice, json=body)
        assert status == 400, (alias[:40], answer)
        assert [e["field"] for e in answer["errors"]] == ["aliases.1"], answer
        assert alias not in answer["detail"] or len(alias) < 3
    assert _sites(api) == before


def _claims(alias: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", DOMAINS, {"name": "other.test", "aliases": [alias]}),
        ("PATCH", f"{DOMAINS}/mallory.test", {"aliases": [alias]}),
    ]


@pytest.mark.parametrize("alias", ["*.alice.test", "*.www.alice.test", "*.y.alice.test"])
async def test_mallory_cannot_take_the_wildcard_of_alice_s_names(
    api: Api, admin: str, alias: str
) -> None:
    """Not her site's name: 422 (the rule); with the name itself, alice holds it: 409."""
    await _alice_and_mallory(api, admin)
    mallory = await api.login("mallory", "owner-pass-1")
    before = _sites(api)
    base = alias[2:]
    for method, path, body in _claims(alias):
        status, answer = await api.call(method, path, mallory, json=body)
        assert status == 422, (path, answer)
        assert answer["errors"][0]["field"] == "aliases"
        assert "needs X itself among the site's names" in answer["detail"]
        with_base = {**body, "aliases": [base, alias]}
        status, answer = await api.call(method, path, mallory, json=with_base)
        assert status == 409, (path, answer)
        assert "another account holds" in answer["detail"] or "held by" in answer["detail"]
        assert "alice'" not in answer["detail"]
        assert " alice " not in answer["detail"]
    assert _sites(api) == before


async def test_no_account_adds_a_name_below_another_s_wildcard(api: Api, admin: str) -> None:
    await _alice_and_mallory(api, admin)
    mallory = await api.login("mallory", "owner-pass-1")
    for method, path, body in [
        ("POST", DOMAINS, {"name": "y.alice.test"}),
        ("POST", DOMAINS, {"name": "other.test", "aliases": ["y.alice.test"]}),
        ("PATCH", f"{DOMAINS}/mallory.test", {"aliases": ["deep.y.alice.test"]}),
        ("POST", "/api/v1/dns-zones", {"name": "mallory.test"}),
    ]:
        status, answer = await api.call(method, path, mallory, json=body)
        if path.endswith("dns-zones"):
            assert status == 201, answer  # her own name: the control
            continue
        assert status == 409, (path, answer)
        assert "below 'alice.test', which another account holds" in answer["detail"]
    assert sorted(api.web.domains) == ["alice.test", "mallory.test"]


async def test_a_wildcard_of_a_name_only_below_the_account_s_is_refused(
    api: Api, admin: str
) -> None:
    """alice holds sub.example.test only: *.example.test would claim every name beside it."""
    alice = await api.owner(admin, "alice")
    status, _ = await api.call("POST", DOMAINS, alice, json={"name": "sub.example.test"})
    assert status == 201
    status, answer = await api.call(
        "PATCH", f"{DOMAINS}/sub.example.test", alice, json={"aliases": ["*.example.test"]}
    )
    assert status == 422, answer
    assert list(api.web.domains["sub.example.test"].aliases) == []


@pytest.mark.parametrize(
    ("alias", "says"),
    [
        ("*.panel.jopanel.test", "'*.panel.jopanel.test' would cover 'panel.jopanel.test'"),
        ("*.x.ns1.jopanel.test", "'*.x.ns1.jopanel.test' would cover 'ns1.jopanel.test'"),
        ("*.jopanel.test", "'*.jopanel.test' would cover 'panel.jopanel.test'"),
    ],
)
async def test_no_wildcard_touches_the_server_s_names(
    api: Api, admin: str, alias: str, says: str
) -> None:
    alice = await api.owner(admin, "alice")
    base = alias[2:]
    status, answer = await api.call(
        "POST", DOMAINS, alice, json={"name": "alice.test", "aliases": [alias, base]}
    )
    assert status == 422, answer
    assert answer["errors"][0]["field"] == "aliases"
    assert says in answer["errors"][0]["message"]
    assert api.web.domains == {}


async def test_the_name_of_a_wildcard_cannot_go_while_the_wildcard_stays(
    api: Api, admin: str
) -> None:
    alice, _ = await _alice_and_mallory(api, admin)
    status, answer = await api.call(
        "PATCH", f"{DOMAINS}/alice.test", alice, json={"aliases": ["*.www.alice.test"]}
    )
    assert status == 422, answer
    assert _sites(api)["alice.test"][1] == ["*.alice.test", "www.alice.test"]
    # Both go together, or the wildcard first.
    status, answer = await api.call(
        "PATCH", f"{DOMAINS}/alice.test", alice, json={"aliases": ["www.alice.test"]}
    )
    assert status == 200, answer
    assert _sites(api)["alice.test"][1] == ["www.alice.test"]


async def test_a_moved_domain_takes_its_wildcard_along(api: Api, admin: str) -> None:
    await _alice_and_mallory(api, admin)
    bob = await api.owner(admin, "bob")
    move = f"{DOMAINS}/alice.test/move"
    status, domain = await api.call("POST", move, admin, json={"account": "bob"})
    assert status == 200, domain
    assert domain["aliases"] == ["*.alice.test", "www.alice.test"]
    assert _sites(api)["alice.test"] == ("bob", ["*.alice.test", "www.alice.test"])
    alice = await api.login("alice", "owner-pass-1")
    status, _ = await api.call("POST", DOMAINS, alice, json={"name": "y.alice.test"})
    assert status == 409
    status, _ = await api.call("POST", DOMAINS, bob, json={"name": "y.alice.test"})
    assert status == 201


async def test_a_deleted_domain_takes_its_wildcard_along(api: Api, admin: str) -> None:
    alice, mallory = await _alice_and_mallory(api, admin)
    assert (await api.call("DELETE", f"{DOMAINS}/alice.test", alice))[0] == 204
    assert sorted(api.web.domains) == ["mallory.test"]
    status, answer = await api.call("POST", DOMAINS, mallory, json={"name": "y.alice.test"})
    assert status == 201, answer
