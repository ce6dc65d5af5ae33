"""The agent's configuration: a small TOML file, every key optional.

    socket_path = "/run/jopanel/agent.sock"   # absolute; the agent creates its directory
    gateway_group = "jopanel"                  # the group that may connect to the socket
    acme_socket_path = ""                      # the ACME worker's socket (its RPCs only)
    acme_group = "jopanel-acme"                # the group that may connect to that one
    max_message_bytes = 4194304                # largest gRPC message sent or received
    web_listen = ["80", "[::]:80"]             # where every site's server block listens
    web_tls_listen = ["443", "[::]:443"]       # where a site with a certificate answers HTTPS
    nginx_dir = "/etc/nginx"                   # nginx's configuration root
    nginx_pid_file = "/run/nginx.pid"          # the running nginx master's pid file
    php_dir = "/etc/php"                       # PHP's configuration root (<v>/fpm/jopanel)
    php_run_dir = "/run/php"                   # pool sockets and the masters' pid files
    php_supervisor = "agent"                   # who runs the pools' PHP-FPM masters: "agent"
                                               # (the agent starts them, the sandbox) or
                                               # "systemd" (a server: jopanel-php<v>-fpm@<n>)
    web_log_dir = "/var/log/jopanel/web"       # one folder of access logs per domain
    app_socket_dir = "/home/.apps"             # <account>/<name>.sock: proxy backends' sockets
                                               # (on /home's filesystem, mounted nosymfollow)
    proxy_ports = []                           # TCP ports proxy backends may use, e.g.
                                               # [3000, "20000-20999"]; none by default
    mariadb_socket = "/run/mysqld/mysqld.sock" # MariaDB's socket (hosted databases), as root
    account_processes = 512                    # the most processes (threads too) each account
                                               # runs at once: its PHP, cron jobs and shells
                                               # (RLIMIT_NPROC; 32 to 1000000; docs/agent.md)
    mariadb_user_connections = 20              # the most connections a tenant's database user
                                               # holds at once, over the socket and over TCP
                                               # each (1 to 10000; docs/databases.md)
    bind_dir = "/etc/bind"                     # named's configuration root (named.conf, rndc.key)
    rndc_port = 953                            # named's control channel on 127.0.0.1
    dns_port = 53                              # where named answers on 127.0.0.1 (the agent
                                               # asks it whether a reload took effect)
    dns_nameservers = ["ns1.example.net"]      # the NS of every zone; DNS is off while empty
    dns_hostmaster = "hostmaster.example.net"  # the SOA mailbox (first '.' is '@'); empty:
                                               # hostmaster.<zone>
    dns_secondaries = []                       # secondary name servers that copy every zone:
                                               # ["203.0.113.5", "[2001:db8::5]:5353"]; they
                                               # alone may transfer zones, and get NOTIFY
    dns_transfer_key = true                    # transfers and NOTIFYs signed with the TSIG
                                               # key jopanel-transfer, which the agent makes
                                               # in <bind_dir>/jopanel/transfer.key; false:
                                               # by address alone (docs/dns.md)
    server_names = ["panel.example.net"]       # names the server uses: no account may hold
                                               # them or a name below them (with the name
                                               # servers and this machine's host name)
    panel_hostname = "panel.example.net"       # the panel's own host name, one of
                                               # server_names: the one name the panel's
                                               # certificate RPCs issue for; empty: they
                                               # are refused (docs/certificates.md)
    ssh_dir = "/etc/ssh"                       # sshd's configuration root: the agent writes
                                               # sshd_config.d/jopanel.conf and jopanel-keys/
    sshd_pid_file = "/run/sshd.pid"            # the running sshd master the agent reloads

    # How long one program or server call of each resource may take, in seconds (0.1 to 3600);
    # then it is killed and the RPC fails with UNAVAILABLE (docs/agent.md, "Timeouts").
    web_timeout = 30                           # nginx -t, php-fpm -t
    dns_timeout = 30                           # named-checkzone, named-checkconf, rndc
    account_timeout = 30                       # useradd, usermod, chpasswd, groupadd, pkill
    cron_timeout = 30                          # crontab
    removal_timeout = 600                      # userdel --remove, rm of a site's files
    backup_timeout = 3600                      # one restic run of a backup or restore (the
                                               # files of a home, one database's dump)
    files_timeout = 3600                       # one file manager operation as the account (an
                                               # upload or download streams within it)
    mariadb_connect_timeout = 10               # connecting to MariaDB as root
    mariadb_timeout = 30                       # one statement on that connection
    vpn_dir = "/var/lib/jopanel/vpn"           # the VPN's PKI (easy-rsa) and settings, 0700 root
    openvpn_dir = "/etc/openvpn/server"        # jopanel.conf and the CRL OpenVPN reads
    vpn_run_dir = "/run/jopanel-vpn"           # OpenVPN's management socket, pid file and log
    vpn_device = "jpvpn0"                      # the server's tun device
    vpn_supervisor = "agent"                   # who runs OpenVPN: "agent" (the agent starts it,
                                               # the sandbox) or "systemd" (a server: the unit
                                               # jopanel-openvpn.service, deploy/systemd/)
    vpn_timeout = 30                           # easy-rsa, starting or stopping OpenVPN
    vpn_client_days = 825                      # a client certificate's validity (30 to 3650
                                               # days); renewable in its last 30 (docs/vpn.md)
    program_output_bytes = 1048576             # output kept of each of a program's stdout and
                                               # stderr (4096 to 67108864); the rest is discarded

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
from typing import Any, Final, Literal, TypeAlias

from agent.errors import InvalidArgument
from agent.system.base.process import Limits
from agent.validators import common as common_validators
from agent.validators import dns as dns_validators
from agent.validators import web as web_validators

# sun_path holds 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH: Final = 107
_GROUP_PATTERN: Final = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_MIN_MESSAGE: Final = 1024
_MAX_MESSAGE: Final = 2**31 - 1  # gRPC keeps message limits in a signed 32-bit int
# nginx listen addresses: "PORT", "IPv4:PORT" or "[IPv6]:PORT".
_LISTEN_PATTERN: Final = re.compile(r"(?:(?P<v4>[0-9.]+)|\[(?P<v6>[0-9a-f:]+)\]):(?P<port>\d+)")
_PLAIN_PATH: Final = re.compile(r"[A-Za-z0-9._/-]+")
_DEVICE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,15}")
# A timeout outside these bounds is a mistake: shorter fails healthy programs, longer is no
# timeout at all.
_MIN_TIMEOUT: Final = 0.1
_MAX_TIMEOUT: Final = 3600.0
_TIMEOUT_KEYS: Final = (
    "web_timeout",
    "dns_timeout",
    "account_timeout",
    "cron_timeout",
    "removal_timeout",
    "backup_timeout",
    "files_timeout",
    "mariadb_connect_timeout",
    "mariadb_timeout",
    "vpn_timeout",
)
# Whole numbers and their bounds: a VPN client's days, a tenant database user's connections,
# an account's processes.
_INTEGER_BOUNDS: Final = (
    ("vpn_client_days", 30, 3650),
    ("mariadb_user_connections", 1, 10_000),
    ("account_processes", 32, 1_000_000),
)
# Below 4 KiB no error message fits; above 64 MiB a program's chatter costs real memory.
_MIN_OUTPUT: Final = 4096
_MAX_OUTPUT: Final = 64 * 1024 * 1024
# The resources whose programs the agent runs, each with its `<resource>_timeout` key.
Resource: TypeAlias = Literal["web", "dns", "account", "cron", "removal", "vpn", "backup", "files"]
_PATH_KEYS: Final = (
    "socket_path",
    "nginx_dir",
    "nginx_pid_file",
    "php_dir",
    "php_run_dir",
    "web_log_dir",
    "app_socket_dir",
    "mariadb_socket",
    "bind_dir",
    "vpn_dir",
    "openvpn_dir",
    "vpn_run_dir",
    "ssh_dir",
    "sshd_pid_file",
)


class ConfigError(Exception):
    """The configuration file is missing, malformed or holds an invalid value."""


@dataclass(frozen=True)
class AgentConfig:
    socket_path: Path = Path("/run/jopanel/agent.sock")
    gateway_group: str = "jopanel"
    max_message_bytes: int = 4 * 1024 * 1024
    web_listen: tuple[str, ...] = ("80", "[::]:80")
    web_tls_listen: tuple[str, ...] = ("443", "[::]:443")
    nginx_dir: Path = Path("/etc/nginx")
    nginx_pid_file: Path = Path("/run/nginx.pid")
    php_dir: Path = Path("/etc/php")
    php_run_dir: Path = Path("/run/php")
    php_supervisor: Literal["agent", "systemd"] = "agent"
    web_log_dir: Path = Path("/var/log/jopanel/web")
    app_socket_dir: Path = Path("/home/.apps")
    # Ranges of TCP ports an administrator allows proxy backends to use (see port_ranges).
    proxy_ports: web_validators.PortRanges = ()
    mariadb_socket: Path = Path("/run/mysqld/mysqld.sock")
    # MAX_USER_CONNECTIONS of every tenant database user (per user@host): one tenant cannot
    # take all of MariaDB's max_connections from the others and the panel.
    mariadb_user_connections: int = 20
    # RLIMIT_NPROC of every account's processes (PHP-FPM's workers, cron jobs, SSH sessions):
    # no tenant's fork bomb takes the server's process table.
    account_processes: int = 512
    bind_dir: Path = Path("/etc/bind")
    rndc_port: int = 953
    dns_port: int = 53
    dns_nameservers: tuple[str, ...] = ()
    dns_hostmaster: str = ""
    # Secondary name servers (dns_validators.secondary): they alone may transfer the zones.
    dns_secondaries: tuple[str, ...] = ()
    # Whether a secondary must also sign its transfers with the agent's TSIG key (bind.py).
    dns_transfer_key: bool = True
    server_names: tuple[str, ...] = ()
    panel_hostname: str = ""
    ssh_dir: Path = Path("/etc/ssh")
    sshd_pid_file: Path = Path("/run/sshd.pid")
    web_timeout: float = 30.0
    dns_timeout: float = 30.0
    account_timeout: float = 30.0
    cron_timeout: float = 30.0
    removal_timeout: float = 600.0
    backup_timeout: float = 3600.0
    files_timeout: float = 3600.0
    mariadb_connect_timeout: float = 10.0
    mariadb_timeout: float = 30.0
    vpn_dir: Path = Path("/var/lib/jopanel/vpn")
    openvpn_dir: Path = Path("/etc/openvpn/server")
    vpn_run_dir: Path = Path("/run/jopanel-vpn")
    # A network interface's name: 1 to 15 of letters, digits, '_' and '-'.
    vpn_device: str = "jpvpn0"
    vpn_supervisor: Literal["agent", "systemd"] = "agent"
    vpn_timeout: float = 30.0
    vpn_client_days: int = 825
    program_output_bytes: int = 1024 * 1024

    # The ACME worker's own socket, in a folder of its own (0750 root:<acme_group>), on which
    # the agent serves only the RPCs the worker needs (agent/acme_socket.py); empty: none.
    acme_socket_path: str = ""
    acme_group: str = "jopanel-acme"

    def limits(self, resource: Resource) -> Limits:
        """The timeout and output bound of one resource's programs."""
        setting = f"{resource}_timeout"
        return Limits(getattr(self, setting), setting, self.program_output_bytes)

    def _check_acme_socket(self) -> None:
        if not self.acme_socket_path:
            return
        path = Path(self.acme_socket_path)
        if not path.is_absolute() or not _PLAIN_PATH.fullmatch(self.acme_socket_path):
            raise ConfigError(
                "acme_socket_path: must be an absolute path of letters, digits and ._-/"
            )
        if len(bytes(path)) > _MAX_SOCKET_PATH:
            raise ConfigError(f"acme_socket_path: must be at most {_MAX_SOCKET_PATH} bytes")
        # The folder's group decides who may reach the socket: sharing the gateway's folder
        # would let the worker reach the gateway's socket too, or the gateway this one.
        if path.parent == self.socket_path.parent:
            raise ConfigError("acme_socket_path: must be in another folder than socket_path")
        if not _GROUP_PATTERN.fullmatch(self.acme_group) or self.acme_group == self.gateway_group:
            raise ConfigError("acme_group: must be a group name other than gateway_group")

    def __post_init__(self) -> None:
        for key in _PATH_KEYS:
            # These paths are written into nginx and PHP-FPM configuration files.
            path = getattr(self, key)
            if not path.is_absolute() or not _PLAIN_PATH.fullmatch(str(path)):
                raise ConfigError(f"{key}: must be an absolute path of letters, digits and ._-/")
        if len(bytes(self.socket_path)) > _MAX_SOCKET_PATH:
            raise ConfigError(f"socket_path: must be at most {_MAX_SOCKET_PATH} bytes")
        for key in ("vpn_supervisor", "php_supervisor"):
            if getattr(self, key) not in ("agent", "systemd"):
                raise ConfigError(f'{key}: must be "agent" or "systemd"')
        if not _DEVICE_PATTERN.fullmatch(self.vpn_device):
            raise ConfigError("vpn_device: must be 1 to 15 of letters, digits, '_' and '-'")
        for key, low, high in _INTEGER_BOUNDS:
            value = getattr(self, key)
            # bool is an int in Python, but `account_processes = true` is a mistake.
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"{key}: must be an integer from {low} to {high}")
        if not _GROUP_PATTERN.fullmatch(self.gateway_group):
            raise ConfigError("gateway_group: must be a group name")
        self._check_acme_socket()
        if not _MIN_MESSAGE <= self.max_message_bytes <= _MAX_MESSAGE:
            raise ConfigError(f"max_message_bytes: must be {_MIN_MESSAGE} to {_MAX_MESSAGE}")
        if not self.web_listen or not all(map(_is_listen_address, self.web_listen)):
            raise ConfigError(
                'web_listen: must list addresses like "80", "127.0.0.1:8080" or "[::]:80"'
            )
        if len(set(self.web_listen)) != len(self.web_listen):
            raise ConfigError("web_listen: must not repeat an address")
        if not self.web_tls_listen or not all(map(_is_listen_address, self.web_tls_listen)):
            raise ConfigError(
                'web_tls_listen: must list addresses like "443", "127.0.0.1:8443" or "[::]:443"'
            )
        if set(self.web_tls_listen) & set(self.web_listen) or len(set(self.web_tls_listen)) != len(
            self.web_tls_listen
        ):
            raise ConfigError("web_tls_listen: must not repeat an address or one of web_listen")
        _check_dns(self)
        _check_limits(self)


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
    strings = (
        "gateway_group",
        "vpn_device",
        "vpn_supervisor",
        "php_supervisor",
        "panel_hostname",
        "acme_socket_path",
        "acme_group",
    )
    for key in (*_PATH_KEYS, *strings):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{key}: must be a string")
        if key in data and key not in strings:
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
    tls_listen = data.get("web_tls_listen", [])
    if not isinstance(tls_listen, list) or not all(isinstance(item, str) for item in tls_listen):
        raise ConfigError("web_tls_listen: must be a list of strings")
    if "web_tls_listen" in data:
        values["web_tls_listen"] = tuple(tls_listen)
    values.update(_dns_values(data))
    if "proxy_ports" in data:
        ports = data["proxy_ports"]
        try:
            if not isinstance(ports, list):
                raise ValueError('must be a list like [3000, "20000-20999"]')
            values["proxy_ports"] = web_validators.port_ranges(ports)
        except ValueError as error:
            raise ConfigError(f"proxy_ports: {error}") from None
    for key in (*_TIMEOUT_KEYS, "program_output_bytes"):
        number = data.get(key, 1)
        # bool is an int in Python, but `web_timeout = true` is a mistake.
        if not isinstance(number, int | float) or isinstance(number, bool):
            raise ConfigError(f"{key}: must be a number")
        if key == "program_output_bytes" and not isinstance(number, int):
            raise ConfigError(f"{key}: must be an integer")
        if key in data and key != "program_output_bytes":
            values[key] = float(number)
    return values


