"""A lock per key (a domain, an account): work on one key is ordered, work on different keys
runs side by side. An entry lives only while someone holds or waits for it, so a server with
thousands of domains keeps no lock for a domain nobody is working on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    def __init__(self) -> None:
        self._locks: dict[K, asyncio.Lock] = {}
        self._users: dict[K, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody holds or waits: forget it
                del self._users[key]
                del self._locks[key]

    def __len__(self) -> int:
        """How many keys are held or waited for (the tests check that none is left over)."""
        return len(self._locks)
