"""The panel's records after a whole-account restore in place, with the fake agent (which
restores cron jobs and zones as the agent does): the records follow what came back, within
the plan, and the reconcile then finds nothing; what the panel refuses is taken off the
server and named in the job's result."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from jopanel.agent.certificates.v1 import certificates_pb2 as certificates_pb
from jopanel.agent.cron.v1 import cron_pb2 as cron_pb
from jopanel.agent.dns.v1 import dns_pb2 as dns_pb
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway import keys
from gateway.store import certificates as certificates_store
from tests.gateway.backups.test_backups import backed_up, settled
from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile import sql
from tests.gateway.reconcile.test_reconcile_certificates import record


async def restored_in_place(api: Api, token: str, backup: str, **body: Any) -> dict[str, Any]:
    status, started = await api.call(
        "POST",
        f"/api/v1/backups/{backup}/restore",
        token,
        json={"what": "account", "placement": "in_place", **body},
    )
    assert status == 202, started
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", token)
    assert job["state"] == "succeeded", job
    return dict(job)


async def reconcile_findings(api: Api, admin: str) -> list[Any]:
    status, report = await api.call("POST", "/api/v1/reconcile", admin)
    assert status == 200, report
    return list(report["findings"])


async def cron_jobs(api: Api, token: str) -> dict[str, tuple[str, str, bool]]:
    _, listing = await api.call("GET", "/api/v1/cron-jobs", token)
    return {j["id"]: (j["schedule"], j["command"], j["enabled"]) for j in listing["items"]}


async def zone_records(api: Api, token: str, zone: str) -> dict[str, tuple[str, str, int]]:
    status, listing = await api.call("GET", f"/api/v1/dns-zones/{zone}/records", token)
    assert status == 200, listing
    return {r["id"]: (r["type"], r["name"], r["ttl"]) for r in listing["items"]}


async def new_job(api: Api, token: str, command: str) -> str:
    body = {"schedule": "@daily", "command": command}
    status, job = await api.call("POST", "/api/v1/cron-jobs", token, json=body)
    assert status == 201, job
    return str(job["id"])


async def test_records_follow_what_the_restore_brought_back_and_nothing_drifts(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    status, _ = await api.call(
        "POST", "/api/v1/domains", alice, json={"name": "alice.com", "dns_zone": True}
    )
    assert status == 201
    kept = await new_job(api, alice, "echo kept")
    changed = await new_job(api, alice, "echo before")
    deleted = await new_job(api, alice, "echo deleted")
    records_then = await zone_records(api, alice, "alice.com")
    backup = (await backed_up(api, alice))["result"]
    # After the backup: a job deleted, one changed, one made; a record added; the zone gone
    # and made again with other records.
    assert (await api.call("DELETE", f"/api/v1/cron-jobs/{deleted}", alice))[0] == 204
    body = {"command": "echo after"}
    assert (await api.call("PATCH", f"/api/v1/cron-jobs/{changed}", alice, json=body))[0] == 200
    made_since = await new_job(api, alice, "echo made since")
    assert (await api.call("DELETE", "/api/v1/dns-zones/alice.com", alice))[0] == 204
    zone = {"name": "alice.com", "default_records": False}
    assert (await api.call("POST", "/api/v1/dns-zones", alice, json=zone))[0] == 201
    record = {"type": "TXT", "name": "@", "text": "made since"}
    assert (await api.call("POST", "/api/v1/dns-zones/alice.com/records", alice, json=record))[
        0
    ] == 201

    job = await restored_in_place(api, alice, backup)

    assert job["result"] == "." + "; recorded 3 cron jobs, 1 zones, 1 sites, 0 certificates"
    jobs = await cron_jobs(api, alice)
    assert set(jobs) == {kept, changed, deleted, made_since}  # jobs made since stay
    assert jobs[changed][1] == "echo before"
    assert jobs[deleted][1] == "echo deleted"
    assert await zone_records(api, alice, "alice.com") == records_then
    assert await reconcile_findings(api, admin) == []


async def test_jobs_past_the_plans_limit_are_taken_off_and_named(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "two", "max_cron_jobs": 2})
    alice = await api.owner(admin, plan="two")
    first = await new_job(api, alice, "echo first")
    second = await new_job(api, alice, "echo second")
    backup = (await backed_up(api, alice))["result"]
    assert (await api.call("DELETE", f"/api/v1/cron-jobs/{second}", alice))[0] == 204
    since = await new_job(api, alice, "echo since")

    job = await restored_in_place(api, alice, backup)

    assert f"cron job {second} (past the plan's max_cron_jobs)" in job["result"]
    assert set(await cron_jobs(api, alice)) == {first, since}
    assert set(api.cron.jobs["alice"]) == {first, since}
    assert await reconcile_findings(api, admin) == []


async def test_an_item_the_agent_will_not_take_off_is_named_and_the_restore_stands(
    api: Api, admin: str
) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "one", "max_cron_jobs": 1})
    alice = await api.owner(admin, plan="one")
    first = await new_job(api, alice, "echo first")
    backup = (await backed_up(api, alice))["result"]
    assert (await api.call("DELETE", f"/api/v1/cron-jobs/{first}", alice))[0] == 204
    since = await new_job(api, alice, "echo since")
    api.cron.fail_next = grpc.StatusCode.UNAVAILABLE  # the take-off of the job past the plan

    job = await restored_in_place(api, alice, backup)

    assert f"cron job {first} (past the plan's max_cron_jobs; still on the server" in job["result"]
    assert set(await cron_jobs(api, alice)) == {since}


async def test_a_crafted_backup_reaches_no_other_tenants_job_or_zone(api: Api, admin: str) -> None:
    """A backup whose settings (as a compromised repository could hold them) name another
    tenant's cron job id and zone, a name below that zone, and a zone of no site of the
    account: nothing of the other tenant changes, and the rest is taken off the server."""
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    body = {"name": "bob.com", "dns_zone": True}
    assert (await api.call("POST", "/api/v1/domains", bob, json=body))[0] == 201
    bobs_job = await new_job(api, bob, "echo bob")
    bobs_records = await zone_records(api, bob, "bob.com")
    backup = (await backed_up(api, alice))["result"]
    crafted = api.backups.settings[backup]
    crafted.cron_jobs.add(id=bobs_job, schedule="* * * * *", command="echo stolen", enabled=True)
    txt = dns_pb.DnsRecord(id="crafted1", name="@")
    txt.txt.text = "stolen"
    for name in ("bob.com", "shop.bob.com", "nowhere.example"):
        crafted.zones.add(name=name, account="alice", records=[txt])

    job = await restored_in_place(api, alice, backup)

    assert f"cron job {bobs_job} (its id is another account's)" in job["result"]
    assert "zone nowhere.example (not a domain of the account's sites)" in job["result"]
    assert bobs_job not in api.cron.jobs.get("alice", {})
    assert api.cron.jobs["bob"][bobs_job] == cron_pb.CronJob(
        id=bobs_job, schedule="@daily", command="echo bob", enabled=True
    )
    assert await cron_jobs(api, bob) == {bobs_job: ("@daily", "echo bob", True)}
    assert await zone_records(api, bob, "bob.com") == bobs_records
    assert api.dns.zones["bob.com"].account == "bob"
    assert set(api.dns.zones) == {"bob.com"}
    assert await cron_jobs(api, alice) == {}
    assert await reconcile_findings(api, admin) == []


async def test_a_restore_beside_leaves_the_records_alone(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    job_id = await new_job(api, alice, "echo one")
    backup = (await backed_up(api, alice))["result"]
    assert (await api.call("DELETE", f"/api/v1/cron-jobs/{job_id}", alice))[0] == 204

    status, _ = await api.call(
        "POST", f"/api/v1/backups/{backup}/restore", alice, json={"what": "account"}
    )
    assert status == 202
    await settled(api)

    assert await cron_jobs(api, alice) == {}
    assert "GetBackupSettings alice" not in api.backups.calls


def served_certificate(domain: str, account: str) -> certificates_pb.Certificate:
    """A certificate as the agent serves it after installing it again from a backup."""
    served = certificates_pb.Certificate(
        domain=domain,
        account=account,
        names=[domain, f"www.{domain}"],
        issuer="CN=Restored CA",
        fingerprint_sha256="b" * 64,
        key_type=certificates_pb.KEY_TYPE_ECDSA_P256,
        redirect_http=True,
        hsts=True,
    )
    now = datetime.now(UTC).replace(microsecond=0)
    served.not_before.FromDatetime(now - timedelta(days=1))
    served.not_after.FromDatetime(now + timedelta(days=60))
    return served


async def test_restored_certificates_are_recorded_and_skipped_ones_named(
    api: Api, admin: str
) -> None:
    """The agent reports one certificate installed again, one naming another tenant's site
    (as a crafted report could) and one it skipped: the account's own is recorded as served,
    the other tenant's record is untouched, and both others are named in the result."""
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    for token, name in ((alice, "alice.com"), (bob, "bob.com")):
        status, _ = await api.call("POST", "/api/v1/domains", token, json={"name": name})
        assert status == 201
    _, bobs_before = await api.call("GET", "/api/v1/domains/bob.com/certificate", bob)
    backup = (await backed_up(api, alice))["result"]
    owner = api.web.domains["alice.com"].account
    api.certificates.served["alice.com"] = served_certificate("alice.com", owner)
    api.backups.certificates_restored = ["alice.com", "bob.com"]
    api.backups.certificates_skipped = [
        "certificate of old.alice.com (holds a certificate that is expired or not yet valid)"
    ]

    job = await restored_in_place(api, alice, backup)

    assert "recorded 0 cron jobs, 0 zones, 1 sites, 1 certificates" in job["result"]
    assert "certificate of bob.com (not the account's in the records)" in job["result"]
    assert "not restored: certificate of old.alice.com (holds a certificate" in job["result"]
    status, mine = await api.call("GET", "/api/v1/domains/alice.com/certificate", alice)
    assert status == 200, mine
    assert (mine["status"], mine["issuer"]) == ("valid", "CN=Restored CA")
    assert mine["names"] == ["alice.com", "www.alice.com"]
    assert (mine["redirect_http"], mine["hsts"]) == (True, True)
    assert (await api.call("GET", "/api/v1/domains/bob.com/certificate", bob))[1] == bobs_before
    assert await reconcile_findings(api, admin) == []
    assert mine["source"] == "acme"
    assert await renewed_by(api, datetime.now(UTC) + timedelta(days=60)) == ["alice.com"]


