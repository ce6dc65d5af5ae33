"""jopanel-gateway: serve the REST API, or make sure a first administrator exists."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import stat
import sys
from pathlib import Path

import uvloop
from aiohttp import web

from gateway import schema
from gateway.agent import Agent
from gateway.app import create_app
from gateway.auth.passwords import hash_password
from gateway.auth.sessions import SessionCache
from gateway.config import GatewayConfig, load_config
from gateway.context import Context
from gateway.db import create_pool
from gateway.models.panel_certificate import panel_certificate_of
from gateway.principal import Principal, Role
from gateway.problems import Problem
from gateway.services import panel_certificate as service
from gateway.store import jobs as jobs_store
from gateway.store import users
from gateway.validation import ACCOUNT_NAME, canonical_user_name, check_password


async def ensure_admin(config: GatewayConfig, name: str, password: str) -> bool:
    """Creates the administrator when the panel has none; True when it made one."""
    pool = await create_pool(config.database)
    try:
        await schema.migrate(pool)
        if await users.admin_exists(pool):
            return False
        if canonical_user_name(name) != name:
            raise SystemExit(
                f"ensure-admin: '{name}' is not a user name: use 3 to 32 lowercase letters,"
                " digits and underscores, starting with a letter"
            )
        password_hash = await hash_password(check_password(password), config.auth.bcrypt_rounds)
        await users.create_admin(pool, name, password_hash)
        return True
    finally:
        pool.close()
        await pool.wait_closed()


# Owner and group may connect: the socket's folder is the gateway's, group nginx's (www-data),
# and admits nobody else (docs/install.md).
SOCKET_MODE = 0o660


def unix_listener(path: Path) -> socket.socket:
    """A listening Unix socket at `path`, replacing a socket a previous run left behind (never
    any other kind of file)."""
    try:
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, SOCKET_MODE)
    listener.listen(1024)
    return listener


async def admin_command(config: GatewayConfig, command: str, name: str, password: str) -> str:
    """`admin-create` and `admin-reset-password` (the `jopanel admin` CLI runs them as this
    user): the gateway's own data layer, because no REST route makes an administrator."""
    if not ACCOUNT_NAME.fullmatch(name):
        return "invalid name: 3 to 32 lowercase letters, digits and _, starting with a letter"
    password_hash = await hash_password(check_password(password), config.auth.bcrypt_rounds)
    pool = await create_pool(config.database)
    try:
        await schema.migrate(pool)
        existing = await users.admin_id(pool, name)
        if command == "admin-create":
            if existing is not None or await users.credentials_by_name(pool, name):
                return f"the name {name} is taken"
            await users.create_admin(pool, name, password_hash)
            return "created"
        if existing is None:
            return f"no administrator is named {name}"
        # Bumps the token version too: every session of that administrator ends.
        await users.set_password(pool, existing, password_hash)
        return "changed"
    finally:
        pool.close()
        await pool.wait_closed()


async def schema_versions(config: GatewayConfig) -> str:
    pool = await create_pool(config.database)
    try:
        return f"{await schema.applied_version(pool)} {schema.newest_known()}"
    finally:
        pool.close()
        await pool.wait_closed()


async def panel_certificate_command(config: GatewayConfig, action: str) -> tuple[bool, str]:
    """`panel-certificate status|issue` (the `jopanel certificate` CLI runs them as this user):
    the API's own service, as an administrator named `jopanel-cli`; the order is a job the
    ACME worker runs, exactly as POST /api/v1/server/certificate queues it. `issue` waits for
    the job, printing each stage it reaches on standard error (an order already under way is
    followed instead of a second one)."""
    pool = await create_pool(config.database)
    agent = Agent(config.agent_socket)
    ctx = Context(pool, agent, Principal(0, "jopanel-cli", Role.ADMIN), "cli", SessionCache())
    try:
        ok = True
        if action == "issue":
            ok = await _issue_and_follow(ctx)
        record, served = await service.status(ctx)
        return ok, panel_certificate_of(record, served).model_dump_json(indent=2)
    finally:
        await agent.close()
        pool.close()
        await pool.wait_closed()


