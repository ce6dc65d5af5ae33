"""Hosting accounts: the flows that create, change, suspend and delete them.

Creating and deleting follow the panel's consistency rule: the change is recorded first
(pending / deleting), applied through the agent, then completed or rolled back, so a crash in
between leaves a record that says so rather than one that claims what is not there.

Deleting an account has one owner per side (docs/architecture.md, Cascades): one DeleteAccount
call, in which the agent removes everything the account has on the system (sites and their
files, zones, databases, crontab, app sockets), then one DELETE of the user row, whose foreign
keys remove every record of the account. Suspending one is one SuspendAccount, in which the
agent suspends the account's websites too; UnsuspendAccount resumes only those.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS
from gateway.auth.passwords import hash_password
from gateway.consistency import applying
from gateway.context import Context
from gateway.problems import Problem, conflict, field_error, not_found
from gateway.services import php_settings, quotas, ssh
from gateway.services.resellers import totals_reached
from gateway.services.suspensions import refuse_owner_over_admin, suspension_by
from gateway.store import accounts as store
from gateway.store import php_pools, plans, resellers, users
from gateway.store.accounts import AccountRecord, ShellName
from gateway.store.plans import PlanRecord

_SHELLS: dict[str, pb.Shell.ValueType] = {
    "nologin": pb.SHELL_NOLOGIN,
    "bash": pb.SHELL_BASH,
    "sh": pb.SHELL_SH,
}
# The states in which the account exists on the system, so the agent can report on it.
_ON_SYSTEM = ("active", "suspended")


@dataclass(frozen=True)
class AccountState:
    """An account as recorded, and as the agent reports it (None: not asked, or not there)."""

    record: AccountRecord
    system: pb.Account | None = None

    @property
    def name(self) -> str:  # what a page of accounts is ordered by
        return self.record.name


@dataclass(frozen=True)
class AccountChanges:
    """What an update changes: the fields sent; a None leaves it as it is, except e-mail,
    which a null sent clears."""

    fields: frozenset[str]
    password: str | None = None
    email: str | None = None
    shell: ShellName | None = None
    plan: str | None = None


async def get(ctx: Context, name: str) -> AccountRecord | None:
    return await store.get(ctx.db, name)


async def page(ctx: Context, after: str, prefix: str, limit: int) -> list[AccountState]:
    """Accounts in name order after `after` whose names start with `prefix` (a reseller's
    own only, for a reseller), with the agent's view of those on the system."""
    reseller_id = ctx.me.user_id if ctx.me.is_reseller else None
    records = await store.page(ctx.db, after, prefix, limit, reseller_id=reseller_id)
    systems = await _systems_of(ctx, [r.name for r in records if r.status in _ON_SYSTEM])
    return [AccountState(r, systems.get(r.name)) for r in records]


async def _systems_of(ctx: Context, names: list[str]) -> dict[str, pb.Account]:
    """The agent's view of a page of accounts, in one call. A list is for finding accounts:
    it still answers, without the system part, while the agent cannot."""
    if not names:
        return {}
    try:
        found = await ctx.agent.accounts_named(names)
    except grpc.aio.AioRpcError:
        return {}
    return {account.name: account for account in found}


