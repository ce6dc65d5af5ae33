"""How the system layer runs changes: to their end whatever the caller does, and in batches.

- `Finisher` runs an operation to its end even when its caller is cancelled. gRPC cancels an
  RPC's task when the client hangs up; stopping useradd, a crontab install or a reload halfway
  would leave the system half changed, so the operation's own task finishes instead and its
  result is lost.
- `Batcher` queues changes for one worker, which applies them in batches: websites share one
  nginx reload per batch, DNS zones one named reload. A batch takes every change queued when it
  starts. It waits for company only when company is likely: the last batch held more than one
  change and ended less than BATCH_WINDOW ago, so its callers, answered, may be sending their
  next changes (they arrive one by one, a few milliseconds apart, as the gateway gets through
  them). It then starts as soon as the first of these holds:
  - every change expected is queued: one per change the last batch answered, plus those that
    were already waiting for it;
  - changes came back, and none more for QUIET;
  - BATCH_WINDOW has passed since the last batch ended.
  A change on a quiet worker, or after a batch of one (one client working alone), starts at
  once: a window would be a tenth of one change's time at 5,000 sites. A fixed window instead
  cut batches of 16 clients in two (the last few came back after it closed, docs/web.md).
  Each change has a future that the batch's apply step fulfils; when the apply step raises,
  every change still open fails with it (an AgentError as it is, anything else as INTERNAL,
  logged). A batch whose program hangs holds
  only this worker, and only up to the resource's timeout (process.Limits): the program is then
  killed, the batch fails with UNAVAILABLE and the worker takes the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from agent.errors import AgentError, Internal

logger = logging.getLogger(__name__)

# How long after a batch of several the next one may wait for its callers to come back, and
# how long a pause in their coming back ends the wait (work.Batcher).
BATCH_WINDOW: Final = 0.15
QUIET: Final = 0.025

T = TypeVar("T")
C = TypeVar("C")  # what a change says
R = TypeVar("R")  # what its caller gets back


class Finisher:
    """Runs operations to their end; holds each one's task until it is done."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[Any]] = set()

    async def run(self, operation: Awaitable[T]) -> T:
        return await asyncio.shield(self.start(operation))

    def start(self, operation: Awaitable[T]) -> asyncio.Task[T]:
        """The operation's own task, for a caller that may cancel it on purpose (a backup's
        CancelBackupJob); a caller that is cancelled leaves it running."""

        async def whole() -> T:
            return await operation

        task = asyncio.create_task(whole())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task


@dataclass
class Pending(Generic[C, R]):
    """A change waiting in a batch, and the future its caller awaits."""

    change: C
    future: asyncio.Future[R]

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)

    def succeed(self, result: R) -> None:
        if not self.future.done():
            self.future.set_result(result)


class Batcher(Generic[C, R]):
    """One worker that hands queued changes to `apply` in batches (see the module's doc)."""

    def __init__(self, apply: Callable[[list[Pending[C, R]]], Awaitable[None]], noun: str) -> None:
        self._apply = apply
        self._noun = noun  # for the log: "web", "DNS"
        self._queue: list[Pending[C, R]] = []
        self._worker: asyncio.Task[None] | None = None
        self._last_done = float("-inf")  # when the last batch ended (the loop's clock)
        self._last_size = 0  # how many changes it held
        self._company = 0  # how many changes are expected for the next batch
        self._last_arrival = float("-inf")
        self._arrival: asyncio.Future[None] | None = None  # what a wait for company awaits

    @property
    def idle(self) -> bool:
        """No change is queued or being applied."""
        return not self._queue and (self._worker is None or self._worker.done())

    async def submit(self, change: C) -> R:
        loop = asyncio.get_running_loop()
        pending: Pending[C, R] = Pending(change, loop.create_future())
        self._queue.append(pending)
        self._last_arrival = loop.time()
        if self._arrival is not None and not self._arrival.done():
            self._arrival.set_result(None)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await pending.future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            if self._last_size <= 1 or loop.time() - self._last_done >= BATCH_WINDOW:
                # Alone: one turn of the loop only, so that changes sent in the same instant (a
                # client's burst already read from the socket) still share the batch.
                await asyncio.sleep(0)
            else:
                await self._wait_for_company(loop)
            batch, self._queue = self._queue, []
            self._last_size = len(batch)
            try:
                await self._apply(batch)
            except AgentError as error:
                for pending in batch:
                    pending.fail(error)
            except Exception:
                logger.exception("applying %d %s changes failed", len(batch), self._noun)
                failure = Internal(f"applying {self._noun} changes failed; see the agent's log")
                for pending in batch:
                    pending.fail(failure)
            finally:
                self._last_done = loop.time()
                self._company = len(batch) + len(self._queue)

    async def _wait_for_company(self, loop: asyncio.AbstractEventLoop) -> None:
        """Until every change expected is queued, or changes came back and then none for QUIET,
        or BATCH_WINDOW has passed since the last batch ended (the module's doc)."""
        while len(self._queue) < self._company:
            until = self._last_done + BATCH_WINDOW
            if self._last_arrival > self._last_done:  # some came back: a pause ends the wait
                until = min(until, self._last_arrival + QUIET)
            timeout = until - loop.time()
            if timeout <= 0:
                return
            self._arrival = loop.create_future()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrival, timeout)
