"""The panel's own certificate through the API (GET/POST /api/v1/server/certificate):
administrators only, an order queued as a `panel_certificate` job the ACME worker settles,
renewed a third of its life before expiry with the sites' backoff. The ACME order itself is
stood in for here (the end-to-end test runs it against Pebble)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jopanel.agent.certificates.v1 import certificates_pb2 as pb

from gateway import __main__ as cli
from gateway import keys
from gateway.acme_accounts import AcmeAccounts
from gateway.acme_orders import IssueFailed
from gateway.acme_worker import AcmeWorker
from gateway.auth.sessions import SessionCache
from gateway.context import Context
from gateway.principal import Principal, Role
from gateway.services import panel_certificate as service
from tests.gateway.conftest import Api, FakeAgent

PATH = "/api/v1/server/certificate"
HOST = "panel.example.net"
NOT_BEFORE = datetime(2026, 12, 1, tzinfo=UTC)


def issued(fingerprint: str = "a" * 64) -> pb.PanelCertificate:
    served = pb.PanelCertificate(
        host_name=HOST, names=[HOST], issuer="CN=Pebble", fingerprint_sha256=fingerprint
    )
    served.not_before.FromDatetime(NOT_BEFORE)
    served.not_after.FromDatetime(NOT_BEFORE + timedelta(days=90))
    return served


def worker_of(api: Api) -> AcmeWorker:
    app = api.client.app
    return AcmeWorker(app[keys.DB], app[keys.AGENT], app[keys.CONFIG], AcmeAccounts(b"", None))


async def test_only_an_administrator_sees_or_orders_it(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, shown = await api.call("GET", PATH, admin)
    assert status == 200
    assert shown["host_name"] == HOST
    assert shown["served"]["self_signed"] is True
    assert (shown["status"], shown["last_error"]) == ("none", "")
    for method in ("GET", "POST"):
        assert (await api.call(method, PATH, alice))[0] == 403
        assert (await api.call(method, PATH, None))[0] == 401
    _, jobs = await api.call("GET", "/api/v1/jobs", admin)
    assert jobs["items"] == []
    # No host name, path or anything else comes from the client.
    status, _ = await api.call("POST", PATH, admin, json={"host_name": "evil.example"})
    assert status == 400
    assert (await api.call("GET", "/api/v1/jobs", admin))[1]["items"] == []


async def test_an_order_is_queued_once_and_settled_by_the_worker(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, job = await api.call("POST", PATH, admin)
    assert status == 202, job
    assert (job["kind"], job["state"], job["subject"]) == ("panel_certificate", "queued", "panel")
    for _ in range(2):  # asking again names the same order
        status, problem = await api.call("POST", PATH, admin)
        assert (status, problem["job_id"]) == (409, job["id"])
    _, jobs = await api.call("GET", "/api/v1/jobs", admin)
    assert [j["id"] for j in jobs["items"]] == [job["id"]]
    assert (await api.call("GET", PATH, admin))[1]["status"] == "issuing"

    async def refused(*_: object) -> pb.PanelCertificate:
        raise IssueFailed(f"{HOST} does not resolve to this server: it has no address.")

    monkeypatch.setattr(service, "_attempt", refused)
    assert await worker_of(api).run_queued() == 1
    _, settled = await api.call("GET", f"/api/v1/jobs/{job['id']}", admin)
    assert settled["state"] == "failed"
    _, shown = await api.call("GET", PATH, admin)
    assert shown["status"] == "failed"
    assert "does not resolve" in shown["last_error"]
    assert shown["served"]["self_signed"] is True  # the installer's pair still served
    assert shown["next_attempt_at"] is None  # a first issue that failed is not retried alone


async def test_issued_then_renewed_at_a_third_of_its_life_with_backoff(
    api: Api, admin: str, fake_agent: FakeAgent, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await api.call("POST", PATH, admin))[0] == 202

    async def installs(*_: object) -> pb.PanelCertificate:
        return issued()

    monkeypatch.setattr(service, "_attempt", installs)
    worker = worker_of(api)
    assert await worker.run_queued() == 1
    _, shown = await api.call("GET", PATH, admin)
    assert (shown["status"], shown["last_error"]) == ("valid", "")
    due = NOT_BEFORE + timedelta(days=60)
    assert shown["next_attempt_at"].startswith(due.strftime("%Y-%m-%dT%H:%M"))

    assert await worker.renew_panel(due - timedelta(seconds=1)) is None  # not yet

    async def unreachable(*_: object) -> pb.PanelCertificate:
        raise IssueFailed("The certificate authority could not be reached.")

    monkeypatch.setattr(service, "_attempt", unreachable)
    outcome = await worker.renew_panel(due)
    assert outcome == "The certificate authority could not be reached."
    _, shown = await api.call("GET", PATH, admin)
    assert shown["status"] == "failed"
    retry = due + timedelta(hours=1)
    assert shown["next_attempt_at"].startswith(retry.strftime("%Y-%m-%dT%H:%M"))
    assert await worker.renew_panel(due + timedelta(minutes=30)) is None  # backing off

    monkeypatch.setattr(service, "_attempt", installs)
    assert await worker.renew_panel(retry) == "renewed"
    assert (await api.call("GET", PATH, admin))[1]["status"] == "valid"


async def test_without_a_panel_host_name_nothing_is_queued(
    api: Api, admin: str, fake_agent: FakeAgent
) -> None:
    fake_agent.panel_tls.served = None
    status, shown = await api.call("GET", PATH, admin)
    assert (status, shown["host_name"], shown["served"]) == (200, "", None)
    status, problem = await api.call("POST", PATH, admin)
    assert status == 409
    assert "panel_hostname" in problem["detail"]
    assert (await api.call("GET", "/api/v1/jobs", admin))[1]["items"] == []


async def test_the_cli_follows_its_order_to_the_end_and_prints_its_stages(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jopanel certificate issue`: queued, then each stage it sees, then the outcome; asked
    while an order is under way, it follows that one rather than queuing a second. The
    worker moves between two of the CLI's looks (no timing)."""
    app = api.client.app
    admin_cli = Principal(0, "jopanel-cli", Role.ADMIN)
    ctx = Context(app[keys.DB], app[keys.AGENT], admin_cli, "cli", SessionCache())
    reason = f"{HOST} does not resolve to this server: it has no address."
    reached, go_on = asyncio.Event(), asyncio.Event()

    async def refused(*_: object, **kw: Any) -> pb.PanelCertificate:
        await kw["stage"]("preflight")
        reached.set()
        await go_on.wait()  # the CLI looks while the order is at this stage
        raise IssueFailed(reason)

    async def attempt(
        ctx: object, config: object, accounts: object, stage: object
    ) -> pb.PanelCertificate:
        return await refused(stage=stage)

    monkeypatch.setattr(service, "_attempt", attempt)
    worker: list[asyncio.Task[int]] = []

    async def look_again() -> None:
        if not worker:  # first pause: the worker takes the order, up to pre-flight
            worker.append(asyncio.create_task(worker_of(api).run_queued()))
            await reached.wait()
        else:  # then it refuses it
            go_on.set()
            await worker[0]

    monkeypatch.setattr(cli, "_look_again", look_again)
    assert await cli._issue_and_follow(ctx) is False
    _, jobs = await api.call("GET", "/api/v1/jobs", admin)
    [job] = jobs["items"]
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"queued: job {job['id']}",
        "stage: queued",
        "stage: preflight",
        "stage: failed",
        f"not issued: {reason}",
    ]

    # An order under way (queued through the API): followed, not doubled.
    status, queued = await api.call("POST", PATH, admin)
    assert status == 202
    worker.clear()
    reached.clear()
    go_on.clear()
    assert await cli._issue_and_follow(ctx) is False
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"an order is already under way: job {queued['id']}"
    assert err[-2:] == ["stage: failed", f"not issued: {reason}"]
    _, jobs = await api.call("GET", "/api/v1/jobs", admin)
    assert sorted(job["state"] for job in jobs["items"]) == ["failed", "failed"]
