"""The gateway queues certificate orders for the ACME worker (it has no network itself): the
request answers 202 with the order's job at once, one order per website at a time (409 names
the one under way); the worker settles an order whose website went meanwhile without touching
anything."""

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
from tests.gateway.certificates.together import Together
from tests.gateway.conftest import Api

STAGES = ("preflight", "ordering", "validating", "installing")


async def test_an_order_is_queued_for_the_worker_and_settled_by_it(api: Api, admin: str) -> None:
    """202 with the order's job at once (no worker runs in these tests); the certificate
    shows the attempt and the job under way; another tenant sees neither."""
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    one = "/api/v1/domains/alice.com/certificate"

    status, job = await api.call("POST", one, alice, json={"hsts": True})
    assert status == 202, job
    assert (job["kind"], job["state"], job["stage"]) == ("certificate", "queued", "queued")
    assert (job["subject"], job["account"], job["created_by"]) == ("alice.com", "alice", "alice")
    _, record = await api.call("GET", one, alice)
    assert (record["status"], record["hsts"], record["job_id"]) == ("issuing", True, job["id"])
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert [j["id"] for j in jobs["items"]] == [job["id"]]
    assert (await api.call("GET", "/api/v1/jobs", bob))[1]["items"] == []
    for path in (f"/api/v1/jobs/{job['id']}", f"/api/v1/jobs/{job['id']}/events"):
        assert (await api.call("GET", path, bob))[0] == 404

    # The website goes before the worker takes the order: it fails it, and nothing else.
    assert (await api.call("DELETE", "/api/v1/domains/alice.com", alice))[0] == 204
    app = api.client.app
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))
    assert await worker.run_queued() == 1
    _, settled = await api.call("GET", f"/api/v1/jobs/{job['id']}", alice)
    assert settled["state"] == "failed"
    assert settled["error"] == "The website was deleted before its certificate was ordered."
    assert await worker.run_queued() == 0


async def test_an_owner_orders_for_no_other_tenant_s_website(api: Api, admin: str) -> None:
    """Another tenant's name, and names just below and above it: 404, nothing queued."""
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    for name in ("alice.com", "www.alice.com", "lice.com", "alice.co", "alice.com.", "a" * 300):
        status, _ = await api.call("POST", f"/api/v1/domains/{name}/certificate", bob, json={})
        assert status == 404, name
    assert (await api.call("GET", "/api/v1/jobs", admin))[1]["items"] == []
    _, record = await api.call("GET", "/api/v1/domains/alice.com/certificate", alice)
    assert (record["status"], record["job_id"]) == ("none", "")


async def test_asking_again_is_409_naming_the_order_under_way(api: Api, admin: str) -> None:
    """A client that repeats its request, or many requests at once, queue one order per
    website; the others are told which job to follow. Once it ends, a new one may start."""
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    one = "/api/v1/domains/alice.com/certificate"
    answers = await asyncio.gather(*(api.call("POST", one, alice, json={}) for _ in range(8)))
    [(_, job)] = [answer for answer in answers if answer[0] == 202]
    refused = [body for status, body in answers if status == 409]
    assert len(refused) == 7
    for problem in refused:
        assert problem["job_id"] == job["id"]
        assert f"/api/v1/jobs/{job['id']}" in problem["detail"]
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert [j["id"] for j in jobs["items"]] == [job["id"]]

    await jobs_store.finish(api.client.app[keys.DB], job["id"], state="failed", error="no")
    status, again = await api.call("POST", one, alice, json={})
    assert status == 202
    assert again["id"] != job["id"]


async def test_a_worker_that_stopped_mid_order_leaves_nothing_issuing(api: Api, admin: str) -> None:
    """The order it was running fails with a reason, its record too (renewals skip records
    left `issuing`); an order still queued stays queued for the new worker."""
    alice = await api.owner(admin)
    for name in ("alice.com", "alice.net"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
        assert (await api.call("POST", f"/api/v1/domains/{name}/certificate", alice))[0] == 202
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
    alice = await api.owner(admin)
    names = [f"alice{number}.com" for number in range(6)]
    for name in names:
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
        assert (await api.call("POST", f"/api/v1/domains/{name}/certificate", alice))[0] == 202
    app = api.client.app
    config = dataclasses.replace(
        app[keys.CONFIG], acme=dataclasses.replace(app[keys.CONFIG].acme, concurrent_orders=4)
    )
    together = Together(4)

    async def ordered(
        ctx: object, config: object, record: CertificateRecord, *args: object, **kw: object
    ) -> CertificateRecord:
        async with together.inside(record.domain):
            return record

    monkeypatch.setattr(service, "issue_for", ordered)
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], config, AcmeAccounts(b"", None))

    # A failure detector: one at a time, the first order would wait for the others forever.
    assert await asyncio.wait_for(worker.run_queued(), 60) == 6

    assert together.most == 4
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
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    for name in ("alice.com", "alice.net"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
        assert (await api.call("POST", f"/api/v1/domains/{name}/certificate", alice))[0] == 202
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
