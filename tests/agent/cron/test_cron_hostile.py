"""Hostile cron jobs through the agent's socket (sandbox only): every one is INVALID_ARGUMENT and
leaves the account's crontab and the agent's record byte for byte as they were. And schedules
at the edges of the grammar are ones that Debian's crontab accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.cron.v1 import cron_pb2

from tests.agent.cron.cron_support import (
    create,
    cron,
    cron_account,
    cron_files,
    crontab_listing,
    expected_crontab,
    job,
    update_request,
)
from tests.agent.cron.test_cron_validators import (
    INVALID_COMMANDS,
    INVALID_SCHEDULES,
    VALID_SCHEDULES,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.cron.cron_support import Stub

__all__ = ["cron", "cron_account"]  # fixtures, used by name

# (field, job) pairs: each job is wrong in that field only.
HOSTILE_JOBS = [
    *(("job.schedule", job("aaaa1111", schedule=s)) for s in INVALID_SCHEDULES),
    *(("job.command", job("aaaa1111", command=c)) for c in INVALID_COMMANDS.values()),
    *(("job.command", job("aaaa1111", "@daily", c)) for c in ("=x", "=PATH", " =/tmp")),
    *(("job.id", job(i)) for i in ("", "short", "UPPERCASE1", "abcd1234\n", "../../../x")),
]


async def test_hostile_jobs_are_refused_and_change_nothing(cron: Stub, cron_account: str) -> None:
    await create(cron, cron_account, job("aaaa1111", "@daily", "echo kept"))
    before = cron_files(cron_account)
    for field, spec in HOSTILE_JOBS:
        request = cron_pb2.CreateCronJobRequest(account=cron_account, job=spec)
        code, message = await rpc_error(cron.CreateCronJob(request))
        assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
        if field != "job.id":
            update = update_request(cron_account, spec, field.removeprefix("job."))
            code, message = await rpc_error(cron.UpdateCronJob(update))
            assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
        assert cron_files(cron_account) == before, spec
    assert crontab_listing(cron_account) == expected_crontab(("aaaa1111", "@daily echo kept"))


@pytest.mark.parametrize(
    "account", ["", "Root", "../etc", "a" * 33, "alice\n", "-r", "root", "jopanel"]
)
async def test_hostile_account_names_are_refused(cron: Stub, account: str) -> None:
    request = cron_pb2.CreateCronJobRequest(account=account, job=job("aaaa1111"))
    code, message = await rpc_error(cron.CreateCronJob(request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("account: ")


async def test_schedules_at_the_edges_are_ones_crontab_accepts(
    cron: Stub, cron_account: str
) -> None:
    # crontab refuses the whole text if it refuses one line: the agent would fail with INTERNAL.
    for number, schedule in enumerate(VALID_SCHEDULES):
        await create(cron, cron_account, job(f"job{number:05d}", schedule, "true"))
    lines = [(f"job{n:05d}", f"{s} true") for n, s in enumerate(VALID_SCHEDULES)]
    assert crontab_listing(cron_account) == expected_crontab(*lines)


async def test_the_longest_command_is_one_crontab_accepts(cron: Stub, cron_account: str) -> None:
    longest = "echo " + "%" * 496 + "x"  # 998 bytes once each '%' is escaped
    await create(cron, cron_account, job("aaaa1111", command=longest))
    listing = crontab_listing(cron_account)
    assert listing is not None
    assert len(listing.splitlines()[-1].encode()) == len("*/15 * * * * ") + 998
