"""A wildcard alias needs DNS-01, so the owner's zone on this server: without it, the order
fails in the owner's words before the CA is asked (docs/certificates.md, DNS-01 for
wildcards). The CA is never reachable here: the worker's ACME accounts have no key, so any
order that got as far as the CA would end in an internal error, not in the reason."""

from __future__ import annotations

from gateway import acme_dns01, keys
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_worker import AcmeWorker
from tests.gateway.conftest import Api


def worker_of(api: Api) -> AcmeWorker:
    app = api.client.app
    return AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))


async def _order(api: Api, token: str, domain: str) -> dict[str, object]:
    one = f"/api/v1/domains/{domain}/certificate"
    assert (await api.call("POST", one, token, json={}))[0] == 202  # queued; no worker runs
    assert await worker_of(api).run_queued() == 1
    _, jobs = await api.call("GET", "/api/v1/jobs", token)
    return dict(jobs["items"][0])


async def test_a_wildcard_without_the_owner_s_zone_is_refused_before_the_ca(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    site = {"name": "alice.test", "aliases": ["*.alice.test", "www.alice.test"]}
    assert (await api.call("POST", "/api/v1/domains", alice, json=site))[0] == 201
    job = await _order(api, alice, "alice.test")
    expected = (
        "*.alice.test needs a DNS challenge, and this server does not serve the zone"
        " alice.test for this account: add the zone here (and point the domain's name"
        " servers at this server) or remove the wildcard."
    )
    assert (job["state"], job["error"]) == ("failed", expected)
    _, record = await api.call("GET", "/api/v1/domains/alice.test/certificate", alice)
    assert (record["status"], record["last_error"]) == ("failed", expected)
    assert not [c for c in api.certificates.calls if "SigningRequest" in c]


async def test_the_closest_zone_must_be_the_owner_s(api: Api, admin: str) -> None:
    """The zone that would hold _acme-challenge.X: X's own, else the closest above it."""
    alice = await api.owner(admin)
    for body in (
        {"name": "alice.test", "dns_zone": True},
        {"name": "shop.alice.test", "aliases": ["*.shop.alice.test"]},
    ):
        assert (await api.call("POST", "/api/v1/domains", alice, json=body))[0] == 201
    dns = api.client.app[keys.AGENT].dns
    names = ["shop.alice.test", "*.shop.alice.test"]
    assert await acme_dns01.zone_reasons(dns, "alice", names) == []
    assert await acme_dns01.zone_reasons(dns, "mallory", names) == [
        acme_dns01.no_zone("shop.alice.test")
    ]
    assert await acme_dns01.zone_reasons(dns, "alice", ["*.elsewhere.test"]) == [
        acme_dns01.no_zone("elsewhere.test")
    ]
    assert await acme_dns01.zone_reasons(dns, "alice", ["alice.test", "www.alice.test"]) == []
