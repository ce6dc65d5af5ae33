"""The staging helper that web (nginx -t) and DNS (named-checkzone) share, on its own (no sandbox
needed): which changes go live and which fail when the program refuses a batch."""

from __future__ import annotations

import asyncio

import pytest

from agent.errors import FailedPrecondition, Internal, NotFound
from agent.system.base.staging import check_batch
from agent.system.base.work import Pending

State = tuple[str, ...]


class Refused(FailedPrecondition):
    """What the program says of a state it refuses."""


class Program:
    """A config checker that refuses any state holding a value it was told is bad."""

    def __init__(self, *bad: str, crash: bool = False) -> None:
        self.bad = set(bad)
        self.crash = crash
        self.checked: list[State] = []

    async def check(self, state: State) -> None:
        self.checked.append(state)
        if self.crash:
            raise Internal("the checker could not start")
        refused = sorted(self.bad & set(state))
        if refused:
            raise Refused(f"unknown directive {refused[0]!r}")


def add(state: State, value: str) -> tuple[State, str]:
    needed = value.removeprefix("after-")  # "after-x" needs the change "x" first
    if needed != value and needed not in state:
        raise NotFound(f"{needed} does not exist")
    return (*state, value), f"added {value}"


def batch(base: State, *values: str) -> tuple[State, list[tuple[Pending[str, str], str]]]:
    loop = asyncio.get_running_loop()
    state, outcomes = base, []
    for value in values:
        state, result = add(state, value)
        outcomes.append((Pending(value, loop.create_future()), result))
    return state, outcomes


async def run(
    program: Program, base: State, *values: str, base_checked: bool = True
) -> tuple[State, list[str], dict[str, str]]:
    """The published state, the values kept and the message each failed change's caller got."""
    candidate, outcomes = batch(base, *values)
    state, kept = await check_batch(
        base,
        candidate,
        outcomes,
        apply=add,
        check=program.check,
        rejected=Refused,
        base_checked=base_checked,
    )
    failed = {
        pending.change: str(pending.future.exception())
        for pending, _ in outcomes
        if pending.future.done()
    }
    return state, [pending.change for pending, _ in kept], failed


async def test_a_batch_the_program_accepts_is_checked_once_and_goes_live_whole() -> None:
    program = Program("bad")
    state, kept, failed = await run(program, ("live",), "a", "b", "c")
    assert (state, kept, failed) == (("live", "a", "b", "c"), ["a", "b", "c"], {})
    assert program.checked == [("live", "a", "b", "c")]


async def test_a_single_refused_change_fails_with_the_programs_reason_and_nothing_changes() -> None:
    program = Program("bad")
    state, kept, failed = await run(program, ("live",), "bad")
    assert (state, kept) == (("live",), [])
    assert "unknown directive 'bad'" in failed["bad"]
    assert program.checked == [("live", "bad")]


async def test_only_the_offending_change_of_a_refused_batch_fails() -> None:
    program = Program("bad")
    state, kept, failed = await run(program, ("live",), "a", "bad", "b")
    assert state == ("live", "a", "b")
    assert kept == ["a", "b"]
    assert list(failed) == ["bad"]
    assert "unknown directive 'bad'" in failed["bad"]
    # The batch, then each change on top of what was accepted before it.
    assert program.checked == [
        ("live", "a", "bad", "b"),
        ("live", "a"),
        ("live", "a", "bad"),
        ("live", "a", "b"),
    ]


async def test_a_change_that_relied_on_a_refused_one_fails_with_its_own_reason() -> None:
    program = Program("bad")
    state, kept, failed = await run(program, ("live",), "bad", "after-bad", "a")
    assert (state, kept) == (("live", "a"), ["a"])
    assert "unknown directive" in failed["bad"]
    assert failed["after-bad"] == "bad does not exist"


async def test_a_base_not_known_to_pass_is_checked_before_the_changes() -> None:
    program = Program("bad")
    state, kept, failed = await run(program, ("live",), "bad", base_checked=False)
    assert (state, kept) == (("live",), [])
    assert list(failed) == ["bad"]
    assert program.checked == [("live", "bad"), ("live",), ("live", "bad")]


async def test_a_refused_base_is_the_whole_batchs_failure() -> None:
    program = Program("broken")
    with pytest.raises(Refused):
        await run(program, ("broken",), "a", "b", base_checked=False)
    with pytest.raises(Refused):  # no change at all: only the base was to be checked
        await run(program, ("broken",), base_checked=False)


async def test_a_change_that_changes_nothing_needs_no_check() -> None:
    program = Program("bad")

    def same(state: State, value: str) -> tuple[State, str]:
        return state, "unchanged"

    _, outcomes = batch(("live",), "bad", "a")
    state, kept = await check_batch(
        ("live",),
        ("live", "bad", "a"),
        outcomes,
        apply=same,
        check=program.check,
        rejected=Refused,
    )
    assert (state, len(kept)) == (("live",), 2)
    assert program.checked == [("live", "bad", "a")]


async def test_a_checker_that_fails_otherwise_is_not_retried_change_by_change() -> None:
    program = Program(crash=True)
    with pytest.raises(Internal):
        await run(program, ("live",), "a", "b")
    assert len(program.checked) == 1
