"""The owner-scoped collections (domains, DNS zones, databases, database users) page the same
way (gateway/scope.py account_page): an owner sees its own only, whatever it asks for."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Api

COLLECTIONS = ["domains", "dns-zones", "databases", "database-users"]


async def _fill(api: Api, token: str, account: str) -> None:
    """Three items of each collection for the account."""
    for n in (1, 2, 3):
        name = f"{account}{n}.test"
        assert (await api.call("POST", "/api/v1/domains", token, json={"name": name}))[0] == 201
        zone = {"name": name, "default_records": False}
        assert (await api.call("POST", "/api/v1/dns-zones", token, json=zone))[0] == 201
        database = {"name": f"{account}_db{n}"}
        assert (await api.call("POST", "/api/v1/databases", token, json=database))[0] == 201
        user = {"name": f"{account}_user{n}", "password": "db-pass-123"}
        assert (await api.call("POST", "/api/v1/database-users", token, json=user))[0] == 201


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_pages_hold_an_owner_s_own_items_only(api: Api, admin: str, collection: str) -> None:
    alice = await api.owner(admin, "alice")
    bob = await api.owner(admin, "bob")
    await _fill(api, alice, "alice")
    await _fill(api, bob, "bob")
    path = f"/api/v1/{collection}"
    seen: list[str] = []
    params: dict[str, str] = {"limit": "1"}
    while True:
        status, page = await api.call("GET", path, bob, params=params)
        assert status == 200, page
        seen += [item["name"] for item in page["items"]]
        if page["next_page_token"] is None:
            break
        params["page_token"] = page["next_page_token"]
    assert len(seen) == 3
    assert seen == sorted(seen)
    assert all("bob" in name for name in seen)
    # Another account's items, asked for by name: 404, as if it did not exist.
    assert (await api.call("GET", path, bob, params={"account": "alice"}))[0] == 404
    # An administrator lists everyone's, or one account's.
    _, everyone = await api.call("GET", path, admin)
    assert len(everyone["items"]) == 6
    _, alices = await api.call("GET", path, admin, params={"account": "alice"})
    assert [i["account"] for i in alices["items"]] == ["alice"] * 3


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("token", ["a", "ab=c", "not a token", "x" * 513])
async def test_a_page_token_not_of_the_documented_shape_is_a_400(
    api: Api, admin: str, collection: str, token: str
) -> None:
    alice = await api.owner(admin)
    status, problem = await api.call(
        "GET", f"/api/v1/{collection}", alice, params={"page_token": token}
    )
    assert status == 400, problem
    assert problem["errors"][0]["field"] == "page_token"


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("token", ["not-a-token", "e30", "eyJhZnRlciI6IDF9", "AA"])
async def test_a_token_never_issued_lists_only_the_callers_own(
    api: Api, admin: str, collection: str, token: str
) -> None:
    """A token is only a position (gateway/paging.py): one never issued lists from where it
    points, and never shows another account's items."""
    alice = await api.owner(admin, "alice")
    bob = await api.owner(admin, "bob")
    await _fill(api, bob, "bob")
    status, page = await api.call(
        "GET", f"/api/v1/{collection}", alice, params={"page_token": token}
    )
    assert status == 200, page
    assert page["items"] == []  # alice has none; bob's are never hers, from any position
