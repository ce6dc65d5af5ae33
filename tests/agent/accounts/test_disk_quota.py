"""Disk quotas through AccountService, on the sandbox's real /home (sandbox only).

Where the sandbox's /home enforces user quotas (ext4 with usrquota, on a kernel with a quota
format, as Debian's is), these tests show the kernel refusing an account's write past its limit.
Where the kernel cannot (some development machines' kernels have no quota format), they show
the agent saying so and changing nothing. `make test` runs this module a second time in a
virtual machine with Debian's own kernel (scripts/test-vm.sh), so both halves run every time.
"""

from __future__ import annotations

import pwd
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc

from agent.system.accounts.quotas import DiskQuotas, DiskUsage
from agent.system.accounts.users import HOME_ROOT
from tests.agent.support import as_account, password_matches, rpc_error, shadow_fields

if TYPE_CHECKING:
    Stub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def quotas(sandbox: Path) -> DiskQuotas:
    return DiskQuotas(HOME_ROOT)


@pytest.fixture
def enforced(quotas: DiskQuotas) -> None:
    if not quotas.enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")


@pytest.fixture
def not_enforced(quotas: DiskQuotas) -> None:
    if quotas.enforced():
        pytest.skip("the sandbox's /home enforces quotas here")


def create(name: str, quota_mb: int) -> accounts_pb2.CreateAccountRequest:
    return accounts_pb2.CreateAccountRequest(
        name=name, password="", shell=accounts_pb2.SHELL_NOLOGIN, disk_quota_mb=quota_mb
    )


def set_quota(
    name: str, quota_mb: int, password: str | None = None
) -> accounts_pb2.UpdateAccountRequest:
    """Sets the quota, and the password in the same request when one is given."""
    request = accounts_pb2.UpdateAccountRequest(
        name=name, disk_quota_mb=quota_mb, password=password or ""
    )
    request.update_mask.paths.append("disk_quota_mb")
    if password is not None:
        request.update_mask.paths.append("password")
    return request


def write_as(name: str, file: str, mib: int) -> subprocess.CompletedProcess[str]:
    """The account writes `mib` MiB into a file of its home, as its PHP or SSH session would."""
    # setpriv, not subprocess's user=: that forks and runs Python in the child of a process
    # with gRPC's threads, which crashed the child (SIGSEGV) once under the VM.
    return subprocess.run(
        as_account(
            name, ["dd", "if=/dev/zero", f"of={HOME_ROOT / name / file}", "bs=1M", f"count={mib}"]
        ),
        capture_output=True,
        text=True,
        check=False,
    )


async def usage(accounts: Stub, name: str) -> accounts_pb2.DiskUsage:
    reply = await accounts.GetAccount(accounts_pb2.GetAccountRequest(name=name))
    return reply.account.disk


