"""A certificate order can be cancelled (POST /api/v1/jobs/{id}/cancel): a queued one at once,
a running one at its next stage, before anything is installed; an installed certificate is
served on; only its own account (or an administrator) can cancel it."""

from __future__ import annotations

import asyncio

import pytest

from gateway import keys
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_orders import StageReport
from gateway.acme_worker import AcmeWorker
from gateway.services import certificates as service
from gateway.services import panel_certificate
from gateway.store import jobs as jobs_store
from gateway.store import panel_certificate as panel_store
from gateway.store.certificates import CertificateRecord
from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile_certificates import OLD, record

ONE = "/api/v1/domains/alice.com/certificate"


async def test_a_queued_order_is_cancelled_by_its_owner_only(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    _, job = await api.call("POST", ONE, alice, json={})
    cancel = f"/api/v1/jobs/{job['id']}/cancel"

    # Another tenant, and ids just beside it: not found, and the order stays queued.
    for path in (cancel, f"/api/v1/jobs/{job['id'][:-1]}0/cancel", "/api/v1/jobs/x/cancel"):
        assert (await api.call("POST", path, bob))[0] == 404, path
    assert (await api.call("GET", f"/api/v1/jobs/{job['id']}", alice))[1]["state"] == "queued"

    status, cancelled = await api.call("POST", cancel, alice)
    assert (status, cancelled["state"], cancelled["stage"]) == (200, "cancelled", "cancelled")
    _, shown = await api.call("GET", ONE, alice)
    assert (shown["status"], shown["last_error"], shown["job_id"]) == (
        "failed",
        service.CANCELLED,
        "",
    )
    app = api.client.app
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))
    assert await worker.run_queued() == 0  # nothing left for the worker
    status, ended = await api.call("POST", cancel, alice)
    assert (status, ended["detail"]) == (409, "The job has ended already (cancelled).")
    # A new order may start at once.
    assert (await api.call("POST", ONE, alice, json={}))[0] == 202


async def test_a_running_order_stops_at_its_next_stage_and_installs_nothing(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order has begun (its pre-flight reported); the owner cancels; the worker stops it
    where the next stage would begin: the install never starts, the certificate already
    installed is still the one recorded and served, and the renewal's waits do not grow."""
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"}))[0] == 201
    await record(api)  # an installed certificate, renewed by this order
    _, job = await api.call("POST", ONE, alice, json={})
    app = api.client.app
    preflight, go = asyncio.Event(), asyncio.Event()
    installed = False

    async def ordering(
        ctx: object,
        config: object,
        certificate: CertificateRecord,
        *args: object,
        stage: StageReport,
        **kw: object,
    ) -> CertificateRecord:
        nonlocal installed
        await stage("preflight")
        preflight.set()
        await go.wait()
        await stage("installing")
        installed = True
        return certificate

    monkeypatch.setattr(service, "issue_for", ordering)
    worker = AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))
    running = asyncio.create_task(worker.run_queued())
    await asyncio.wait_for(preflight.wait(), 30)

    answer = asyncio.create_task(api.call("POST", f"/api/v1/jobs/{job['id']}/cancel", alice))
    # The ask is a row's column, written by the request: looked at as the worker does.
    while not await jobs_store.cancel_asked(app[keys.DB], job["id"]):  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert not answer.done()  # the answer waits for the order to end
    go.set()
    status, cancelled = await asyncio.wait_for(answer, 30)
    assert await asyncio.wait_for(running, 30) == 1

    assert (status, cancelled["state"], cancelled["stage"]) == (200, "cancelled", "cancelled")
    assert not installed
    _, shown = await api.call("GET", ONE, alice)
    assert (shown["status"], shown["issuer"], shown["last_error"]) == (
        "valid",
        "CN=Pebble Intermediate CA",
        service.CANCELLED,
    )
    assert shown["not_after"] is not None
    async with app[keys.DB].acquire() as conn, conn.cursor() as cur:
        await cur.execute(
            "SELECT c.failures, c.fingerprint FROM certificates c"
            " JOIN domains d ON d.id = c.domain_id WHERE d.name = 'alice.com'"
        )
        assert await cur.fetchone() == {"failures": 0, "fingerprint": OLD}


async def test_the_panels_own_order_is_not_cancelled(api: Api, admin: str) -> None:
    db = api.client.app[keys.DB]
    job = "0" * 32
    await jobs_store.queue_order(
        db,
        public_id=job,
        account_id=None,
        kind="panel_certificate",
        subject=panel_certificate.SUBJECT,
        created_by="admin",
        origin="admin",
        begin=panel_store.BEGIN,
    )
    alice = await api.owner(admin)  # the panel's job is no account's: an owner finds nothing
    assert (await api.call("POST", f"/api/v1/jobs/{job}/cancel", alice))[0] == 404
    status, body = await api.call("POST", f"/api/v1/jobs/{job}/cancel", admin)
    assert status == 409, body
    assert "cannot be cancelled" in body["detail"]
    found = await jobs_store.get(db, job)
    assert found is not None
    assert found.state == "queued"
