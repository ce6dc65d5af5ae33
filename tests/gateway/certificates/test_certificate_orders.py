"""The gateway queues certificate orders for the ACME worker (it has no network itself): the
request waits for the worker's outcome, and says so when the worker has not settled it in
time; the worker settles an order whose website went meanwhile without touching anything."""

from __future__ import annotations

import pytest

from gateway import keys
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_worker import AcmeWorker
from gateway.services import certificates as service
from tests.gateway.conftest import Api


async def test_an_order_is_queued_for_the_worker_and_settled_by_it(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "WAIT_SECONDS", 0.3)  # no worker runs in these tests
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    one = "/api/v1/domains/alice.com/certificate"

    assert (await api.call("POST", one, bob, json={}))[0] == 404
    status, problem = await api.call("POST", one, alice, json={"hsts": True})
    assert status == 503, problem
    assert "has not finished" in problem["detail"]
    _, record = await api.call("GET", one, alice)
    assert (record["status"], record["hsts"]) == ("issuing", True)
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    [job] = jobs["items"]
    assert (job["kind"], job["state"]) == ("certificate", "queued")
    assert (await api.call("GET", "/api/v1/jobs", bob))[1]["items"] == []

    # The website goes before the worker takes the order: it fails it, and nothing else.
    assert (await api.call("DELETE", "/api/v1/domains/alice.com", alice))[0] == 204
    app = api.client.app
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))
    assert await worker.run_queued() == 1
    _, settled = await api.call("GET", f"/api/v1/jobs/{job['id']}", alice)
    assert settled["state"] == "failed"
    assert settled["error"] == "The website was deleted before its certificate was ordered."
    assert await worker.run_queued() == 0
