"""Helpers for the agent's tests."""

from __future__ import annotations

import asyncio
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import grpc.aio
import pytest

# The files the system keeps users and groups in; hostile requests must leave them as they were.
ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow")


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
