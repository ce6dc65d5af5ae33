"""Helpers for the agent's tests."""

from __future__ import annotations

import asyncio
import os
import pwd
import subprocess
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import google.rpc.error_details_pb2 as error_details_pb2
import grpc
import grpc.aio
import pytest
from grpc_status import rpc_status

# The files the system keeps users and groups in; hostile requests must leave them as they were.
ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow")


def as_account(name: str, argv: Sequence[str]) -> list[str]:
    """argv run as the account's own user and group with no other groups, as its PHP or cron
    would run it. setpriv switches and execs: subprocess's user=, group= and extra_groups= would
    make a plain fork() of a process with live gRPC threads run code in the child (gRPC's fork
    handlers), which crashes at random; tests/test_no_fork.py keeps them out."""
    user = pwd.getpwnam(name)
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--",
        *argv,
    ]


def start_as(name: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
    """A process of the account, as a login or a cron job would leave one, returned once it
    runs under the account's uid (before that, setpriv is still root's and a kill by uid would
    miss it)."""
    process = subprocess.Popen(as_account(name, argv), cwd="/")
    uid = f"Uid:\t{pwd.getpwnam(name).pw_uid}\t"
    deadline = time.monotonic() + 10
    while uid not in _status(process.pid):
        assert process.poll() is None, f"{argv[0]} ended before it ran as {name}"
        assert time.monotonic() < deadline, f"{argv[0]} did not become {name} in time"
        os.sched_yield()
        time.sleep(0.001)
    return process


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return ""


def short_temp_dir() -> Path:
    """A fresh directory under /tmp: a socket path must fit in 107 bytes."""
    return Path(tempfile.mkdtemp(dir="/tmp", prefix="jp-agent-"))


def account_files() -> dict[str, bytes]:
    return {path: Path(path).read_bytes() for path in ACCOUNT_FILES}


async def rpc_error(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """The status code and message of a call that must fail."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value.code(), raised.value.details() or ""


async def field_errors(call: Awaitable[object]) -> list[tuple[str, str]]:
    """The field violations (field path, description) of a call that must be INVALID_ARGUMENT,
    read from its google.rpc.BadRequest status details as the gateway reads them."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    return field_violations(raised.value)


def field_violations(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "INVALID_ARGUMENT without status details"
    violations = []
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        assert detail.Unpack(bad_request)
        violations += [(v.field, v.description) for v in bad_request.field_violations]
    return violations


def shadow_fields(name: str) -> list[str]:
    """The user's line of /etc/shadow: name:password:lastchange:min:max:warn:inactive:expire:"""
    for line in Path("/etc/shadow").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields
    raise KeyError(name)


def password_matches(name: str, password: str) -> bool:
    """Whether `password` opens the user's shadow hash (crypt(3), as PAM checks it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # crypt goes in 3.13; fine in tests
        import crypt

    stored = shadow_fields(name)[1]
    return crypt.crypt(password, stored) == stored


async def until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Waits for a condition of the system (checked every 10 ms); fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:g} s: {what}"
        await asyncio.sleep(0.01)
