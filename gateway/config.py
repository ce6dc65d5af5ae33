"""The gateway's configuration, read from a TOML file (production: /etc/jopanel/gateway.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DatabaseConfig:
    """Where the panel's MariaDB database is: a Unix socket when set, else host and port."""

    database: str = "jopanel"
    user: str = "jopanel"
    password: str = ""
    unix_socket: str = "/run/mysqld/mysqld.sock"
    host: str = "127.0.0.1"
    port: int = 3306
    # The pool serves every request handler concurrently; requests wait for a free connection.
    pool_min: int = 4
    pool_max: int = 32


@dataclass(frozen=True)
class AuthConfig:
    """Token settings. The signing secret lives in its own file, readable by the gateway only."""

    secret_file: str = "/etc/jopanel/jwt.secret"  # noqa: S105 - a path
    access_ttl_seconds: int = 300
    refresh_ttl_seconds: int = 14 * 24 * 3600
    # False only where the panel is served over plain HTTP on loopback (the sandbox).
    cookie_secure: bool = True
    # bcrypt's cost: 12 takes about a quarter of a second; tests lower it to stay quick.
    bcrypt_rounds: int = 12
    # Failed sign-ins allowed per account name and per client address within the window.
    login_failures_per_name: int = 10
    login_failures_per_address: int = 50
    login_window_seconds: int = 900


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    agent_socket: str = "/run/jopanel/agent.sock"
    # The built SPA (webui/dist); empty when nginx serves it (production).
    static_dir: str = ""
    # Largest request body accepted, in bytes; larger bodies get 413.
    max_body_bytes: int = 64 * 1024
    # The server's public IPv4 address: what new DNS zones point their A records at.
    server_ipv4: str = "127.0.0.1"
    # Addresses of reverse proxies (nginx) whose X-Forwarded-For is believed; nobody else's.
    trusted_proxies: tuple[str, ...] = ()
    # Compare the records with the system in the background when the gateway starts and after
    # an agent call of unknown outcome (gateway/reconcile/); the gateway tests turn it off
    # to run it when they choose.
    reconcile_in_background: bool = True
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)

    def jwt_secret(self) -> bytes:
        secret = Path(self.auth.secret_file).read_bytes().strip()
        if len(secret) < 32:
            raise ValueError(f"{self.auth.secret_file}: the JWT secret must be 32 bytes or more")
        return secret


def load_config(path: Path) -> GatewayConfig:
    with path.open("rb") as f:
        raw = tomllib.load(f)
    if "trusted_proxies" in raw:
        raw["trusted_proxies"] = tuple(raw["trusted_proxies"])
    return GatewayConfig(
        **{k: v for k, v in raw.items() if k not in ("database", "auth")},
        database=DatabaseConfig(**raw.get("database", {})),
        auth=AuthConfig(**raw.get("auth", {})),
    )
