"""Hosting plans: the flows that create, change and delete them.

A plan's disk and inode quotas are kept by the kernel for every account on it
(gateway/services/quotas.py): a change reaches each account through the agent, and is refused
while any account already uses more than the new limits. Its ssh_shell setting reaches each of
its accounts that has a login shell the same way (gateway/services/ssh.py, docs/sftp.md), and
its php_open_basedir setting to each of its accounts' PHP pools (docs/web.md).
"""

from __future__ import annotations

import contextlib
from typing import Any

import grpc

from gateway.context import Context
from gateway.problems import conflict, field_error, not_found
from gateway.services import php_settings, quotas, ssh
from gateway.services.jobs import require_repository
from gateway.services.resellers import totals_reached
from gateway.store import accounts, php_pools, resellers
from gateway.store import plans as store
from gateway.store.plans import DEFAULT_PLAN, WRITABLE, PlanRecord

# Limits and settings by column (the models have checked each value's type).
Limits = dict[str, Any]


async def get(ctx: Context, name: str) -> PlanRecord | None:
    return await store.get(ctx.db, name)


async def page(ctx: Context, after: str, limit: int) -> list[PlanRecord]:
    """Plans in name order: every plan for an administrator, its own for a reseller."""
    reseller_id = ctx.me.user_id if ctx.me.is_reseller else None
    return await store.page(ctx.db, after, limit, reseller_id=reseller_id)


async def create(ctx: Context, name: str, limits: Limits) -> PlanRecord:
    """A new plan: an administrator's, or the calling reseller's within what is left of its
    totals (docs/resellers.md)."""
    async with ctx.audited("plan.create", name):
        await require_repository(
            ctx, str(limits.get("backup_repository") or ""), field="backup_repository"
        )
        reseller_id = None
        if ctx.me.is_reseller:
            reseller_id = ctx.me.user_id
            _check_reseller_plan(ctx, name, limits)
        if limits.get("disk_quota_mb") is not None or limits.get("inode_quota") is not None:
            await quotas.require_enforced(ctx.agent)
        try:
            await store.create(
                ctx.db, name, {k: limits.get(k) for k in WRITABLE}, reseller_id=reseller_id
            )
        except store.NameTaken as exc:
            raise conflict(f"A plan named '{name}' exists already.") from exc
        except resellers.TotalsExceeded as exc:
            raise totals_reached(exc) from exc
    return await _read(ctx, name)


def _running_static(names: list[str]) -> list[str]:
    return [f"static PHP pools ({', '.join(names)})"] if names else []


def _check_reseller_plan(ctx: Context, name: str | None, limits: Limits) -> None:
    """A reseller's plan is named after it (no two resellers' plan names collide, and none
    takes a name an administrator would want), and gives no VPN nor PHP outside the accounts'
    homes, which are an administrator's grants (docs/resellers.md). 422: the document allows
    them."""
    if name is not None and not name.startswith(f"{ctx.me.name}_"):
        raise field_error("name", f"a reseller's plan names start with '{ctx.me.name}_'")
    if limits.get("max_vpn_clients", 0) != 0:
        raise field_error("max_vpn_clients", "a reseller's plans give no VPN clients (0)")
    if limits.get("php_open_basedir", True) is not True:
        raise field_error("php_open_basedir", "a reseller's plans keep PHP in the homes (true)")
    if limits.get("php_static_pools", False) is not False:
        raise field_error("php_static_pools", "a reseller's plans grant no static pools (false)")


