"""The agent's configuration: a small TOML file, every key optional.

    socket_path = "/run/jopanel/agent.sock"   # absolute; the agent creates its directory
    gateway_group = "jopanel"                  # the group that may connect to the socket
    max_message_bytes = 4194304                # largest gRPC message sent or received
    web_listen = ["80", "[::]:80"]             # where every site's server block listens
    nginx_dir = "/etc/nginx"                   # nginx's configuration root
    nginx_pid_file = "/run/nginx.pid"          # the running nginx master's pid file
    php_dir = "/etc/php"                       # PHP's configuration root (<v>/fpm/pool.d)
    php_run_dir = "/run/php"                   # pool sockets and php<v>-fpm.pid files
    web_log_dir = "/var/log/jopanel/web"       # one folder of access logs per domain
    mariadb_socket = "/run/mysqld/mysqld.sock" # MariaDB's socket (hosted databases), as root
    bind_dir = "/etc/bind"                     # named's configuration root (named.conf, rndc.key)
    rndc_port = 953                            # named's control channel on 127.0.0.1
    dns_port = 53                              # where named answers on 127.0.0.1 (the agent
                                               # asks it whether a reload took effect)
    dns_nameservers = ["ns1.example.net"]      # the NS of every zone; DNS is off while empty
    dns_hostmaster = "hostmaster.example.net"  # the SOA mailbox (first '.' is '@'); empty:
                                               # hostmaster.<zone>
    reserved_names = ["panel.example.net"]     # host names of the server itself (the panel's
                                               # first), never a tenant's

Unknown keys are refused, so a misspelt key fails loudly instead of being ignored. Defaults are
a Debian server's own paths; the sandbox changes web_listen, rndc_port and dns_port (free
loopback ports) and names its own dns_nameservers.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from agent import validators
from agent.errors import InvalidArgument

# sun_path holds 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH: Final = 107
_GROUP_PATTERN: Final = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_MIN_MESSAGE: Final = 1024
_MAX_MESSAGE: Final = 2**31 - 1  # gRPC keeps message limits in a signed 32-bit int
# nginx listen addresses: "PORT", "IPv4:PORT" or "[IPv6]:PORT".
_LISTEN_PATTERN: Final = re.compile(r"(?:(?P<v4>[0-9.]+)|\[(?P<v6>[0-9a-f:]+)\]):(?P<port>\d+)")
_PLAIN_PATH: Final = re.compile(r"[A-Za-z0-9._/-]+")
_PATH_KEYS: Final = (
    "socket_path",
    "nginx_dir",
    "nginx_pid_file",
    "php_dir",
    "php_run_dir",
    "web_log_dir",
    "mariadb_socket",
    "bind_dir",
)


class ConfigError(Exception):
    """The configuration file is missing, malformed or holds an invalid value."""


@dataclass(frozen=True)
class AgentConfig:
    socket_path: Path = Path("/run/jopanel/agent.sock")
    gateway_group: str = "jopanel"
    max_message_bytes: int = 4 * 1024 * 1024
    web_listen: tuple[str, ...] = ("80", "[::]:80")
    nginx_dir: Path = Path("/etc/nginx")
    nginx_pid_file: Path = Path("/run/nginx.pid")
    php_dir: Path = Path("/etc/php")
    php_run_dir: Path = Path("/run/php")
    web_log_dir: Path = Path("/var/log/jopanel/web")
    mariadb_socket: Path = Path("/run/mysqld/mysqld.sock")
    bind_dir: Path = Path("/etc/bind")
    rndc_port: int = 953
    dns_port: int = 53
    dns_nameservers: tuple[str, ...] = ()
    dns_hostmaster: str = ""
    reserved_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for key in _PATH_KEYS:
            # These paths are written into nginx and PHP-FPM configuration files.
            path = getattr(self, key)
            if not path.is_absolute() or not _PLAIN_PATH.fullmatch(str(path)):
                raise ConfigError(f"{key}: must be an absolute path of letters, digits and ._-/")
        if len(bytes(self.socket_path)) > _MAX_SOCKET_PATH:
            raise ConfigError(f"socket_path: must be at most {_MAX_SOCKET_PATH} bytes")
        if not _GROUP_PATTERN.fullmatch(self.gateway_group):
            raise ConfigError("gateway_group: must be a group name")
        if not _MIN_MESSAGE <= self.max_message_bytes <= _MAX_MESSAGE:
            raise ConfigError(f"max_message_bytes: must be {_MIN_MESSAGE} to {_MAX_MESSAGE}")
        if not self.web_listen or not all(map(_is_listen_address, self.web_listen)):
            raise ConfigError(
                'web_listen: must list addresses like "80", "127.0.0.1:8080" or "[::]:80"'
            )
        if len(set(self.web_listen)) != len(self.web_listen):
            raise ConfigError("web_listen: must not repeat an address")
        _check_dns(self)


def _is_listen_address(value: str) -> bool:
    """An address nginx's listen takes, in a form that cannot inject anything into a config."""
    if value.isdigit():
        return _is_port(value)
    match = _LISTEN_PATTERN.fullmatch(value)
    if match is None or not _is_port(match["port"]):
        return False
    try:
        ipaddress.ip_address(match["v4"] or match["v6"])
    except ValueError:
        return False
    return True


