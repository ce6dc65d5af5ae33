"""A stand-in for certificates.issue_for that shows how many orders ran at once: the first
`size` to arrive wait for each other, so they can only finish if they overlap (one at a time,
the first would wait for ever: the test's timeout is the failure), and `most` is the largest
number in flight."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Together:
    def __init__(self, size: int) -> None:
        self.size = size
        self.running: set[str] = set()
        self.most = 0
        self._all_in = asyncio.Event()

    @contextlib.asynccontextmanager
    async def inside(self, name: str) -> AsyncIterator[None]:
        self.running.add(name)
        self.most = max(self.most, len(self.running))
        if len(self.running) == self.size:
            self._all_in.set()
        try:
            await self._all_in.wait()
            yield
        finally:
            self.running.discard(name)
