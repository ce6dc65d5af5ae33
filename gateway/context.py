"""What a service needs to act for a caller: the database, the agent, who is calling, and the
audit log that records what they did.

Routes build it from the request (`call.context`); services take it and nothing from aiohttp,
so a flow reads the same whether a request, the CLI or a background job starts it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiomysql
import grpc

from gateway.agent import Agent
from gateway.auth.sessions import SessionCache
from gateway.principal import Principal, Role
from gateway.problems import Problem
from gateway.store import audit


@dataclass(frozen=True)
class Context:
    db: aiomysql.Pool
    agent: Agent
    me: Principal
    # Where the caller came from, as the audit log records it.
    client: str
    sessions: SessionCache

    @classmethod
    def system(cls, db: aiomysql.Pool, agent: Agent, sessions: SessionCache, actor: str) -> Context:
        """For the gateway's own background work (renewals, invoice runs): an administrator
        named for the job, so the audit log says which job did what."""
        return cls(db, agent, Principal(0, actor, Role.ADMIN), "scheduler", sessions)

    @asynccontextmanager
    async def audited(self, action: str, target: str, detail: str = "") -> AsyncIterator[None]:
        """Writes the block's outcome to the audit log: ok, or the error that ended it.

        Whatever the outcome, cached sign-in state is dropped: the block may have suspended,
        deleted or re-keyed a user, and the next request must see it.
        """
        try:
            yield
        except (Problem, grpc.aio.AioRpcError) as exc:
            why = exc.detail if isinstance(exc, Problem) else f"{exc.code().name}: {exc.details()}"
            await self._record(action, target, ok=False, detail=why)
            raise
        except Exception:
            await self._record(action, target, ok=False, detail="internal error")
            raise
        await self._record(action, target, ok=True, detail=detail)

    async def _record(self, action: str, target: str, *, ok: bool, detail: str) -> None:
        self.sessions.clear()
        await audit.record(
            self.db,
            actor=self.me.name,
            action=action,
            target=target,
            ok=ok,
            detail=detail,
            client=self.client,
        )