async def renewed_by(api: Api, moment: datetime) -> list[str]:
    """The sites whose certificate the renewer takes up by `moment` (its own query)."""
    due = await certificates_store.due(api.client.app[keys.DB], moment, 50)
    return [certificate.domain for certificate in due]


async def _upload_then_backup_serving(api: Api, admin: str, uploaded: str) -> tuple[str, str]:
    """alice.com recorded as an upload of fingerprint `uploaded`, and a backup whose restore
    serves a chain of fingerprint "b" * 64 on it again; alice's token and the backup."""
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    await record(api, source="upload", fingerprint=uploaded, next_attempt_at=None)
    backup = (await backed_up(api, alice))["result"]
    owner = api.web.domains["alice.com"].account
    api.certificates.served["alice.com"] = served_certificate("alice.com", owner)
    api.backups.certificates_restored = ["alice.com"]
    return alice, str(backup)


async def test_a_bought_certificate_put_back_as_it_was_stays_unrenewed(
    api: Api, admin: str
) -> None:
    """The site serves an uploaded certificate; the backup holds that same one. Restored in
    place, it stays the upload it is, which the renewer never replaces with an issued one."""
    alice, backup = await _upload_then_backup_serving(api, admin, "b" * 64)

    job = await restored_in_place(api, alice, backup)

    assert "1 certificates" in job["result"]
    _, shown = await api.call("GET", "/api/v1/domains/alice.com/certificate", alice)
    assert (shown["status"], shown["source"], shown["issuer"]) == (
        "valid",
        "upload",
        "CN=Restored CA",
    )
    assert await renewed_by(api, datetime.now(UTC) + timedelta(days=3650)) == []
    assert await reconcile_findings(api, admin) == []


