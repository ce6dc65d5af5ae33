"""Asking for a certificate as a client does: 202 with the order's job, then the job's
server-sent events until it ends (docs/certificates.md, "The request answers 202 with its
job"), then the certificate as GET shows it."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.e2e.test_accounts_e2e import call

# Pre-flight, the CA's validation and the install fit well inside.
ORDER_SECONDS = 300


async def ordered(
    session: aiohttp.ClientSession, base: str, token: str, url: str, body: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order's job once it has ended (its stages checked in order), and the record."""
    status, job = await call(session, "POST", url, token, json=body)
    assert status == 202, job
    assert (job["state"], job["stage"]) == ("queued", "queued")
    stages = [job]
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=ORDER_SECONDS)
    events = f"{base}/jobs/{job['id']}/events"
    async with session.get(events, headers=headers, timeout=timeout) as response:
        assert response.status == 200
        async for line in response.content:
            if line.startswith(b"data: "):
                stages.append(json.loads(line[len(b"data: ") :]))
    final = stages[-1]
    assert final["state"] in ("succeeded", "failed"), final
    seen = [one["stage"] for one in stages]
    order = ["queued", "preflight", "ordering", "validating", "installing", "done", "failed"]
    assert seen == sorted(seen, key=order.index), seen  # never back
    _, record = await call(session, "GET", url, token)
    assert record.get("job_id", "") == ""  # nothing under way any more
    return final, record
