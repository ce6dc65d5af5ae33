"""How the system layer runs changes: to their end whatever the caller does, and in batches.

- `Finisher` runs an operation to its end even when its caller is cancelled. gRPC cancels an
  RPC's task when the client hangs up; stopping useradd, a crontab install or a reload halfway
  would leave the system half changed, so the operation's own task finishes instead and its
  result is lost.
- `Batcher` queues changes for one worker, which takes all that arrived within BATCH_WINDOW
  (and all that arrive while it works) and applies them as one batch: websites share one nginx
  reload per batch, DNS zones one named reload. The window is only waited when company is
  likely: the last batch ended less than BATCH_WINDOW ago and held more than one change
  (clients that send their next change when answered arrive spread over the gateway's work).
  A change on a quiet worker, or after a batch of one (one client working alone), starts at
  once: the window would be a tenth of one change's time at 5,000 sites.
  Each change has a future that the batch's apply step fulfils; when the apply step raises,
  every change still open fails with it (an AgentError as it is, anything else as INTERNAL,
  logged). A batch whose program hangs holds
  only this worker, and only up to the resource's timeout (process.Limits): the program is then
  killed, the batch fails with UNAVAILABLE and the worker takes the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from agent.errors import AgentError, Internal

logger = logging.getLogger(__name__)

BATCH_WINDOW: Final = 0.05

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

    @property
    def idle(self) -> bool:
        """No change is queued or being applied."""
        return not self._queue and (self._worker is None or self._worker.done())

    async def submit(self, change: C) -> R:
        pending: Pending[C, R] = Pending(change, asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await pending.future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            alone = self._last_size <= 1 or loop.time() - self._last_done >= BATCH_WINDOW
            # Alone: one turn of the loop only, so that changes sent in the same instant (a
            # client's burst already read from the socket) still share the batch.
            await asyncio.sleep(0 if alone else BATCH_WINDOW)
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
