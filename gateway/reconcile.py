"""Reconcile: the panel's records (MariaDB) against what the agent reports exists on the system.

MariaDB holds what should exist; the system holds what does. A crash between the steps of the
consistency rule (gateway/consistency.py) leaves a `pending` or `deleting` record, and hands on
the server (a Linux user removed, a site file deleted, a crontab edited) leave records that the
system no longer matches. A reconcile reads the system through the agent's List RPCs, then the
records, and for each resource:

- `pending`, and the system has it: the creation got through; the record becomes active.
- `pending`, and the system lacks it: the creation is applied again from the record, then the
  record becomes active; when the agent refuses it (the reason the request failed), it is
  rolled back (the record goes), as the request would have done. Applying again rather than
  rolling back at once matters after a gateway crash: the agent finishes a call whose client
  hung up, so a creation may still land after the reconcile looked, and a rolled-back record
  would leave it on the system with no record. An account comes back with its system password
  locked (the panel keeps only the hash of its panel password, which still signs in). A
  database user is the exception: its password is not kept, so it is rolled back, with a
  delete on the system in case its creation landed.
- `deleting`: the deletion was asked for; it is finished (agent delete, then the record).
  A domain's files are kept (the request may have said keep_files; files are never removed on
  a guess); an account's home goes with the account, as the request said.
- active, and the system lacks it: applied again from the record (CreateAccount with a locked
  system password, CreateWebDomain with the recorded spec, an empty database, the zone with
  its recorded records, the account's crontab).
- active, and a field differs (suspension, shell, disk quota, aliases, backend, a cron job, a
  DNS record, a grant): the recorded value is applied again.
- on the system with no record (an account, site, database, user, cron job or zone made
  outside the panel), a site of another account, a database user whose password is unknown:
  reported as drift and left alone. A reconcile never deletes a tenant's files or data.

A reconcile runs while no write request is under way in this gateway (WriteBarrier: writes
that arrive meanwhile wait for it), so a pending or deleting record it sees was left by a
crash, never by a request still at work; it cannot undo a creation under way. Each repair
re-reads its record's status first, and is written to the audit log with its outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Literal

import aiomysql
import grpc
from aiohttp import web
from jopanel.agent.accounts.v1 import accounts_pb2 as accounts_pb
from jopanel.agent.cron.v1 import cron_pb2 as cron_pb
from jopanel.agent.databases.v1 import databases_pb2 as db_pb
from jopanel.agent.dns.v1 import dns_pb2 as dns_pb
from jopanel.agent.web.v1 import web_pb2 as web_pb
from pydantic import BaseModel, Field

from gateway.agent import CALL_TIMEOUT_SECONDS, Agent
from gateway.consistency import outcome_unknown
from gateway.db import Row
from gateway.routes.dns_records import RecordBody, to_proto
from gateway.store import accounts, audit, cron_jobs, databases, dns, domains
from gateway.store import reconcile as records

logger = logging.getLogger(__name__)

PAGE_SIZE = 1000
MIB = 1024 * 1024
# Delays between tries of a background reconcile while the agent or MariaDB does not answer.
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
# start: at the gateway's start; request: POST /reconcile; recovery: after an agent call whose
# outcome is unknown (gateway/consistency.py).
Trigger = Literal["start", "request", "recovery"]

Resource = Literal[
    "account", "domain", "database", "database_user", "cron_job", "dns_zone", "dns_record"
]
RESOURCES: tuple[Resource, ...] = (
    "account",
    "domain",
    "database",
    "database_user",
    "cron_job",
    "dns_zone",
    "dns_record",
)
Outcome = Literal["repaired", "drift", "failed", "in_progress"]
# Agent answers that say nothing about the request itself: tried again at the next reconcile.
_TRANSIENT = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
)
_SHELLS: dict[str, accounts_pb.Shell.ValueType] = {
    "nologin": accounts_pb.SHELL_NOLOGIN,
    "bash": accounts_pb.SHELL_BASH,
    "sh": accounts_pb.SHELL_SH,
}


class Finding(BaseModel):
    resource: Resource
    name: str = Field(description="The resource's name (a cron job's id; zone/id for records)")
    account: str | None = Field(description="The owning account, when known")
    difference: str = Field(description="What differed between the record and the system")
    outcome: Outcome = Field(
        description="repaired; drift (left for a person); failed (the repair failed);"
        " in_progress (its record changed while the reconcile looked)"
    )
    action: str = Field(description="What was done, or why nothing was")


class ResourceSummary(BaseModel):
    resource: Resource
    checked: int = Field(description="Records and system objects compared")
    repaired: int
    drift: int
    failed: int


class ReconcileReport(BaseModel):
    started_at: datetime
    finished_at: datetime
    trigger: Trigger
    actor: str
    resources: list[ResourceSummary]
    findings: list[Finding]

    @property
    def disagreements(self) -> int:
        return sum(1 for f in self.findings if f.outcome != "repaired")


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


class Reconciler:
    """Runs reconciles one at a time and keeps the last report."""

    def __init__(self, pool: aiomysql.Pool, agent: Agent, barrier: WriteBarrier) -> None:
        self.pool = pool
        self.agent = agent
        self.barrier = barrier
        self.last: ReconcileReport | None = None
        self.reported = asyncio.Event()  # set once a report exists
        self._background: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    async def run(self, actor: str, trigger: Trigger) -> ReconcileReport:
        async with self._lock, self.barrier.closed():
            run = _Run(self, actor)
            started = datetime.now(UTC)
            await run.all()
            report = run.report(started, trigger)
            await audit.record(
                self.pool,
                actor=actor,
                action="reconcile.run",
                target=trigger,
                ok=not any(f.outcome == "failed" for f in report.findings),
                detail=", ".join(
                    f"{s.resource}: {s.repaired} repaired, {s.drift} drift, {s.failed} failed"
                    for s in report.resources
                    if s.repaired or s.drift or s.failed
                ),
            )
            self.last = report
            self.reported.set()
            return report

    def soon(self, trigger: Trigger = "recovery") -> None:
        """A reconcile in the background, unless one is waiting to run already."""
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self.run_in_background(trigger))

    async def stop(self) -> None:
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background

    async def run_in_background(self, trigger: Trigger) -> None:
        """A reconcile that nobody waits for (at start, after an unknown outcome): retried
        while the agent or MariaDB does not answer, so a gateway starts and serves whether or
        not they are up."""
        for delay in (*RETRY_SECONDS, None):
            try:
                report = await self.run("system", trigger)
            except (grpc.aio.AioRpcError, aiomysql.Error, OSError) as exc:
                logger.warning("reconcile (%s) failed (%s); trying again", trigger, exc)
                if delay is None:
                    return
                await asyncio.sleep(delay)
                continue
            logger.info(
                "reconcile (%s): %d findings, %d left as drift",
                trigger,
                len(report.findings),
                report.disagreements,
            )
            return


class _Run:
    """One reconcile: the findings and counts so far."""

    def __init__(self, owner: Reconciler, actor: str) -> None:
        self.pool = owner.pool
        self.agent = owner.agent
        self.actor = actor
        self.findings: list[Finding] = []
        self.checked: dict[Resource, int] = dict.fromkeys(RESOURCES, 0)
        self.on_system: set[str] = set()  # accounts that exist on the system after repairs

    def report(self, started: datetime, trigger: Trigger) -> ReconcileReport:
        summaries = [
            ResourceSummary(
                resource=r,
                checked=self.checked[r],
                repaired=self._count(r, "repaired"),
                drift=self._count(r, "drift") + self._count(r, "in_progress"),
                failed=self._count(r, "failed"),
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

    def _count(self, resource: Resource, outcome: Outcome) -> int:
        return sum(1 for f in self.findings if f.resource == resource and f.outcome == outcome)

    async def all(self) -> None:
        await self.accounts()
        await self.domains()
        system_accounts = sorted(self.on_system)
        await self.databases(system_accounts)
        await self.database_users(system_accounts)
        await self.cron_jobs(system_accounts)
        await self.dns_zones()

    # --- outcomes -------------------------------------------------------------------------

    def drift(self, resource: Resource, name: str, account: str | None, what: str) -> None:
        self.findings.append(Finding(
            resource=resource, name=name, account=account, difference=what, outcome="drift",
            action="left as it is: a person decides",
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
        row: Row,
        what: str,
        create: Callable[[], Awaitable[object]],
        activate: Callable[[], Awaitable[object]],
        roll_back: Callable[[], Awaitable[object]],
    ) -> bool:
        """A pending record whose system side is missing: applied again and marked active, or
        rolled back when the agent refuses it. True when it ends active."""

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

        seen = (resource, int(row["id"]), "pending")
        name, account = str(row["name"]), row.get("account")
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

    # --- accounts ---------------------------------------------------------------------------

    async def accounts(self) -> None:
        system = {a.name: a for a in await self._system_accounts()}
        rows = await records.accounts(self.pool)
        self.checked["account"] = len(rows) + len(set(system) - {r["name"] for r in rows})
        for row in rows:
            await self._account(row, system.get(row["name"]))
        for name in sorted(set(system) - {r["name"] for r in rows}):
            self.drift("account", name, name, "a Linux account of the panel's kind has no record")

    async def _system_accounts(self) -> list[accounts_pb.Account]:
        found: list[accounts_pb.Account] = []
        token = ""
        while True:
            reply = await self.agent.accounts.ListAccounts(
                accounts_pb.ListAccountsRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            found += reply.accounts
            token = reply.next_page_token
            if not token:
                return found

    async def _account(self, row: Row, system: accounts_pb.Account | None) -> None:
        name, status, user_id = str(row["name"]), str(row["status"]), int(row["id"])
        seen = ("account", user_id, status)
        if status == "pending":
            if system is not None:
                self.on_system.add(name)
                await self.repair(
                    "account", name, name, "pending, and the Linux account exists",
                    "marked active: the creation had got through",
                    lambda: accounts.set_status(self.pool, user_id, "active"), seen,
                )  # fmt: skip
            elif await self.create_again(
                "account", row, "pending, and no Linux account exists",
                lambda: self._create_account(row),
                lambda: accounts.set_status(self.pool, user_id, "active"),
                lambda: accounts.delete(self.pool, user_id),
            ):  # fmt: skip
                self.on_system.add(name)
            return
        if status == "deleting":
            await self.repair(
                "account", name, name, "deleting: the deletion was cut short",
                "deletion finished: its zones, websites, Linux user and home, then the record",
                lambda: self._finish_account_deletion(user_id, name), seen,
            )  # fmt: skip
            return
        if system is None:
            repaired = await self.repair(
                "account", name, name, "the Linux account is missing",
                "created again (its system password is locked until the owner sets one)",
                lambda: self._create_account(row), seen,
            )  # fmt: skip
            if repaired:
                self.on_system.add(name)
            return
        self.on_system.add(name)
        await self._account_fields(row, system)

    async def _create_account(self, row: Row) -> None:
        await self.agent.accounts.CreateAccount(
            accounts_pb.CreateAccountRequest(
                name=row["name"],
                password="",
                shell=_SHELLS[row["shell"]],
                disk_quota_mb=row["disk_quota_mb"] or 0,
            ),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        if row["status"] == "suspended":
            await self.agent.accounts.SuspendAccount(
                accounts_pb.SuspendAccountRequest(name=row["name"]), timeout=CALL_TIMEOUT_SECONDS
            )

    async def _account_fields(self, row: Row, system: accounts_pb.Account) -> None:
        name, seen = str(row["name"]), ("account", int(row["id"]), str(row["status"]))
        suspended = row["status"] == "suspended"
        if system.suspended != suspended:

            async def apply() -> None:
                if suspended:
                    await self.agent.accounts.SuspendAccount(
                        accounts_pb.SuspendAccountRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                    )
                else:
                    await self.agent.accounts.UnsuspendAccount(
                        accounts_pb.UnsuspendAccountRequest(name=name),
                        timeout=CALL_TIMEOUT_SECONDS,
                    )

            state = "suspended" if system.suspended else "not suspended"
            await self.repair("account", name, name,
                              f"recorded {row['status']}, {state} on the system",
                              "the recorded state applied again", apply, seen)  # fmt: skip
        mask: list[str] = []
        if system.shell == accounts_pb.SHELL_UNSPECIFIED:
            self.drift("account", name, name, "the login shell was changed outside JoPanel")
        elif system.shell != _SHELLS[row["shell"]]:
            mask.append("shell")
        quota = (row["disk_quota_mb"] or 0) * MIB
        if system.disk.enforced and system.disk.limit_bytes != quota:
            mask.append("disk_quota_mb")
        if mask:
            request = accounts_pb.UpdateAccountRequest(
                name=name, shell=_SHELLS[row["shell"]], disk_quota_mb=row["disk_quota_mb"] or 0
            )
            request.update_mask.paths.extend(mask)
            await self.repair(
                "account", name, name, f"{' and '.join(mask)} differ from the record",
                "the recorded values applied again",
                lambda: self.agent.accounts.UpdateAccount(request, timeout=CALL_TIMEOUT_SECONDS),
                seen,
            )  # fmt: skip

    async def _finish_account_deletion(self, user_id: int, name: str) -> None:
        for zone in await dns.zones_of(self.pool, user_id):
            await self.agent.dns.DeleteDnsZone(
                dns_pb.DeleteDnsZoneRequest(name=zone["name"]), timeout=CALL_TIMEOUT_SECONDS
            )
            await dns.delete_zone(self.pool, zone["id"])
        for site in await domains.names_of(self.pool, user_id):
            await self.agent.web.DeleteWebDomain(
                web_pb.DeleteWebDomainRequest(name=site["name"], delete_files=True),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            await domains.delete(self.pool, site["id"])
        await self.agent.accounts.DeleteAccount(
            accounts_pb.DeleteAccountRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
        )
        await accounts.delete(self.pool, user_id)

    # --- websites ---------------------------------------------------------------------------

    async def domains(self) -> None:
        system = {d.name: d for d in await self._system_domains()}
        rows = await records.domains(self.pool)
        recorded = {r["name"] for r in rows}
        self.checked["domain"] = len(rows) + len(set(system) - recorded)
        for row in rows:
            await self._domain(row, system.get(row["name"]))
        for name in sorted(set(system) - recorded):
            self.drift("domain", name, system[name].account, "served, but has no record")

    async def _system_domains(self) -> list[web_pb.WebDomain]:
        found: list[web_pb.WebDomain] = []
        token = ""
        while True:
            reply = await self.agent.web.ListWebDomains(
                web_pb.ListWebDomainsRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            found += reply.domains
            token = reply.next_page_token
            if not token:
                return found

    async def _domain(self, row: Row, system: web_pb.WebDomain | None) -> None:
        name, account, status = str(row["name"]), str(row["account"]), str(row["status"])
        seen = ("domain", int(row["id"]), status)
        if status == "pending":
            if system is not None and system.account == account:
                await self.repair(
                    "domain", name, account, "pending, and the site is served",
                    "marked active: the creation had got through",
                    lambda: domains.set_status(self.pool, int(row["id"]), "active"), seen,
                )  # fmt: skip
            elif system is None:
                await self.create_again(
                    "domain", row, "pending, and the site is not served",
                    lambda: self._create_domain(row),
                    lambda: domains.set_status(self.pool, int(row["id"]), "active"),
                    lambda: domains.delete(self.pool, int(row["id"])),
                )  # fmt: skip
            else:
                self.drift("domain", name, account, f"pending; served for {system.account}")
            return
        if status == "deleting":
            await self.repair(
                "domain", name, account, "deleting: the deletion was cut short",
                f"deletion finished; its files stay in /home/{account}/web/{name}",
                lambda: self._finish_domain_deletion(row), seen,
            )  # fmt: skip
            return
        if row["account_status"] not in ("active", "suspended"):
            return  # its account's own state is settled first, with its sites
        if system is None:
            await self.repair(
                "domain", name, account, "the site is not served (its configuration is gone)",
                "created again from the record (files already in its folder are kept)",
                lambda: self._create_domain(row), seen,
            )  # fmt: skip
            return
        if system.account != account:
            self.drift("domain", name, account, f"served for another account, {system.account}")
            return
        await self._domain_fields(row, system)

    async def _finish_domain_deletion(self, row: Row) -> None:
        await self.agent.web.DeleteWebDomain(
            web_pb.DeleteWebDomainRequest(name=row["name"], delete_files=False),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await domains.delete(self.pool, int(row["id"]))

    async def _create_domain(self, row: Row) -> None:
        await self.agent.web.CreateWebDomain(
            web_pb.CreateWebDomainRequest(domain=site_spec(row)), timeout=CALL_TIMEOUT_SECONDS
        )
        if _site_suspended(row):
            await self.agent.web.SuspendWebDomain(
                web_pb.SuspendWebDomainRequest(name=row["name"]), timeout=CALL_TIMEOUT_SECONDS
            )

    async def _domain_fields(self, row: Row, system: web_pb.WebDomain) -> None:
        name, account = str(row["name"]), str(row["account"])
        seen = ("domain", int(row["id"]), str(row["status"]))
        spec = site_spec(row)
        differ = []
        if sorted(system.aliases) != sorted(spec.aliases):
            differ.append("aliases")
        kind = spec.WhichOneof("backend")
        if system.WhichOneof("backend") != kind or (
            kind is not None and getattr(system, kind) != getattr(spec, kind)
        ):
            differ.append("backend")
        if differ:
            request = web_pb.UpdateWebDomainRequest(domain=spec)
            request.update_mask.paths.extend(["aliases", "backend"])
            await self.repair(
                "domain", name, account, f"{' and '.join(differ)} differ from the record",
                "the recorded aliases and backend applied again",
                lambda: self.agent.web.UpdateWebDomain(request, timeout=CALL_TIMEOUT_SECONDS),
                seen,
            )  # fmt: skip
        suspended = _site_suspended(row)
        if system.suspended != suspended:

            async def apply() -> None:
                if suspended:
                    await self.agent.web.SuspendWebDomain(
                        web_pb.SuspendWebDomainRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                    )
                else:
                    await self.agent.web.UnsuspendWebDomain(
                        web_pb.UnsuspendWebDomainRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                    )

            await self.repair(
                "domain", name, account,
                f"{'not ' if suspended else ''}suspended on the system, unlike the record",
                "the recorded state applied again", apply, seen,
            )  # fmt: skip

    # --- databases and their users ------------------------------------------------------------

    async def databases(self, system_accounts: list[str]) -> None:
        system: dict[str, str] = {}
        for account in system_accounts:
            reply = await self.agent.databases.ListDatabases(
                db_pb.ListDatabasesRequest(account=account), timeout=CALL_TIMEOUT_SECONDS
            )
            system |= {d.name: d.account for d in reply.databases}
        rows = await records.databases(self.pool)
        recorded = {r["name"] for r in rows}
        self.checked["database"] = len(rows) + len(set(system) - recorded)
        for row in rows:
            if row["account"] in self.on_system:
                await self._database(row, row["name"] in system)
        for name in sorted(set(system) - recorded):
            self.drift("database", name, system[name], "exists, but has no record")

    async def _database(self, row: Row, exists: bool) -> None:
        name, account, status = str(row["name"]), str(row["account"]), str(row["status"])
        seen = ("database", int(row["id"]), status)
        if status == "pending":
            if exists:
                await self._settle_pending("database", row, exists, "database")
            else:
                await self.create_again(
                    "database", row, "pending, and it is missing",
                    _call(
                        self.agent.databases.CreateDatabase,
                        db_pb.CreateDatabaseRequest(account=account, name=name),
                    ),
                    lambda: databases.set_status(self.pool, "database", int(row["id"]), "active"),
                    lambda: databases.delete(self.pool, "database", int(row["id"])),
                )  # fmt: skip
        elif status == "deleting":

            async def finish() -> None:
                await self.agent.databases.DeleteDatabase(
                    db_pb.DeleteDatabaseRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await databases.delete(self.pool, "database", int(row["id"]))

            await self.repair("database", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
        elif not exists:
            await self.repair(
                "database", name, account, "the database is missing",
                "created again, empty: what it held was not there",
                lambda: self.agent.databases.CreateDatabase(
                    db_pb.CreateDatabaseRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                ),
                seen,
            )  # fmt: skip

    async def _settle_pending(self, resource: Resource, row: Row, exists: bool, kind: str) -> None:
        """A hosted database's or user's pending record: active, or rolled back."""
        record_id, seen = int(row["id"]), (resource, int(row["id"]), "pending")
        if exists:
            await self.repair(
                resource, str(row["name"]), str(row["account"]), "pending, and it exists",
                "marked active: the creation had got through",
                lambda: databases.set_status(self.pool, kind, record_id, "active"), seen,
            )  # fmt: skip
        else:
            # A user's password is not kept: rolled back, and deleted on the system too in
            # case its creation lands after this look.
            name, account = str(row["name"]), str(row["account"])

            async def roll_back() -> None:
                await self.agent.databases.DeleteDatabaseUser(
                    db_pb.DeleteDatabaseUserRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await databases.delete(self.pool, kind, record_id)

            await self.repair(
                resource, name, account, "pending, and it is missing",
                "rolled back: the record is removed (its password is not kept)", roll_back, seen,
            )  # fmt: skip

    async def database_users(self, system_accounts: list[str]) -> None:
        system: dict[str, db_pb.DatabaseUser] = {}
        for account in system_accounts:
            reply = await self.agent.databases.ListDatabaseUsers(
                db_pb.ListDatabaseUsersRequest(account=account), timeout=CALL_TIMEOUT_SECONDS
            )
            system |= {u.name: u for u in reply.users}
        rows = await records.database_users(self.pool)
        recorded = {r["name"] for r in rows}
        self.checked["database_user"] = len(rows) + len(set(system) - recorded)
        for row in rows:
            if row["account"] in self.on_system:
                await self._database_user(row, system.get(row["name"]))
        for name in sorted(set(system) - recorded):
            self.drift("database_user", name, system[name].account, "exists, but has no record")

    async def _database_user(self, row: Row, system: db_pb.DatabaseUser | None) -> None:
        name, account, status = str(row["name"]), str(row["account"]), str(row["status"])
        seen = ("database_user", int(row["id"]), status)
        if status == "pending":
            await self._settle_pending("database_user", row, system is not None, "user")
        elif status == "deleting":

            async def finish() -> None:
                await self.agent.databases.DeleteDatabaseUser(
                    db_pb.DeleteDatabaseUserRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await databases.delete(self.pool, "user", int(row["id"]))

            await self.repair("database_user", name, account,
                              "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
        elif system is None:
            self.drift(
                "database_user", name, account,
                "the user is missing; its password is not kept, so set a new one to create it",
            )  # fmt: skip
        else:
            await self._grants(row, system)

    async def _grants(self, row: Row, system: db_pb.DatabaseUser) -> None:
        """Grants follow the record both ways: access the panel does not show is taken back."""
        name, account = str(row["name"]), str(row["account"])
        seen = ("database_user", int(row["id"]), "active")
        wanted = set(str(row["granted"]).split()) if row["granted"] else set()
        have = set(system.databases)
        for database in sorted(wanted - have):
            grant = db_pb.GrantDatabaseAccessRequest(account=account, user=name, database=database)
            await self.repair(
                "database_user", name, account, f"no access to {database}, as recorded",
                f"access to {database} granted again",
                _call(self.agent.databases.GrantDatabaseAccess, grant), seen,
            )  # fmt: skip
        for database in sorted(have - wanted):
            revoke = db_pb.RevokeDatabaseAccessRequest(
                account=account, user=name, database=database
            )
            await self.repair(
                "database_user", name, account, f"access to {database}, which is not recorded",
                f"access to {database} revoked (the data stays)",
                _call(self.agent.databases.RevokeDatabaseAccess, revoke), seen,
            )  # fmt: skip

    # --- cron jobs --------------------------------------------------------------------------

    async def cron_jobs(self, system_accounts: list[str]) -> None:
        rows = await records.cron_jobs(self.pool)
        by_account: dict[str, list[Row]] = {}
        for row in rows:
            by_account.setdefault(str(row["account"]), []).append(row)
        self.checked["cron_job"] = len(rows)
        for account in system_accounts:
            reply = await self.agent.cron.ListCronJobs(
                cron_pb.ListCronJobsRequest(account=account), timeout=CALL_TIMEOUT_SECONDS
            )
            await self._account_cron(account, by_account.get(account, []), reply)

    async def _account_cron(
        self, account: str, rows: list[Row], reply: cron_pb.ListCronJobsResponse
    ) -> None:
        system = {job.id: job for job in reply.jobs}
        recorded = {str(r["name"]) for r in rows}
        self.checked["cron_job"] += len(set(system) - recorded)
        reinstalled = reply.installed
        for row in rows:
            done = await self._cron_job(row, system.get(row["name"]), reinstalled)
            reinstalled = reinstalled or done
        if not reinstalled:
            active = [r for r in rows if r["status"] == "active"]
            if active:
                # Any put of a job installs the account's whole crontab again.
                await self.repair(
                    "cron_job", str(active[0]["name"]), account,
                    "the account's crontab was removed or edited outside JoPanel",
                    "the crontab installed again from the jobs",
                    lambda: self._put_job(active[0]),
                    ("cron_job", int(active[0]["id"]), "active"),
                )  # fmt: skip
            else:
                self.drift("cron_job", account, account, "the crontab differs from its jobs")
        for job_id in sorted(set(system) - recorded):
            self.drift("cron_job", job_id, account, "installed, but has no record")

    async def _cron_job(self, row: Row, system: cron_pb.CronJob | None, installed: bool) -> bool:
        """Settles one job; True when it installed the account's crontab again."""
        name, account, status = str(row["name"]), str(row["account"]), str(row["status"])
        seen = ("cron_job", int(row["id"]), status)
        if status == "pending":
            if system is not None:
                await self.repair(
                    "cron_job", name, account, "pending, and the job is installed",
                    "marked active: the creation had got through",
                    lambda: cron_jobs.set_status(self.pool, int(row["id"]), "active"), seen,
                )  # fmt: skip
            else:
                return await self.create_again(
                    "cron_job", row, "pending, and the job is not installed",
                    lambda: self._put_job(row),
                    lambda: cron_jobs.set_status(self.pool, int(row["id"]), "active"),
                    lambda: cron_jobs.delete(self.pool, int(row["id"])),
                )  # fmt: skip
            return False
        if status == "deleting":

            async def finish() -> None:
                await self.agent.cron.DeleteCronJob(
                    cron_pb.DeleteCronJobRequest(account=account, id=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await cron_jobs.delete(self.pool, int(row["id"]))

            await self.repair("cron_job", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
            return True
        expected = _job_spec(row)
        if system == expected:
            return False
        what = "the job is missing" if system is None else "the job differs from the record"
        return await self.repair(
            "cron_job", name, account, what, "the recorded job installed again",
            lambda: self._put_job(row), seen,
        )  # fmt: skip

    async def _put_job(self, row: Row) -> None:
        await self.agent.cron.CreateCronJob(
            cron_pb.CreateCronJobRequest(account=row["account"], job=_job_spec(row)),
            timeout=CALL_TIMEOUT_SECONDS,
        )

    # --- DNS --------------------------------------------------------------------------------

    async def dns_zones(self) -> None:
        system = {z.name: z.account for z in await self._system_zones()}
        rows = await records.dns_zones(self.pool)
        recorded = {r["name"] for r in rows}
        self.checked["dns_zone"] = len(rows) + len(set(system) - recorded)
        for row in rows:
            if row["account"] in self.on_system or row["status"] == "deleting":
                await self._zone(row, system.get(row["name"]))
        for name in sorted(set(system) - recorded):
            self.drift("dns_zone", name, system[name], "served, but has no record")

    async def _system_zones(self) -> list[dns_pb.DnsZone]:
        found: list[dns_pb.DnsZone] = []
        token = ""
        while True:
            reply = await self.agent.dns.ListDnsZones(
                dns_pb.ListDnsZonesRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            )
            found += reply.zones
            token = reply.next_page_token
            if not token:
                return found

    async def _zone(self, row: Row, owner: str | None) -> None:
        name, account, status = str(row["name"]), str(row["account"]), str(row["status"])
        zone_id, seen = int(row["id"]), ("dns_zone", int(row["id"]), status)
        if owner is not None and owner != account:
            self.drift("dns_zone", name, account, f"served for another account, {owner}")
            return
        if status == "deleting":

            async def finish() -> None:
                await self.agent.dns.DeleteDnsZone(
                    dns_pb.DeleteDnsZoneRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                )
                await dns.delete_zone(self.pool, zone_id)

            await self.repair("dns_zone", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
            return
        if status == "pending":
            if owner is None:
                # Its records are written once the zone is served: it comes back as recorded.
                spec = dns_pb.DnsZone(name=name, account=account, records=[
                    zone_record(r) for r in await records.dns_records(self.pool, zone_id)
                ])  # fmt: skip
                await self.create_again(
                    "dns_zone", row, "pending, and the zone is not served",
                    _call(self.agent.dns.CreateDnsZone, dns_pb.CreateDnsZoneRequest(zone=spec)),
                    lambda: dns.set_zone_status(self.pool, zone_id, "active"),
                    lambda: dns.delete_zone(self.pool, zone_id),
                )  # fmt: skip
                return
            # Served: the creation got through; its records follow the recorded ones below.
            if not await self.repair(
                "dns_zone", name, account, "pending, and the zone is served",
                "marked active: the creation had got through",
                lambda: dns.set_zone_status(self.pool, zone_id, "active"), seen,
            ):  # fmt: skip
                return
            seen = ("dns_zone", zone_id, "active")
        wanted = {
            str(r["public_id"]): zone_record(r)
            for r in await records.dns_records(self.pool, zone_id)
        }
        self.checked["dns_record"] += len(wanted)
        if owner is None:
            spec = dns_pb.DnsZone(name=name, account=account, records=list(wanted.values()))
            await self.repair(
                "dns_zone", name, account, "the zone is not served",
                f"served again with its {len(wanted)} recorded records",
                lambda: self.agent.dns.CreateDnsZone(
                    dns_pb.CreateDnsZoneRequest(zone=spec), timeout=CALL_TIMEOUT_SECONDS
                ),
                seen,
            )  # fmt: skip
            return
        reply = await self.agent.dns.GetDnsZone(
            dns_pb.GetDnsZoneRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
        )
        await self._zone_records(name, account, seen, wanted, reply.zone.records)

    async def _zone_records(
        self,
        zone: str,
        account: str,
        seen: tuple[str, int, str],
        wanted: dict[str, dns_pb.DnsRecord],
        served: Iterable[dns_pb.DnsRecord],
    ) -> None:
        """A zone's records follow the recorded ones: the records are the panel's, and the
        agent's copy is what the panel asked for (a record no request answered for goes)."""
        have = {r.id: r for r in served}
        self.checked["dns_record"] += len(set(have) - set(wanted))
        for record_id, record in sorted(wanted.items()):
            if have.get(record_id) == record:
                continue
            what = "missing" if record_id not in have else "differs from the record"
            await self.repair(
                "dns_record", f"{zone}/{record_id}", account, f"the record is {what}",
                "the recorded record served again",
                _call(
                    self.agent.dns.CreateDnsRecord,
                    dns_pb.CreateDnsRecordRequest(zone=zone, record=record),
                ),
                seen,
            )  # fmt: skip
        for record_id in sorted(set(have) - set(wanted)):
            await self.repair(
                "dns_record", f"{zone}/{record_id}", account,
                "served, but has no record (a change cut short before it was recorded)",
                "removed from the zone",
                _call(
                    self.agent.dns.DeleteDnsRecord,
                    dns_pb.DeleteDnsRecordRequest(zone=zone, id=record_id),
                ),
                seen,
            )  # fmt: skip


def _call(
    rpc: Callable[..., Awaitable[object]], request: object
) -> Callable[[], Awaitable[object]]:
    """One agent call, made when the repair runs (a stub call starts the moment it is made)."""

    async def call() -> None:
        await rpc(request, timeout=CALL_TIMEOUT_SECONDS)

    return call


def _site_suspended(row: Row) -> bool:
    # An account's suspension suspends its sites; a site may also be suspended on its own.
    return bool(row["status"] == "suspended" or row["account_status"] == "suspended")


def site_spec(row: Row) -> web_pb.WebDomain:
    """The website as its record describes it, as CreateWebDomain takes it."""
    spec = web_pb.WebDomain(
        name=row["name"], account=row["account"], aliases=domains.aliases_of(row)
    )
    kind = row["backend"]
    if kind == "php":
        spec.php.version = row["php_version"]
    elif kind == "proxy":
        spec.proxy.port = row["proxy_port"]
    elif kind == "redirect":
        spec.redirect.url = row["redirect_url"]
        spec.redirect.code = (
            web_pb.REDIRECT_CODE_PERMANENT
            if row["redirect_code"] == 301
            else web_pb.REDIRECT_CODE_TEMPORARY
        )
        spec.redirect.preserve_path = bool(row["redirect_preserve_path"])
    else:
        spec.static.SetInParent()
    return spec


def _job_spec(row: Row) -> cron_pb.CronJob:
    return cron_pb.CronJob(
        id=row["name"],
        schedule=row["schedule"],
        command=row["command"],
        enabled=bool(row["enabled"]),
    )


def zone_record(row: Row) -> dns_pb.DnsRecord:
    """A recorded DNS record as the agent takes it."""
    record = RecordBody.model_validate(
        {"type": row["type"], "name": row["name"], "ttl": row["ttl"], **dns.data_of(row)}
    ).root
    return to_proto(str(row["public_id"]), record)
