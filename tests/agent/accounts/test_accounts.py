"""AccountService against real Linux users, through the agent's socket (sandbox only)."""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import stat
import subprocess
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.errors import INTERNAL_MESSAGE
from agent.system.accounts.users import MANAGED_GROUP
from agent.system.base import process
from tests.agent.support import (
    account_files,
    password_matches,
    rpc_error,
    shadow_fields,
    start_as,
)

if TYPE_CHECKING:
    Stub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

# Suspending an account suspends its websites (the agent owns that cascade): nginx must run.
pytestmark = pytest.mark.usefixtures("web_servers")


def create(
    name: str, password: str = "", shell: accounts_pb2.Shell.ValueType = accounts_pb2.SHELL_NOLOGIN
) -> accounts_pb2.CreateAccountRequest:
    return accounts_pb2.CreateAccountRequest(name=name, password=password, shell=shell)


def update(name: str, paths: Sequence[str], **fields: Any) -> accounts_pb2.UpdateAccountRequest:
    request = accounts_pb2.UpdateAccountRequest(name=name, **fields)
    request.update_mask.paths.extend(paths)
    return request


def passwd_status(name: str) -> str:
    """The second field of `passwd -S`: L (locked), P (usable password) or NP (none)."""
    output = subprocess.run(["passwd", "-S", name], capture_output=True, text=True, check=True)
    return output.stdout.split()[1]


