"""DNS zones and records through the REST API: defaults, typed records, hostile data."""

from __future__ import annotations

from typing import Any

import pytest

from gateway import keys
from tests.gateway.conftest import Api


async def site(api: Api, admin: str, name: str = "alice.com", account: str = "alice") -> str:
    token = await api.owner(admin, account)
    status, _ = await api.call("POST", "/api/v1/domains", token, json={"name": name})
    assert status == 201
    return token


async def test_zone_starts_with_sensible_records(api: Api, admin: str) -> None:
    alice = await site(api, admin)
    status, zone = await api.call("POST", "/api/v1/dns-zones", alice, json={"name": "alice.com"})
    assert status == 201, zone
    assert (zone["name"], zone["account"], zone["records"]) == ("alice.com", "alice", 5)
    _, records = await api.call("GET", "/api/v1/dns-zones/alice.com/records", alice)
    got = sorted((r["type"], r["name"]) for r in records["items"])
    assert got == [("A", "@"), ("A", "mail"), ("A", "www"), ("MX", "@"), ("TXT", "@")]
    served = api.dns.zones["alice.com"]
    assert served.account == "alice"
    assert sorted(str(r.WhichOneof("data")) for r in served.records) == ["a", "a", "a", "mx", "txt"]
    mx = next(r for r in served.records if r.WhichOneof("data") == "mx")
    assert (mx.mx.preference, mx.mx.exchange) == (10, "mail.alice.com")