async def test_the_kernel_refuses_a_write_past_the_quota(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    name = new_name()
    created = (await accounts.CreateAccount(create(name, 5))).account
    assert created.disk.enforced
    assert created.disk.limit_bytes == 5 * MIB

    written = write_as(name, "big", 10)

    assert written.returncode != 0
    assert "Disk quota exceeded" in written.stderr
    assert (HOME_ROOT / name / "big").stat().st_size <= 5 * MIB
    disk = await usage(accounts, name)
    assert disk.enforced
    assert disk.limit_bytes == 5 * MIB
    assert 4 * MIB < disk.used_bytes <= 5 * MIB


async def test_raising_or_removing_the_quota_lets_the_account_write_again(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    name = new_name()
    await accounts.CreateAccount(create(name, 5))
    assert write_as(name, "a", 10).returncode != 0

    raised = (await accounts.UpdateAccount(set_quota(name, 30))).account
    assert raised.disk.limit_bytes == 30 * MIB
    assert write_as(name, "a", 20).returncode == 0
    assert write_as(name, "b", 20).returncode != 0

    removed = (await accounts.UpdateAccount(set_quota(name, 0))).account
    assert removed.disk.enforced
    assert removed.disk.limit_bytes == 0
    assert write_as(name, "b", 40).returncode == 0
    assert (await usage(accounts, name)).used_bytes >= 60 * MIB


async def test_a_quota_below_usage_keeps_the_files_and_stops_growth(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    name = new_name()
    await accounts.CreateAccount(create(name, 0))
    assert write_as(name, "kept", 8).returncode == 0

    await accounts.UpdateAccount(set_quota(name, 2))

    assert (HOME_ROOT / name / "kept").stat().st_size == 8 * MIB
    assert write_as(name, "more", 1).returncode != 0
    assert (await usage(accounts, name)).used_bytes >= 8 * MIB


async def test_create_again_brings_the_quota_to_the_requested_one(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    name = new_name()
    await accounts.CreateAccount(create(name, 5))
    again = (await accounts.CreateAccount(create(name, 7))).account
    assert again.disk.limit_bytes == 7 * MIB


async def test_delete_takes_the_limit_with_the_user(
    accounts: Stub, new_name: Callable[[], str], quotas: DiskQuotas, enforced: None
) -> None:
    name = new_name()
    request = create(name, 5)
    request.inode_quota = 100
    uid = (await accounts.CreateAccount(request)).account.uid
    assert write_as(name, "f", 3).returncode == 0
    held = quotas.usage(uid)
    assert held is not None
    assert (held.limit_bytes, held.inode_limit) == (5 * MIB, 100)

    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))

    # A later user given the same uid starts with no limit and nothing charged.
    assert quotas.usage(uid) == DiskUsage(used_bytes=0, limit_bytes=0, used_inodes=0, inode_limit=0)


def set_inodes(name: str, inodes: int) -> accounts_pb2.UpdateAccountRequest:
    request = accounts_pb2.UpdateAccountRequest(name=name, inode_quota=inodes)
    request.update_mask.paths.append("inode_quota")
    return request


def touch_as(name: str, count: int, folder: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The account makes `count` empty files (in its home unless told), as any script could."""
    where = folder or HOME_ROOT / name
    return subprocess.run(
        as_account(name, ["touch", *(str(where / f"empty{index}") for index in range(count))]),
        capture_output=True,
        text=True,
        check=False,
    )


async def test_the_kernel_refuses_files_past_the_inode_quota(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    name = new_name()
    created = (await accounts.CreateAccount(create(name, 0))).account
    owned = created.disk.used_inodes
    assert owned >= 1  # the home itself, and what /etc/skel put in it

    limited = (await accounts.UpdateAccount(set_inodes(name, owned + 20))).account
    assert limited.disk.inode_limit == owned + 20

    # Empty files take no space, so only the inode limit stops them.
    made = touch_as(name, 50)
    assert made.returncode != 0
    assert "Disk quota exceeded" in made.stderr
    assert len(list((HOME_ROOT / name).glob("empty*"))) == 20
    disk = await usage(accounts, name)
    assert (disk.used_inodes, disk.inode_limit) == (owned + 20, owned + 20)

    # Lifting it lets the account make files again; its disk quota was never involved.
    lifted = (await accounts.UpdateAccount(set_inodes(name, 0))).account
    assert (lifted.disk.inode_limit, lifted.disk.limit_bytes) == (0, 0)
    assert touch_as(name, 50).returncode == 0


async def test_create_sets_the_inode_quota_and_a_disk_change_keeps_it(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    name = new_name()
    request = create(name, 5)
    request.inode_quota = 1000
    created = (await accounts.CreateAccount(request)).account
    assert (created.disk.limit_bytes, created.disk.inode_limit) == (5 * MIB, 1000)

    changed = (await accounts.UpdateAccount(set_quota(name, 7))).account
    assert (changed.disk.limit_bytes, changed.disk.inode_limit) == (7 * MIB, 1000)


async def test_the_list_reports_each_accounts_usage(
    accounts: Stub, new_name: Callable[[], str], enforced: None
) -> None:
    names = [new_name(), new_name()]
    for index, name in enumerate(names):
        await accounts.CreateAccount(create(name, 10 + index))
    listed = (
        await accounts.ListAccounts(accounts_pb2.ListAccountsRequest(page_size=1000))
    ).accounts
    limits = {a.name: a.disk.limit_bytes for a in listed if a.name in names}
    assert limits == {names[0]: 10 * MIB, names[1]: 11 * MIB}


async def test_without_quota_support_a_limit_is_refused_and_nothing_made(
    accounts: Stub, new_name: Callable[[], str], not_enforced: None
) -> None:
    name = new_name()
    code, message = await rpc_error(accounts.CreateAccount(create(name, 5)))

    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "usrquota" in message
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    assert not (HOME_ROOT / name).exists()


async def test_without_quota_support_an_inode_limit_is_refused_and_nothing_made(
    accounts: Stub, new_name: Callable[[], str], not_enforced: None
) -> None:
    name = new_name()
    request = create(name, 0)
    request.inode_quota = 1000
    code, message = await rpc_error(accounts.CreateAccount(request))

    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "usrquota" in message
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    await accounts.CreateAccount(create(name, 0))
    code, _ = await rpc_error(accounts.UpdateAccount(set_inodes(name, 1000)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert (await accounts.UpdateAccount(set_inodes(name, 0))).account.disk.inode_limit == 0


async def test_without_quota_support_an_update_with_a_limit_changes_nothing(
    accounts: Stub, new_name: Callable[[], str], not_enforced: None
) -> None:
    name = new_name()
    created = (await accounts.CreateAccount(create(name, 0))).account
    assert not created.disk.enforced
    assert created.disk.used_bytes == 0
    before = shadow_fields(name)

    code, _ = await rpc_error(accounts.UpdateAccount(set_quota(name, 5, password="a new password")))

    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert shadow_fields(name) == before
    assert not password_matches(name, "a new password")
    # Taking a limit away is possible everywhere: there is none.
    assert (await accounts.UpdateAccount(set_quota(name, 0))).account.name == name


@pytest.mark.parametrize("quota_mb", [16 * 1024 * 1024 + 1, 2**32 - 1])
async def test_a_quota_out_of_range_is_invalid_and_nothing_changes(
    accounts: Stub, new_name: Callable[[], str], quota_mb: int
) -> None:
    name = new_name()
    code, message = await rpc_error(accounts.CreateAccount(create(name, quota_mb)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "disk_quota_mb" in message
    with pytest.raises(KeyError):
        pwd.getpwnam(name)

    await accounts.CreateAccount(create(name, 0))
    code, message = await rpc_error(accounts.UpdateAccount(set_quota(name, quota_mb)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "disk_quota_mb" in message
    assert (await usage(accounts, name)).limit_bytes == 0
