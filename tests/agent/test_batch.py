"""agent/batch.py: a batch answer stops after the entry that takes it past ANSWER_BYTES (gRPC
refuses messages over 4 MiB), and an account whose own read fails is answered with why while
the others are answered (no sandbox needed)."""

from __future__ import annotations

import pytest
from jopanel.agent.cron.v1 import cron_pb2

from agent import batch
from agent.errors import FailedPrecondition, InvalidArgument
from agent.validators.accounts import AccountName, account_name


def _failed(account: AccountName, why: str) -> cron_pb2.AccountCronJobs:
    return cron_pb2.AccountCronJobs(account=account, failure=why)


async def test_the_answer_ends_after_the_entry_past_the_bound() -> None:
    big = "x" * 1000
    jobs = [cron_pb2.CronJob(id=f"job{i:05d}", command=big) for i in range(300)]  # ~310 KB

    async def describe(account: AccountName) -> cron_pb2.AccountCronJobs:
        return cron_pb2.AccountCronJobs(account=account, jobs=jobs, installed=True)

    names = [AccountName(f"account{i}") for i in range(10)]
    answered = await batch.each_named("Test", names, describe, _failed)
    # Three entries make 0.93 MB, the fourth passes 1 MiB: the answer ends with it.
    assert [entry.account for entry in answered] == names[:4]
    size = cron_pb2.BatchListCronJobsResponse(accounts=answered).ByteSize()
    assert batch.ANSWER_BYTES < size < 2 * batch.ANSWER_BYTES
    # Small entries: all of them.
    small = await batch.each_named("Test", names, describe_small, _failed)
    assert [entry.account for entry in small] == names


async def describe_small(account: AccountName) -> cron_pb2.AccountCronJobs:
    return cron_pb2.AccountCronJobs(account=account, installed=True)


async def test_one_account_s_failure_is_its_own() -> None:
    async def describe(account: AccountName) -> cron_pb2.AccountCronJobs:
        if account == "broken":
            raise FailedPrecondition(f"account {account} does not exist")
        if account == "damaged":
            raise ValueError("a record that no longer parses")
        return cron_pb2.AccountCronJobs(account=account, installed=True)

    names = [AccountName(n) for n in ("alice", "broken", "damaged", "zed")]
    answered = await batch.each_named("Test", names, describe, _failed)
    assert [(e.account, e.installed, e.failure) for e in answered] == [
        ("alice", True, ""),
        ("broken", False, "FAILED_PRECONDITION: account broken does not exist"),
        ("damaged", False, "INTERNAL: internal error in the agent; its log has the details"),
        ("zed", True, ""),
    ]


def test_names_are_checked_each_and_given_once_in_order() -> None:
    assert batch.names(["zed", "alice", "zed"], "accounts", account_name) == ["alice", "zed"]
    with pytest.raises(InvalidArgument) as refused:
        batch.names(["alice", "../etc"], "accounts", account_name)
    assert refused.value.field == "accounts[1]"
    for count in (0, 1001):
        with pytest.raises(InvalidArgument) as refused:
            batch.names([f"account{i:04d}" for i in range(count)], "accounts", account_name)
        assert refused.value.field == "accounts"
