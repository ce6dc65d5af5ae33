"""The gateway's configuration, read from a TOML file (production: /etc/jopanel/gateway.toml)."""

from __future__ import annotations

import functools
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from jopanel_rules.web import PortRanges, port_ranges


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
    # Failed sign-ins allowed per device cookie (docs/security.md, Sign-in names), and how long
    # a device cookie is good for.
    login_failures_per_device: int = 10
    device_cookie_ttl_seconds: int = 180 * 24 * 3600


# Let's Encrypt's production directory; its staging one is
# https://acme-staging-v02.api.letsencrypt.org/directory.
LETS_ENCRYPT: str = "https://acme-v02.api.letsencrypt.org/directory"


@dataclass(frozen=True)
class AcmeConfig:
    """How the panel asks for certificates (docs/certificates.md). `directory_url` and
    `email` are the defaults until an administrator sets them (/certificate-settings)."""

    directory_url: str = LETS_ENCRYPT
    # The ACME account's contact; empty: none (the CA then cannot warn before expiry).
    email: str = ""
    # A CA file the ACME client alone trusts for the directory's HTTPS (the sandbox's
    # Pebble); empty: the system's CAs.
    ca_bundle: str = ""
    # Pre-flight checks (gateway/preflight.py): the resolver asked whether each name points
    # here ("host:port"; empty: the system's), and the port nginx serves HTTP on.
    preflight: bool = True
    resolver: str = ""
    http_port: int = 80
    # The ACME worker's account key (jopanel-acme): empty, the credential its unit hands it
    # ($CREDENTIALS_DIRECTORY/acme-account-key; gateway/acme_accounts.py).
    account_key: str = ""
    # How many orders the worker runs at once (docs/certificates.md, "Installs batch"):
    # their installs then reach the agent together and share one nginx reload. A few, not
    # many: each holds the CA's attention and a connection to it.
    concurrent_orders: int = 4


@dataclass(frozen=True)
class GatewayConfig:
    # TCP, for the sandbox (`make run`), where the gateway serves the SPA itself.
    host: str = "127.0.0.1"
    port: int = 8080
    # A Unix socket path: when set, the gateway listens there and on no TCP port (production:
    # nginx proxies /api to /run/jopanel-gateway/gateway.sock, so no tenant process can reach
    # the gateway on loopback; docs/install.md).
    socket_path: str = ""
    agent_socket: str = "/run/jopanel/agent.sock"
    # The built SPA (webui/dist); empty when nginx serves it (production).
    static_dir: str = ""
    # Largest request body accepted, in bytes; larger bodies get 413.
    max_body_bytes: int = 64 * 1024
    # The server's public IPv4 address: what new DNS zones point their A records at.
    server_ipv4: str = "127.0.0.1"
    # Names the server itself uses (the panel's host name, the name servers' names): no account
    # may hold them or any name below them. The machine's own host name is added to them.
    server_names: tuple[str, ...] = ()
    # Addresses of reverse proxies (nginx) whose X-Forwarded-For is believed; nobody else's.
    trusted_proxies: tuple[str, ...] = ()
    # TCP ports a website's proxy backend may use, as in the agent's configuration (which the
    # agent enforces on its own): [3000, "20000-20999"]; none by default, sockets only.
    proxy_ports: PortRanges = ()
    # Compare the records with the system in the background when the gateway starts and after
    # an agent call of unknown outcome (gateway/reconcile/); the gateway tests turn it off
    # to run it when they choose.
    reconcile_in_background: bool = True
    # The ACME worker (jopanel-acme) renews certificates on its own (gateway/renewals.py);
    # tests that run renewals at moments of their own turn it off.
    renew_in_background: bool = True
    # Make each month's invoice drafts at the month's start (at start-up too, for a start that
    # was missed: a run is idempotent; docs/invoices.md); the gateway tests turn it off.
    invoices_in_background: bool = True
    # Back accounts up as their plans schedule them, with their retention, and prune the
    # repository daily (gateway/services/backup_schedule.py); the gateway tests turn it off.
    backups_in_background: bool = True
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    acme: AcmeConfig = field(default_factory=AcmeConfig)

    def reserved_names(self) -> tuple[str, ...]:
        """The server's names: the configured ones and this machine's own (when it has a dot)."""
        own = _own_host_name()
        names = (name.lower().rstrip(".") for name in self.server_names)
        return (*names, *((own,) if "." in own else ()))

    def jwt_secret(self) -> bytes:
        secret = Path(self.auth.secret_file).read_bytes().strip()
        if len(secret) < 32:
            raise ValueError(f"{self.auth.secret_file}: the JWT secret must be 32 bytes or more")
        return secret


@functools.cache
def _own_host_name() -> str:
    return socket.getfqdn().lower().rstrip(".")


def load_config(path: Path) -> GatewayConfig:
    with path.open("rb") as f:
        raw = tomllib.load(f)
    for key in ("trusted_proxies", "server_names"):
        if key in raw:
            raw[key] = tuple(raw[key])
    if "proxy_ports" in raw:
        try:
            raw["proxy_ports"] = port_ranges(raw["proxy_ports"])
        except ValueError as exc:
            raise ValueError(f"{path}: proxy_ports: {exc}") from None
    return GatewayConfig(
        **{k: v for k, v in raw.items() if k not in ("database", "auth", "acme")},
        database=DatabaseConfig(**raw.get("database", {})),
        auth=AuthConfig(**raw.get("auth", {})),
        acme=AcmeConfig(**raw.get("acme", {})),
    )
