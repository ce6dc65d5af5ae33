"""PHP per site and per account: a site's ini values and an account's pool limits, each within
the bounds of the account's plan (docs/web.md, PHP settings per site).

A site's settings travel in its PHP backend (the `php_settings` column, JSON text written here
only), so every path that sends the site to the agent (create, update, move, the reconcile)
sends them too. The plan's bounds are the gateway's to check (422 above one); the agent checks
the absolute ranges itself.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Final

from jopanel.agent.web.v1 import web_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS, Agent, each
from gateway.consistency import applying, settle, settle_each
from gateway.context import Context
from gateway.problems import FieldError, Problem, conflict, unprocessable
from gateway.services import domains
from gateway.store import php_pools
from gateway.store import plans as plans_store
from gateway.store.accounts import AccountRecord
from gateway.store.domains import DomainRecord
from gateway.store.php_pools import PhpPoolRecord, ProcessManager
from gateway.store.plans import PlanRecord
from jopanel_rules.web import PHP_MAX_CHILDREN_DEFAULT, PHP_MAX_CHILDREN_MAX, PHP_SETTING_RANGES

Values = dict[str, int | bool]
# Which plan column bounds each setting (the upload bound holds for the POST body too).
_PLAN_BOUNDS: Final = {
    "memory_limit_mb": "max_php_memory_mb",
    "upload_max_filesize_mb": "max_php_upload_mb",
    "post_max_size_mb": "max_php_upload_mb",
    "max_execution_time_seconds": "max_php_execution_seconds",
    "max_input_vars": "max_php_input_vars",
}
_PM: Final[dict[ProcessManager, pb.ProcessManager.ValueType]] = {
    "ondemand": pb.PROCESS_MANAGER_ONDEMAND,
    "dynamic": pb.PROCESS_MANAGER_DYNAMIC,
    "static": pb.PROCESS_MANAGER_STATIC,
}
PM_NAMES: Final = {value: name for name, value in _PM.items()}


def values_of(domain: DomainRecord) -> Values:
    """The site's settings as they apply: its own, the defaults for the rest."""
    own = json.loads(domain.php_settings) if domain.php_settings else {}
    values: Values = {name: int(own.get(name, r[2])) for name, r in PHP_SETTING_RANGES.items()}
    values["display_errors"] = bool(own.get("display_errors", False))
    return values


async def bounds(ctx: Context, account_id: int) -> dict[str, int]:
    plan = await _plan(ctx, account_id)
    return {name: _bound(plan, name) for name in PHP_SETTING_RANGES}


async def update_site(ctx: Context, domain: DomainRecord, changes: Values) -> DomainRecord:
    """Applies the changed settings (the others stay) to the site, within its plan."""
    if domain.backend != "php":
        raise conflict(f"{domain.name} is not a PHP site; its backend is {domain.backend}.")
    values = {**values_of(domain), **changes}
    await check_values(ctx, domain.account_id, values)
    text = json.dumps(values, sort_keys=True, separators=(",", ":"))
    backend = dataclasses.replace(domain.site_backend, php_settings=text)
    return await domains.update(ctx, domain, None, backend)


