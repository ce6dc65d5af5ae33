"""Hostile requests sent straight to the agent's socket, as a compromised gateway could send them.

Each must be INVALID_ARGUMENT and leave /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow
byte for byte as they were (sandbox only).
"""

from __future__ import annotations

import pwd
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeAlias

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from tests.agent.support import account_files, field_errors, rpc_error

if TYPE_CHECKING:
    Stub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

HOSTILE_NAMES = [
    "-o",
    "--help",
    "root",
    "www-data",
    "a;id",
    "a b",
    "../etc",
    "A",
    "Abc",
    "é",
    "abé",
    "a" * 33,
    "",
    "ab",
    "abc\n",
    "abc\x00",
    "\nabc",
    "mysql",
    "daemon",
    "nobody",
    "sudo",
    "adm",
    "systemd_x",
    "jopanel",
    "1abc",
    "_apt",
]

HOSTILE_PASSWORDS = [
    "password\n",
    "pass\nword",
    "password\r",
    "pass\x00word",
    "pass\x7fword",
    "pass\x1bword",
    "pass\u0085word",  # C1 NEL
    "1234567",
    "x" * 129,
]


async def refused(call: Awaitable[object], field: str = "name") -> None:
    """The call is INVALID_ARGUMENT for `field` and nothing of the system's users changed."""
    before = account_files()
    assert [path for path, _ in await field_errors(call)] == [field]
    assert account_files() == before


def each_rpc(accounts: Stub, name: str) -> list[Awaitable[object]]:
    """Every RPC that takes an account name, called with `name`."""
    update = accounts_pb2.UpdateAccountRequest(name=name, shell=accounts_pb2.SHELL_BASH)
    update.update_mask.paths.append("shell")
    return [
        accounts.CreateAccount(
            accounts_pb2.CreateAccountRequest(
                name=name, password="a good password", shell=accounts_pb2.SHELL_BASH
            )
        ),
        accounts.GetAccount(accounts_pb2.GetAccountRequest(name=name)),
        accounts.UpdateAccount(update),
        accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name)),
        accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=name)),
        accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=name)),
    ]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_hostile_name_is_refused_by_every_rpc(accounts: Stub, name: str) -> None:
    for call in each_rpc(accounts, name):
        await refused(call)


async def test_name_of_an_existing_system_user_is_refused(accounts: Stub, stranger: str) -> None:
    """A user JoPanel did not make is never touched, even with uid >= 1000 and a fine name."""
    assert pwd.getpwnam(stranger).pw_uid >= 1000
    for call in each_rpc(accounts, stranger):
        await refused(call)
    pwd.getpwnam(stranger)  # still there after DeleteAccount


async def test_name_of_an_existing_system_group_is_refused(
    accounts: Stub, system_group: str
) -> None:
    for call in each_rpc(accounts, system_group):
        await refused(call)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
async def test_hostile_password_is_refused_and_not_echoed(
    accounts: Stub, new_name: Callable[[], str], password: str
) -> None:
    request = accounts_pb2.CreateAccountRequest(
        name=new_name(), password=password, shell=accounts_pb2.SHELL_BASH
    )
    await refused(accounts.CreateAccount(request), "password")
    _, message = await rpc_error(accounts.CreateAccount(request))
    assert password not in message


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
async def test_hostile_password_is_refused_by_update(
    accounts: Stub, account: accounts_pb2.Account, password: str
) -> None:
    request = accounts_pb2.UpdateAccountRequest(name=account.name, password=password)
    request.update_mask.paths.append("password")
    await refused(accounts.UpdateAccount(request), "password")


@pytest.mark.parametrize("shell", [0, 4, 99, 2**31 - 1, -1])
async def test_unknown_shell_is_refused(
    accounts: Stub, new_name: Callable[[], str], shell: int
) -> None:
    request = accounts_pb2.CreateAccountRequest(
        name=new_name(), password="", shell=accounts_pb2.Shell.ValueType(shell)
    )
    await refused(accounts.CreateAccount(request), "shell")
