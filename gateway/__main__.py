"""jopanel-gateway: serve the REST API, or make sure a first administrator exists."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

import uvloop
from aiohttp import web

from gateway import schema
from gateway.app import create_app
from gateway.auth.passwords import hash_password
from gateway.config import GatewayConfig, load_config
from gateway.db import create_pool
from gateway.store import users
from gateway.validation import canonical_user_name, check_password


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


def main() -> None:
    parser = argparse.ArgumentParser(prog="jopanel-gateway")
    parser.add_argument("--config", type=Path, default=Path("/etc/jopanel/gateway.toml"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the REST API")
    admin = sub.add_parser("ensure-admin", help="create the first administrator if none exists")
    admin.add_argument("--name", default="admin")
    admin.add_argument("--password-file", type=Path, required=True)
    args = parser.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = load_config(args.config)
    if args.command == "ensure-admin":
        password = args.password_file.read_text().strip()
        made = asyncio.run(ensure_admin(config, args.name, password))
        print("created" if made else "exists")
        sys.exit(0)
    web.run_app(
        create_app(config),
        host=config.host,
        port=config.port,
        access_log=None,
        print=None,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
