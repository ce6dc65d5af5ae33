"""Starting programs (no sandbox needed: only harmless programs run)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import tracemalloc
from pathlib import Path
from typing import Any

import grpc
import pytest

from agent.system.base import process
from agent.system.base.process import (
    CLEAN_ENV,
    OUTPUT_BYTES,
    CommandFailed,
    Completed,
    Limits,
    ProgramTimedOut,
    excerpt,
    tail,
)
from agent.system.base.process import run as run_within
from tests.agent.support import until

LIMITS = Limits(timeout=20.0, setting="test_timeout")


async def run(argv: list[str], **options: Any) -> Completed:
    """run() within generous limits: these programs end at once."""
    return await run_within(argv, limits=LIMITS, **options)


async def test_output_and_status() -> None:
    completed = await run(["printf", "%s", "hello"])
    assert (completed.returncode, completed.stdout, completed.argv) == (
        0,
        b"hello",
        ("printf", "%s", "hello"),
    )


async def test_arguments_are_never_shell_syntax() -> None:
    hostile = ["$(id)", "`id`", "; id", "| id", "&& id", "*", "~", "$HOME", "a\nb"]
    completed = await run(["printf", "%s\\0", *hostile])
    assert completed.stdout.split(b"\0")[:-1] == [arg.encode() for arg in hostile]


async def test_the_environment_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LD_PRELOAD", "/tmp/evil.so")
    monkeypatch.setenv("SECRET", "value")
    completed = await run(["env"])
    assert sorted(completed.stdout.decode().splitlines()) == sorted(
        f"{key}={value}" for key, value in CLEAN_ENV.items()
    )


async def test_stdin_reaches_the_program() -> None:
    assert (await run(["cat"], stdin=b"name:secret\n")).stdout == b"name:secret\n"


async def test_without_stdin_the_program_reads_nothing() -> None:
    assert (await run(["cat"])).stdout == b""


async def test_failure_carries_status_and_stderr() -> None:
    with pytest.raises(CommandFailed) as raised:
        await run(["sh", "-c", "echo broken >&2; exit 3"])
    assert raised.value.message == "sh exited with status 3"
    assert raised.value.stderr == b"broken\n"
    assert "broken" in raised.value.detail


async def test_other_ok_codes() -> None:
    assert (await run(["false"], ok_codes=(0, 1))).returncode == 1


def has_ended(pid: int) -> bool:
    """Gone, or a zombie waiting for its (new) parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def pid_written(path: Path) -> bool:
    return path.exists() and path.read_text().strip().isdigit()


async def test_a_program_past_its_timeout_is_killed_with_its_group(tmp_path: Path) -> None:
    # The shell starts a helper in its own process group and waits for it: the helper must
    # die with the program, or it would outlive the call and hold its pipes.
    pid_file = tmp_path / "helper.pid"
    argv = ["sh", "-c", f"sleep 300 & echo $! > {pid_file}; wait"]
    call = asyncio.create_task(run_within(argv, limits=Limits(2.0, "test_timeout")))
    await until(lambda: pid_written(pid_file), "the shell started its helper")
    helper = int(pid_file.read_text())

    with pytest.raises(ProgramTimedOut) as raised:
        await call
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert raised.value.message == (
        "sh did not finish within 2 s (test_timeout) and was stopped; try again, or ask the "
        "administrator to check the server"
    )
    await until(lambda: has_ended(helper), "the helper was killed with the program")


async def test_a_program_that_never_stops_talking_ends_at_its_timeout() -> None:
    with pytest.raises(ProgramTimedOut):
        await run_within(["yes"], limits=Limits(1.0, "test_timeout", output_bytes=4096))


async def test_output_past_the_bound_is_read_and_thrown_away() -> None:
    # 100 MB on standard output: the call ends, the agent keeps the last 1 MiB, and what it
    # holds at any time stays near that bound: the kept tail, one pipe read (256 KiB) beyond
    # it, and the copy that becomes Completed.stdout.
    size = 100_000_000
    tracemalloc.start()
    try:
        completed = await run(["head", "-c", str(size), "/dev/zero"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(completed.stdout), completed.stdout_cut) == (OUTPUT_BYTES, size - OUTPUT_BYTES)
    assert peak < 3 * OUTPUT_BYTES


async def test_the_last_bytes_of_the_output_are_kept() -> None:
    limits = Limits(20.0, "test_timeout", output_bytes=4096)
    argv = ["sh", "-c", "head -c 3000000 /dev/zero; printf END"]
    completed = await run_within(argv, limits=limits)
    assert completed.stdout == b"\0" * 4093 + b"END"
    assert completed.stdout_cut == 3_000_003 - 4096


async def test_a_failure_logs_a_marked_tail_of_standard_error() -> None:
    limits = Limits(20.0, "test_timeout", output_bytes=8192)
    script = "head -c 5000000 /dev/zero | tr '\\0' x >&2; echo last words >&2; exit 3"
    with pytest.raises(CommandFailed) as raised:
        await run_within(["sh", "-c", script], limits=limits)
    assert raised.value.message == "sh exited with status 3"  # what the client sees
    detail = raised.value.detail  # what the log gets
    assert detail.endswith("x" * 100 + "last words")
    assert f"[... {5_000_010 - 4000} bytes cut ...] " in detail
    assert len(detail) < 4000 + 200


async def test_input_the_program_does_not_read_is_no_error() -> None:
    assert (await run(["true"], stdin=b"x" * 10_000_000)).returncode == 0


def test_messages_are_cut_with_a_mark() -> None:
    assert excerpt("short", 10) == "short"
    cut = excerpt("a" * 2000, 1000)
    assert len(cut) == 1000
    assert cut.endswith(" [... 1031 more characters cut]")
    assert tail(b"x" * 10, cut=5) == "[... 5 bytes cut ...] xxxxxxxxxx"


def test_a_zombie_is_not_running() -> None:
    """An ended process its parent has not reaped yet (a daemon's master orphaned to a
    subreaper) has ended: waiting for it to end must not wait out its timeout (php_fpm's
    stop of a shard's master did, 30 s, holding every web change meanwhile)."""
    child = subprocess.Popen(["sleep", "0"])
    try:
        for _ in range(500):  # until it has exited, unreaped: its /proc entry stays
            if Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z":
                break
            time.sleep(0.01)
        assert Path(f"/proc/{child.pid}").exists()
        assert not process.running(child.pid)
    finally:
        child.wait()
    assert not process.running(child.pid)  # reaped: gone
    assert process.running(os.getpid())
