"""The gateway queues certificate orders for the ACME worker (it has no network itself): the
request waits for the worker's outcome, and says so when the worker has not settled it in
time; the worker settles an order whose website went meanwhile without touching anything."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import aiohttp
import pytest

from gateway import keys
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_worker import STOPPED, AcmeWorker
from gateway.problems import Problem
from gateway.services import certificates as service
from gateway.store import jobs as jobs_store
from gateway.store.certificates import CertificateRecord
from tests.gateway.conftest import Api

STAGES = ("preflight", "ordering", "validating", "installing")


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


async def test_asking_again_waits_for_the_same_order(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that repeats its request (or many at once) queues one order per website."""
    monkeypatch.setattr(service, "WAIT_SECONDS", 0.2)
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    one = "/api/v1/domains/alice.com/certificate"
    for _ in range(3):
        assert (await api.call("POST", one, alice, json={}))[0] == 503
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert [job["kind"] for job in jobs["items"]] == ["certificate"]


async def test_a_worker_that_stopped_mid_order_leaves_nothing_issuing(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order it was running fails with a reason, its record too (renewals skip records
    left `issuing`); an order still queued stays queued for the new worker."""
    monkeypatch.setattr(service, "WAIT_SECONDS", 0.2)
    alice = await api.owner(admin)
    for name in ("alice.com", "alice.net"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
        assert (await api.call("POST", f"/api/v1/domains/{name}/certificate", alice))[0] == 503
    app = api.client.app
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    running = next(job for job in jobs["items"] if job["subject"] == "alice.com")
    assert await jobs_store.claim(app[keys.DB], running["id"])  # taken, then the worker died

    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))
    await worker.recover()

    _, stopped = await api.call("GET", f"/api/v1/jobs/{running['id']}", alice)
    assert (stopped["state"], stopped["error"]) == ("failed", STOPPED)
    _, record = await api.call("GET", "/api/v1/domains/alice.com/certificate", alice)
    assert (record["status"], record["last_error"]) == ("failed", service.INTERRUPTED)
    _, waiting = await api.call("GET", "/api/v1/domains/alice.net/certificate", alice)
    assert waiting["status"] == "issuing"
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert {job["subject"]: job["state"] for job in jobs["items"]} == {
        "alice.com": "failed",
        "alice.net": "queued",
    }


async def test_the_worker_runs_a_few_orders_at_once_and_no_more(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six websites' orders, `concurrent_orders = 4`: four run together (their installs can
    share the agent's reloads), never a fifth, and every order is settled."""
    monkeypatch.setattr(service, "WAIT_SECONDS", 0.2)
    alice = await api.owner(admin)
    names = [f"alice{number}.com" for number in range(6)]
    for name in names:
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
        assert (await api.call("POST", f"/api/v1/domains/{name}/certificate", alice))[0] == 503
    app = api.client.app
    config = dataclasses.replace(
        app[keys.CONFIG], acme=dataclasses.replace(app[keys.CONFIG].acme, concurrent_orders=4)
    )
    running: set[str] = set()
    most = 0
    four_together = asyncio.Event()

    async def ordered(
        ctx: object, config: object, record: CertificateRecord, *args: object, **kw: object
    ) -> CertificateRecord:
        nonlocal most
        running.add(record.domain)
        most = max(most, len(running))
        if len(running) == 4:
            four_together.set()
        await four_together.wait()  # the first four wait for each other: they overlap
        running.discard(record.domain)
        return record

    monkeypatch.setattr(service, "issue_for", ordered)
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], config, AcmeAccounts(b"", None))

    # A failure detector: one at a time, the first order would wait for the others forever.
    assert await asyncio.wait_for(worker.run_queued(), 60) == 6

    assert most == 4
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert sorted(job["subject"] for job in jobs["items"] if job["state"] == "succeeded") == names


async def next_event(response: aiohttp.ClientResponse) -> dict[str, Any]:
    """The next `event: job` of a server-sent event stream (keepalive comments skipped)."""
    while True:
        block = (await response.content.readuntil(b"\n\n")).decode()
        lines = block.splitlines()
        if "event: job" in lines:
            (data,) = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
            found: dict[str, Any] = json.loads(data)
            return found


async def test_an_order_reports_its_stages_in_the_job_and_its_events(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """queued, preflight, ordering, validating, installing, done: each seen by GET
    /jobs/{id} and by the job's event stream as the worker reaches it; a refused order
    ends at `failed` with the owner's reason."""
    monkeypatch.setattr(service, "WAIT_SECONDS", 0.2)
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    for name in ("alice.com", "alice.net"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
        assert (await api.call("POST", f"/api/v1/domains/{name}/certificate", alice))[0] == 503
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    job_of = {job["subject"]: job for job in jobs["items"]}
    assert {job["stage"] for job in job_of.values()} == {"queued"}
    one = job_of["alice.com"]["id"]
    assert (await api.call("GET", f"/api/v1/jobs/{one}", bob))[0] == 404
    response = await api.client.get(
        f"/api/v1/jobs/{one}/events", headers={"Authorization": f"Bearer {alice}"}
    )
    assert (await next_event(response))["stage"] == "queued"
    seen: dict[str, list[str]] = {"alice.com": [], "alice.net": []}
    streamed: list[str] = []

    async def ordered(
        ctx: object, config: object, record: CertificateRecord, *args: object, **kw: Any
    ) -> CertificateRecord:
        for stage in STAGES:
            await kw["stage"](stage)
            job = (await api.call("GET", f"/api/v1/jobs/{job_of[record.domain]['id']}", alice))[1]
            seen[record.domain].append(job["stage"])
            if record.domain == "alice.com":  # the stream shows it before the order goes on
                streamed.append((await next_event(response))["stage"])
        if record.domain == "alice.net":
            raise Problem(409, "Certificate not issued", "alice.net does not resolve here.")
        return record

    monkeypatch.setattr(service, "issue_for", ordered)
    app = api.client.app
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))
    assert await worker.run_queued() == 2

    assert seen == {"alice.com": list(STAGES), "alice.net": list(STAGES)}
    assert streamed == list(STAGES)
    last = await next_event(response)
    assert (last["state"], last["stage"]) == ("succeeded", "done")
    _, failed = await api.call("GET", f"/api/v1/jobs/{job_of['alice.net']['id']}", alice)
    assert (failed["state"], failed["stage"]) == ("failed", "failed")
    assert failed["error"] == "alice.net does not resolve here."
