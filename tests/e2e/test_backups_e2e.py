"""Backups through the whole stack: REST → gateway job → the agent's progress stream → restic,
and back: a file an owner lost comes back from its backup, followed over server-sent events."""

from __future__ import annotations

import itertools
import json
import os
import pwd
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login

pytestmark = pytest.mark.e2e


async def followed(session: aiohttp.ClientSession, base: str, token: str, job: str) -> list[Any]:
    """Every state of the job from its event stream, which ends when the job has."""
    headers = {"Authorization": f"Bearer {token}"}
    events = []
    async with session.get(f"{base}/jobs/{job}/events", headers=headers) as response:
        assert response.status == 200
        assert response.content_type == "text/event-stream"
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    return events


async def test_an_owner_backs_up_loses_a_file_and_restores_it(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        account = {"name": "e2e_backup", "password": "backup-pass-1"}
        status, created = await call(session, "POST", f"{base}/accounts", admin, json=account)
        assert status == 201, created
        owner = await login(session, base, "e2e_backup", "backup-pass-1")
        user = pwd.getpwnam("e2e_backup")
        notes = Path(user.pw_dir) / "notes.txt"
        notes.write_bytes(b"what matters\n")
        os.chown(notes, user.pw_uid, user.pw_gid)
        os.chmod(notes, 0o640)

        status, job = await call(session, "POST", f"{base}/backups", owner, json={})
        assert status == 202, job
        events = await followed(session, base, owner, job["id"])
        assert events[-1]["state"] == "succeeded", events[-1]
        for before, after in itertools.pairwise(events):
            if before["stage"] == after["stage"]:  # the percent is the stage's
                assert after["percent"] >= before["percent"]
        backup = events[-1]["result"]
        _, listing = await call(session, "GET", f"{base}/backups", owner)
        assert [item["id"] for item in listing["items"]] == [backup]

        notes.unlink()
        body = {"what": "path", "name": "notes.txt", "placement": "in_place"}
        url = f"{base}/backups/{backup}/restore"
        status, job = await call(session, "POST", url, owner, json=body)
        assert status == 202, job
        events = await followed(session, base, owner, job["id"])
        assert events[-1]["state"] == "succeeded", events[-1]
        assert notes.read_bytes() == b"what matters\n"
        info = notes.stat()
        assert (info.st_uid, info.st_mode & 0o7777) == (user.pw_uid, 0o640)

        # Another owner sees neither the job nor the backup.
        other = {"name": "e2e_backup2", "password": "backup-pass-2"}
        assert (await call(session, "POST", f"{base}/accounts", admin, json=other))[0] == 201
        stranger = await login(session, base, "e2e_backup2", "backup-pass-2")
        assert (await call(session, "GET", f"{base}/jobs/{job['id']}", stranger))[0] == 404
        status, _ = await call(session, "POST", url, stranger, json={"what": "account"})
        assert status == 404
