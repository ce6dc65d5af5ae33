"""A whole account onto a server whose panel forgot it, with the fake agent: the backup
carries the panel's records; an administrator lists the repository's accounts no account here
owns and restores one (account, sites, databases, users, then a restore job whose end records
cron jobs and zones); refused as a whole when a name is taken here; never for owners."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc

from gateway import keys
from gateway.store import certificates as certificates_store
from gateway.store import domains as domains_store
from tests.gateway.backups.test_backup_records import (
    cron_jobs,
    reconcile_findings,
    renewed_by,
    served_certificate,
    zone_records,
)
from tests.gateway.backups.test_backups import backed_up, settled
from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile_certificates import record

NEW_PASSWORD = "fresh-pass-1"


async def alice_with_everything(api: Api, admin: str) -> tuple[str, dict[str, Any]]:
    """Alice on plan gold with a site (alias, zone), a database, its user and a cron job; a
    backup of her; what the panel showed of her then."""
    await api.call("POST", "/api/v1/plans", admin, json={"name": "gold"})
    alice = await api.owner(admin, plan="gold")
    body = {"name": "alice.com", "aliases": ["www.alice.com"], "dns_zone": True}
    assert (await api.call("POST", "/api/v1/domains", alice, json=body))[0] == 201
    body = {"name": "alice_shop"}
    assert (await api.call("POST", "/api/v1/databases", alice, json=body))[0] == 201
    body = {"name": "alice_app", "password": "db-pass-123", "databases": ["alice_shop"]}
    assert (await api.call("POST", "/api/v1/database-users", alice, json=body))[0] == 201
    body = {"schedule": "@daily", "command": "php cron.php"}
    assert (await api.call("POST", "/api/v1/cron-jobs", alice, json=body))[0] == 201
    then = {
        "cron": await cron_jobs(api, alice),
        "zone": await zone_records(api, alice, "alice.com"),
        "site": api.web.domains["alice.com"],
    }
    return (await backed_up(api, alice))["result"], then


async def forget_alice(api: Api, admin: str) -> int:
    """Deletes alice here (as a server that never knew her would not); her uid."""
    uid = api.agent.accounts["alice"].uid
    assert (await api.call("DELETE", "/api/v1/accounts/alice", admin))[0] == 204
    return uid


async def listed(api: Api, admin: str, repository: str = "") -> dict[str, Any]:
    status, listing = await api.call(
        "GET", f"/api/v1/backup-accounts?repository={repository}", admin
    )
    assert status == 200, listing
    return {item["account"]: item for item in listing["items"]}


async def test_a_backup_carries_the_panels_records(api: Api, admin: str) -> None:
    backup, _ = await alice_with_everything(api, admin)

    records = api.backups.records[backup]

    assert records.plan == "gold"
    assert [(d.name, list(d.aliases)) for d in records.domains] == [
        ("alice.com", ["www.alice.com"])
    ]
    assert list(records.databases) == ["alice_shop"]
    assert [(u.name, list(u.databases)) for u in records.database_users] == [
        ("alice_app", ["alice_shop"])
    ]


async def test_certificates_travel_as_metadata_the_agent_takes(api: Api, admin: str) -> None:
    """An uploaded or odd certificate may name anything: only names the agent takes travel,
    the issuer as printable ASCII; the backup never fails over it."""
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    assert (await api.call("POST", "/api/v1/domains/alice.com/certificate", alice, json={}))[
        0
    ] == 202
    db = api.client.app[keys.DB]
    site = await domains_store.get(db, "alice.com")
    assert site is not None
    now = datetime.now(UTC)
    await certificates_store.installed(
        db,
        site.id,
        names=["alice.com", "*.alice.com", "10.0.0.1", "bad name", "x" * 300],
        issuer="Ünïcode CA\n" + "y" * 300,
        not_before=now,
        not_after=now + timedelta(days=90),
        fingerprint="a" * 64,
        renew_at=now + timedelta(days=60),
    )

    backup = (await backed_up(api, alice))["result"]

    (certificate,) = api.backups.records[backup].certificates
    assert sorted(certificate.names) == ["*.alice.com", "alice.com"]
    assert certificate.issuer.startswith("?n?code CA?yyy")
    assert len(certificate.issuer) == 200


async def test_an_account_the_server_forgot_comes_back_whole(api: Api, admin: str) -> None:
    backup, then = await alice_with_everything(api, admin)
    uid = await forget_alice(api, admin)
    found = (await listed(api, admin))["alice"]
    assert (found["uid"], found["name_taken"]) == (uid, False)
    assert [b["id"] for b in found["backups"]] == [backup]

    body = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}
    status, job = await api.call("POST", "/api/v1/backup-accounts/alice/restore", admin, json=body)

    assert status == 202, job
    assert (job["kind"], job["account"], job["subject"]) == ("restore", "alice", backup)
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{job['id']}", admin)
    assert job["state"] == "succeeded", job
    assert api.agent.accounts["alice"].uid != uid
    alice = await api.login("alice", NEW_PASSWORD)
    _, me = await api.call("GET", "/api/v1/me", alice)
    assert me["plan"]["name"] == "gold"
    _, site = await api.call("GET", "/api/v1/domains/alice.com", alice)
    assert site["aliases"] == ["www.alice.com"]
    assert api.web.domains["alice.com"].php == then["site"].php
    _, databases = await api.call("GET", "/api/v1/databases", alice)
    assert [d["name"] for d in databases["items"]] == ["alice_shop"]
    _, users = await api.call("GET", "/api/v1/database-users", alice)
    assert [(u["name"], u["databases"]) for u in users["items"]] == [("alice_app", ["alice_shop"])]
    assert await cron_jobs(api, alice) == then["cron"]
    assert await zone_records(api, alice, "alice.com") == then["zone"]
    (restore,) = api.backups.restores
    assert (restore.source_uid, restore.whole_account, restore.placement) == (uid, True, 1)
    assert await reconcile_findings(api, admin) == []


async def test_a_bought_certificate_comes_back_as_the_owners_upload(api: Api, admin: str) -> None:
    """Restored onto a server that forgot the account, the bought certificate the backup held
    is recorded as the upload it was (the backup's records say so), never renewed; an issued
    one travels as issued."""
    await api.call("POST", "/api/v1/plans", admin, json={"name": "gold"})
    alice = await api.owner(admin, plan="gold")
    for name in ("alice.com", "shop.alice.com"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
    bought = served_certificate("alice.com", "alice")
    issued = served_certificate("shop.alice.com", "alice")
    issued.not_after.FromSeconds(issued.not_after.seconds - 86400)
    for domain, certificate, source in (
        ("alice.com", bought, "upload"),
        ("shop.alice.com", issued, "acme"),
    ):
        until = certificate.not_after.ToDatetime()
        await record(api, domain, source=source, not_after=until, next_attempt_at=None)
    backup = (await backed_up(api, alice))["result"]
    uid = await forget_alice(api, admin)
    api.certificates.served.update({"alice.com": bought, "shop.alice.com": issued})
    api.backups.certificates_restored = ["alice.com", "shop.alice.com"]

    body = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}
    status, job = await api.call("POST", "/api/v1/backup-accounts/alice/restore", admin, json=body)

    assert status == 202, job
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{job['id']}", admin)
    assert job["state"] == "succeeded", job
    assert "2 certificates" in job["result"]
    alice = await api.login("alice", NEW_PASSWORD)
    sources = {}
    for domain in ("alice.com", "shop.alice.com"):
        _, shown = await api.call("GET", f"/api/v1/domains/{domain}/certificate", alice)
        sources[domain] = (shown["status"], shown["source"])
    assert sources == {"alice.com": ("valid", "upload"), "shop.alice.com": ("valid", "acme")}
    assert await renewed_by(api, datetime.now(UTC) + timedelta(days=3650)) == ["shop.alice.com"]


async def test_a_name_taken_here_refuses_it_and_makes_nothing(api: Api, admin: str) -> None:
    backup, _ = await alice_with_everything(api, admin)
    uid = await forget_alice(api, admin)
    bob = await api.owner(admin, "bob")
    body = {"name": "www.alice.com"}  # one of alice's site's aliases
    assert (await api.call("POST", "/api/v1/domains", bob, json=body))[0] == 201
    restore = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}

    status, problem = await api.call(
        "POST", "/api/v1/backup-accounts/alice/restore", admin, json=restore
    )

    assert status == 409, problem
    assert "www.alice.com" in problem["detail"]
    assert "alice" not in api.agent.accounts
    assert api.backups.restores == []
    # An account of the name itself: listed as taken, and refused.
    await api.create_account(admin, "alice")
    assert (await listed(api, admin))["alice"]["name_taken"]
    status, _ = await api.call("POST", "/api/v1/backup-accounts/alice/restore", admin, json=restore)
    assert status == 409
    assert api.backups.restores == []


async def test_a_plan_this_server_lacks_is_picked_by_the_administrator(
    api: Api, admin: str
) -> None:
    backup, _ = await alice_with_everything(api, admin)
    uid = await forget_alice(api, admin)
    assert (await api.call("DELETE", "/api/v1/plans/gold", admin))[0] == 204
    body = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}

    status, problem = await api.call(
        "POST", "/api/v1/backup-accounts/alice/restore", admin, json=body
    )
    assert status == 422, problem
    assert problem["errors"][0]["field"] == "plan"
    assert "alice" not in api.agent.accounts

    body["plan"] = "default"
    status, job = await api.call("POST", "/api/v1/backup-accounts/alice/restore", admin, json=body)
    assert status == 202, job
    await settled(api)
    _, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert account["plan"] == "default"


async def test_the_sites_are_made_together(api: Api, admin: str) -> None:
    """The agent takes the changes that wait together into one batch (one nginx reload for
    all), so the restore sends every site's creation before the first has answered."""
    await api.call("POST", "/api/v1/plans", admin, json={"name": "gold"})
    alice = await api.owner(admin, plan="gold")
    names = ["a.alice.com", "b.alice.com", "c.alice.com"]
    for name in names:
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
    backup = (await backed_up(api, alice))["result"]
    uid = await forget_alice(api, admin)
    calls = len(api.web.calls)
    hold = api.web.hold = asyncio.Event()
    body = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}
    restore = asyncio.create_task(
        api.call("POST", "/api/v1/backup-accounts/alice/restore", admin, json=body)
    )
    await api.web.held.wait()  # the first site's creation

    def sent() -> list[str]:
        return sorted(c for c in api.web.calls[calls:] if c.startswith("CreateWebDomain"))

    async with asyncio.timeout(10):
        while len(sent()) < len(names):  # noqa: ASYNC110 - the fake records calls, no event
            await asyncio.sleep(0.01)
    assert sent() == [f"CreateWebDomain {name}" for name in names]
    hold.set()
    status, job = await restore
    assert status == 202, job
    await settled(api)
    assert set(names) <= set(api.web.domains)


