"""Websites: limits of a web domain's fields, and the proxy ports and app sockets they may name.

The checks here raise RuleError with what is valid and no field name: the agent wraps it into
its InvalidArgument with the request's field, the gateway into a 400 with the body's field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from jopanel_rules import RuleError

# Other host names one site may answer to.
MAX_ALIASES: Final = 50
# The longest redirect target, in characters.
URL_MAX: Final = 2048

PROXY_PORT_MIN: Final = 1024
PROXY_PORT_MAX: Final = 65535
# Ports of the server's own services that no proxy backend may name, whatever the
# configuration allows: the panel's gateway (8080 unless configured otherwise), MariaDB (3306,
# 3307 for a second instance, 33060 for its X protocol, 4444, 4567 and 4568 for Galera).
# Services on other ports are found by who listens on them (agent/system/web/app_sockets.py).
RESERVED_PROXY_PORTS: Final = frozenset({8080, 3306, 3307, 33060, 4444, 4567, 4568})
# sun_path holds 108 bytes with the terminating NUL; nginx refuses longer paths.
SOCKET_PATH_MAX: Final = 107

# Ranges of ports an administrator allows proxy backends to use, each (first, last).
PortRanges = tuple[tuple[int, int], ...]


def port_ranges(values: Iterable[object]) -> PortRanges:
    """Ranges of ports from items like 3000 or "20000-20999", each within 1024..65535.

    The agent's and the gateway's configuration (proxy_ports) both read them here. Raises
    RuleError (a ValueError) saying what is wrong.
    """
    ranges = []
    for value in values:
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,5}(?:-[0-9]{1,5})?", text):
            raise RuleError('each item must be a port like 3000 or a range like "3000-3099"')
        low, _, high = text.partition("-")
        first, last = int(low), int(high or low)
        if not PROXY_PORT_MIN <= first <= last <= PROXY_PORT_MAX:
            raise RuleError(
                f"ports must be {PROXY_PORT_MIN} to {PROXY_PORT_MAX}, a range low to high"
            )
        ranges.append((first, last))
    return tuple(ranges)


def in_ranges(port: int, ranges: PortRanges) -> bool:
    return any(first <= port <= last for first, last in ranges)


def check_port(value: int) -> int:
    """A TCP port an unprivileged application may listen on."""
    if not PROXY_PORT_MIN <= value <= PROXY_PORT_MAX:
        raise RuleError(f"must be {PROXY_PORT_MIN} to {PROXY_PORT_MAX}")
    return value


def check_proxy_port(value: int, allowed: PortRanges) -> int:
    """A TCP port an account's application may be proxied to: in the administrator's ranges,
    never one of the server's own services (RESERVED_PROXY_PORTS) nor below 1024. Who listens
    on it is the agent's to check, against the account."""
    port = check_port(value)
    if port in RESERVED_PROXY_PORTS:
        raise RuleError("is a port of the server's own services; use a socket")
    if not in_ranges(port, allowed):
        shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in allowed) or "none"
        raise RuleError(f"is not a port this server allows (allowed: {shown}); use a socket")
    return port


# A site's logs (ReadSiteLog, GET /api/v1/domains/{name}/logs/{log}).
LOG_LINES_DEFAULT: Final = 100
LOG_LINES_MAX: Final = 1000
# The longest text a log search looks for: a plain substring, never a pattern.
LOG_SEARCH_MAX: Final = 200


def check_log_lines(value: int) -> int:
    if not 1 <= value <= LOG_LINES_MAX:
        raise RuleError(f"must be 1 to {LOG_LINES_MAX}")
    return value


def check_log_search(value: str) -> str:
    """Plain text a log line must hold: 1 to 200 characters, no control characters (a line
    never holds a newline, and a NUL or escape has no business in a search)."""
    if not 1 <= len(value) <= LOG_SEARCH_MAX:
        raise RuleError(f"must be 1 to {LOG_SEARCH_MAX} characters")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise RuleError("must not hold control characters")
    return value


# PHP settings of one site (docs/web.md, PHP settings per site): name -> (lowest, highest,
# default). Whole numbers in fixed units (MiB, seconds), so no text ever reaches the
# configuration; a plan may set a lower highest value for each (gateway: 422 above it).
PHP_SETTING_RANGES: Final[dict[str, tuple[int, int, int]]] = {
    "memory_limit_mb": (32, 8192, 256),
    "upload_max_filesize_mb": (1, 8192, 64),
    "post_max_size_mb": (1, 8192, 64),
    # The pool ends any request after 300 s (request_terminate_timeout).
    "max_execution_time_seconds": (1, 300, 60),
    "max_input_vars": (100, 100_000, 1000),
}


def check_php_setting(name: str, value: int) -> int:
    low, high, _ = PHP_SETTING_RANGES[name]
    if not low <= value <= high:
        raise RuleError(f"must be {low} to {high}")
    return value


def check_post_covers_upload(post_mb: int, upload_mb: int) -> None:
    """A file upload travels in the POST body, so the body may not be smaller than the file."""
    if post_mb < upload_mb:
        raise RuleError(f"must be at least upload_max_filesize_mb ({upload_mb})")


# An account's PHP-FPM pools: the most workers each may run (pm.max_children).
PHP_MAX_CHILDREN_MIN: Final = 1
PHP_MAX_CHILDREN_MAX: Final = 64
PHP_MAX_CHILDREN_DEFAULT: Final = 8


def check_max_children(value: int) -> int:
    if not PHP_MAX_CHILDREN_MIN <= value <= PHP_MAX_CHILDREN_MAX:
        raise RuleError(f"must be {PHP_MAX_CHILDREN_MIN} to {PHP_MAX_CHILDREN_MAX}")
    return value


# Days of rotated site logs kept (a plan's log_retention_days).
LOG_RETENTION_DEFAULT: Final = 14
LOG_RETENTION_MAX: Final = 365


def check_log_retention(value: int) -> int:
    if not 1 <= value <= LOG_RETENTION_MAX:
        raise RuleError(f"must be 1 to {LOG_RETENTION_MAX} days")
    return value
