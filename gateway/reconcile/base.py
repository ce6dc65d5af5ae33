"""What every part of a reconcile shares: the findings so far, and how a repair is made,
checked against its record, reported and audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import aiomysql
import grpc

from gateway.agent import CALL_TIMEOUT_SECONDS, Agent, in_batches
from gateway.reconcile.report import (
    RESOURCES,
    Finding,
    Outcome,
    ReconcileReport,
    Resource,
    ResourceSummary,
    Trigger,
)
from gateway.store import audit
from gateway.store import reconcile as records

PAGE_SIZE = 1000
T = TypeVar("T")
D = TypeVar("D", bound="_Described")
# Agent answers that say nothing about the request itself: tried again at the next reconcile.
_TRANSIENT = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
)


class _Described(Protocol):
    """One account's part of a Batch RPC's answer."""

    @property
    def failure(self) -> str: ...


class RunBase:
    """One reconcile: the findings and counts so far, and how each outcome is recorded."""

    def __init__(self, pool: aiomysql.Pool, agent: Agent, actor: str) -> None:
        self.pool = pool
        self.agent = agent
        self.actor = actor
        self.findings: list[Finding] = []
        self.checked: dict[Resource, int] = dict.fromkeys(RESOURCES, 0)
        self.on_system: set[str] = set()  # accounts that exist on the system after repairs

    def report(self, started: datetime, trigger: Trigger) -> ReconcileReport:
        summaries = [
            ResourceSummary(
                resource=r,
                checked=self.checked[r],
                repaired=self.count(r, "repaired"),
                drift=self.count(r, "drift") + self.count(r, "in_progress"),
                failed=self.count(r, "failed"),
            )
            for r in RESOURCES
        ]
        return ReconcileReport(
            started_at=started,
            finished_at=datetime.now(UTC),
            trigger=trigger,
            actor=self.actor,
            resources=summaries,
            findings=self.findings,
        )

    def count(self, resource: Resource, outcome: Outcome) -> int:
        return sum(1 for f in self.findings if f.resource == resource and f.outcome == outcome)

    def drift(self, resource: Resource, name: str, account: str | None, what: str) -> None:
        self.findings.append(Finding(
            resource=resource, name=name, account=account, difference=what, outcome="drift",
            action="left as it is: a person decides",
        ))  # fmt: skip

    async def read(
        self, resource: Resource, name: str, account: str | None, answer: Awaitable[T]
    ) -> T | None:
        """The agent's answer about one resource, or one list; None when the agent would not
        describe it (an answer past gRPC's message limit: a zone grown before zones were
        bounded; a damaged record), which is a failed finding for it alone: the run goes on
        with the others. An agent that does not answer at all still ends the run (tried again
        later)."""
        try:
            return await answer
        except grpc.aio.AioRpcError as error:
            if error.code() in _TRANSIENT:
                raise
            self._not_described(resource, name, account, f"{error.code().name}: {error.details()}")
            return None

    async def read_batches(
        self,
        resource: Resource,
        accounts: Collection[str],
        ask: Callable[[list[str]], Awaitable[Sequence[D]]],
        name_of: Callable[[D], str],
        account_of: Callable[[str], str | None] = lambda name: name,
    ) -> dict[str, D]:
        """Each account's (or zone's: `account_of` names its account) part of a Batch RPC's
        answers (its cron jobs, say), a thousand per call: asked one at a time, the calls' own
        cost took most of a reconcile at 5,000 accounts. One the agent would not describe (its
        `failure`) is a failed finding for it alone. A call the agent refuses whole leaves
        this kind unread: a failed finding for each one asked."""
        try:
            answers = await in_batches(accounts, ask, name_of)
        except grpc.aio.AioRpcError as error:
            if error.code() in _TRANSIENT:
                raise
            why = f"{error.code().name}: {error.details()}"
            for name in sorted(set(accounts)):
                self._not_described(resource, name, account_of(name), why)
            return {}
        found: dict[str, D] = {}
        for answer in answers:
            name = name_of(answer)
            if answer.failure:
                self._not_described(resource, name, account_of(name), answer.failure)
            else:
                found[name] = answer
        return found

    def _not_described(self, resource: Resource, name: str, account: str | None, why: str) -> None:
        self.findings.append(Finding(
            resource=resource, name=name, account=account, outcome="failed",
            difference=f"the agent did not describe it ({why})",
            action="left as it is: the next reconcile reads it again",
        ))  # fmt: skip

    async def repair(
        self,
        resource: Resource,
        name: str,
        account: str | None,
        what: str,
        action: str,
        steps: Callable[[], Awaitable[object]],
        record: tuple[str, int, str] | None = None,
    ) -> bool:
        """Runs `steps` and records the outcome, in the report and the audit log. With
        `record` (resource, id, status seen), only when the record still has that status."""
        if record is not None:
            now = await records.status_of(self.pool, record[0], record[1])
            if now != record[2]:
                self.findings.append(Finding(
                    resource=resource, name=name, account=account, difference=what,
                    outcome="in_progress", action="left alone: the record changed meanwhile",
                ))  # fmt: skip
                return False
        try:
            done = await steps()
        except grpc.aio.AioRpcError as exc:
            why = f"{exc.code().name}: {exc.details()}"
            self.findings.append(Finding(
                resource=resource, name=name, account=account, difference=what,
                outcome="failed", action=f"{action} failed: {why}",
            ))  # fmt: skip
            await self._audit(resource, name, ok=False, detail=f"{what}; {action}: {why}")
            return False
        action = done if isinstance(done, str) else action  # the steps may say what they did
        self.findings.append(Finding(
            resource=resource, name=name, account=account, difference=what,
            outcome="repaired", action=action,
        ))  # fmt: skip
        await self._audit(resource, name, ok=True, detail=f"{what}; {action}")
        return True

    async def create_again(
        self,
        resource: Resource,
        record: tuple[int, str, str | None],
        what: str,
        create: Callable[[], Awaitable[object]],
        activate: Callable[[], Awaitable[object]],
        roll_back: Callable[[], Awaitable[object]],
    ) -> bool:
        """A pending record (its id, name and account) whose system side is missing: applied
        again and marked active, or rolled back when the agent refuses it. True when it ends
        active."""

        async def steps() -> str:
            try:
                await create()
            except grpc.aio.AioRpcError as exc:
                if exc.code() in _TRANSIENT:
                    raise
                await roll_back()
                return f"rolled back: the agent refuses it ({exc.code().name}: {exc.details()})"
            await activate()
            return "applied again from the record and marked active"

        record_id, name, account = record
        seen = (resource, record_id, "pending")
        done = await self.repair(resource, name, account, what, "", steps, seen)
        return done and self.findings[-1].action.startswith("applied")

    async def _audit(self, resource: Resource, name: str, *, ok: bool, detail: str) -> None:
        await audit.record(
            self.pool,
            actor=self.actor,
            action=f"reconcile.{resource}",
            target=name,
            ok=ok,
            detail=detail,
        )


def later(
    rpc: Callable[..., Awaitable[object]], request: object
) -> Callable[[], Awaitable[object]]:
    """One agent call, made when the repair runs (a stub call starts the moment it is made)."""

    async def call() -> None:
        await rpc(request, timeout=CALL_TIMEOUT_SECONDS)

    return call