# How long `jopanel certificate issue` follows its job (the worker's order fits well inside),
# and how often it reads the job's row (the worker is another process).
CLI_WAIT_SECONDS = 300.0
_CLI_LOOK_EVERY_SECONDS = 0.5


async def _issue_and_follow(ctx: Context) -> bool:
    try:
        job_id = (await service.request_issue(ctx)).public_id
    except Problem as refused:
        job_id = refused.extensions.get("job_id", "")
        if not job_id:
            print(f"not issued: {refused.detail}", file=sys.stderr)
            return False
        print(f"an order is already under way: job {job_id}", file=sys.stderr)
    else:
        print(f"queued: job {job_id}", file=sys.stderr)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CLI_WAIT_SECONDS
    shown = ""
    while True:
        job = await jobs_store.get(ctx.db, job_id)
        if job is None:
            print("not issued: the job is gone", file=sys.stderr)
            return False
        if job.stage != shown:
            shown = job.stage
            print(f"stage: {shown}", file=sys.stderr)
        if job.state in jobs_store.ENDED:
            if job.state != "succeeded":
                print(f"not issued: {job.error}", file=sys.stderr)
            return job.state == "succeeded"
        if loop.time() >= deadline:
            waited = f"{CLI_WAIT_SECONDS:.0f} s"
            print(f"still {job.stage} after {waited}: job {job_id}", file=sys.stderr)
            return False
        await _look_again()


async def _look_again() -> None:
    """The pause between two looks at the job (a test makes the worker move here instead)."""
    await asyncio.sleep(_CLI_LOOK_EVERY_SECONDS)


def notify_ready() -> None:
    """Tells systemd (Type=notify) that the socket listens: connections wait in its backlog
    until the app serves them, so nginx never finds the socket missing after a (re)start."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address.startswith(("/", "@")):
        return
    if address.startswith("@"):  # an abstract socket: a leading NUL byte
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.sendto(b"READY=1", address)


def main() -> None:
    parser = argparse.ArgumentParser(prog="jopanel-gateway")
    parser.add_argument("--config", type=Path, default=Path("/etc/jopanel/gateway.toml"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the REST API")
    admin = sub.add_parser("ensure-admin", help="create the first administrator if none exists")
    admin.add_argument("--name", default="admin")
    admin.add_argument("--password-file", type=Path, required=True, help="a file, or - for stdin")
    for command in ("admin-create", "admin-reset-password"):
        one = sub.add_parser(command, help="the password comes on standard input")
        one.add_argument("--name", required=True)
    sub.add_parser("schema-version", help="print the applied and the newest known version")
    panel = sub.add_parser("panel-certificate", help="the panel's own certificate (JSON)")
    panel.add_argument("action", choices=["status", "issue"])
    args = parser.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = load_config(args.config)
    if args.command in ("admin-create", "admin-reset-password"):
        password = sys.stdin.read().rstrip("\n")
        answer = asyncio.run(admin_command(config, args.command, args.name, password))
        print(answer)
        sys.exit(0 if answer in ("created", "changed") else 1)
    if args.command == "schema-version":
        print(asyncio.run(schema_versions(config)))
        sys.exit(0)
    if args.command == "panel-certificate":
        ok, shown = asyncio.run(panel_certificate_command(config, args.action))
        print(shown)
        sys.exit(0 if ok else 1)
    if args.command == "ensure-admin":
        # "-": standard input, where the installer pipes a password the gateway cannot open.
        source = args.password_file
        password = (sys.stdin.read() if str(source) == "-" else source.read_text()).strip()
        made = asyncio.run(ensure_admin(config, args.name, password))
        print("created" if made else "exists")
        sys.exit(0)
    listener = unix_listener(Path(config.socket_path)) if config.socket_path else None
    notify_ready()
    web.run_app(
        create_app(config),
        host=None if listener else config.host,
        port=None if listener else config.port,
        sock=listener,
        access_log=None,
        print=None,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