async def check_values(ctx: Context, account_id: int, values: Values) -> None:
    """422 naming each setting above the account's plan's bound (a restore checks the
    backup's values with it too: services/backup_records.py)."""
    plan = await _plan(ctx, account_id)
    errors = [
        FieldError(name, f"must be at most {_bound(plan, name)} on plan '{plan.name}'")
        for name in PHP_SETTING_RANGES
        if int(values[name]) > _bound(plan, name)
    ]
    if values["post_max_size_mb"] < values["upload_max_filesize_mb"]:
        errors.append(FieldError("post_max_size_mb", "must be at least upload_max_filesize_mb"))
    if errors:
        raise unprocessable("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


async def pool_of(ctx: Context, account: AccountRecord) -> tuple[PhpPoolRecord, PlanRecord]:
    """The account's pool limits and its plan (the most workers, open_basedir)."""
    record = await php_pools.get(ctx.db, account.id)
    return record or DEFAULT_POOL, await _plan(ctx, account.id)


async def set_pool(
    ctx: Context, account: AccountRecord, pm: ProcessManager | None, max_children: int | None
) -> tuple[PhpPoolRecord, PlanRecord]:
    previous = await php_pools.get(ctx.db, account.id)
    current = previous or DEFAULT_POOL
    wanted = PhpPoolRecord(pm or current.pm, max_children or current.max_children)
    plan = await _plan(ctx, account.id)
    bound = children_bound(plan)
    if wanted.max_children > bound:
        message = f"must be at most {bound} on plan '{plan.name}'"
        raise unprocessable(f"max_children: {message}", [FieldError("max_children", message)])
    _require_static_allowed(wanted, plan)
    async with ctx.audited("account.php_pool", account.name, f"{wanted.pm},{wanted.max_children}"):
        await php_pools.put(ctx.db, account.id, wanted)
        if wanted.pm == "static":
            # Read again once recorded: a plan's change taking the grant away checks its
            # accounts once its own record is written, so one of the two sees the other.
            try:
                plan = await _plan(ctx, account.id)
                _require_static_allowed(wanted, plan)
            except Problem:
                await php_pools.put(ctx.db, account.id, previous)
                raise
        async with applying(undo=lambda: php_pools.put(ctx.db, account.id, previous)):
            await settle_pool(ctx, account.name)
    return wanted, plan


def _require_static_allowed(wanted: PhpPoolRecord, plan: PlanRecord) -> None:
    if wanted.pm == "static" and not plan.php_static_pools:
        message = f"static pools are not granted on plan '{plan.name}' (php_static_pools)"
        raise unprocessable(f"pm: {message}", [FieldError("pm", message)])


async def send_pool(
    agent: Agent, name: str, record: PhpPoolRecord | None, open_basedir: bool
) -> None:
    """The account's pools to its limits (None: the defaults) and its plan's open_basedir."""
    record = record or DEFAULT_POOL
    await agent.web.SetPhpPoolLimits(
        pb.SetPhpPoolLimitsRequest(
            account=name,
            pm=_PM[record.pm],
            max_children=record.max_children,
            without_open_basedir=not open_basedir,
        ),
        timeout=CALL_TIMEOUT_SECONDS,
    )


async def settle_pool(ctx: Context, name: str, *, known: php_pools.PoolState | None = None) -> None:
    """The account's pools as its records say now (consistency.settle): a plan's open_basedir,
    a move or another pool change racing this one could otherwise leave, say, an account's
    PHP out of its home on a plan that keeps it in (docs/web.md, open_basedir per plan)."""

    async def send(state: php_pools.PoolState) -> None:
        await send_pool(ctx.agent, name, state.record, state.open_basedir)

    read = functools.partial(php_pools.state_of, ctx.db, name)
    await settle(f"the PHP pools of {name}", read, send, known=known)


async def set_open_basedir(
    ctx: Context, plan_id: int, open_basedir: bool, *, undo: Callable[[], Awaitable[object]]
) -> None:
    """Keeps the PHP of every account on the plan to its home, or lets it out; when the agent
    fails, the accounts already changed are set back, `undo` takes back the plan's record, and
    the error goes on (as the plan's shells over SSH: gateway/services/ssh.py). Accounts whose
    records changed meanwhile (their pool limits, or the plan's setting again) are settled
    once every call has answered (settle_pool)."""
    pools = await php_pools.on_plan(ctx.db, plan_id)
    await each(
        pools,
        lambda name: send_pool(ctx.agent, name, pools[name].record, open_basedir),
        lambda name: send_pool(ctx.agent, name, pools[name].record, not open_basedir),
        undo,
    )
    now = await php_pools.on_plan(ctx.db, plan_id)
    changed = [
        name
        for name, state in now.items()
        if name in pools and state != php_pools.PoolState(pools[name].record, open_basedir)
    ]
    await settle_each("the PHP pools", changed, lambda name: settle_pool(ctx, name))


DEFAULT_POOL: Final = PhpPoolRecord("ondemand", PHP_MAX_CHILDREN_DEFAULT)


async def _plan(ctx: Context, account_id: int) -> PlanRecord:
    plan = await plans_store.of_account(ctx.db, account_id)
    assert plan is not None, "every account is on a plan (a foreign key)"
    return plan


def _bound(plan: PlanRecord, setting: str) -> int:
    bound = getattr(plan, _PLAN_BOUNDS[setting])
    return PHP_SETTING_RANGES[setting][1] if bound is None else int(bound)


def children_bound(plan: PlanRecord) -> int:
    return PHP_MAX_CHILDREN_MAX if plan.max_php_children is None else plan.max_php_children
