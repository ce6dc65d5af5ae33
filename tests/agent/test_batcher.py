"""The batch worker's window (agent/system/base/work.py): a change on a quiet worker starts at
once, changes that keep coming wait the window for company. The waits asked of asyncio.sleep are
recorded instead of timed."""

from __future__ import annotations

import asyncio

import pytest

from agent.system.base import work
from agent.system.base.work import Batcher, Pending


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def apply(self, batch: list[Pending[str, str]]) -> None:
        self.batches.append([p.change for p in batch])
        for pending in batch:
            pending.future.set_result(pending.change.upper())


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        asked.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return asked


async def test_a_change_on_a_quiet_worker_does_not_wait_the_window(waits: list[float]) -> None:
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    assert await batcher.submit("a") == "A"
    assert waits == [0]


async def test_changes_sent_at_once_share_one_batch(waits: list[float]) -> None:
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    answers = await asyncio.gather(*(batcher.submit(c) for c in "abcde"))
    assert answers == list("ABCDE")
    assert recorder.batches == [list("abcde")]


async def test_a_change_right_after_a_batch_of_several_waits_the_window_for_company(
    waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A window of an hour: "right after" holds however slow the machine is.
    monkeypatch.setattr(work, "BATCH_WINDOW", 3600.0)
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    await asyncio.gather(batcher.submit("a"), batcher.submit("b"))
    # The answers came back and the next change follows at once, as busy clients' would.
    await batcher.submit("c")
    assert waits == [0, 3600.0]
    assert recorder.batches == [["a", "b"], ["c"]]


async def test_one_client_alone_never_waits_the_window(
    waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(work, "BATCH_WINDOW", 3600.0)
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    for change in "abc":
        await batcher.submit(change)
    assert waits == [0, 0, 0]
    assert recorder.batches == [["a"], ["b"], ["c"]]
