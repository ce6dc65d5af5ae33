"""Reconcile of certificates against the fake agent: the certificate each site serves against
the `certificates` records (docs/reconcile.md). The fake's `served` is edited directly, as an
install the gateway never recorded or a person at the server would leave it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from jopanel.agent.certificates.v1 import certificates_pb2 as pb
from jopanel.agent.dns.v1 import dns_pb2 as dns_pb

from gateway.reconcile.certificates import GONE, INTERRUPTED
from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile import found, reconcile, site, sql

OLD = "a" * 64
NEW = "b" * 64
# The module's clock, read at import: a day either side of it is what the rows need. An attempt
# "under way" reads the clock when its test runs (the suite can reach it 15 minutes later).
NOW = datetime.now(UTC).replace(microsecond=0)


def served(
    domain: str = "alice.com",
    account: str = "alice",
    fingerprint: str = OLD,
    *,
    redirect_http: bool = False,
    hsts: bool = False,
) -> pb.Certificate:
    not_before, not_after = Timestamp(), Timestamp()
    not_before.FromDatetime(NOW - timedelta(days=1))
    not_after.FromDatetime(NOW + timedelta(days=89))
    return pb.Certificate(
        domain=domain,
        account=account,
        names=[domain, f"www.{domain}"],
        key_type=pb.KEY_TYPE_ECDSA_P256,
        not_before=not_before,
        not_after=not_after,
        issuer="CN=Pebble Intermediate CA",
        fingerprint_sha256=fingerprint,
        redirect_http=redirect_http,
        hsts=hsts,
    )


async def record(api: Api, domain: str = "alice.com", **columns: Any) -> None:
    """A certificate row as the gateway writes it for an installed certificate."""
    row: dict[str, Any] = {
        "status": "valid",
        "names": f'["{domain}", "www.{domain}"]',
        "issuer": "CN=Pebble Intermediate CA",
        "not_before": (NOW - timedelta(days=1)).replace(tzinfo=None),
        "not_after": (NOW + timedelta(days=89)).replace(tzinfo=None),
        "fingerprint": OLD,
        "last_attempt_at": (NOW - timedelta(days=1)).replace(tzinfo=None),
        "next_attempt_at": (NOW + timedelta(days=59)).replace(tzinfo=None),
        **columns,
    }
    names = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    await sql(
        api,
        f"INSERT INTO certificates (domain_id, {names})"  # noqa: S608 - the test's own columns
        f" SELECT id, {marks} FROM domains WHERE name = %s",
        *row.values(),
        domain,
    )


async def certificate(api: Api, admin: str, domain: str = "alice.com") -> dict[str, Any]:
    status, body = await api.call("GET", f"/api/v1/domains/{domain}/certificate", admin)
    assert status == 200, body
    return dict(body)


async def alice_site(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await site(api, admin, aliases=["www.alice.com"])


async def test_a_served_certificate_as_recorded_is_checked_and_left_alone(
    api: Api, admin: str
) -> None:
    await alice_site(api, admin)
    await record(api)
    api.certificates.served["alice.com"] = served()
    report = await reconcile(api, admin)
    assert report["findings"] == []
    counts = {r["resource"]: r["checked"] for r in report["resources"]}
    assert counts["certificate"] == 1


async def test_settings_that_differ_are_applied_again_from_the_record(api: Api, admin: str) -> None:
    await alice_site(api, admin)
    await record(api, redirect_http=True)
    api.certificates.served["alice.com"] = served(hsts=True)
    report = await reconcile(api, admin)
    assert found(report, "certificate", "alice.com") == [
        (
            "repaired",
            "served with redirect_http=False hsts=True; recorded redirect_http=True hsts=False",
        )
    ]
    now = api.certificates.served["alice.com"]
    assert (now.redirect_http, now.hsts) == (True, False)
    assert api.certificates.calls == ["UpdateCertificate alice.com"]


async def test_an_install_that_was_not_recorded_is_adopted_and_renewed(
    api: Api, admin: str
) -> None:
    """The agent installed a chain and the gateway stopped before recording it: the record
    takes what is served (the agent checked it), so the owner sees it and it is renewed."""
    await alice_site(api, admin)
    await record(api, status="failed", fingerprint=None, not_before=None, not_after=None,
                 names="", issuer="", last_error="interrupted", next_attempt_at=None)  # fmt: skip
    api.certificates.served["alice.com"] = served(fingerprint=NEW)
    report = await reconcile(api, admin)
    assert [o for o, _ in found(report, "certificate", "alice.com")] == ["repaired"]
    shown = await certificate(api, admin)
    assert (shown["status"], shown["last_error"]) == ("valid", "")
    assert shown["names"] == ["alice.com", "www.alice.com"]
    assert shown["not_after"] is not None
    assert (await reconcile(api, admin))["findings"] == []  # settled


async def test_a_site_with_no_certificate_row_adopts_the_served_one_with_its_settings(
    api: Api, admin: str
) -> None:
    await alice_site(api, admin)
    api.certificates.served["alice.com"] = served(fingerprint=NEW, redirect_http=True)
    report = await reconcile(api, admin)
    assert [o for o, _ in found(report, "certificate", "alice.com")] == ["repaired"]
    shown = await certificate(api, admin)
    assert (shown["status"], shown["redirect_http"], shown["hsts"]) == ("valid", True, False)
    assert api.certificates.calls == []  # nothing to apply: the served settings were taken


async def test_a_certificate_removed_by_hand_is_recorded_as_gone_and_not_issued_again(
    api: Api, admin: str
) -> None:
    await alice_site(api, admin)
    await record(api)
    report = await reconcile(api, admin)
    assert found(report, "certificate", "alice.com") == [
        ("repaired", "recorded as installed, but the agent serves none")
    ]
    shown = await certificate(api, admin)
    assert (shown["status"], shown["last_error"], shown["not_after"]) == ("failed", GONE, None)
    assert shown["names"] == []
    # Not renewed on its own: HTTPS off may be what the owner asked for.
    assert (await reconcile(api, admin))["findings"] == []


async def test_an_attempt_cut_short_fails_as_interrupted_but_one_under_way_is_left(
    api: Api, admin: str
) -> None:
    await alice_site(api, admin)
    await site(api, admin, "shop.com")
    stale = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    await record(api, status="issuing", last_attempt_at=stale)
    under_way = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    await record(api, "shop.com", status="issuing", fingerprint=None, not_before=None,
                 not_after=None, last_attempt_at=under_way)  # fmt: skip
    api.certificates.served["alice.com"] = served()
    report = await reconcile(api, admin)
    assert [o for o, _ in found(report, "certificate", "alice.com")] == ["repaired"]
    assert [o for o, _ in found(report, "certificate", "shop.com")] == ["in_progress"]
    shown = await certificate(api, admin)
    assert (shown["status"], shown["last_error"]) == ("failed", INTERRUPTED)
    assert shown["not_after"] is not None  # the installed certificate is still the record's
    assert (await certificate(api, admin, "shop.com"))["status"] == "issuing"


async def test_another_accounts_certificate_on_a_site_is_drift_and_never_adopted(
    api: Api, admin: str
) -> None:
    """The agent says mallory's certificate serves alice's site (a name just below or above
    hers too): reported for a person, no record takes it, nothing is changed."""
    await alice_site(api, admin)
    await record(api)
    api.certificates.served["alice.com"] = served(account="mallory", fingerprint=NEW)
    api.certificates.served["shop.alice.com"] = served("shop.alice.com", "mallory", NEW)
    api.certificates.served["com"] = served("com", "mallory", NEW)
    report = await reconcile(api, admin)
    assert found(report, "certificate", "alice.com") == [
        ("drift", "served for another account, mallory")
    ]
    for name in ("shop.alice.com", "com"):
        assert found(report, "certificate", name) == [("drift", "served, but has no record")]
    shown = await certificate(api, admin)
    assert shown["status"] == "valid"
    assert api.certificates.calls == []


async def test_many_certificates_are_read_and_checked_in_one_run(api: Api, admin: str) -> None:
    """A huge input: 300 sites' certificates, one of them unknown, in one run."""
    await api.create_account(admin, "alice")
    names = [f"s{i:03d}.alice.test" for i in range(300)]
    for name in names:
        await site(api, admin, name)
        await record(api, name)
        api.certificates.served[name] = served(name)
    api.certificates.served[names[7]] = served(names[7], fingerprint=NEW)
    report = await reconcile(api, admin)
    counts = {r["resource"]: (r["checked"], r["repaired"]) for r in report["resources"]}
    assert counts["certificate"] == (300, 1)


async def test_a_dns_challenge_under_way_is_not_removed_from_its_zone(api: Api, admin: str) -> None:
    """A DNS-01 record the agent put for an order (gateway/acme_dns01.py) is no record of the
    panel's: the zone's reconcile leaves it for the order to remove; a record of the same name
    that is not the agent's challenge is still removed."""
    await api.create_account(admin, "alice")
    await site(api, admin, dns_zone=True)
    value = "A" * 43
    # As CreateAcmeChallengeRecord leaves it (agent/system/dns/acme_challenges.py).
    challenge = dns_pb.DnsRecord(id="acme" + "0" * 28, name="_acme-challenge", ttl=60)
    challenge.txt.text = value
    api.dns.zones["alice.com"].records.append(challenge)
    planted = dns_pb.DnsRecord(id="0123abcd", name="_acme-challenge", ttl=60)
    planted.txt.text = value
    api.dns.zones["alice.com"].records.append(planted)
    report = await reconcile(api, admin)
    assert [f["name"] for f in report["findings"]] == ["alice.com/0123abcd"]
    left = [r.id for r in api.dns.zones["alice.com"].records if r.name == "_acme-challenge"]
    assert left == ["acme" + "0" * 28]