async def test_an_issued_certificate_put_back_over_a_later_upload_is_renewed_as_issued(
    api: Api, admin: str
) -> None:
    """The backup holds another chain than the upload the site has now (the one it had before
    the owner bought one): put back, the record says what it is, an issued one, renewed."""
    alice, backup = await _upload_then_backup_serving(api, admin, "c" * 64)

    await restored_in_place(api, alice, backup)

    _, shown = await api.call("GET", "/api/v1/domains/alice.com/certificate", alice)
    assert (shown["status"], shown["source"]) == ("valid", "acme")
    assert await renewed_by(api, datetime.now(UTC) + timedelta(days=60)) == ["alice.com"]


async def test_a_bought_certificate_the_backup_held_stays_unrenewed_over_a_later_issued_one(
    api: Api, admin: str
) -> None:
    """The site served a bought certificate when it was backed up, and an issued one since: the
    backup's records say the chain put back was uploaded, so it is kept, never renewed."""
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    owner = api.web.domains["alice.com"].account
    served = served_certificate("alice.com", owner)
    bought_until = served.not_after.ToDatetime()
    await record(
        api, source="upload", fingerprint="d" * 64, not_after=bought_until, next_attempt_at=None
    )
    backup = (await backed_up(api, alice))["result"]
    assert [c.uploaded for c in api.backups.records[backup].certificates] == [True]
    await sql(
        api,
        "UPDATE certificates SET source = 'acme', fingerprint = %s, not_after = %s",
        "e" * 64,
        bought_until + timedelta(days=30),
    )
    api.certificates.served["alice.com"] = served
    api.backups.certificates_restored = ["alice.com"]

    await restored_in_place(api, alice, backup)

    _, shown = await api.call("GET", "/api/v1/domains/alice.com/certificate", alice)
    assert (shown["status"], shown["source"]) == ("valid", "upload")
    assert await renewed_by(api, datetime.now(UTC) + timedelta(days=3650)) == []
    assert await reconcile_findings(api, admin) == []