async def test_create_makes_a_private_managed_user(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(
        name=name, password="a good password", shell=accounts_pb2.SHELL_BASH
    )
    account = (await accounts.CreateAccount(request)).account

    user = pwd.getpwnam(name)
    assert user.pw_uid >= 1000
    assert (user.pw_shell, user.pw_dir) == ("/bin/bash", f"/home/{name}")
    assert grp.getgrgid(user.pw_gid).gr_name == name
    assert name in grp.getgrnam(MANAGED_GROUP).gr_mem
    home = os.lstat(f"/home/{name}")
    assert stat.S_ISDIR(home.st_mode)
    assert stat.S_IMODE(home.st_mode) == 0o750
    assert (home.st_uid, home.st_gid) == (user.pw_uid, user.pw_gid)
    assert password_matches(name, "a good password")
    assert account.disk.limit_bytes == 0  # none was asked for (test_disk_quota.py has the rest)
    account.ClearField("disk")
    assert account == accounts_pb2.Account(
        name=name,
        uid=user.pw_uid,
        gid=user.pw_gid,
        home=f"/home/{name}",
        shell=accounts_pb2.SHELL_BASH,
        suspended=False,
    )


async def test_create_without_password_locks_password_login(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    name = new_name()
    account = (await accounts.CreateAccount(create(name))).account
    assert shadow_fields(name)[1] == "!"
    assert account.shell == accounts_pb2.SHELL_NOLOGIN
    assert not account.suspended


async def test_create_again_returns_the_account_with_the_new_spec(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    users_and_groups = [Path("/etc/passwd").read_bytes(), Path("/etc/group").read_bytes()]
    again = accounts_pb2.CreateAccountRequest(
        name=account.name, password="first password", shell=accounts_pb2.SHELL_BASH
    )
    assert (await accounts.CreateAccount(again)).account == account
    assert [Path("/etc/passwd").read_bytes(), Path("/etc/group").read_bytes()] == users_and_groups

    changed = accounts_pb2.CreateAccountRequest(
        name=account.name, password="second password", shell=accounts_pb2.SHELL_SH
    )
    result = (await accounts.CreateAccount(changed)).account
    assert (result.uid, result.shell) == (account.uid, accounts_pb2.SHELL_SH)
    assert pwd.getpwnam(account.name).pw_shell == "/bin/sh"
    assert password_matches(account.name, "second password")


async def test_create_refuses_a_leftover_home(accounts: Stub, new_name: Callable[[], str]) -> None:
    name = new_name()
    Path(f"/home/{name}").mkdir()
    before = account_files()
    code, message = await rpc_error(accounts.CreateAccount(create(name)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert f"/home/{name}" in message
    assert account_files() == before


async def test_get_returns_the_account(accounts: Stub, account: accounts_pb2.Account) -> None:
    response = await accounts.GetAccount(accounts_pb2.GetAccountRequest(name=account.name))
    assert response.account == account


async def test_missing_account_is_not_found(accounts: Stub, new_name: Callable[[], str]) -> None:
    name = new_name()
    calls: list[Awaitable[object]] = [
        accounts.GetAccount(accounts_pb2.GetAccountRequest(name=name)),
        accounts.UpdateAccount(update(name, ["shell"], shell=accounts_pb2.SHELL_SH)),
        accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=name)),
        accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=name)),
    ]
    for call in calls:
        assert await rpc_error(call) == (
            grpc.StatusCode.NOT_FOUND,
            f"account {name} does not exist",
        )


async def test_list_pages_through_all_accounts_in_name_order(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    mine = [new_name() for _ in range(5)]
    for name in reversed(mine):
        await accounts.CreateAccount(create(name))

    listed: list[str] = []
    token = ""
    while True:
        request = accounts_pb2.ListAccountsRequest(page_size=2, page_token=token)
        page = await accounts.ListAccounts(request)
        assert len(page.accounts) <= 2
        listed += [account.name for account in page.accounts]
        token = page.next_page_token
        if not token:
            break
    assert listed == sorted(set(listed))
    assert [name for name in listed if name in mine] == mine
    assert set(listed) == set(grp.getgrnam(MANAGED_GROUP).gr_mem)


async def test_list_default_page_and_suspended_flag(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=account.name))
    # Every page, whatever other tests made before: the account need not be on the first one.
    listed: dict[str, accounts_pb2.Account] = {}
    request = accounts_pb2.ListAccountsRequest()
    while True:
        page = await accounts.ListAccounts(request)
        # The default page is 100 accounts; only the last one may hold fewer.
        assert len(page.accounts) == 100 or not page.next_page_token
        assert len(page.accounts) <= 100
        listed |= {item.name: item for item in page.accounts}
        if not page.next_page_token:
            break
        request = accounts_pb2.ListAccountsRequest(page_token=page.next_page_token)
    assert listed[account.name].suspended


@pytest.mark.parametrize(
    ("page_size", "page_token", "field"),
    [
        (-1, "", "page_size"),
        (1001, "", "page_size"),
        (0, "not a token!", "page_token"),
        (0, "QTtpZA==", "page_token"),  # "A;id": well formed, but no account name
    ],
)
async def test_list_refuses_bad_paging(
    accounts: Stub, page_size: int, page_token: str, field: str
) -> None:
    request = accounts_pb2.ListAccountsRequest(page_size=page_size, page_token=page_token)
    code, message = await rpc_error(accounts.ListAccounts(request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith(f"{field}: ")


async def test_list_by_names_gives_just_those_managed_accounts(
    accounts: Stub, new_name: Callable[[], str], stranger: str
) -> None:
    mine = [new_name() for _ in range(3)]
    for name in mine:
        await accounts.CreateAccount(create(name))
    request = accounts_pb2.ListAccountsRequest(
        names=[mine[2], mine[0], stranger, new_name(), mine[0]]
    )

    page = await accounts.ListAccounts(request)

    assert [account.name for account in page.accounts] == [mine[0], mine[2]]
    assert page.next_page_token == ""


@pytest.mark.parametrize(
    ("names", "page_size"),
    [
        (["ok_name", "bad\nname"], 0),
        (["root"], 0),
        ([f"n{i:04}" for i in range(1001)], 0),
        (["ok_name"], 10),
    ],
)
async def test_list_by_names_refuses_bad_names_and_paging(
    accounts: Stub, names: list[str], page_size: int
) -> None:
    request = accounts_pb2.ListAccountsRequest(names=names, page_size=page_size)
    code, message = await rpc_error(accounts.ListAccounts(request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("names: ")


async def test_update_password_goes_through_stdin_only(
    accounts: Stub, account: accounts_pb2.Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "a new; $(secret) password"
    calls: list[tuple[tuple[str, ...], bytes | None]] = []
    real_run = process.run

    async def spy(argv: Sequence[str], **options: Any) -> process.Completed:
        calls.append((tuple(argv), options.get("stdin")))
        return await real_run(argv, **options)

    monkeypatch.setattr(process, "run", spy)
    old_hash = shadow_fields(account.name)[1]
    response = await accounts.UpdateAccount(update(account.name, ["password"], password=secret))

    assert response.account == account
    assert shadow_fields(account.name)[1] != old_hash
    assert password_matches(account.name, secret)
    assert calls == [(("chpasswd",), f"{account.name}:{secret}\n".encode())]
    assert not any(secret in arg for argv, _ in calls for arg in argv)


async def test_update_shell(accounts: Stub, account: accounts_pb2.Account) -> None:
    request = update(account.name, ["shell"], shell=accounts_pb2.SHELL_NOLOGIN, password="ignored")
    response = await accounts.UpdateAccount(request)
    assert response.account.shell == accounts_pb2.SHELL_NOLOGIN
    assert pwd.getpwnam(account.name).pw_shell == "/usr/sbin/nologin"
    assert password_matches(account.name, "first password")  # not in the mask: untouched


async def test_update_to_no_password_locks_password_login(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    await accounts.UpdateAccount(update(account.name, ["password"], password=""))
    assert shadow_fields(account.name)[1] == "!"


@pytest.mark.parametrize(
    ("paths", "fields", "field"),
    [
        ([], {"shell": accounts_pb2.SHELL_SH}, "update_mask"),
        (["uid"], {}, "update_mask"),
        (["shell", "home"], {"shell": accounts_pb2.SHELL_SH}, "update_mask"),
        (["shell"], {}, "shell"),  # SHELL_UNSPECIFIED
        (["shell", "password"], {"shell": accounts_pb2.SHELL_SH, "password": "short"}, "password"),
    ],
)
async def test_update_refuses_bad_requests_and_changes_nothing(
    accounts: Stub,
    account: accounts_pb2.Account,
    paths: list[str],
    fields: dict[str, Any],
    field: str,
) -> None:
    before = account_files()
    code, message = await rpc_error(accounts.UpdateAccount(update(account.name, paths, **fields)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith(f"{field}: ")
    assert account_files() == before


async def test_suspend_locks_expires_and_stops_processes(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    name = account.name
    password_hash = shadow_fields(name)[1]
    sleeper = start_as(name, ["sleep", "300"])

    for _ in range(2):  # idempotent
        response = await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=name))
        assert response.account.suspended
        fields = shadow_fields(name)
        assert fields[1] == "!" + password_hash
        assert fields[7] == "1"  # expired on 1970-01-02: no login of any kind
        assert passwd_status(name) == "L"

    assert await asyncio.to_thread(sleeper.wait, 10) == -9
    got = await accounts.GetAccount(accounts_pb2.GetAccountRequest(name=name))
    assert got.account.suspended


async def test_unsuspend_restores_the_account(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    name = account.name
    before = shadow_fields(name)
    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=name))
    for _ in range(2):  # idempotent
        response = await accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=name))
        assert not response.account.suspended
        assert shadow_fields(name) == before
        assert passwd_status(name) == "P"
    assert password_matches(name, "first password")


async def test_new_password_of_a_suspended_account_stays_locked(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    name = account.name
    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=name))
    response = await accounts.UpdateAccount(update(name, ["password"], password="while away"))
    assert response.account.suspended
    assert shadow_fields(name)[1].startswith("!")
    await accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=name))
    assert password_matches(name, "while away")


async def test_unsuspend_keeps_an_account_without_password_locked(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    name = new_name()
    await accounts.CreateAccount(create(name))
    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=name))
    await accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=name))
    assert shadow_fields(name)[1] == "!"
    assert shadow_fields(name)[7] == ""