def _check_limits(config: AgentConfig) -> None:
    for key in _TIMEOUT_KEYS:
        if not _MIN_TIMEOUT <= getattr(config, key) <= _MAX_TIMEOUT:
            raise ConfigError(f"{key}: must be {_MIN_TIMEOUT:g} to {_MAX_TIMEOUT:g} seconds")
    if not _MIN_OUTPUT <= config.program_output_bytes <= _MAX_OUTPUT:
        raise ConfigError(f"program_output_bytes: must be {_MIN_OUTPUT} to {_MAX_OUTPUT}")


def _check_dns(config: AgentConfig) -> None:
    """The names are written into every zone file, so they pass the agent's own validator."""
    for key in ("rndc_port", "dns_port"):
        if not 1 <= getattr(config, key) <= 65535:
            raise ConfigError(f"{key}: must be 1 to 65535")
    names = [*config.dns_nameservers, *([config.dns_hostmaster] if config.dns_hostmaster else [])]
    for name in [*names, *config.server_names]:
        try:
            common_validators.hostname(name)
        except InvalidArgument:
            raise ConfigError(
                "dns_nameservers, dns_hostmaster, server_names: must be lowercase host names "
                "such as ns1.example.net"
            ) from None
    if len(set(config.dns_nameservers)) != len(config.dns_nameservers):
        raise ConfigError("dns_nameservers: must not repeat a name")
    for value in config.dns_secondaries:
        try:
            dns_validators.secondary(value)
        except ValueError as error:
            raise ConfigError(f"dns_secondaries: {error}") from None
    if len(set(config.dns_secondaries)) != len(config.dns_secondaries):
        raise ConfigError("dns_secondaries: must not repeat an address")
    # The panel's name is reserved like every server name, so no account can hold it.
    if config.panel_hostname and config.panel_hostname not in config.server_names:
        raise ConfigError("panel_hostname: must be one of server_names")


def _dns_values(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("rndc_port", "dns_port"):
        port = data.get(key, 53)
        if not isinstance(port, int) or isinstance(port, bool):
            raise ConfigError(f"{key}: must be an integer")
    if not isinstance(data.get("dns_hostmaster", ""), str):
        raise ConfigError("dns_hostmaster: must be a string")
    if not isinstance(data.get("dns_transfer_key", True), bool):
        raise ConfigError("dns_transfer_key: must be true or false")
    values: dict[str, Any] = {}
    for key in ("dns_nameservers", "server_names", "dns_secondaries"):
        given = data.get(key, [])
        if not isinstance(given, list) or not all(isinstance(name, str) for name in given):
            raise ConfigError(f"{key}: must be a list of strings")
        if key in data:
            values[key] = tuple(given)
    return values


# The defaults, for the system layer's classes built without a configuration (in tests).
DEFAULTS: Final = AgentConfig()
