"""The file manager: what the agent does with files in an account's home (docs/files.md).

Root does nothing in the home itself. Every operation is one run of helper.py as the account
(setpriv to its uid and gid, no other group, no capability, no_new_privs, the system's python3
-I), which walks paths from the home with O_NOFOLLOW and so never follows a link. The agent's
part is to check the account, hand the helper a request it has validated, pass bytes through
(uploads and downloads stream through pipes, a chunk at a time) and turn the helper's refusals
into the agent's errors.
"""

from __future__ import annotations

import contextlib
import json
import pwd
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import grpc

from agent.errors import (
    AgentError,
    AlreadyExists,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
)
from agent.system.accounts import users
from agent.system.base import process
from agent.system.base.process import Limits, Streaming
from agent.validators.accounts import AccountName

HELPER: Final = Path(__file__).with_name("helper.py")
# The system's own python3: the agent's virtualenv may not be readable by accounts, and the
# helper needs the standard library only.
PYTHON: Final = "/usr/bin/python3"
CHUNK: Final = 1 << 20
TEXT_LIMIT: Final = 2 * 1024 * 1024


class PermissionDenied(AgentError):
    """The account itself may not do this (a folder it made read-only, a file not its own)."""

    code = grpc.StatusCode.PERMISSION_DENIED


@dataclass(frozen=True)
class Settings:
    limits: Limits
    extract_max_bytes: int


def as_account(entry: pwd.struct_passwd, argv: list[str]) -> list[str]:
    """argv as the account: its uid and gid, no other group, no capability, and no way to gain
    one (no_new_privs: a setuid program it could reach stays the account's)."""
    return [
        "setpriv",
        f"--reuid={entry.pw_uid}",
        f"--regid={entry.pw_gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
        *argv,
    ]


def _account(account: AccountName) -> pwd.struct_passwd:
    if not users.is_account(account):
        raise FailedPrecondition(f"account {account} does not exist")
    entry = pwd.getpwnam(account)
    if not entry.pw_dir.startswith("/") or entry.pw_dir.rstrip("/") == "":
        raise FailedPrecondition(f"account {account} has no home folder")
    return entry


def refusal(line: dict[str, Any], path: str, field: str = "path") -> AgentError:
    """The helper's refusal as the agent's error, naming the path it is about."""
    code, message = str(line.get("error", "")), str(line.get("message", ""))
    if line.get("field"):
        field = str(line["field"])
    text = f"{path or 'the home'}: {message}"
    if code == "not_found":
        return NotFound(text)
    if code == "exists":
        return AlreadyExists(text)
    if code == "denied":
        return PermissionDenied(text)
    if code == "invalid":
        return InvalidArgument(field, message)
    if code in (
        "link",
        "not_file",
        "not_folder",
        "folder",
        "too_large",
        "offset",
        "archive",
        "busy",
    ):
        return FailedPrecondition(text)
    if code == "quota":
        return FailedPrecondition(f"{message}; free space or raise the quota")
    return Internal("the file manager's helper failed", detail=json.dumps(line))


class Files:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @asynccontextmanager
    async def helper(
        self, account: AccountName, request: dict[str, Any]
    ) -> AsyncIterator[Streaming]:
        """The helper running as the account, its request written; the caller streams."""
        entry = _account(account)
        argv = as_account(entry, [PYTHON, "-I", str(HELPER)])
        async with process.streaming(argv, limits=self._settings.limits) as running:
            line = json.dumps({**request, "home": entry.pw_dir}).encode() + b"\n"
            running.stdin.write(line)
            yield running

    async def call(
        self, account: AccountName, request: dict[str, Any], data: bytes = b"", field: str = "path"
    ) -> dict[str, Any]:
        """One operation: its request (and `data` after it) in, its result out."""
        async with self.helper(account, request) as running:
            running.stdin.write(data)
            await _close_input(running)
            return await result(running, str(request.get("path", "")), field)

    async def each_progress(
        self,
        account: AccountName,
        request: dict[str, Any],
        report: Callable[[dict[str, Any]], None],
    ) -> dict[str, Any]:
        """A long operation (archives): its progress lines to `report`, then its result."""
        async with self.helper(account, request) as running:
            await _close_input(running)
            while True:
                line = await read_line(running)
                if "progress" in line:
                    report(line["progress"])
                    continue
                await running.wait()
                return _outcome(line, str(request.get("path", "")), "path")

    @property
    def extract_max_bytes(self) -> int:
        return self._settings.extract_max_bytes


async def _close_input(running: Streaming) -> None:
    running.stdin.close()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # its answer says why
        await running.stdin.wait_closed()


async def read_line(running: Streaming) -> dict[str, Any]:
    raw = await running.stdout.readline()
    if not raw:
        await running.wait()
        raise Internal(
            "the file manager's helper ended without an answer",
            detail=running.stderr_tail(),
        )
    line = json.loads(raw)
    assert isinstance(line, dict)
    return line


async def result(running: Streaming, path: str, field: str = "path") -> dict[str, Any]:
    line = await read_line(running)
    await running.wait()
    return _outcome(line, path, field)


def _outcome(line: dict[str, Any], path: str, field: str) -> dict[str, Any]:
    if "error" in line:
        raise refusal(line, path, field)
    outcome = line.get("result")
    assert isinstance(outcome, dict)
    return outcome
