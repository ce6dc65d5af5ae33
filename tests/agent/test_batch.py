"""agent/batch.py: a batch answer stops before the entry that would take it past its bound
(gRPC refuses messages over the agent's max_message_bytes), an entry no message could carry is
a failure of its own, and an account whose own read fails is answered with why while the
others are answered (no sandbox needed)."""

from __future__ import annotations

import pytest
from jopanel.agent.cron.v1 import cron_pb2

from agent import batch
from agent.errors import FailedPrecondition, InvalidArgument
from agent.validators.accounts import AccountName, account_name

ANSWERS = batch.Answers(4 * 1024 * 1024)  # the agent's default max_message_bytes
COMMAND = "x" * 1000


def _failed(account: AccountName, why: str) -> cron_pb2.AccountCronJobs:
    return cron_pb2.AccountCronJobs(account=account, failure=why)


def _jobs(count: int) -> list[cron_pb2.CronJob]:
    return [cron_pb2.CronJob(id=f"job{i:05d}", command=COMMAND) for i in range(count)]


async def test_the_answer_ends_before_the_entry_past_the_bound() -> None:
    jobs = _jobs(300)  # about 310 KB an account

    async def describe(account: AccountName) -> cron_pb2.AccountCronJobs:
        return cron_pb2.AccountCronJobs(account=account, jobs=jobs, installed=True)

    names = [AccountName(f"account{i}") for i in range(10)]
    answered = await ANSWERS.each_named("Test", names, describe, _failed)
    # Three entries make 0.93 MB, a fourth would pass 1 MiB: the answer ends before it.
    assert [entry.account for entry in answered] == names[:3]
    size = cron_pb2.BatchListCronJobsResponse(accounts=answered).ByteSize()
    assert 0.8 * batch.ANSWER_BYTES < size <= batch.ANSWER_BYTES

    # An entry larger than the bound (1.5 MB) is answered, alone.
    huge = _jobs(1500)

    async def describe_huge(account: AccountName) -> cron_pb2.AccountCronJobs:
        return cron_pb2.AccountCronJobs(account=account, jobs=huge)

    alone = await ANSWERS.each_named("Test", names, describe_huge, _failed)
    assert [(entry.account, len(entry.jobs)) for entry in alone] == [(names[0], 1500)]

    # Small entries: all of them.
    async def describe_small(account: AccountName) -> cron_pb2.AccountCronJobs:
        return cron_pb2.AccountCronJobs(account=account, installed=True)

    every = await ANSWERS.each_named("Test", names, describe_small, _failed)
    assert [entry.account for entry in every] == names


async def test_an_entry_no_message_could_carry_is_a_failure_of_its_own() -> None:
    """A DNS zone grown past its bound before zones were bounded, say: the others are
    answered."""
    limit = 256 * 1024  # a small max_message_bytes: its answers are bounded to 64 KiB

    async def describe(account: AccountName) -> cron_pb2.AccountCronJobs:
        return cron_pb2.AccountCronJobs(
            account=account, jobs=_jobs(300 if account == "grown" else 25)
        )

    small = batch.Answers(limit)
    names = [AccountName(n) for n in ("alice", "bob", "grown", "zed")]
    first = await small.each_named("Test", names, describe, _failed)
    # alice and bob fill 51 KB of 64; grown's failure is short and fits; zed would pass.
    assert [(e.account, len(e.jobs)) for e in first] == [("alice", 25), ("bob", 25), ("grown", 0)]
    assert first[2].failure.startswith("RESOURCE_EXHAUSTED: its answer would take 3")
    assert first[2].failure.endswith(
        f"more than the agent sends in one message ({limit}, max_message_bytes)"
    )
    rest = await small.each_named("Test", names[3:], describe, _failed)
    assert [(e.account, len(e.jobs)) for e in rest] == [("zed", 25)]


async def test_one_account_s_failure_is_its_own() -> None:
    async def describe(account: AccountName) -> cron_pb2.AccountCronJobs:
        if account == "broken":
            raise FailedPrecondition(f"account {account} does not exist")
        if account == "damaged":
            raise ValueError("a record that no longer parses")
        return cron_pb2.AccountCronJobs(account=account, installed=True)

    names = [AccountName(n) for n in ("alice", "broken", "damaged", "zed")]
    answered = await ANSWERS.each_named("Test", names, describe, _failed)
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
