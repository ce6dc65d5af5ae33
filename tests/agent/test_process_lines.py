"""process.run_lines: a program's output line by line, and two programs joined by a pipe the
agent never reads (no sandbox needed: only harmless programs run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.system.base.process import (
    CommandFailed,
    Limits,
    ProgramTimedOut,
    run_lines,
    unwrapped,
)

LIMITS = Limits(timeout=20.0, setting="test_timeout")


async def test_each_line_arrives_in_order() -> None:
    lines: list[bytes] = []
    await run_lines(["printf", "a\\nb\\nc"], limits=LIMITS, on_line=lines.append)
    assert lines == [b"a\n", b"b\n", b"c"]


async def test_input_reaches_the_program() -> None:
    lines: list[bytes] = []
    await run_lines(["cat"], limits=LIMITS, on_line=lines.append, stdin=b"one\ntwo\n")
    assert lines == [b"one\n", b"two\n"]


async def test_a_producer_feeds_the_program_through_a_pipe() -> None:
    lines: list[bytes] = []
    await run_lines(
        ["wc", "-l"], limits=LIMITS, on_line=lines.append, producer=["seq", "1", "100000"]
    )
    assert lines == [b"100000\n"]


async def test_a_failing_producer_fails_the_call_by_its_name() -> None:
    with pytest.raises(CommandFailed) as raised:
        await run_lines(
            ["cat"], limits=LIMITS, on_line=lambda line: None, producer=["nice", "-n", "1", "false"]
        )
    assert raised.value.message == "false exited with status 1"


async def test_a_failing_program_is_named_without_its_wrappers() -> None:
    argv = ["nice", "-n", "19", "ionice", "-c", "2", "-n", "7", "sh", "-c", "echo oops >&2; exit 3"]
    with pytest.raises(CommandFailed) as raised:
        await run_lines(argv, limits=LIMITS, on_line=lambda line: None)
    assert raised.value.message == "sh exited with status 3"
    assert "oops" in raised.value.detail


async def test_a_timeout_kills_both_programs(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    producer = ["sh", "-c", f"echo $$ >> {pids}; exec sleep 60"]
    argv = ["sh", "-c", f"echo $$ >> {pids}; exec sleep 60"]
    # Long enough for both shells to write their pids on a busy machine.
    limits = Limits(timeout=2.0, setting="test_timeout")
    with pytest.raises(ProgramTimedOut):
        await run_lines(argv, limits=limits, on_line=lambda line: None, producer=producer)
    for pid in map(int, pids.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone, and reaped


def test_unwrapped_names_the_program_after_its_wrappers() -> None:
    assert unwrapped(["nice", "-n", "19", "ionice", "-c", "2", "-n", "7", "restic", "-q"]) == [
        "restic",
        "-q",
    ]
    assert unwrapped(["setpriv", "--reuid=1000", "--", "python3", "-I"]) == ["python3", "-I"]
    assert unwrapped(["mariadb", "--batch"]) == ["mariadb", "--batch"]
    assert unwrapped(["nice"]) == ["nice"]
