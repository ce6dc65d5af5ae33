"""Resellers: administrators create them with totals, change and delete them.

What the totals mean and how the accounts on a reseller's plans reserve them:
gateway/store/resellers.py and docs/resellers.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS, at_once
from gateway.auth.passwords import hash_password
from gateway.context import Context
from gateway.problems import Problem, conflict, not_found
from gateway.store import accounts, users
from gateway.store import resellers as store
from gateway.store.accounts import AccountRecord
from gateway.store.resellers import ResellerRecord, Reserved, Totals
from gateway.store.suspensions import Suspension


@dataclass(frozen=True)
class ResellerState:
    """A reseller with what its accounts reserve of its totals."""

    record: ResellerRecord
    reserved: Reserved

    @property
    def name(self) -> str:  # what a page of resellers is ordered by
        return self.record.name


@dataclass(frozen=True)
class ResellerChanges:
    """What an update changes: the fields sent (an e-mail sent as null clears it)."""

    fields: frozenset[str]
    password: str | None
    email: str | None
    totals: Totals


def totals_reached(exc: Exception) -> Problem:
    """A change that would reserve more than a reseller's totals; the message says which."""
    return Problem(403, "Reseller totals reached", str(exc))


async def get(ctx: Context, name: str) -> ResellerRecord | None:
    return await store.get(ctx.db, name)


async def read(ctx: Context, record: ResellerRecord) -> ResellerState:
    return ResellerState(record, await store.reserved(ctx.db, record.id))


async def page(ctx: Context, after: str, limit: int) -> list[ResellerState]:
    # One query per reseller for its reservations: a page holds at most 201 resellers.
    return [await read(ctx, r) for r in await store.page(ctx.db, after, limit)]


async def create(
    ctx: Context, name: str, password: str, email: str | None, totals: Totals, *, rounds: int
) -> ResellerState:
    async with ctx.audited("reseller.create", name):
        password_hash = await hash_password(password, rounds)
        try:
            await store.insert(ctx.db, name, password_hash, email, totals)
        except store.NameTaken as exc:
            raise conflict(f"The name '{name}' is taken.") from exc
    return await read(ctx, await _read(ctx, name))


async def update(
    ctx: Context, reseller: ResellerRecord, changes: ResellerChanges, *, rounds: int
) -> ResellerState:
    """New totals (409 below what its accounts reserve), e-mail or password."""
    detail = ",".join(sorted(changes.fields))
    async with ctx.audited("reseller.update", reseller.name, detail=detail):
        email = changes.email if "email" in changes.fields else reseller.email
        try:
            await store.update(ctx.db, reseller.id, email, changes.totals)
        except store.TotalsExceeded as exc:
            raise conflict(f"{exc} Move or delete accounts first.") from exc
        if changes.password is not None:
            await users.set_password(
                ctx.db, reseller.id, await hash_password(changes.password, rounds)
            )
    return await read(ctx, await _read(ctx, reseller.name))


async def delete(ctx: Context, reseller: ResellerRecord) -> None:
    """Removes the reseller and its plans; 409 while any account is on one of them (an
    administrator moves them to its own plans first, or deletes them)."""
    async with ctx.audited("reseller.delete", reseller.name):
        if not await store.delete(ctx.db, reseller.id):
            raise conflict(
                f"Accounts are on plans of reseller '{reseller.name}'; move or delete them first."
            )


@dataclass(frozen=True)
class NotDone:
    """An account the agent refused to suspend or resume, and what it said."""

    account: str
    detail: str


@dataclass(frozen=True)
class Cascade:
    """A reseller suspended or resumed, with the accounts that followed and those that did
    not (still as they were: a retry of the same call does them)."""

    state: ResellerState
    done: list[str]
    not_done: list[NotDone]


async def suspend(ctx: Context, reseller: ResellerRecord, reason: str | None) -> Cascade:
    """Suspends the reseller (its sessions end) and every active account on its plans, each
    as an administrator's suspension made with the reseller's (docs/resellers.md). The
    reseller is suspended first: however many accounts the agent refuses, it cannot sign in,
    and calling this again suspends the accounts still active."""
    async with ctx.audited("reseller.suspend", reseller.name, detail=reason or ""):
        await store.set_suspended(ctx.db, reseller.id, ctx.me.name, reason)
        suspension = Suspension(by="admin", user=ctx.me.name, reason=reason)
        active = await accounts.of_reseller(ctx.db, reseller.id, "active")
        done, not_done = _followed(
            active, await at_once(active, lambda a: _suspend_account(ctx, a, suspension))
        )
    return Cascade(await read(ctx, await _read(ctx, reseller.name)), done, not_done)


async def unsuspend(ctx: Context, reseller: ResellerRecord) -> Cascade:
    """Lifts the reseller's suspension and exactly the account suspensions it made: an
    account an administrator suspended on its own (before or since) stays suspended. Calling
    this again resumes the accounts the agent refused before."""
    async with ctx.audited("reseller.unsuspend", reseller.name):
        await store.set_active(ctx.db, reseller.id)
        made = await accounts.of_reseller(ctx.db, reseller.id, "suspended", with_reseller=True)
        done, not_done = _followed(made, await at_once(made, lambda a: _unsuspend_account(ctx, a)))
    return Cascade(await read(ctx, await _read(ctx, reseller.name)), done, not_done)


def _followed(
    records: Sequence[AccountRecord], outcomes: Sequence[NotDone | BaseException | None]
) -> tuple[list[str], list[NotDone]]:
    """The accounts that followed their reseller and those the agent refused, in order. The
    calls go at_once: a reseller's hundreds of accounts share the agent's batches (their sites
    go offline in a few nginx reloads, not one each). Anything but a refusal goes on."""
    done: list[str] = []
    not_done: list[NotDone] = []
    for account, outcome in zip(records, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            raise outcome
        (done.append(account.name) if outcome is None else not_done.append(outcome))
    return done, not_done


async def _suspend_account(
    ctx: Context, account: AccountRecord, suspension: Suspension
) -> NotDone | None:
    # The system first, then the record (as services/accounts.py does): a refusal leaves the
    # account active in both, for the next call; an unknown outcome the reconcile settles.
    try:
        async with ctx.audited("account.suspend", account.name, detail=_with(suspension)):
            await ctx.agent.accounts.SuspendAccount(
                pb.SuspendAccountRequest(name=account.name), timeout=CALL_TIMEOUT_SECONDS
            )
            await accounts.set_suspended(ctx.db, account.id, suspension, with_reseller=True)
    except grpc.aio.AioRpcError as exc:
        return NotDone(account.name, f"{exc.code().name}: {exc.details()}")
    return None


async def _unsuspend_account(ctx: Context, account: AccountRecord) -> NotDone | None:
    try:
        async with ctx.audited("account.unsuspend", account.name, detail="with its reseller"):
            await ctx.agent.accounts.UnsuspendAccount(
                pb.UnsuspendAccountRequest(name=account.name), timeout=CALL_TIMEOUT_SECONDS
            )
            await accounts.set_active(ctx.db, account.id)
    except grpc.aio.AioRpcError as exc:
        return NotDone(account.name, f"{exc.code().name}: {exc.details()}")
    return None


def _with(suspension: Suspension) -> str:
    return "with its reseller" + (f": {suspension.reason}" if suspension.reason else "")


async def _read(ctx: Context, name: str) -> ResellerRecord:
    found = await store.get(ctx.db, name)
    if found is None:  # deleted by another request in between
        raise not_found(f"Reseller '{name}'")
    return found