async def read(ctx: Context, account: AccountRecord) -> AccountState:
    """The account with the agent's view of it; an account the agent does not have (pending,
    or removed behind the panel's back) comes without one."""
    if account.status not in _ON_SYSTEM:
        return AccountState(account)
    try:
        reply = await ctx.agent.accounts.GetAccount(
            pb.GetAccountRequest(name=account.name), timeout=CALL_TIMEOUT_SECONDS
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return AccountState(account)
    return AccountState(account, reply.account)


async def create(
    ctx: Context,
    *,
    name: str,
    password: str,
    email: str | None,
    shell: ShellName,
    plan_name: str,
    bcrypt_rounds: int,
) -> AccountState:
    async with ctx.audited("account.create", name):
        plan = await _plan(ctx, plan_name)
        password_hash = await hash_password(password, bcrypt_rounds)
        try:
            user_id = await store.insert_pending(ctx.db, name, password_hash, email, shell, plan)
        except store.NameTaken as exc:
            raise conflict(f"The name '{name}' is taken.") from exc
        except resellers.TotalsExceeded as exc:
            raise totals_reached(exc) from exc
        except resellers.ResellerSuspended as exc:
            raise _reseller_suspended(plan) from exc
        request = pb.CreateAccountRequest(
            name=name,
            password=password,
            shell=_SHELLS[shell],
            disk_quota_mb=plan.disk_quota_mb or 0,
            inode_quota=plan.inode_quota or 0,
        )
        async with applying(undo=lambda: store.delete(ctx.db, user_id)):
            reply = await ctx.agent.accounts.CreateAccount(request, timeout=CALL_TIMEOUT_SECONDS)
        await store.set_status(ctx.db, user_id, "active")
        # The plan as it is now that the account is on the system: a change of the plan that
        # listed its accounts before this one was did not reach it. The account exists
        # whatever these say; should one fail, the reconcile settles it.
        wants = (await store.plan_wants(ctx.db, [name])).get(name)
        if wants is not None:
            made = quotas.Limits.of_plan(plan)  # as CreateAccount set them
            if quotas.Limits(wants.disk_quota_mb, wants.inode_quota) != made:
                await quotas.settle(ctx, name, known=made)
            if wants.ssh_shell:
                await ssh.settle_shell(ctx, name, known=False)
            if not wants.php_open_basedir:
                # The agent's default keeps PHP in the home: should this fail, it stays there
                # (the safe side) until a php-pool change, a move or the reconcile sends it.
                await php_settings.settle_pool(ctx, name)
    return AccountState(await _read(ctx, name), reply.account)


async def update(
    ctx: Context, account: AccountRecord, changes: AccountChanges, *, bcrypt_rounds: int
) -> AccountState:
    async with ctx.audited("account.update", account.name, detail=",".join(sorted(changes.fields))):
        plan_id = account.plan_id
        plan: PlanRecord | None = None
        mask = [f for f in ("password", "shell") if getattr(changes, f) is not None]
        limits = quotas.Limits(None, None)
        if changes.plan is not None and changes.plan != account.plan:
            plan = await _plan(ctx, changes.plan)
            plan_id = plan.id
            limits = await _check_plan_fits(ctx, account, plan)
            if account.status in _ON_SYSTEM:
                mask.extend(["disk_quota_mb", "inode_quota"])
        pools: php_pools.PoolState | None = None  # before a move; None: not on the system
        if plan is not None:
            pools = await php_pools.state_of(ctx.db, account.name)
            if pools is not None and plan.php_open_basedir and not pools.open_basedir:
                # Kept to the home first: should the rest fail, the account's PHP is confined
                # on a plan that does not ask it (the safe side), never let out on one that does.
                pools = php_pools.PoolState(pools.record, True)
                await php_settings.send_pool(ctx.agent, account.name, pools.record, True)
            await _move(ctx, account, plan)
        async with applying(undo=lambda: _restore_plan(ctx, account)):
            system = await _update_system(ctx, account, changes, limits, mask) if mask else None
        await store.update(
            ctx.db,
            account.id,
            email=changes.email if "email" in changes.fields else account.email,
            shell=changes.shell or account.shell,
            plan_id=plan_id,
        )
        if changes.password is not None:
            password_hash = await hash_password(changes.password, bcrypt_rounds)
            await users.set_password(ctx.db, account.id, password_hash)
        if account.status in _ON_SYSTEM and plan is not None:
            # The new plan's limits as it says now: a change of it that listed its accounts
            # before this one was on it is followed too (quotas.settle).
            await quotas.settle(ctx, account.name, known=limits)
        if account.status in _ON_SYSTEM and (plan is not None or changes.shell is not None):
            # As the records say now (a change of the plan's ssh_shell may have raced this
            # one); recorded already, so a failure here is settled by the reconcile.
            await ssh.settle_shell(ctx, account.name)
        if pools is not None:
            # As the new plan says now: a change of its open_basedir that listed its accounts
            # before this one was on it is followed too (settle_pool). Letting PHP out comes
            # last: should it fail, the account's PHP stays in its home (the safe side) until
            # a php-pool change, a move or the reconcile sends it again.
            await php_settings.settle_pool(ctx, account.name, known=pools)
    return AccountState(await _read(ctx, account.name), system)


async def _move(ctx: Context, account: AccountRecord, plan: PlanRecord) -> None:
    """Records the account on its new plan before the agent applies its limits: a reseller's
    plan reserves its limits of the reseller's totals, checked under the reseller's lock."""
    try:
        await store.move(ctx.db, account.id, plan)
    except resellers.TotalsExceeded as exc:
        raise totals_reached(exc) from exc
    except resellers.ResellerSuspended as exc:
        raise _reseller_suspended(plan) from exc


def _reseller_suspended(plan: PlanRecord) -> Problem:
    # Only an administrator meets this: a suspended reseller cannot sign in.
    return conflict(f"Plan '{plan.name}' is a suspended reseller's; unsuspend the reseller first.")


async def _restore_plan(ctx: Context, account: AccountRecord) -> None:
    """Puts the account back on its plan when the agent refused its new one's limits."""
    await store.update(
        ctx.db, account.id, email=account.email, shell=account.shell, plan_id=account.plan_id
    )


async def _update_system(
    ctx: Context,
    account: AccountRecord,
    changes: AccountChanges,
    limits: quotas.Limits,
    mask: list[str],
) -> pb.Account:
    """The agent's part of an update: the password, shell and disk limits named in `mask`."""
    request = pb.UpdateAccountRequest(
        name=account.name,
        password=changes.password or "",
        shell=_SHELLS[changes.shell or account.shell],
        disk_quota_mb=limits.disk_mb or 0,
        inode_quota=limits.inodes or 0,
    )
    request.update_mask.paths.extend(mask)
    reply = await ctx.agent.accounts.UpdateAccount(request, timeout=CALL_TIMEOUT_SECONDS)
    return reply.account


async def _check_plan_fits(ctx: Context, account: AccountRecord, plan: PlanRecord) -> quotas.Limits:
    """The disk limits of the account's new plan; 409 when the account uses more than any of
    the plan's limits."""
    exceeding = await plans.over_limits(ctx.db, plan.limits(), account_id=account.id)
    if not plan.php_static_pools and await php_pools.static(ctx.db, account_id=account.id):
        exceeding.append(f"{account.name} runs static PHP pools, which it does not grant")
    limits = quotas.Limits(None, None)
    if account.status in _ON_SYSTEM:
        limits = quotas.Limits.of_plan(plan)
        exceeding += await quotas.over_limit(ctx.agent, [account.name], limits)
    if exceeding:
        raise conflict(f"Plan '{plan.name}' is too small: {'; '.join(exceeding)}.")
    return limits


async def delete(ctx: Context, account: AccountRecord) -> None:
    async with ctx.audited("account.delete", account.name):
        await store.set_status(ctx.db, account.id, "deleting")
        async with applying(undo=lambda: store.set_status(ctx.db, account.id, account.status)):
            await ctx.agent.accounts.DeleteAccount(
                pb.DeleteAccountRequest(name=account.name), timeout=CALL_TIMEOUT_SECONDS
            )
        await store.delete(ctx.db, account.id)


async def suspend(ctx: Context, account: AccountRecord, reason: str | None) -> AccountState:
    # Suspending again would make a higher rank's suspension the caller's own.
    refuse_owner_over_admin(ctx.me, account, f"Account '{account.name}'")
    async with ctx.audited("account.suspend", account.name, detail=reason or ""):
        # The agent suspends the account's websites with it (docs/agent.md, One owner per
        # cascade); their records keep their own status.
        reply = await ctx.agent.accounts.SuspendAccount(
            pb.SuspendAccountRequest(name=account.name), timeout=CALL_TIMEOUT_SECONDS
        )
        await store.set_suspended(ctx.db, account.id, suspension_by(ctx.me, reason))
    return AccountState(await _read(ctx, account.name), reply.account)


async def unsuspend(ctx: Context, account: AccountRecord) -> AccountState:
    refuse_owner_over_admin(ctx.me, account, f"Account '{account.name}'")
    async with ctx.audited("account.unsuspend", account.name):
        # The agent resumes only the websites the account's suspension suspended: those the
        # owner or an administrator suspended on their own stay suspended.
        reply = await ctx.agent.accounts.UnsuspendAccount(
            pb.UnsuspendAccountRequest(name=account.name), timeout=CALL_TIMEOUT_SECONDS
        )
        await store.set_active(ctx.db, account.id)
    return AccountState(await _read(ctx, account.name), reply.account)


async def _plan(ctx: Context, name: str) -> PlanRecord:
    """The plan named; a reseller sees its own plans only (docs/resellers.md)."""
    plan = await plans.get(ctx.db, name)
    if plan is None or not (ctx.me.is_admin or plan.reseller_id == ctx.me.user_id):
        hint = "; name one of your own plans" if ctx.me.is_reseller else ""
        raise field_error("plan", f"there is no plan named '{name}'{hint}")
    return plan


async def _read(ctx: Context, name: str) -> AccountRecord:
    """The account as recorded after a change (its times are the database's)."""
    account = await store.get(ctx.db, name)
    if account is None:  # deleted by another request in between
        raise not_found(f"Account '{name}'")
    return account