def _is_port(value: str) -> bool:
    return value.isdigit() and value[0] != "0" and int(value) <= 65535


def load_config(path: Path | None) -> AgentConfig:
    """Reads the configuration from `path`; None gives the defaults."""
    if path is None:
        return AgentConfig()
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    return AgentConfig(**_typed_values(data))


def _typed_values(data: dict[str, Any]) -> dict[str, Any]:
    known = {field.name for field in dataclasses.fields(AgentConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown keys: {', '.join(unknown)}")
    values = dict(data)
    for key in (*_PATH_KEYS, "gateway_group"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{key}: must be a string")
        if key in data and key != "gateway_group":
            values[key] = Path(data[key])
    size = data.get("max_message_bytes", 0)
    # bool is an int in Python, but `max_message_bytes = true` is a mistake.
    if not isinstance(size, int) or isinstance(size, bool):
        raise ConfigError("max_message_bytes: must be an integer")
    listen = data.get("web_listen", [])
    if not isinstance(listen, list) or not all(isinstance(item, str) for item in listen):
        raise ConfigError("web_listen: must be a list of strings")
    if "web_listen" in data:
        values["web_listen"] = tuple(listen)
    values.update(_dns_values(data))
    return values


def _check_dns(config: AgentConfig) -> None:
    """The names are written into every zone file, so they pass the agent's own validator."""
    for key in ("rndc_port", "dns_port"):
        if not 1 <= getattr(config, key) <= 65535:
            raise ConfigError(f"{key}: must be 1 to 65535")
    names = [
        *config.dns_nameservers,
        *([config.dns_hostmaster] if config.dns_hostmaster else []),
        *config.reserved_names,
    ]
    for name in names:
        try:
            validators.hostname(name)
        except InvalidArgument:
            raise ConfigError(
                "dns_nameservers, dns_hostmaster, reserved_names: must be lowercase host names"
                " such as ns1.example.net"
            ) from None
    if len(set(config.dns_nameservers)) != len(config.dns_nameservers):
        raise ConfigError("dns_nameservers: must not repeat a name")


def _dns_values(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("rndc_port", "dns_port"):
        port = data.get(key, 53)
        if not isinstance(port, int) or isinstance(port, bool):
            raise ConfigError(f"{key}: must be an integer")
    names = data.get("dns_nameservers", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ConfigError("dns_nameservers: must be a list of strings")
    if not isinstance(data.get("dns_hostmaster", ""), str):
        raise ConfigError("dns_hostmaster: must be a string")
    reserved = data.get("reserved_names", [])
    if not isinstance(reserved, list) or not all(isinstance(name, str) for name in reserved):
        raise ConfigError("reserved_names: must be a list of strings")
    values: dict[str, Any] = {}
    if "dns_nameservers" in data:
        values["dns_nameservers"] = tuple(names)
    if "reserved_names" in data:
        values["reserved_names"] = tuple(reserved)
    return values
