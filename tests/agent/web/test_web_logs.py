"""A site's logs read for its owner: ReadSiteLog and FollowSiteLog (issue 16 item 3; sandbox).

The real agent, nginx and PHP-FPM; the account plants what a tenant can in its own tree (links to
/etc/shadow and to another account's log, a FIFO, a 5 GB sparse file, a link for a folder).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.system.web import logs
from tests.agent.support import field_errors, rpc_error
from tests.agent.web.test_web_backends import curl
from tests.agent.web.web_support import create, docroot, logged, plant_link, spec, write_as

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub
    Following: TypeAlias = grpc.aio.UnaryStreamCall[
        web_pb2.FollowSiteLogRequest, web_pb2.FollowSiteLogResponse
    ]

pytestmark = pytest.mark.usefixtures("web_servers")

ACCESS = web_pb2.SITE_LOG_ACCESS
PHP = web_pb2.SITE_LOG_PHP_ERROR


def php_log(account: str, name: str) -> Path:
    return Path(f"/home/{account}/web/{name}/php-error.log")


async def read(
    web: Stub, name: str, log: web_pb2.SiteLog.ValueType = PHP, **fields: object
) -> web_pb2.ReadSiteLogResponse:
    request = web_pb2.ReadSiteLogRequest(name=name, log=log, **fields)  # type: ignore[arg-type]
    return await web.ReadSiteLog(request)


async def next_answer(call: Following) -> web_pb2.FollowSiteLogResponse:
    """The next message of a FollowSiteLog stream (not its end)."""
    answer = await call.read()
    assert isinstance(answer, web_pb2.FollowSiteLogResponse), answer
    return answer


async def php_site(web: Stub, account: str, name: str) -> None:
    await create(web, spec(name, account, php=web_pb2.PhpBackend(version="8.2")))


@pytest.fixture
def other_account(
    accounts: AccountStub, new_name: Callable[[], str]
) -> Callable[[], Awaitable[accounts_pb2.Account]]:
    async def make() -> accounts_pb2.Account:
        request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
        return (await accounts.CreateAccount(request)).account

    return make


async def test_the_access_log_shows_the_sites_requests(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name))
    marker = f"/visited-{uuid.uuid4().hex}"
    assert (await curl(web_port, name, marker))[0] == 404
    await logged(Path(f"/var/log/jopanel/web/{name}/access.log"), marker)

    answer = await read(web, name, ACCESS)
    assert any(marker in line and '"GET ' in line for line in answer.lines), answer.lines
    found = await read(web, name, ACCESS, contains=marker)
    assert len(found.lines) == 1
    assert not found.truncated


async def test_a_php_warning_shows_in_the_sites_error_log(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    assert (await read(web, name)).lines == []  # no error yet: no file, no lines
    marker = f"jopanel-warning-{uuid.uuid4().hex}"
    script = f"<?php trigger_error('{marker}', E_USER_WARNING); echo 'done';"
    write_as(account.name, docroot(account.name, name) / "warn.php", script)
    assert await curl(web_port, name, "/warn.php") == (200, "done")

    lines = (await read(web, name, contains=marker)).lines
    assert len(lines) == 1, lines
    assert "PHP Warning:" in lines[0]


async def test_last_lines_and_a_plain_search(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    text = "".join(f"line {n} {'even' if n % 2 == 0 else 'odd'}\n" for n in range(3000))
    write_as(account.name, php_log(account.name, name), text + "a.*b literal\nlast, unfinished")

    assert (await read(web, name)).lines[-2:] == ["a.*b literal", "last, unfinished"]
    assert len((await read(web, name)).lines) == 100
    tail = (await read(web, name, lines=1000)).lines
    assert len(tail) == 1000
    assert tail[0] == "line 2002 even"
    evens = (await read(web, name, lines=3, contains="even")).lines
    assert evens == ["line 2994 even", "line 2996 even", "line 2998 even"]
    # The text is a substring, never a pattern: '.*' matches only itself.
    assert (await read(web, name, contains="a.*b")).lines == ["a.*b literal"]
    assert (await read(web, name, contains="l.*e")).lines == []


async def test_long_lines_are_cut_and_bad_bytes_replaced(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    path = php_log(account.name, name)
    write_as(account.name, path, "")
    path.write_bytes(b"start" + b"x" * 100_000 + b"\n\xff\xfe caf\xc3\xa9\n")
    lines = (await read(web, name)).lines
    assert len(lines[0].encode()) == logs.LINE_MAX
    assert lines[0].startswith("start")
    assert lines[1] == "\ufffd\ufffd café"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lines", 1001),
        ("lines", -1),
        ("contains", "a\nb"),
        ("contains", "\x00"),
        ("contains", "\x1b[31m"),
        ("contains", "x" * 201),
        ("log", 0),
        ("log", 9),
    ],
)
async def test_hostile_read_arguments_are_refused(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    field: str,
    value: object,
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    fields: dict[str, object] = {"log": PHP, field: value}
    request = web_pb2.ReadSiteLogRequest(name=name, **fields)  # type: ignore[arg-type]
    errors = await field_errors(web.ReadSiteLog(request))
    assert [f for f, _ in errors] == [field]


async def test_unknown_names_are_not_found(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    for other in (f"www.{name}", name.split(".", 1)[1], "x" + name):
        code, _ = await rpc_error(read(web, other))
        assert code == grpc.StatusCode.NOT_FOUND, other


async def test_a_link_planted_for_the_log_is_never_followed(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    victim = await other_account()
    theirs, mine = new_domain(), new_domain()
    await php_site(web, victim.name, theirs)
    secret = f"victim-secret-{uuid.uuid4().hex}"
    write_as(victim.name, php_log(victim.name, theirs), secret + "\n")
    await php_site(web, account.name, mine)
    shadow = Path("/etc/shadow").read_text()
    for target in (Path("/etc/shadow"), php_log(victim.name, theirs)):
        plant_link(account.name, php_log(account.name, mine), target)
        code, message = await rpc_error(read(web, mine))
        assert code == grpc.StatusCode.FAILED_PRECONDITION, message
        assert secret not in message
        assert "root:" not in message
        php_log(account.name, mine).unlink()
    # A hard link to the victim's log is the victim's file: refused as well.
    os.link(php_log(victim.name, theirs), php_log(account.name, mine))
    code, _ = await rpc_error(read(web, mine))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert Path("/etc/shadow").read_text() == shadow


async def test_a_folder_swapped_for_a_link_is_refused(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
) -> None:
    victim = await other_account()
    theirs, mine = new_domain(), new_domain()
    await php_site(web, victim.name, theirs)
    write_as(victim.name, php_log(victim.name, theirs), "victim's line\n")
    await php_site(web, account.name, mine)
    site = Path(f"/home/{account.name}/web/{mine}")
    site.rename(site.with_name("moved"))
    plant_link(account.name, site, Path(f"/home/{victim.name}/web/{theirs}"))
    code, message = await rpc_error(read(web, mine))
    assert code == grpc.StatusCode.FAILED_PRECONDITION, message


async def test_a_fifo_at_the_log_does_not_block(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    path = php_log(account.name, name)
    os.mkfifo(path)
    user = pwd.getpwnam(account.name)
    os.chown(path, user.pw_uid, user.pw_gid)
    async with asyncio.timeout(10):
        code, _ = await rpc_error(read(web, name))
        assert code == grpc.StatusCode.FAILED_PRECONDITION
        follow = web.FollowSiteLog(web_pb2.FollowSiteLogRequest(name=name, log=PHP))
        code, _ = await rpc_error(follow.read())
        assert code == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_huge_sparse_log_costs_a_bounded_read(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    path = php_log(account.name, name)
    write_as(account.name, path, "")
    with path.open("r+b") as file:
        file.write(b"the first line\n")
        file.seek(5 * 1024**3)
        file.write(b"\nnear the end\nthe last line\n")
    started = time.monotonic()
    assert (await read(web, name, lines=2)).lines == ["near the end", "the last line"]
    missing = await read(web, name, contains="the first line")
    assert missing.lines == []
    assert missing.truncated
    assert time.monotonic() - started < 20


async def test_following_a_log_sees_new_lines_and_rotation(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name = new_domain()
    await php_site(web, account.name, name)
    path = php_log(account.name, name)
    write_as(account.name, path, "old line\n")
    follow = web.FollowSiteLog(web_pb2.FollowSiteLogRequest(name=name, log=PHP))
    async with asyncio.timeout(20):
        first = await next_answer(follow)
        assert first.lines == []
        assert first.cursor.offset == len("old line\n")
        with path.open("a") as file:
            file.write("new one\nnew two\n")
        assert (await next_answer(follow)).lines == ["new one", "new two"]
        # Rotated: a new file at the name is followed from its start.
        path.rename(path.with_name("php-error.log.1"))
        write_as(account.name, path, "after rotation\n")
        answer = await next_answer(follow)
        assert answer.lines == ["after rotation"]
    follow.cancel()
    # A later call goes on from the cursor: nothing lost, nothing repeated.
    with path.open("a") as file:
        file.write("while away\n")
    again = web.FollowSiteLog(
        web_pb2.FollowSiteLogRequest(name=name, log=PHP, cursor=answer.cursor)
    )
    async with asyncio.timeout(20):
        assert (await next_answer(again)).lines == []
        assert (await next_answer(again)).lines == ["while away"]
    again.cancel()
