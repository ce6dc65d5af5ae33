"""Resellers: administrators create them with totals, change and delete them.

What the totals mean and how the accounts on a reseller's plans reserve them:
gateway/store/resellers.py and docs/resellers.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.auth.passwords import hash_password
from gateway.context import Context
from gateway.problems import Problem, conflict, not_found
from gateway.store import resellers as store
from gateway.store import users
from gateway.store.resellers import ResellerRecord, Reserved, Totals


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


async def _read(ctx: Context, name: str) -> ResellerRecord:
    found = await store.get(ctx.db, name)
    if found is None:  # deleted by another request in between
        raise not_found(f"Reseller '{name}'")
    return found
