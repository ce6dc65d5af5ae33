"""The batch worker's wait for company (agent/system/base/work.py): a change on a quiet worker
starts at once; after a batch of several, the next waits until the callers it answered are back,
or they pause, or the window after the batch has passed. Where a test asks that nothing waits,
the waits asked of asyncio.sleep are recorded instead of timed."""

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


# The waits below are of an hour unless a test shortens one: a batch that starts before an hour
# has passed started for the reason the test names (the guard fails a batch that waits).
HOUR = 3600.0
GUARD = 60.0


@pytest.fixture
def hour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(work, "BATCH_WINDOW", HOUR)
    monkeypatch.setattr(work, "QUIET", HOUR)


async def back(batcher: Batcher[str, str], change: str, turns: int) -> str:
    """A caller that comes back after `turns` turns of the loop (the gateway's work)."""
    for _ in range(turns):
        await asyncio.sleep(0)
    return await batcher.submit(change)


@pytest.mark.usefixtures("hour")
async def test_after_a_batch_of_several_the_next_starts_once_its_callers_are_all_back() -> None:
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    await asyncio.gather(batcher.submit("a"), batcher.submit("b"))
    # The answers came back; the two callers send their next changes one after the other.
    answers = asyncio.gather(back(batcher, "c", 0), back(batcher, "d", 20))
    assert list(await asyncio.wait_for(answers, GUARD)) == ["C", "D"]
    assert recorder.batches == [["a", "b"], ["c", "d"]]


@pytest.mark.usefixtures("hour")
async def test_changes_that_waited_for_a_batch_count_as_company_for_the_next() -> None:
    """16 clients on a slow server: some changes wait through a batch, and the next batch waits
    for them and for every caller the batch answered."""
    release = asyncio.Event()
    recorder = Recorder()

    async def apply(batch: list[Pending[str, str]]) -> None:
        if not recorder.batches:
            await release.wait()
        await recorder.apply(batch)

    batcher: Batcher[str, str] = Batcher(apply, "test")
    first = asyncio.gather(batcher.submit("a"), batcher.submit("b"))
    for _ in range(5):
        await asyncio.sleep(0)
    waiting = asyncio.ensure_future(batcher.submit("x"))  # arrives while [a, b] is applied
    await asyncio.sleep(0)
    release.set()
    await first
    answers = asyncio.gather(back(batcher, "c", 0), back(batcher, "d", 20))
    assert list(await asyncio.wait_for(answers, GUARD)) == ["C", "D"]
    assert await waiting == "X"
    assert recorder.batches == [["a", "b"], ["x", "c", "d"]]


async def test_a_pause_in_the_callers_coming_back_ends_the_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One of two callers comes back; the other has stopped: QUIET later the batch starts."""
    monkeypatch.setattr(work, "BATCH_WINDOW", HOUR)
    monkeypatch.setattr(work, "QUIET", 0.01)
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    await asyncio.gather(batcher.submit("a"), batcher.submit("b"))
    assert await asyncio.wait_for(batcher.submit("c"), GUARD) == "C"
    assert recorder.batches == [["a", "b"], ["c"]]


async def test_the_window_bounds_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Callers that do not come back at all: the window after the last batch ends the wait."""
    monkeypatch.setattr(work, "BATCH_WINDOW", 0.5)
    monkeypatch.setattr(work, "QUIET", HOUR)
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    await asyncio.gather(*(batcher.submit(c) for c in "abc"))
    # Only one of the three comes back, at once; the pause rule would wait an hour after it.
    assert await asyncio.wait_for(batcher.submit("d"), GUARD) == "D"
    assert recorder.batches == [["a", "b", "c"], ["d"]]


@pytest.mark.usefixtures("hour")
async def test_one_client_alone_never_waits_the_window(waits: list[float]) -> None:
    recorder = Recorder()
    batcher: Batcher[str, str] = Batcher(recorder.apply, "test")
    for change in "abc":
        await batcher.submit(change)
    assert waits == [0, 0, 0]
    assert recorder.batches == [["a"], ["b"], ["c"]]