async def test_domain_create_can_create_its_zone(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, _ = await api.call(
        "POST", "/api/v1/domains", alice, json={"name": "shop.com", "dns_zone": True}
    )
    assert status == 201
    assert "shop.com" in api.dns.zones
    _, zone = await api.call("GET", "/api/v1/dns-zones/shop.com", alice)
    assert zone["records"] == 5


async def test_zone_must_be_a_domain_of_the_account(api: Api, admin: str) -> None:
    alice = await site(api, admin)
    await site(api, admin, "bob.com", "bob")
    for name in ("google.com", "bob.com"):
        status, body = await api.call("POST", "/api/v1/dns-zones", alice, json={"name": name})
        assert status == 422, name
        assert body["errors"][0]["field"] == "name"
    assert api.dns.zones == {}


@pytest.mark.parametrize(
    "record",
    [
        {"type": "A", "name": "www", "address": "999.1.1.1"},
        {"type": "A", "name": "www", "address": "1.2.3.4\n$INCLUDE /etc/shadow"},
        {"type": "AAAA", "name": "@", "address": "1.2.3.4"},
        {"type": "CNAME", "name": "w w", "target": "x.com"},
        {"type": "CNAME", "name": "www", "target": "x.com;"},
        {"type": "MX", "name": "@", "preference": 70000, "exchange": "mail.x.com"},
        {"type": "TXT", "name": "@", "text": "a\nb"},
        {"type": "TXT", "name": "@", "text": ""},
        {"type": "TXT", "name": "$ORIGIN", "text": "x"},
        {
            "type": "SRV",
            "name": "_sip._tcp",
            "priority": 1,
            "weight": 1,
            "port": 99999,
            "target": "sip.x.com",
        },
        {"type": "CAA", "name": "@", "tag": "issue", "value": 'letsencrypt.org" evil'},
        {"type": "CAA", "name": "@", "tag": "owner", "value": "x"},
        {"type": "NS", "name": "sub", "nameserver": "ns1.x.com."},
        {"type": "SOA", "name": "@"},
        {"type": "A", "name": "@", "address": "1.2.3.4", "ttl": 5},
        {"type": "A", "name": "@", "address": "1.2.3.4", "comment": "x"},
    ],
)
async def test_hostile_records_are_refused(api: Api, admin: str, record: dict[str, Any]) -> None:
    alice = await site(api, admin)
    await api.call(
        "POST", "/api/v1/dns-zones", alice, json={"name": "alice.com", "default_records": False}
    )
    status, body = await api.call("POST", "/api/v1/dns-zones/alice.com/records", alice, json=record)
    assert status == 400, body
    assert body["errors"]
    assert list(api.dns.zones["alice.com"].records) == []


async def test_records_are_created_changed_and_deleted(api: Api, admin: str) -> None:
    alice = await site(api, admin)
    await api.call(
        "POST", "/api/v1/dns-zones", alice, json={"name": "alice.com", "default_records": False}
    )
    base = "/api/v1/dns-zones/alice.com/records"
    samples = [
        {"type": "AAAA", "name": "@", "ttl": 300, "address": "2001:db8::1"},
        {"type": "CNAME", "name": "blog", "ttl": 0, "target": "alice.example.net"},
        {"type": "TXT", "name": "@", "ttl": 0, "text": 'v=DMARC1; p=none; "quoted"'},
        {
            "type": "SRV",
            "name": "_sip._tcp",
            "ttl": 0,
            "priority": 10,
            "weight": 5,
            "port": 5060,
            "target": "sip.alice.com",
        },
        {
            "type": "CAA",
            "name": "@",
            "ttl": 0,
            "flags": 0,
            "tag": "issue",
            "value": "letsencrypt.org",
        },
        {"type": "NS", "name": "sub", "ttl": 0, "nameserver": "ns1.other.net"},
        {"type": "MX", "name": "@", "ttl": 0, "preference": 5, "exchange": "mx.alice.com"},
    ]
    for sample in samples:
        status, made = await api.call("POST", base, alice, json=sample)
        assert status == 201, made
        assert {k: v for k, v in made.items() if k != "id"} == sample
    assert len(api.dns.zones["alice.com"].records) == len(samples)
    _, listing = await api.call("GET", base, alice)
    record_id = listing["items"][0]["id"]
    status, changed = await api.call(
        "PATCH",
        f"{base}/{record_id}",
        alice,
        json={"type": "A", "name": "www", "address": "192.0.2.7"},
    )
    assert (status, changed["address"]) == (200, "192.0.2.7")
    assert api.dns.records("alice.com")[record_id].a.address == "192.0.2.7"
    assert (await api.call("DELETE", f"{base}/{record_id}", alice))[0] == 204
    assert record_id not in api.dns.records("alice.com")
    assert (await api.call("GET", f"{base}/{record_id}", alice))[0] == 404


async def test_other_accounts_get_404_and_deletion_cleans_up(api: Api, admin: str) -> None:
    alice = await site(api, admin)
    bob = await api.owner(admin, "bob")
    await api.call("POST", "/api/v1/dns-zones", alice, json={"name": "alice.com"})
    assert (await api.call("GET", "/api/v1/dns-zones/alice.com/records", bob))[0] == 404
    assert (
        await api.call(
            "POST",
            "/api/v1/dns-zones/alice.com/records",
            bob,
            json={"type": "A", "name": "evil", "address": "203.0.113.1"},
        )
    )[0] == 404
    assert (await api.call("DELETE", "/api/v1/dns-zones/alice.com", bob))[0] == 404
    assert len(api.dns.zones["alice.com"].records) == 5
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    assert api.dns.zones == {}


# A zone lives and dies with its names (docs/dns.md, Zones and the names they serve): dropping
# the alias or deleting the domain a zone serves is refused with 409 naming the zone.


async def test_an_alias_with_a_zone_cannot_be_dropped(api: Api, admin: str) -> None:
    """The attack of issue 11: mallory adds victim.test as an alias, makes its zone, drops the
    alias, and keeps answering for victim.test while its real owner gets 409."""
    mallory = await site(api, admin, "mallory.test", "mallory")
    status, _ = await api.call(
        "PATCH", "/api/v1/domains/mallory.test", mallory, json={"aliases": ["victim.test"]}
    )
    assert status == 200
    status, _ = await api.call("POST", "/api/v1/dns-zones", mallory, json={"name": "victim.test"})
    assert status == 201
    status, answer = await api.call(
        "PATCH", "/api/v1/domains/mallory.test", mallory, json={"aliases": []}
    )
    assert status == 409, answer
    assert "The DNS zone 'victim.test' is served for this name" in answer["detail"]
    assert list(api.web.domains["mallory.test"].aliases) == ["victim.test"]
    # Dropping the zone first frees the name for its real owner.
    assert (await api.call("DELETE", "/api/v1/dns-zones/victim.test", mallory))[0] == 204
    status, _ = await api.call(
        "PATCH", "/api/v1/domains/mallory.test", mallory, json={"aliases": []}
    )
    assert status == 200
    victor = await site(api, admin, "victim.test", "victor")
    status, _ = await api.call("POST", "/api/v1/dns-zones", victor, json={"name": "victim.test"})
    assert status == 201
    assert api.dns.zones["victim.test"].account == "victor"


async def test_a_domain_with_a_zone_cannot_be_deleted(api: Api, admin: str) -> None:
    alice = await site(api, admin, "alice.test", "alice")
    status, _ = await api.call(
        "PATCH", "/api/v1/domains/alice.test", alice, json={"aliases": ["alice.example"]}
    )
    assert status == 200
    await api.call("POST", "/api/v1/dns-zones", alice, json={"name": "alice.example"})
    status, answer = await api.call("DELETE", "/api/v1/domains/alice.test", alice)
    assert status == 409, answer
    assert "'alice.example'" in answer["detail"]
    assert "alice.test" in api.web.domains
    _, domain = await api.call("GET", "/api/v1/domains/alice.test", alice)
    assert domain["status"] == "active"
    assert (await api.call("DELETE", "/api/v1/dns-zones/alice.example", alice))[0] == 204
    assert (await api.call("DELETE", "/api/v1/domains/alice.test", alice))[0] == 204
    # Nothing is left of it: another account may now take the name, and serve its zone.
    bob = await site(api, admin, "alice.test", "bob")
    status, _ = await api.call("POST", "/api/v1/dns-zones", bob, json={"name": "alice.test"})
    assert status == 201


async def test_deleting_an_account_leaves_no_record_behind(api: Api, admin: str) -> None:
    alice = await site(api, admin, "alice.test", "alice")
    await api.call("PATCH", "/api/v1/domains/alice.test", alice, json={"aliases": ["a.example"]})
    for zone in ("alice.test", "a.example"):
        assert (await api.call("POST", "/api/v1/dns-zones", alice, json={"name": zone}))[0] == 201
    assert (await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_db"}))[0] == 201
    status, _ = await api.call(
        "POST", "/api/v1/cron-jobs", alice, json={"schedule": "@daily", "command": "true"}
    )
    assert status == 201
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    assert (api.web.domains, api.dns.zones) == ({}, {})
    assert "alice" not in api.agent.accounts
    async with api.client.app[keys.DB].acquire() as conn, conn.cursor() as cur:
        for table in (
            "domains",
            "host_names",
            "dns_zones",
            "dns_records",
            "hosted_databases",
            "database_users",
            "cron_jobs",
            "accounts",
        ):
            await cur.execute(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 - our names
            assert (await cur.fetchone())["n"] == 0, table
    # The names are free again.
    bob = await site(api, admin, "alice.test", "bob")
    assert (await api.call("POST", "/api/v1/dns-zones", bob, json={"name": "alice.test"}))[0] == 201