async def update(ctx: Context, plan: PlanRecord, changes: Limits) -> PlanRecord:
    """Changes the limits given; refused (409) below what any account on the plan uses."""
    async with ctx.audited("plan.update", plan.name, detail=",".join(sorted(changes))):
        await require_repository(
            ctx, str(changes.get("backup_repository") or ""), field="backup_repository"
        )
        if ctx.me.is_reseller:
            _check_reseller_plan(ctx, None, changes)
        exceeding = await store.over_limits(ctx.db, changes, plan_id=plan.id)
        ungranting = changes.get("php_static_pools") is False and plan.php_static_pools
        if ungranting:
            exceeding += _running_static(await php_pools.static(ctx.db, plan_id=plan.id))
        previous = quotas.Limits.of_plan(plan)
        limits = quotas.Limits(
            changes.get("disk_quota_mb", plan.disk_quota_mb),
            changes.get("inode_quota", plan.inode_quota),
        )
        names: list[str] = []
        if limits != previous:
            if limits.any:
                await quotas.require_enforced(ctx.agent)
            names = await accounts.names_on_plan(ctx.db, plan.id)
            exceeding += await quotas.over_limit(ctx.agent, names, limits)
        if exceeding:
            raise conflict(
                f"Accounts on plan '{plan.name}' already use more: {'; '.join(exceeding)}."
                " Lower their usage or move them to another plan first."
            )
        before = {k: getattr(plan, k) for k in changes}
        try:
            await store.update(ctx.db, plan.id, changes, reseller_id=plan.reseller_id)
        except resellers.TotalsExceeded as exc:
            raise totals_reached(exc) from exc
        if ungranting and (racing := await php_pools.static(ctx.db, plan_id=plan.id)):
            # An account's pool made static while this change was checked (php_settings
            # .set_pool reads the plan again once recorded, so one of the two sees the other).
            await store.update(ctx.db, plan.id, before)
            raise conflict(
                f"Accounts on plan '{plan.name}' now run {_running_static(racing)[0]}:"
                " set them to dynamic or ondemand first."
            )
        shells = await _shell_change(ctx, plan, changes)
        basedir = changes.get("php_open_basedir", plan.php_open_basedir)

        async def undo_record() -> None:
            await store.update(ctx.db, plan.id, before)

        async def undo_shells() -> None:
            await undo_record()
            if shells is not None:  # set back as the record now says
                with contextlib.suppress(grpc.aio.AioRpcError):
                    await ssh.set_shells(ctx.agent, shells, plan.ssh_shell, undo=_nothing)

        async def undo() -> None:
            await undo_shells()
            if basedir != plan.php_open_basedir:
                with contextlib.suppress(grpc.aio.AioRpcError):
                    await php_settings.set_open_basedir(
                        ctx, plan.id, plan.php_open_basedir, undo=_nothing
                    )

        if shells is not None:
            await ssh.set_shells(ctx.agent, shells, not plan.ssh_shell, undo=undo_record)
            await ssh.settle_shells(ctx, shells, not plan.ssh_shell)
        if basedir != plan.php_open_basedir:
            await php_settings.set_open_basedir(ctx, plan.id, bool(basedir), undo=undo_shells)
        await quotas.apply(ctx.agent, names, limits, previous=previous, undo=undo)
        if limits != previous:
            await quotas.settle_plan(ctx, plan.id, names, limits)
    return await _read(ctx, plan.name)


async def _shell_change(ctx: Context, plan: PlanRecord, changes: Limits) -> list[str] | None:
    """The accounts whose shell over SSH the change switches (those on the plan with a login
    shell), or None when it leaves ssh_shell as it is."""
    wanted = changes.get("ssh_shell")
    if wanted is None or bool(wanted) == plan.ssh_shell:
        return None
    return await accounts.names_with_shell_on_plan(ctx.db, plan.id)


async def _nothing() -> None:
    return None


async def delete(ctx: Context, plan: PlanRecord) -> None:
    async with ctx.audited("plan.delete", plan.name):
        if plan.name == DEFAULT_PLAN:
            raise conflict("The default plan cannot be deleted; new accounts start on it.")
        if plan.accounts:
            raise conflict(
                f"{plan.accounts} account(s) are on plan '{plan.name}'; move them first."
            )
        await store.delete(ctx.db, plan.id)


async def _read(ctx: Context, name: str) -> PlanRecord:
    plan = await store.get(ctx.db, name)
    if plan is None:  # deleted by another request in between
        raise not_found(f"Plan '{name}'")
    return plan
