"""Helpers for the agent-boundary tests (test_boundary_*.py): processes run as other users, an
account's racing process, the state of files an attack must leave alone, the RPCs that
agent.services.SERVICES registers at the time the tests run, and the web trees of the link
and race tests (an account's domain folders, another account as the victim).

Processes that stand for an attacker run under setpriv as a real unprivileged user with Debian's
own Python (/usr/bin/python3, stdlib only): the venv's interpreter lives under /root, which
other users cannot read, and an attacker's process should not borrow root's anyway.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import stat
import subprocess
import uuid
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import grpc
import grpc.aio
import pytest
from google.protobuf import descriptor, descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.daemon import RunningAgent
from agent.services import SERVICES
from tests.agent.web.web_support import create, docroot, spec, write_as

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

SYSTEM_PYTHON: Final = "/usr/bin/python3"
ACCESS_ACL: Final = "system.posix_acl_access"

# Connects to a Unix socket and, when that works, speaks the start of HTTP/2 (gRPC's transport):
# prints "connected <type of the server's first frame>" (4 is SETTINGS) or "refused <errno name>".
CONNECT_CLIENT: Final = r"""
import errno, socket, sys
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
    client.settimeout(5)
    try:
        client.connect(sys.argv[1])
    except OSError as error:
        print("refused", errno.errorcode.get(error.errno, error.errno))
        sys.exit(0)
    client.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
    header = b""
    while len(header) < 9:
        chunk = client.recv(9 - len(header))
        if not chunk:
            break
        header += chunk
    print("connected", header[3] if len(header) == 9 else "nothing")
"""

# An account's process swapping each pair (a folder in its tree, a link it made) with
# renameat2(RENAME_EXCHANGE), so each name is always there and flips between folder and link.
# The agent removes entries in directory order, so the racer works on one pair until the agent
# has removed its name (ENOENT), then on the next: it is always racing where the agent is.
# Prints "racing" after its first swap.
RACER: Final = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE, ENOENT = -100, 2, 2
deadline = time.monotonic() + float(sys.argv[1])
names = [os.fsencode(arg) for arg in sys.argv[2:]]
pairs = list(zip(names[0::2], names[1::2]))
started = False
index = 0
while index < len(pairs) and time.monotonic() < deadline:
    for _ in range(50):
        first, second = pairs[index]
        if libc.renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE) == 0:
            if not started:
                print("racing", flush=True)
                started = True
        elif ctypes.get_errno() == ENOENT:
            index += 1
            if index == len(pairs):
                break
"""


def ensure_user(name: str, groups: Sequence[str] = ()) -> pwd.struct_passwd:
    """A system user with a group of its own and these supplementary groups, made once."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    extra = ["--groups", ",".join(groups)] if groups else []
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home", *extra, "--", name],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(name)


def as_user(user: str, argv: Sequence[str], *, init_groups: bool) -> list[str]:
    """argv run as `user` with its own group; with init_groups also its supplementary groups
    (from /etc/group), otherwise none at all (root's are dropped either way)."""
    primary = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    groups = "--init-groups" if init_groups else "--clear-groups"
    return ["setpriv", f"--reuid={user}", f"--regid={primary}", groups, "--", *argv]


def connect_as(user: str, socket_path: Path, *, init_groups: bool) -> str:
    """What `user`'s process sees when it connects to the socket: "connected 4" or
    "refused EACCES" (see CONNECT_CLIENT)."""
    argv = as_user(
        user, [SYSTEM_PYTHON, "-c", CONNECT_CLIENT, str(socket_path)], init_groups=init_groups
    )
    done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=True)
    return done.stdout.strip()