async def test_sites_get_their_backed_up_settings_back_within_the_plan(
    api: Api, admin: str
) -> None:
    """After the backup: a PHP site's values changed, a site turned into a redirect, one
    deleted, one made, and the plan's memory bound lowered below one site's backed-up value.
    The restore puts back what the plan allows, leaves the site made since, makes the deleted
    one again with its backed-up values, and names the one the plan refuses; the reconcile
    then finds nothing."""
    await api.call("POST", "/api/v1/plans", admin, json={"name": "roomy"})
    alice = await api.owner(admin, plan="roomy")
    for name in ("shop.com", "blog.com", "gone.com", "big.com"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
    shop = "/api/v1/domains/shop.com/php-settings"
    raised = {"memory_limit_mb": 512, "display_errors": True}
    assert (await api.call("PATCH", shop, alice, json=raised))[0] == 200
    gone = {"memory_limit_mb": 384}
    status, body = await api.call(
        "PATCH", "/api/v1/domains/gone.com/php-settings", alice, json=gone
    )
    assert status == 200, body
    big = {"memory_limit_mb": 1024}
    assert (await api.call("PATCH", "/api/v1/domains/big.com/php-settings", alice, json=big))[
        0
    ] == 200
    backup = (await backed_up(api, alice))["result"]
    lowered = {"memory_limit_mb": 128}
    assert (await api.call("PATCH", shop, alice, json=lowered))[0] == 200
    redirect = {"backend": {"type": "redirect", "url": "https://example.org/", "code": 301}}
    status, body = await api.call("PATCH", "/api/v1/domains/blog.com", alice, json=redirect)
    assert status == 200, body
    assert (await api.call("DELETE", "/api/v1/domains/gone.com", alice))[0] in (202, 204)
    await settled(api)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "new.com"}))[0] == 201
    status, body = await api.call(
        "PATCH", "/api/v1/plans/roomy", admin, json={"max_php_memory_mb": 768}
    )
    assert status == 200, body

    job = await restored_in_place(api, alice, backup)

    assert "recorded 0 cron jobs, 0 zones, 3 sites, 0 certificates" in job["result"]
    assert "gone.com" not in job["result"]
    assert "site big.com (settings kept: " in job["result"]
    _, settings = await api.call("GET", shop, alice)
    assert settings["memory_limit_mb"] == 512
    assert settings["display_errors"] is True
    _, blog = await api.call("GET", "/api/v1/domains/blog.com", alice)
    assert blog["backend"]["type"] == "php"
    assert "new.com" in api.web.domains  # made since: it stays
    assert api.web.domains["gone.com"].account == api.web.domains["shop.com"].account
    assert api.web.domains["gone.com"].php.settings.memory_limit_mb == 384
    _, made_again = await api.call("GET", "/api/v1/domains/gone.com", alice)
    assert made_again["status"] == "active"
    assert api.web.domains["shop.com"].php.settings.memory_limit_mb == 512
    assert await reconcile_findings(api, admin) == []


