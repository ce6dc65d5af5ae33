"""Backups and jobs through the REST API, with the fake agent: a backup and a restore run as
jobs that record the agent's progress and outcome; owners reach their own account only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from gateway import keys
from tests.gateway.conftest import Api


async def settled(api: Api) -> None:
    """Waits for the gateway's running jobs to end (they outlive the request that started
    them)."""
    await api.client.app[keys.JOBS].idle()


async def backed_up(api: Api, token: str, **body: Any) -> dict[str, Any]:
    status, job = await api.call("POST", "/api/v1/backups", token, json=body)
    assert status == 202, job
    await settled(api)
    status, job = await api.call("GET", f"/api/v1/jobs/{job['id']}", token)
    assert status == 200, job
    return dict(job)


async def test_an_owner_backs_up_and_the_job_ends_with_the_agents_outcome(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    status, started = await api.call("POST", "/api/v1/backups", alice, json={})
    assert status == 202, started
    assert (started["kind"], started["account"], started["state"]) == ("backup", "alice", "queued")
    assert started["created_by"] == "alice"
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    (backup,) = api.backups.backups["alice"]
    assert job["state"] == "succeeded"
    assert (job["stage"], job["percent"], job["bytes_done"]) == ("done", 100, 1024)
    assert job["result"] == backup.id
    assert job["started_at"] is not None
    assert job["finished_at"] is not None
    assert job["error"] == ""
    status, listing = await api.call("GET", "/api/v1/backups", alice)
    assert status == 200
    assert [(b["id"], b["files"], b["bytes"]) for b in listing["items"]] == [(backup.id, 3, 1024)]
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert [j["id"] for j in jobs["items"]] == [started["id"]]


async def test_a_failed_backup_keeps_the_agents_message(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    api.backups.fail_next = grpc.StatusCode.UNAVAILABLE
    job = await backed_up(api, alice)
    assert job["state"] == "failed"
    assert job["error"] == "the fake agent was told to fail"
    assert job["stage"] == "files"  # the progress it had reached
    assert job["finished_at"] is not None


async def test_the_audit_log_has_who_started_each_job_and_how_it_ended(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    good = await backed_up(api, alice)
    api.backups.fail_next = grpc.StatusCode.UNAVAILABLE
    bad = await backed_up(api, alice)
    _, log = await api.call("GET", "/api/v1/audit-log?limit=200", admin)
    entries = [
        (e["actor"], e["action"], e["target"], e["result"])
        for e in log["items"]
        if e["action"].startswith("backup.")
    ]
    for job, result in ((good, "ok"), (bad, "error")):
        target = f"alice/{job['id']}"
        assert ("alice", "backup.start", target, "ok") in entries
        assert ("alice", "backup.finish", target, result) in entries


async def until_stage(api: Api, token: str, job: str, stage: str) -> None:
    """Reads the job's event stream until the job reaches `stage` (no polling: each event is a
    change of its row)."""
    response = await api.client.get(
        f"/api/v1/jobs/{job}/events", headers={"Authorization": f"Bearer {token}"}
    )
    async with response:
        while block := await response.content.readuntil(b"\n\n"):
            if any(event["stage"] == stage for event in events_of(block.decode())):
                return
    raise AssertionError(f"the job ended before stage {stage}")


async def test_a_running_job_shows_its_progress(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    hold = api.backups.hold = asyncio.Event()
    status, started = await api.call("POST", "/api/v1/backups", alice, json={})
    assert status == 202
    await api.backups.held.wait()
    await until_stage(api, alice, started["id"], "files")  # the gateway has read the message
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    assert (job["state"], job["stage"], job["percent"]) == ("running", "files", 50)
    assert job["finished_at"] is None
    hold.set()
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    assert job["state"] == "succeeded"


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        ({"what": "account"}, ("whole_account", True)),
        ({"what": "domain", "name": "alice.example"}, ("domain", "alice.example")),
        ({"what": "database", "name": "alice_shop"}, ("database", "alice_shop")),
        ({"what": "path", "name": "web/a/index.php"}, ("path", "web/a/index.php")),
    ],
)
async def test_an_owner_restores_each_kind_as_a_job(
    api: Api, admin: str, body: dict[str, str], sent: tuple[str, object]
) -> None:
    alice = await api.owner(admin)
    backup = (await backed_up(api, alice))["result"]
    status, started = await api.call("POST", f"/api/v1/backups/{backup}/restore", alice, json=body)
    assert status == 202, started
    assert (started["kind"], started["subject"]) == ("restore", backup)
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    assert (job["state"], job["result"]) == ("succeeded", "restored-20260101T000000Z")
    (request,) = api.backups.restores
    assert request.WhichOneof("what") == sent[0]
    assert getattr(request, sent[0]) == sent[1]
    assert request.account == "alice"
    assert request.placement == 2  # PLACEMENT_BESIDE unless asked otherwise


async def test_another_accounts_backups_and_jobs_are_404(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    job = await backed_up(api, alice)
    backup = job["result"]
    assert (await api.call("GET", f"/api/v1/jobs/{job['id']}", bob))[0] == 404
    assert (await api.call("GET", "/api/v1/jobs?account=alice", bob))[0] == 404
    assert (await api.call("GET", "/api/v1/backups?account=alice", bob))[0] == 404
    assert (await api.call("POST", "/api/v1/backups", bob, json={"account": "alice"}))[0] == 404
    for who in ({}, {"account": "alice"}):
        status, _ = await api.call(
            "POST", f"/api/v1/backups/{backup}/restore", bob, json={"what": "account", **who}
        )
        assert status == 404
    _, jobs = await api.call("GET", "/api/v1/jobs", bob)
    assert jobs["items"] == []
    assert api.backups.restores == []
    assert list(api.backups.backups) == ["alice"]


async def test_an_administrator_names_the_account(api: Api, admin: str) -> None:
    await api.owner(admin)
    status, answer = await api.call("POST", "/api/v1/backups", admin, json={})
    assert status == 422  # the document allows it; the role makes the rule
    assert answer["errors"][0]["field"] == "account"
    job = await backed_up(api, admin, account="alice")
    assert (job["account"], job["created_by"], job["state"]) == ("alice", "admin", "succeeded")
    _, jobs = await api.call("GET", "/api/v1/jobs", admin)
    assert [j["id"] for j in jobs["items"]] == [job["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"what": "domain"}, "name"),
        ({"what": "everything"}, "what"),
        ({"what": "account", "placement": "over"}, "placement"),
        ({"what": "account", "command": "rm -rf /"}, "command"),
        ({"what": "path", "name": "x" * 4097}, "name"),
    ],
)
async def test_bad_restore_requests_change_nothing(
    api: Api, admin: str, body: dict[str, str], field: str
) -> None:
    alice = await api.owner(admin)
    backup = (await backed_up(api, alice))["result"]
    status, answer = await api.call("POST", f"/api/v1/backups/{backup}/restore", alice, json=body)
    assert status in (400, 422), answer
    assert answer["errors"][0]["field"] == field
    assert api.backups.restores == []
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert [j["kind"] for j in jobs["items"]] == ["backup"]


@pytest.mark.parametrize("backup", ["0" * 32, "../../etc", "A" * 32, "0" * 33])
async def test_a_backup_the_account_does_not_have_is_404(api: Api, admin: str, backup: str) -> None:
    alice = await api.owner(admin)
    status, _ = await api.call(
        "POST", f"/api/v1/backups/{backup}/restore", alice, json={"what": "account"}
    )
    assert status == 404
    assert api.backups.restores == []


def events_of(text: str) -> list[dict[str, Any]]:
    """The jobs of a server-sent event stream, in order."""
    found = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if "event: job" in lines:
            (data,) = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
            found.append(json.loads(data))
    return found


async def test_the_event_stream_follows_a_job_in_order_to_its_end(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    hold = api.backups.hold = asyncio.Event()
    _, started = await api.call("POST", "/api/v1/backups", alice, json={})
    await api.backups.held.wait()
    response = await api.client.get(
        f"/api/v1/jobs/{started['id']}/events", headers={"Authorization": f"Bearer {alice}"}
    )
    assert response.status == 200
    assert response.content_type == "text/event-stream"
    first = await response.content.readuntil(b"\n\n")
    # The job as it stands when the stream opens: the gateway may not have marked it running.
    assert events_of(first.decode())[0]["state"] in ("queued", "running")
    hold.set()
    events = events_of(first.decode() + (await response.text()))
    order = ["queued", "running", "succeeded"]
    states = [order.index(event["state"]) for event in events]
    assert states == sorted(states)
    assert events[-1]["state"] == "succeeded"
    percents = [event["percent"] for event in events]
    assert percents == sorted(percents)
    assert events[-1]["result"] == api.backups.backups["alice"][0].id


async def test_another_accounts_event_stream_is_404(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    job = await backed_up(api, alice)
    status, _ = await api.call("GET", f"/api/v1/jobs/{job['id']}/events", bob)
    assert status == 404
    status, _ = await api.call("GET", f"/api/v1/jobs/{'0' * 32}/events", alice)
    assert status == 404


async def test_a_database_restored_beside_is_recorded_within_the_plan(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_shop"}))[
        0
    ] == 201
    api.backups.databases["alice"] = ["alice_shop"]
    backup = (await backed_up(api, alice))["result"]
    body = {"what": "database", "name": "alice_shop"}
    status, started = await api.call("POST", f"/api/v1/backups/{backup}/restore", alice, json=body)
    assert status == 202, started
    await settled(api)
    (request,) = api.backups.restores
    (target,) = request.database_targets
    assert target.backup_database == "alice_shop"
    assert target.database.startswith("alice_r")
    _, listing = await api.call("GET", "/api/v1/databases", alice)
    recorded = {d["name"]: d["status"] for d in listing["items"]}
    assert recorded == {"alice_shop": "active", target.database: "active"}


async def test_a_restore_beside_past_the_plans_databases_is_refused(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "one-db", "max_databases": 1})
    alice = await api.owner(admin, plan="one-db")
    assert (await api.call("POST", "/api/v1/databases", alice, json={"name": "alice_shop"}))[
        0
    ] == 201
    api.backups.databases["alice"] = ["alice_shop"]
    backup = (await backed_up(api, alice))["result"]
    for body in ({"what": "database", "name": "alice_shop"}, {"what": "account"}):
        status, answer = await api.call(
            "POST", f"/api/v1/backups/{backup}/restore", alice, json=body
        )
        assert status == 403, answer
    assert api.backups.restores == []
    _, listing = await api.call("GET", "/api/v1/databases", alice)
    assert [d["name"] for d in listing["items"]] == ["alice_shop"]
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert [j["kind"] for j in jobs["items"]] == ["backup"]