async def test_a_step_that_fails_leaves_no_account(api: Api, admin: str) -> None:
    backup, _ = await alice_with_everything(api, admin)
    uid = await forget_alice(api, admin)
    api.databases.fail_next = grpc.StatusCode.INTERNAL
    body = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}

    status, _ = await api.call("POST", "/api/v1/backup-accounts/alice/restore", admin, json=body)

    assert status == 502
    assert "alice" not in api.agent.accounts
    assert "alice.com" not in api.web.domains
    assert (await api.call("GET", "/api/v1/accounts/alice", admin))[0] == 404
    assert api.backups.restores == []


async def test_only_the_listing_s_backups_restore(api: Api, admin: str) -> None:
    """A live account's backup, another uid, another name, an unknown repository: 404, and
    owners get 403 (the listing crosses every tenant's backups)."""
    backup, _ = await alice_with_everything(api, admin)
    uid = api.agent.accounts["alice"].uid
    bob = await api.owner(admin, "bob")
    for account, body in (
        ("alice", {"uid": uid, "backup_id": backup}),  # alice lives: her backups are hers
        ("alice", {"uid": uid + 1000, "backup_id": backup}),
        ("bob", {"uid": uid, "backup_id": backup}),
        ("alice", {"uid": uid, "backup_id": backup, "repository": "elsewhere"}),
        ("al%2Fice", {"uid": uid, "backup_id": backup}),
    ):
        url = f"/api/v1/backup-accounts/{account}/restore"
        status, _ = await api.call("POST", url, admin, json={**body, "password": NEW_PASSWORD})
        assert status == 404, (account, body)
    for method, url in (
        ("GET", "/api/v1/backup-accounts"),
        ("POST", "/api/v1/backup-accounts/alice/restore"),
    ):
        body = {"uid": uid, "backup_id": backup, "password": NEW_PASSWORD}
        status, _ = await api.call(method, url, bob, json=body)
        assert status == 403
    assert api.backups.restores == []