class Racer:
    """An account's RACER process for at most `seconds`, started and stopped by `with`."""

    def __init__(self, account: str, pairs: Sequence[tuple[Path, Path]], seconds: float) -> None:
        names = [str(path) for pair in pairs for path in pair]
        command = [SYSTEM_PYTHON, "-c", RACER, str(seconds), *names]
        self._argv = as_user(account, command, init_groups=False)
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Racer:
        self._process = subprocess.Popen(self._argv, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        # Blocks until the first swap: the race is on before the RPC starts.
        assert self._process.stdout.readline().strip() == "racing"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._process is not None
        self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def chown_to(account: str, *paths: Path) -> None:
    """Makes entries the account's own (links too), as if the account had made them."""
    user = pwd.getpwnam(account)
    for path in paths:
        os.lchown(path, user.pw_uid, user.pw_gid)


def entry_state(path: Path) -> str:
    """What an attack on one entry could change: kind, mode, owner, ACL, content or target."""
    info = os.lstat(path)
    owner = f"{stat.filemode(info.st_mode)} {info.st_uid}:{info.st_gid}"
    if stat.S_ISLNK(info.st_mode):
        return f"{owner} -> {os.readlink(path)}"
    try:
        acl = os.getxattr(path, ACCESS_ACL).hex()
    except OSError:
        acl = "no acl"
    if stat.S_ISREG(info.st_mode):
        return f"{owner} {acl} {hashlib.sha256(path.read_bytes()).hexdigest()}"
    return f"{owner} {acl}"


def tree_state(root: Path) -> dict[str, str]:
    """entry_state of root and of everything below it, links not followed."""
    states = {".": entry_state(root)}
    if not stat.S_ISDIR(os.lstat(root).st_mode):
        return states
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            states[str(path.relative_to(root))] = entry_state(path)
    return states


@dataclass(frozen=True)
class Rpc:
    """One method of a registered service, with its request and response classes."""

    service: str  # the short name in SERVICES ("accounts", "web", ...)
    method: descriptor.MethodDescriptor

    @property
    def path(self) -> str:
        """The HTTP/2 path gRPC calls it by: /<package>.<Service>/<Method>."""
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def request_class(self) -> Any:
        return message_factory.GetMessageClass(self.method.input_type)

    @property
    def response_class(self) -> Any:
        return message_factory.GetMessageClass(self.method.output_type)

    def __str__(self) -> str:
        return f"{self.service}.{self.method.name}"


def registered_rpcs() -> list[Rpc]:
    """Every method of every service in SERVICES as the agent has it now (services being
    written but not registered yet are left out); server-streaming ones are read to their end
    (test_boundary_fuzz.answer). A client-streaming one (FileService.WriteFile) is sent one
    message: on the wire a stream of one message and a unary request are the same, so each
    generated request is the stream's first and only message."""
    return list(_rpcs())


def _rpcs() -> Iterator[Rpc]:
    pool = descriptor_pool.Default()  # the agent's generated modules registered their files
    for service in SERVICES:
        for method in pool.FindServiceByName(service.full_name).methods:
            yield Rpc(service.name, method)


# Web trees: account A's domain folders, and account B as the victim of A's links.

SECRET: Final = "<?php $password = 'the victim's database password';\n"


@dataclass(frozen=True)
class Victim:
    """Account B, with a website whose folder holds PHP source with a secret in it."""

    name: str
    domain: str

    @property
    def home(self) -> Path:
        return Path("/home") / self.name

    def aim(self, position: str) -> Path:
        """What in B's tree a link at `position` in A's tree would be aimed at."""
        return self.home / position.replace("D", self.domain)


async def make_account(accounts: AccountStub, name: str) -> str:
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
    return str((await accounts.CreateAccount(request)).account.name)


@pytest.fixture(scope="module")
async def victim(web: Stub, accounts: AccountStub) -> Victim:
    """One for the module: every test shows that it stays as it is."""
    tag = uuid.uuid4().hex[:8]
    name = await make_account(accounts, f"v{tag}_victim")
    domain = f"v{tag}.example.com"
    await create(web, spec(domain, name))
    write_as(name, docroot(name, domain) / "config.php", SECRET)
    return Victim(name, domain)


def layout(account: str, domain: str, position: str) -> Path:
    return Path("/home") / account / position.replace("D", domain)


def below_home(account: str, path: Path) -> list[Path]:
    """The folders between /home/<account> and path, top down."""
    home = Path("/home") / account
    return [folder for folder in reversed(path.parents) if home in folder.parents]


def make_folders(account: str, *folders: Path) -> None:
    """Folders the account made itself."""
    for folder in folders:
        folder.mkdir(exist_ok=True)
        chown_to(account, folder)


def move_away(path: Path) -> None:
    """The account moves an entry of its tree aside (to put a link in its place)."""
    path.rename(path.with_name(f"{path.name}.moved"))


async def code_of(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """The status of a call (OK when it succeeds) and its message."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


def delete_request(name: str, *, delete_files: bool = True) -> web_pb2.DeleteWebDomainRequest:
    return web_pb2.DeleteWebDomainRequest(name=name, delete_files=delete_files)


def update_request(domain: web_pb2.WebDomain, alias: str) -> web_pb2.UpdateWebDomainRequest:
    update = web_pb2.UpdateWebDomainRequest(domain=domain)
    update.domain.aliases.append(alias)
    update.update_mask.paths.extend(["aliases", "backend"])
    return update


async def php_version(web: Stub) -> str:
    versions = (await web.ListPhpVersions(web_pb2.ListPhpVersionsRequest())).versions
    assert versions, "the sandbox has no PHP-FPM"
    return str(versions[0])


async def serving(agent: RunningAgent) -> bool:
    async with grpc.aio.insecure_channel(f"unix:{agent.socket_path}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        answer = await health.Check(health_pb2.HealthCheckRequest(), timeout=10)
        return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)
