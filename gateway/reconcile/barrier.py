"""The write barrier: a reconcile runs while no write request is under way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc
from aiohttp import web

from gateway.consistency import outcome_unknown

RECONCILE_PATH = "/api/v1/reconcile"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WriteBarrier:
    """Write requests share it; a reconcile closes it, waits for the writes under way to end,
    and holds new ones back until it is done."""

    def __init__(self) -> None:
        self.on_unsure: Callable[[], None] | None = None
        self._writes = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._open = asyncio.Event()
        self._open.set()

    @property
    def is_closed(self) -> bool:
        return not self._open.is_set()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        await self._open.wait()
        self._writes += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._writes -= 1
            if self._writes == 0:
                self._idle.set()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every API request that may write passes the barrier (but the reconcile's own). A
        write whose agent call ended with an unknown outcome calls `on_unsure`: the record it
        left pending or deleting is for the reconcile to settle."""
        if request.method in _READS or request.path == RECONCILE_PATH:
            return await handler(request)
        async with self.write():
            try:
                return await handler(request)
            except grpc.aio.AioRpcError as error:
                if outcome_unknown(error) and self.on_unsure is not None:
                    self.on_unsure()
                raise

    @asynccontextmanager
    async def closed(self) -> AsyncIterator[None]:
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()
