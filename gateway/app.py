"""create_app(config): the gateway application, its pools and channels, and its routes."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway import keys, schema
from gateway.agent import Agent
from gateway.api import Access, Call, Handler, Operation, add_operations
from gateway.auth.devices import DeviceCookies
from gateway.auth.sessions import SessionCache
from gateway.auth.throttle import LoginThrottle
from gateway.auth.tokens import TokenIssuer
from gateway.config import GatewayConfig
from gateway.context import Context
from gateway.db import create_pool
from gateway.middleware import authentication, problems, security_headers
from gateway.openapi import build_document
from gateway.reconcile import Reconciler, WriteBarrier
from gateway.routes import (
    accounts,
    audit_log,
    auth,
    backup_accounts,
    backup_repositories,
    backups,
    certificate_settings,
    certificates,
    charges,
    cron_jobs,
    database_users,
    databases,
    dns_records,
    dns_zones,
    domains,
    files,
    invoices,
    jobs,
    me,
    panel_certificate,
    php_settings,
    plans,
    reconcile,
    resellers,
    server,
    site_logs,
    ssh,
    vpn,
)
from gateway.services.backup_schedule import BackupSchedule
from gateway.services.invoices import invoice_runs
from gateway.services.jobs import JobRunner
from gateway.store import jobs as jobs_store

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 64 * 1024


def _version() -> str:
    try:
        return version("jopanel")
    except PackageNotFoundError:
        return "0.0.0"


def create_app(config: GatewayConfig) -> web.Application:
    barrier = WriteBarrier()
    app = web.Application(
        # The barrier sits inside authentication: a stranger's request never waits on it.
        middlewares=[problems, authentication, barrier.middleware],
        client_max_size=config.max_body_bytes,
        # aiohttp's HTTP parser refuses a longer request line or header itself, in plain text;
        # up to this size every malformed request reaches the middlewares and gets a problem.
        handler_args={"max_line_size": MAX_LINE_BYTES, "max_field_size": MAX_LINE_BYTES},
    )
    app[keys.CONFIG] = config
    app[keys.TOKENS] = TokenIssuer(config.jwt_secret(), config.auth.access_ttl_seconds)
    app[keys.SESSIONS] = SessionCache()
    auth_config = config.auth
    app[keys.THROTTLE] = LoginThrottle(
        auth_config.login_failures_per_name,
        auth_config.login_failures_per_address,
        auth_config.login_window_seconds,
        auth_config.login_failures_per_device,
    )
    app[keys.DEVICES] = DeviceCookies.from_secret(
        config.jwt_secret(), auth_config.device_cookie_ttl_seconds
    )
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_agent)
    app.cleanup_ctx.append(functools.partial(_reconciler, barrier=barrier))
    app.cleanup_ctx.append(_invoicer)
    app.cleanup_ctx.append(_jobs)
    app.cleanup_ctx.append(_backup_schedule)
    app.on_response_prepare.append(security_headers)

    document = openapi_document()

    async def openapi(call: Call) -> web.StreamResponse:
        return web.json_response(document)

    operations = [*resource_operations(), _openapi_operation(openapi)]
    add_operations(app, operations)
    if config.static_dir:
        _serve_spa(app, Path(config.static_dir))
    return app


def resource_operations() -> list[Operation]:
    """Every operation of the API but the document itself."""
    return [
        *auth.operations,
        *me.operations,
        *accounts.operations,
        *plans.operations,
        *resellers.operations,
        *domains.operations,
        *site_logs.operations,
        *php_settings.operations,
        *certificates.operations,
        *certificate_settings.operations,
        *panel_certificate.operations,
        *databases.operations,
        *database_users.operations,
        *cron_jobs.operations,
        *ssh.operations,
        *files.operations,
        *dns_zones.operations,
        *dns_records.operations,
        *server.operations,
        *audit_log.operations,
        *reconcile.operations,
        *vpn.operations,
        *invoices.operations,
        *charges.operations,
        *backups.operations,
        *backup_repositories.operations,
        *backup_accounts.operations,
        *jobs.operations,
    ]


def _openapi_operation(handler: Handler) -> Operation:
    return Operation(
        "GET",
        "/api/v1/openapi.json",
        handler,
        "getOpenApi",
        "This document",
        "meta",
        Access.PUBLIC,
    )


async def _no_handler(call: Call) -> web.StreamResponse:
    raise AssertionError("the document is built from the route table, never served from here")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, built from the route table alone: no configuration, database or
    agent (scripts/openapi.py writes it for the web UI's generated types)."""
    operations = [*resource_operations(), _openapi_operation(_no_handler)]
    return build_document(operations, _version())


async def _database(app: web.Application) -> AsyncIterator[None]:
    pool = await create_pool(app[keys.CONFIG].database)
    try:
        await schema.migrate(pool)
        app[keys.DB] = pool
        yield
    finally:
        pool.close()
        await pool.wait_closed()


async def _agent(app: web.Application) -> AsyncIterator[None]:
    agent = Agent(app[keys.CONFIG].agent_socket)
    app[keys.AGENT] = agent
    yield
    await agent.close()


async def _jobs(app: web.Application) -> AsyncIterator[None]:
    """The running jobs' tasks; jobs an earlier gateway left unfinished are failed first."""
    failed = await jobs_store.fail_unfinished(app[keys.DB], ("backup", "restore"))
    if failed:
        logger.warning("%d jobs were left unfinished by the last gateway: marked failed", failed)
    runner = JobRunner()
    app[keys.JOBS] = runner
    yield
    await runner.close()


async def _backup_schedule(app: web.Application) -> AsyncIterator[None]:
    """Scheduled backups and their retention, in the background (backup_schedule.py)."""
    task = None
    if app[keys.CONFIG].backups_in_background:
        context = Context.system(app[keys.DB], app[keys.AGENT], app[keys.SESSIONS], "backups")
        task = asyncio.create_task(BackupSchedule(context, app[keys.JOBS]).run_forever())
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _reconciler(app: web.Application, barrier: WriteBarrier) -> AsyncIterator[None]:
    """The reconciler: at start and after an agent call of unknown outcome, in the background
    (a start never waits for it); on request through POST /reconcile."""
    reconciler = Reconciler(app[keys.DB], app[keys.AGENT], barrier)
    app[keys.RECONCILER] = reconciler
    if app[keys.CONFIG].reconcile_in_background:
        barrier.on_unsure = reconciler.soon
        reconciler.soon("start")
    yield
    await reconciler.stop()


async def _invoicer(app: web.Application) -> AsyncIterator[None]:
    """The invoice run at each month's start, in the background (gateway/services/invoices.py)."""
    task = None
    if app[keys.CONFIG].invoices_in_background:
        context = Context.system(app[keys.DB], app[keys.AGENT], app[keys.SESSIONS], "jopanel")
        task = asyncio.create_task(invoice_runs(context))
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _serve_spa(app: web.Application, root: Path) -> None:
    """The built SPA: its files as they are, and index.html for every client-side route."""
    index = root / "index.html"

    async def spa(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    if (root / "assets").is_dir():
        app.router.add_static("/assets", root / "assets")
    # Never under /api/: an unknown API path is the API's 404, and a POST-only API route's 405
    # must not advertise this route's GET in its Allow header.
    app.router.add_get("/{tail:(?!api/).*}", spa)
