"""Backups per plan, through the REST API with the fake agent: the plan's schedule and
retention, the scheduler's run, an owner's daily limit, and cancelling a job."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from jopanel.agent.backups.v1 import backups_pb2

from gateway import keys
from gateway.context import Context
from gateway.services.backup_schedule import BackupSchedule
from tests.gateway.backups.test_backups import backed_up, settled
from tests.gateway.conftest import Api


async def age_accounts(api: Api) -> None:
    """Every account made two days ago: a new account is first due a period after it was made."""
    async with api.client.app[keys.DB].acquire() as connection, connection.cursor() as cursor:
        await cursor.execute("UPDATE accounts SET created_at = created_at - INTERVAL 2 DAY")


def schedule(api: Api) -> BackupSchedule:
    app = api.client.app
    ctx = Context.system(app[keys.DB], app[keys.AGENT], app[keys.SESSIONS], "backups")
    return BackupSchedule(ctx, app[keys.JOBS])


async def make_plan(api: Api, admin: str, name: str, **fields: Any) -> None:
    status, body = await api.call("POST", "/api/v1/plans", admin, json={"name": name, **fields})
    assert status == 201, body


async def test_a_plan_has_backup_settings_with_defaults(api: Api, admin: str) -> None:
    await make_plan(api, admin, "basic")
    _, plan = await api.call("GET", "/api/v1/plans/basic", admin)
    assert {key: plan[key] for key in plan if "backup" in key} == {
        "backup_schedule": "daily",
        "backup_keep_daily": 7,
        "backup_keep_weekly": 4,
        "backup_keep_monthly": 6,
        "max_backups_per_day": 3,
        "backup_repository": "",
    }
    status, plan = await api.call(
        "PATCH",
        "/api/v1/plans/basic",
        admin,
        json={"backup_schedule": "weekly", "backup_keep_daily": 0, "max_backups_per_day": None},
    )
    assert status == 200, plan
    assert (plan["backup_schedule"], plan["backup_keep_daily"], plan["max_backups_per_day"]) == (
        "weekly",
        0,
        None,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"backup_schedule": "hourly"},
        {"backup_schedule": None},
        {"backup_schedule": "daily; DROP TABLE plans"},
        {"backup_keep_daily": -1},
        {"backup_keep_weekly": 1001},
        {"backup_keep_monthly": 10**30},
        {"backup_keep_daily": None},
        {"max_backups_per_day": -1},
        {"max_backups_per_day": 1001},
        {"backup_schedule": "x" * 10_000},
    ],
)
async def test_bad_backup_settings_are_400_and_change_nothing(
    api: Api, admin: str, body: dict[str, Any]
) -> None:
    await make_plan(api, admin, "basic")
    _, before = await api.call("GET", "/api/v1/plans/basic", admin)
    status, problem = await api.call("PATCH", "/api/v1/plans/basic", admin, json=body)
    assert status == 400, problem
    _, after = await api.call("GET", "/api/v1/plans/basic", admin)
    assert after == before


async def test_owners_cannot_change_a_plans_backup_settings(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, _ = await api.call(
        "PATCH", "/api/v1/plans/default", alice, json={"backup_schedule": "none"}
    )
    assert status == 403


async def test_the_schedule_backs_up_due_accounts_one_by_one_then_applies_retention(
    api: Api, admin: str
) -> None:
    await make_plan(api, admin, "nightly", backup_keep_daily=2)
    await make_plan(api, admin, "never", backup_schedule="none")
    await api.create_account(admin, "alice", plan="nightly")
    await api.create_account(admin, "bob", plan="never")
    await api.create_account(admin, "carol", plan="nightly")
    carol = await api.login("carol", "owner-pass-1")
    await backed_up(api, carol)  # carol was backed up within the day: not due
    await age_accounts(api)

    done = await schedule(api).run_once()

    assert done == ["alice"]
    assert [f.account for f in api.backups.forgets] == ["alice"]
    assert api.backups.forgets[0].retention.keep_daily == 2
    _, jobs = await api.call("GET", "/api/v1/jobs?account=alice", admin)
    (job,) = jobs["items"]
    assert (job["state"], job["origin"], job["created_by"]) == ("succeeded", "schedule", "backups")
    assert await schedule(api).run_once() == []  # backed up now: not due again today


async def test_the_schedule_prunes_once_after_it_forgot_something(api: Api, admin: str) -> None:
    await make_plan(api, admin, "one", backup_keep_daily=1)
    await api.create_account(admin, "alice", plan="one")
    alice = await api.login("alice", "owner-pass-1")
    await backed_up(api, alice)
    async with api.client.app[keys.DB].acquire() as connection, connection.cursor() as cursor:
        await cursor.execute("UPDATE jobs SET finished_at = finished_at - INTERVAL 2 DAY")
    await age_accounts(api)
    runner = schedule(api)
    assert await runner.run_once() == ["alice"]
    assert api.backups.prunes == 1
    assert len(api.backups.backups["alice"]) == 1


async def test_a_new_account_is_first_due_a_period_after_it_was_made(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    assert await schedule(api).run_once() == []
    await age_accounts(api)
    assert await schedule(api).run_once() == ["alice"]


async def test_a_failed_scheduled_backup_is_not_followed_by_retention(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await age_accounts(api)
    api.backups.fail_call = "BackUpAccount alice"
    assert await schedule(api).run_once() == []
    assert api.backups.forgets == []
    _, jobs = await api.call("GET", "/api/v1/jobs?account=alice", admin)
    assert [job["state"] for job in jobs["items"]] == ["failed"]


async def test_an_owner_starts_at_most_the_plans_backups_per_day(api: Api, admin: str) -> None:
    await make_plan(api, admin, "small", max_backups_per_day=1)
    await api.create_account(admin, "alice", plan="small")
    alice = await api.login("alice", "owner-pass-1")
    await backed_up(api, alice)
    status, problem = await api.call("POST", "/api/v1/backups", alice, json={})
    assert status == 429, problem
    assert "allows 1 backups" in problem["detail"]
    # An administrator's backup and the schedule's are not the owner's to count.
    assert (await backed_up(api, admin, account="alice"))["origin"] == "admin"
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert len(jobs["items"]) == 2


async def test_a_plan_allowing_no_owner_backups_refuses_the_first(api: Api, admin: str) -> None:
    await make_plan(api, admin, "none", max_backups_per_day=0)
    await api.create_account(admin, "alice", plan="none")
    alice = await api.login("alice", "owner-pass-1")
    status, _ = await api.call("POST", "/api/v1/backups", alice, json={})
    assert status == 429
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert jobs["items"] == []


async def test_an_owner_cancels_its_running_backup(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    hold = api.backups.hold = asyncio.Event()
    _, started = await api.call("POST", "/api/v1/backups", alice, json={})
    await api.backups.held.wait()
    cancelling = asyncio.ensure_future(
        api.call("POST", f"/api/v1/jobs/{started['id']}/cancel", alice)
    )
    await api.backups.cancel_asked.wait()
    hold.set()
    status, job = await cancelling
    assert status == 200, job
    assert (job["state"], job["error"]) == ("cancelled", "cancelled")
    assert api.backups.backups.get("alice", []) == []
    status, problem = await api.call("POST", f"/api/v1/jobs/{started['id']}/cancel", alice)
    assert status == 409, problem  # it has ended
    _, log = await api.call("GET", "/api/v1/audit-log?limit=200", admin)
    assert ("alice", "job.cancel", f"alice/{started['id']}", "ok") in [
        (e["actor"], e["action"], e["target"], e["result"]) for e in log["items"]
    ]


async def test_another_owners_job_cannot_be_cancelled(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    bob = await api.owner(admin, "bob")
    hold = api.backups.hold = asyncio.Event()
    _, started = await api.call("POST", "/api/v1/backups", alice, json={})
    await api.backups.held.wait()
    for job_id in (started["id"], "../" + started["id"], started["id"].upper(), "0" * 10_000):
        status, _ = await api.call("POST", f"/api/v1/jobs/{job_id}/cancel", bob)
        assert status == 404, job_id
    assert "CancelBackupJob alice" not in api.backups.calls
    hold.set()
    await settled(api)
    _, job = await api.call("GET", f"/api/v1/jobs/{started['id']}", alice)
    assert job["state"] == "succeeded"


async def test_the_schedule_dumps_the_panels_database_daily_into_every_repository(
    api: Api, admin: str
) -> None:
    api.backups.repositories["offsite"] = backups_pb2.BackupRepository(name="offsite")
    runner = schedule(api)
    await runner.run_once()
    assert sorted(api.backups.panel_dumps) == ["", "offsite"]
    await runner.run_once()
    assert len(api.backups.panel_dumps[""]) == 1  # once a day
    _, log = await api.call("GET", "/api/v1/audit-log?limit=200", admin)
    targets = [e["target"] for e in log["items"] if e["action"] == "panel-database.backup"]
    assert sorted(targets) == ["local", "offsite"]


async def test_a_repository_out_of_reach_holds_up_neither_the_others_nor_the_accounts(
    api: Api, admin: str
) -> None:
    """A remote repository that does not answer (its server down) once stopped the whole run:
    no account was backed up, anywhere, for as long as it stayed down. Now only its own dump
    waits, tried again at the next run; an account whose retention fails holds up no other."""
    api.backups.repositories["offsite"] = backups_pb2.BackupRepository(name="offsite")
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    await age_accounts(api)
    api.backups.fail_call = "BackUpPanelDatabase offsite"
    api.backups.fail_call_code = grpc.StatusCode.UNAVAILABLE
    runner = schedule(api)

    assert sorted(await runner.run_once()) == ["alice", "bob"]

    assert sorted(api.backups.panel_dumps) == [""]
    _, log = await api.call("GET", "/api/v1/audit-log?limit=200", admin)
    dumps = [
        (e["target"], e["result"]) for e in log["items"] if e["action"] == "panel-database.backup"
    ]
    assert sorted(dumps) == [("local", "ok"), ("offsite", "error")]
    await runner.run_once()  # the next run: the offsite dump again, the local one not yet
    assert sorted(api.backups.panel_dumps) == ["", "offsite"]
    assert len(api.backups.panel_dumps[""]) == 1

    async with api.client.app[keys.DB].acquire() as connection, connection.cursor() as cursor:
        await cursor.execute("UPDATE jobs SET finished_at = finished_at - INTERVAL 2 DAY")
    api.backups.fail_call = "ForgetBackups alice"
    assert sorted(await runner.run_once()) == ["alice", "bob"]
    # alice's retention failed this time (so it is not among the forgets), bob's ran.
    assert sorted(f.account for f in api.backups.forgets) == ["alice", "bob", "bob"]


async def test_a_plan_sends_its_scheduled_backups_to_its_repository(api: Api, admin: str) -> None:
    status, problem = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "remote", "backup_repository": "offsite"}
    )
    # No such repository yet: the field is refused (the document allows any name) and no
    # plan is made.
    assert status == 422, problem
    assert problem["errors"][0]["field"] == "backup_repository"
    status, _ = await api.call("GET", "/api/v1/plans/remote", admin)
    assert status == 404
    api.backups.repositories["offsite"] = backups_pb2.BackupRepository(name="offsite")
    await make_plan(api, admin, "remote", backup_repository="offsite")
    await api.create_account(admin, "alice", plan="remote")
    await api.create_account(admin, "bob")
    await age_accounts(api)

    assert sorted(await schedule(api).run_once()) == ["alice", "bob"]

    _, jobs = await api.call("GET", "/api/v1/jobs?account=alice", admin)
    assert [job["subject"] for job in jobs["items"]] == ["offsite"]
    assert {(f.account, f.repository) for f in api.backups.forgets} == {
        ("alice", "offsite"),
        ("bob", ""),
    }


async def test_a_repository_removed_since_skips_that_plans_accounts_only(
    api: Api, admin: str
) -> None:
    api.backups.repositories["offsite"] = backups_pb2.BackupRepository(name="offsite")
    await make_plan(api, admin, "remote", backup_repository="offsite")
    await api.create_account(admin, "alice", plan="remote")
    await api.create_account(admin, "bob")
    del api.backups.repositories["offsite"]
    await age_accounts(api)
    assert await schedule(api).run_once() == ["bob"]
    status, _ = await api.call(
        "PATCH", "/api/v1/plans/remote", admin, json={"backup_repository": "../etc"}
    )
    assert status == 400