async def test_a_crafted_backup_changes_no_other_tenants_site(api: Api, admin: str) -> None:
    """A backup whose settings name another tenant's site (as a compromised repository
    could hold them), a name below it and one above it: none is changed nor made, each is
    named."""
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    assert (await api.call("POST", "/api/v1/domains", bob, json={"name": "bob.com"}))[0] == 201
    backup = (await backed_up(api, alice))["result"]
    theirs = web_pb.WebDomain(name="bob.com", account="alice")
    theirs.redirect.url = "https://evil.example/"
    theirs.redirect.code = web_pb.REDIRECT_CODE_PERMANENT
    below = web_pb.WebDomain(name="shop.bob.com", account="alice")
    below.static.SetInParent()
    above = web_pb.WebDomain(name="alice.shop.bob.com", account="alice")
    above.static.SetInParent()
    assert (await api.call("POST", "/api/v1/domains", bob, json={"name": "x.alice.shop.bob.com"}))[
        0
    ] == 201
    api.backups.settings[backup].sites.extend([theirs, below, above])
    before = api.web.domains["bob.com"].SerializeToString()

    job = await restored_in_place(api, alice, backup)

    assert "site bob.com (no site of the account has the name now)" in job["result"]
    assert "site shop.bob.com (not made again: 'shop.bob.com' is below 'bob.com'" in job["result"]
    assert api.web.domains["bob.com"].SerializeToString() == before
    assert "shop.bob.com" not in api.web.domains
    assert "alice.shop.bob.com" not in api.web.domains
    _, record = await api.call("GET", "/api/v1/domains/bob.com", bob)
    assert record["backend"]["type"] == "php"


