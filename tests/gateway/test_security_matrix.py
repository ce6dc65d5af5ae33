"""Route matrices generated from the OpenAPI document, so a new route is covered the day it
is added: every route and method refuses strangers, and owners cannot reach other accounts."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from gateway import keys
from gateway.config import GatewayConfig
from tests.gateway.conftest import Api, FakeAgent

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# Reviewed: the only operations a stranger may call.
PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/openapi.json"),
}
# What alice owns, by path parameter, for each tag with owner-scoped routes. A new tag with
# owner-scoped routes fails the tenant matrix until it is given a sample here.
ALICE_OWNS = {
    "accounts": {"name": "alice"},
    "domains": {"name": "alice.com"},
    "certificates": {"name": "alice.com"},
    "databases": {"name": "alice_shop"},
    "database-users": {"name": "alice_shop_rw"},
    "cron-jobs": {"id": "set by the test"},
    "dns-zones": {"zone": "alice.com"},
    "dns-records": {"zone": "alice.com", "id": "set by the test"},
    "vpn-clients": {"id": "set by the test"},
    "invoices": {"id": "set by the test"},
    "charges": {"id": "set by the test"},
    "ssh-keys": {"id": "set by the test"},
}
# A public key line for the bodies below (any valid key: alice's own is made in the test).
ALICE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice"


async def document(api: Api) -> dict[str, Any]:
    status, doc = await api.call("GET", "/api/v1/openapi.json")
    assert status == 200
    return dict(doc)


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values.get(m[1], "anything"), path)


def bad_tokens(config: GatewayConfig) -> dict[str, str | None]:
    secret = Path(config.auth.secret_file).read_bytes()
    now = int(time.time())
    claims = {
        "iss": "jopanel",
        "aud": "jopanel-api",
        "sub": "1",
        "typ": "access",
        "ver": 1,
        "iat": now,
        "nbf": now,
        "exp": now + 60,
    }
    expired = {**claims, "iat": now - 120, "nbf": now - 120, "exp": now - 60}
    return {
        "no token": None,
        "expired": jwt.encode(expired, secret, "HS256"),
        "another key": jwt.encode(claims, b"k" * 48, "HS256"),
        "alg none": jwt.encode(claims, "", "none"),  # "": the none algorithm takes no key
    }


async def test_every_route_and_method_refuses_strangers(api: Api, config: GatewayConfig) -> None:
    doc = await document(api)
    tokens = bad_tokens(config)
    checked = 0
    for path in doc["paths"]:
        for method in METHODS:
            if (method, path) in PUBLIC:
                continue
            for label, token in tokens.items():
                status, _ = await api.call(method, fill(path, {}), token)
                assert status == 401, (label, method, path, status)
                checked += 1
    assert checked >= len(doc["paths"]) * len(METHODS) * len(tokens) - len(PUBLIC) * len(tokens)
    documented_public = {
        (m.upper(), p)
        for p, ops in doc["paths"].items()
        for m, op in ops.items()
        if op["x-jopanel-access"] == "public"
    }
    assert documented_public == PUBLIC


async def _alice_with_everything(api: Api, admin: str, alice: str, plan: str = "default") -> None:
    """Alice gets one of every owner-scoped resource; ALICE_OWNS names them."""
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    assert (await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_shop"}))[
        0
    ] == 201
    status, _ = await api.call(
        "POST",
        "/api/v1/database-users",
        alice,
        json={"name": "alice_shop_rw", "password": "db-pass-123", "databases": ["alice_shop"]},
    )
    assert status == 201
    status, job = await api.call(
        "POST", "/api/v1/cron-jobs", alice, json={"schedule": "@daily", "command": "php cron.php"}
    )
    assert status == 201
    ALICE_OWNS["cron-jobs"] = {"id": job["id"]}
    assert (await api.call("POST", "/api/v1/dns-zones", alice, json={"name": "alice.com"}))[
        0
    ] == 201
    _, records = await api.call("GET", "/api/v1/dns-zones/alice.com/records", alice)
    ALICE_OWNS["dns-records"]["id"] = records["items"][0]["id"]
    await api.call("PUT", "/api/v1/vpn-server", admin, json=VPN_SERVER)
    await api.call("PATCH", f"/api/v1/plans/{plan}", admin, json={"max_vpn_clients": 1})
    status, client = await api.call("POST", "/api/v1/vpn-clients", alice, json={"name": "laptop"})
    assert status == 201
    ALICE_OWNS["vpn-clients"] = {"id": client["id"]}
    ALICE_OWNS["invoices"] = {"id": await _issued_invoice(api, admin, "alice", plan)}
    fee = {"account": "alice", "description": "Set-up fee", "amount": "25.00"}
    status, charge = await api.call("POST", "/api/v1/charges", admin, json=fee)
    assert status == 201, charge
    ALICE_OWNS["charges"] = {"id": charge["id"]}
    status, key = await api.call("POST", "/api/v1/ssh-keys", alice, json={"public_key": ALICE_KEY})
    assert status == 201, key
    ALICE_OWNS["ssh-keys"] = {"id": key["id"]}
    status, backup_job = await api.call("POST", "/api/v1/backups", alice, json={})
    assert status == 202
    ALICE_OWNS["jobs"] = {"id": backup_job["id"]}


def _state(api: Api, fake_agent: FakeAgent) -> tuple[object, ...]:
    return (
        dict(api.agent.accounts),
        {k: str(v) for k, v in api.web.domains.items()},
        dict(api.databases.databases),
        dict(api.databases.passwords),
        set(api.databases.grants),
        {k: str(v) for k, v in fake_agent.vpn.clients.items()},
        {a: dict(k) for a, k in api.ssh.keys.items()},
    )


async def _refused_everywhere(api: Api, caller: str, *, role: str) -> int:
    """Walks the document as `caller` (an owner or a reseller that is not alice's): routes it
    may not call are 403, every owner-scoped route at alice's resources 404. How many were
    tried."""
    doc = await document(api)
    closed = {"admin"} if role == "reseller" else {"admin", "reseller"}
    tried = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            tried += 1
            if op["x-jopanel-access"] in closed:
                status, _ = await api.call(method.upper(), fill(path, {}), caller, json={})
                assert status == 403, (role, method, path, status)
            elif op["x-jopanel-owner-scoped"]:
                tag = op["tags"][0]
                assert tag in ALICE_OWNS, f"give ALICE_OWNS a sample for {tag}"
                status, _ = await api.call(
                    method.upper(), fill(path, ALICE_OWNS[tag]), caller, json={}
                )
                assert status == 404, (role, method, path, status)
            else:
                tried -= 1
    return tried


async def test_owners_cannot_reach_other_accounts_or_admin_routes(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    alice = await api.login("alice", "owner-pass-1")
    bob = await api.login("bob", "owner-pass-1")
    await _alice_with_everything(api, admin, alice)
    before = _state(api, fake_agent)
    assert await _refused_everywhere(api, bob, role="owner") > 50
    assert _state(api, fake_agent) == before
    status, _ = await api.call("GET", "/api/v1/domains?account=alice", bob)
    assert status == 404


async def reseller(
    api: Api,
    admin: str,
    name: str,
    *,
    gold: dict[str, int] | None = None,
    with_plan: bool = True,
    **totals: int | None,
) -> str:
    """A reseller with a plan of its own (`<name>_gold`, with limits `gold`, unless not
    `with_plan`); its access token."""
    status, body = await api.call(
        "POST",
        "/api/v1/resellers",
        admin,
        json={"name": name, "password": "reseller-pass-1", **totals},
    )
    assert status == 201, body
    token = await api.login(name, "reseller-pass-1")
    if not with_plan:
        return token
    body = {"name": f"{name}_gold", **(gold or {})}
    status, body = await api.call("POST", "/api/v1/plans", token, json=body)
    assert status == 201, body
    return token


async def test_resellers_cannot_reach_another_resellers_accounts_or_admin_routes(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    """Alice is reseller ann's; reseller ben, whose accounts' names sort and start right
    beside hers (alic, alicea), reaches nothing of hers: 404 on every owner-scoped route,
    her plan included; 403 on every administrator's route."""
    ann = await reseller(api, admin, "ann")
    ben = await reseller(api, admin, "ben")
    await api.create_account(ann, "alice", plan="ann_gold")
    for neighbour in ("alic", "alicea"):
        await api.create_account(ben, neighbour, plan="ben_gold")
    alice = await api.login("alice", "owner-pass-1")
    await _alice_with_everything(api, admin, alice, "ann_gold")
    ALICE_OWNS["plans"] = {"name": "ann_gold"}
    before = _state(api, fake_agent)
    assert await _refused_everywhere(api, ben, role="reseller") > 50
    assert _state(api, fake_agent) == before
    # Collections show ben's own only, whatever is asked.
    for path in ("/api/v1/accounts", "/api/v1/accounts?q=alic"):
        _, page = await api.call("GET", path, ben)
        assert [a["name"] for a in page["items"]] == ["alic", "alicea"]
    _, plans = await api.call("GET", "/api/v1/plans", ben)
    assert [p["name"] for p in plans["items"]] == ["ben_gold"]
    collections = (
        "domains",
        "databases",
        "cron-jobs",
        "dns-zones",
        "vpn-clients",
        "jobs",
        "charges",
    )
    for collection in collections:
        status, page = await api.call("GET", f"/api/v1/{collection}", ben)
        assert (status, page["items"]) == (200, []), collection
        status, _ = await api.call("GET", f"/api/v1/{collection}?account=alice", ben)
        assert status == 404, collection
    # Alice's own reseller reaches what ben cannot.
    for path in ("/api/v1/accounts/alice", "/api/v1/domains/alice.com", "/api/v1/plans/ann_gold"):
        assert (await api.call("GET", path, ann))[0] == 200, path
    _, page = await api.call("GET", "/api/v1/domains", ann)
    assert [d["name"] for d in page["items"]] == ["alice.com"]


async def _issued_invoice(api: Api, admin: str, account: str, plan: str = "default") -> str:
    """An issued invoice of the account's: its plan priced, a month of history, a run."""
    await api.call("PUT", f"/api/v1/plans/{plan}/billing", admin, json={"price": "10.00"})
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute("UPDATE account_plan_history SET since = '2019-12-01'")
    await api.call("POST", "/api/v1/invoices/run", admin, json={"period_end": "2020-01-01"})
    _, listing = await api.call("GET", f"/api/v1/invoices?account={account}", admin)
    invoice_id = str(listing["items"][0]["id"])
    assert (await api.call("POST", f"/api/v1/invoices/{invoice_id}/issue", admin))[0] == 200
    return invoice_id


async def test_odd_path_values_name_nothing(api: Api, admin: str) -> None:
    """Found by schemathesis: non-ASCII names reached SQL against ASCII columns (500)."""
    await api.owner(admin)
    doc = await document(api)
    for path, ops in doc["paths"].items():
        if "{" not in path:
            continue
        for method in ops:
            for odd in ("%F3%99%BD%99", "%C2%A3.%C3%9BN", "%27%3B--", "a" * 300):
                url = re.sub(r"{\w+}", odd, path)
                status, _ = await api.call(method.upper(), url, admin, json={})
                assert status in (400, 404, 409), (method, url, status)


# A valid body naming alice's account, for every create route whose body takes an account.
# A new route with an `account` field fails the test below until it is given one here.
BODIES_FOR_ALICE = {
    "/api/v1/domains": {"name": "new.alice.com", "account": "alice"},
    "/api/v1/databases": {"name": "alice_new", "account": "alice"},
    "/api/v1/database-users": {
        "name": "alice_new_u",
        "password": "db-pass-123",
        "account": "alice",
    },
    "/api/v1/cron-jobs": {"schedule": "@daily", "command": "true", "account": "alice"},
    "/api/v1/charges": {"account": "alice", "description": "Set-up fee", "amount": "1.00"},
    "/api/v1/dns-zones": {"name": "alice.com", "account": "alice"},
    "/api/v1/vpn-clients": {"name": "laptop", "account": "alice"},
    "/api/v1/ssh-keys": {"public_key": ALICE_KEY, "account": "alice"},
    "/api/v1/backups": {"account": "alice"},
    "/api/v1/backups/{id}/restore": {"account": "alice", "what": "account"},
    "/api/v1/files/folders": {"account": "alice", "path": "new"},
    "/api/v1/files/move": {"account": "alice", "path": "a", "destination": "b"},
    "/api/v1/files/copy": {"account": "alice", "path": "a", "destination": "b"},
    "/api/v1/files/mode": {"account": "alice", "path": "a", "mode": "0777"},
    "/api/v1/files/archive": {
        "account": "alice",
        "names": ["a"],
        "destination": "a.zip",
        "format": "zip",
    },
    "/api/v1/files/extract": {"account": "alice", "path": "a.zip"},
}
VPN_SERVER = {"network": "10.8.0.0/24", "public_address": "vpn.example.net"}


@pytest.mark.parametrize("role", ["owner", "reseller"])
async def test_callers_cannot_name_another_account_in_query_or_body(
    api: Api, admin: str, role: str
) -> None:
    """An owner (bob) or a reseller (ben) names alice, who is neither's: 404, nothing done."""
    if role == "owner":
        await api.create_account(admin, "alice")
        await api.create_account(admin, "bob")
        bob = await api.login("bob", "owner-pass-1")
    else:
        ann = await reseller(api, admin, "ann")
        await api.create_account(ann, "alice", plan="ann_gold")
        bob = await reseller(api, admin, "ben")
        await api.create_account(bob, "alicea", plan="ben_gold")
    doc = await document(api)
    schemas = doc["components"]["schemas"]
    calls_before = (
        list(api.web.calls),
        list(api.databases.calls),
        list(api.cron.calls),
        list(api.dns.calls),
    )
    for path, ops in doc["paths"].items():
        get = ops.get("get", {})
        parameters = get.get("parameters", [])
        if any(p["name"] == "account" and p["in"] == "query" for p in parameters):
            # A required path (the file manager's) is given, so that only the account decides.
            named = any(p["name"] == "path" and p["required"] for p in parameters)
            status, _ = await api.call("GET", f"{path}?account=alice" + "&path=a" * named, bob)
            assert status == 404, path
        post = ops.get("post", {})
        body = post.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref", "")
        names_account = "account" in schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        if names_account and post.get("x-jopanel-access") == "admin":
            # Administrators only (moving a domain to another account): 403, changing nothing.
            where = path.replace("{name}", "alice.com")
            status, _ = await api.call("POST", where, bob, json={"account": "bob"})
            assert status == 403, path
        elif names_account:
            assert path in BODIES_FOR_ALICE, f"give BODIES_FOR_ALICE a body for {path}"
            where = path.replace("{id}", "0" * 32)
            status, _ = await api.call("POST", where, bob, json=BODIES_FOR_ALICE[path])
            assert status == 404, path
    assert (
        list(api.web.calls),
        list(api.databases.calls),
        list(api.cron.calls),
        list(api.dns.calls),
    ) == calls_before
    assert api.backups.calls == []
    assert api.files.calls == []