async def test_delete_removes_user_group_home_and_processes(
    accounts: Stub, account: accounts_pb2.Account
) -> None:
    name = account.name
    sleeper = start_as(name, ["sleep", "300"])
    # Reap the killed process at once, as its parent would: a zombie still counts as running.
    reaped = asyncio.create_task(asyncio.to_thread(sleeper.wait, 20))

    for _ in range(2):  # idempotent
        await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
        with pytest.raises(KeyError):
            grp.getgrnam(name)
        assert not os.path.lexists(f"/home/{name}")
        assert name not in grp.getgrnam(MANAGED_GROUP).gr_mem

    assert await reaped == -9
    code, _ = await rpc_error(accounts.GetAccount(accounts_pb2.GetAccountRequest(name=name)))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_delete_of_a_name_never_used_succeeds(
    accounts: Stub, new_name: Callable[[], str]
) -> None:
    before = account_files()
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=new_name()))
    assert account_files() == before


async def test_unexpected_failure_is_internal_without_details(
    accounts: Stub, account: accounts_pb2.Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(argv: Sequence[str], **options: Any) -> process.Completed:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(process, "run", broken)
    request = accounts_pb2.SuspendAccountRequest(name=account.name)
    assert await rpc_error(accounts.SuspendAccount(request)) == (
        grpc.StatusCode.INTERNAL,
        INTERNAL_MESSAGE,
    )


async def test_failing_program_is_internal_and_named(
    accounts: Stub, account: accounts_pb2.Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing(argv: Sequence[str], **options: Any) -> process.Completed:
        raise process.CommandFailed(argv, "exited with status 10", b"usermod: secret detail")

    monkeypatch.setattr(process, "run", failing)
    request = accounts_pb2.SuspendAccountRequest(name=account.name)
    code, message = await rpc_error(accounts.SuspendAccount(request))
    assert (code, message) == (grpc.StatusCode.INTERNAL, "usermod exited with status 10")