async def test_a_site_deleted_since_comes_back_with_its_zone_within_the_plan(
    api: Api, admin: str
) -> None:
    """Two sites deleted after the backup, one with its zone; the plan now has room for one
    more site. The restore makes the first again (its zone recorded, not taken off) and names
    the second, which the plan's max_domains refuses; the reconcile then finds nothing."""
    await api.call("POST", "/api/v1/plans", admin, json={"name": "two", "max_domains": 2})
    alice = await api.owner(admin, plan="two")
    body = {"name": "first.com", "dns_zone": True}
    assert (await api.call("POST", "/api/v1/domains", alice, json=body))[0] == 201
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "second.com"}))[0] == 201
    zone_then = await zone_records(api, alice, "first.com")
    backup = (await backed_up(api, alice))["result"]
    assert (await api.call("DELETE", "/api/v1/dns-zones/first.com", alice))[0] == 204
    for name in ("first.com", "second.com"):
        assert (await api.call("DELETE", f"/api/v1/domains/{name}", alice))[0] in (202, 204)
    await settled(api)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "new.com"}))[0] == 201

    job = await restored_in_place(api, alice, backup)

    assert "recorded 0 cron jobs, 1 zones, 1 sites" in job["result"]
    assert "site second.com (not made again: The plan 'two' allows 2 domains.)" in job["result"]
    _, listing = await api.call("GET", "/api/v1/domains", alice)
    assert sorted(d["name"] for d in listing["items"]) == ["first.com", "new.com"]
    assert await zone_records(api, alice, "first.com") == zone_then
    assert await reconcile_findings(api, admin) == []


async def test_sites_deleted_since_are_made_by_the_job_not_within_the_request(
    api: Api, admin: str
) -> None:
    """Each site made again is a change of the server's configuration: a backup with many
    would hold the request for minutes. The request answers 202 at once, the job runs while
    the site is made, and ends with it served."""
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "gone.com"}))[0] == 201
    backup = (await backed_up(api, alice))["result"]
    assert (await api.call("DELETE", "/api/v1/domains/gone.com", alice))[0] in (202, 204)
    await settled(api)
    hold = api.web.hold = asyncio.Event()  # the agent takes its time over the site

    status, started = await asyncio.wait_for(
        api.call(
            "POST",
            f"/api/v1/backups/{backup}/restore",
            alice,
            json={"what": "account", "placement": "in_place"},
        ),
        timeout=10,
    )

    assert status == 202, started
    await asyncio.wait_for(api.web.held.wait(), timeout=10)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    assert job["state"] == "running"
    assert "gone.com" not in api.web.domains
    hold.set()
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    assert job["state"] == "succeeded", job
    assert "gone.com" in api.web.domains


async def test_a_cancel_while_sites_are_made_stops_after_the_site_being_made(
    api: Api, admin: str
) -> None:
    """The agent runs nothing of the job yet: the gateway's own step stops at its next safe
    point, the site being made is made whole, the next is not, and the job ends cancelled."""
    alice = await api.owner(admin)
    for name in ("first.com", "second.com"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
    backup = (await backed_up(api, alice))["result"]
    for name in ("first.com", "second.com"):
        assert (await api.call("DELETE", f"/api/v1/domains/{name}", alice))[0] in (202, 204)
    await settled(api)
    hold = api.web.hold = asyncio.Event()
    body = {"what": "account", "placement": "in_place"}
    status, started = await api.call("POST", f"/api/v1/backups/{backup}/restore", alice, json=body)
    assert status == 202, started
    await asyncio.wait_for(api.web.held.wait(), timeout=10)

    cancel = asyncio.create_task(api.call("POST", f"/api/v1/jobs/{started['id']}/cancel", alice))
    await asyncio.sleep(0.2)
    assert not cancel.done()  # it answers once the job has ended
    hold.set()
    status, job = await asyncio.wait_for(cancel, timeout=10)

    assert status == 200, job
    assert job["state"] == "cancelled"
    made = sorted(name for name in ("first.com", "second.com") if name in api.web.domains)
    assert len(made) == 1  # the one being made when the cancel came, whole
    _, record = await api.call("GET", f"/api/v1/domains/{made[0]}", alice)
    assert record["status"] == "active"
    assert not any(call.startswith("RestoreBackup") for call in api.backups.calls)
