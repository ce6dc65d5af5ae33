"""The agent's gRPC services, registered from one list.

As containerd registers its service plugins, each service module exports its full proto
service name and an `add_to_server(server, config)` function, and takes one line in SERVICES.
The server adds every service in the list and serves health checking and reflection for each;
nothing else in the agent needs to change when a service (web domains, databases, ...) is added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import grpc.aio

from agent.config import AgentConfig
from agent.services import (
    accounts,
    backups,
    certificates,
    cron,
    databases,
    dns,
    files,
    server,
    ssh,
    vpn,
    web,
)


@dataclass(frozen=True)
class Service:
    name: str  # short, for logs
    full_name: str  # the proto service name, as health checking and reflection know it
    add_to_server: Callable[[grpc.aio.Server, AgentConfig], None]
    # Run once when the agent starts, before it serves (docs/agent.md, Layout).
    prepare: Callable[[AgentConfig], Awaitable[None]] | None = None


SERVICES: Final[tuple[Service, ...]] = (
    Service("accounts", accounts.SERVICE_NAME, accounts.add_to_server, accounts.prepare),
    Service("web", web.SERVICE_NAME, web.add_to_server, web.prepare),
    Service("databases", databases.SERVICE_NAME, databases.add_to_server, databases.prepare),
    Service("server", server.SERVICE_NAME, server.add_to_server),
    Service("cron", cron.SERVICE_NAME, cron.add_to_server),
    Service("dns", dns.SERVICE_NAME, dns.add_to_server, dns.prepare),
    Service(
        "certificates", certificates.SERVICE_NAME, certificates.add_to_server, certificates.prepare
    ),
    Service("vpn", vpn.SERVICE_NAME, vpn.add_to_server, vpn.prepare),
    Service("ssh", ssh.SERVICE_NAME, ssh.add_to_server, ssh.prepare),
    Service("backups", backups.SERVICE_NAME, backups.add_to_server),
    Service("files", files.SERVICE_NAME, files.add_to_server),
)
