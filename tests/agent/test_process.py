"""Starting programs (no sandbox needed: only harmless programs run)."""

from __future__ import annotations

import pytest

from agent.system.process import CLEAN_ENV, CommandFailed, run


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


async def test_timeout_kills_the_program() -> None:
    with pytest.raises(CommandFailed, match="timed out"):
        await run(["sleep", "30"], timeout=0.2)
