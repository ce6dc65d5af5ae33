"""WebDomainService's fields: aliases, redirects, proxy ports, app sockets, PHP versions."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, NewType

from jopanel.agent.web.v1 import web_pb2

from agent.errors import InvalidArgument
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname, hostname
from jopanel_rules import RuleError
from jopanel_rules.hostnames import HOSTNAME_MAX, check_wildcard, wildcard_base
from jopanel_rules.web import (
    LOG_LINES_DEFAULT,
    LOG_RETENTION_DEFAULT,
    MAX_ALIASES,
    PHP_SETTING_RANGES,
    SOCKET_PATH_MAX,
    URL_MAX,
    check_log_lines,
    check_log_retention,
    check_log_search,
    check_max_children,
    check_php_setting,
    check_port,
    check_post_covers_upload,
    check_proxy_port,
)
from jopanel_rules.web import PROXY_PORT_MAX as PROXY_PORT_MAX
from jopanel_rules.web import PROXY_PORT_MIN as PROXY_PORT_MIN
from jopanel_rules.web import RESERVED_PROXY_PORTS as RESERVED_PROXY_PORTS
from jopanel_rules.web import PortRanges as PortRanges
from jopanel_rules.web import in_ranges as in_ranges
from jopanel_rules.web import port_ranges as port_ranges

# An absolute http(s) URL made only of characters that mean nothing to nginx's parser.
RedirectUrl = NewType("RedirectUrl", str)
# A TCP port on 127.0.0.1 that an account's own application may listen on.
ProxyPort = NewType("ProxyPort", int)
# The path of a Unix socket in an account's socket folder, <root>/<account>/<name>.sock, made
# only of characters that mean nothing to nginx's parser.
AppSocket = NewType("AppSocket", str)
# An installed PHP version, "<major>.<minor>".
PhpVersion = NewType("PhpVersion", str)

# Web domains. Every value below ends up in an nginx server block, a PHP-FPM pool or a path, so
# each is held to a character set that means nothing to those parsers. MAX_ALIASES, URL_MAX,
# the proxy ports' rules and SOCKET_PATH_MAX are jopanel_rules.web's (the gateway checks them
# too); the names re-exported above keep this module the one the agent reads its rules from.
# RFC 3986 characters minus those nginx gives a meaning to (quotes, ';', '{', '}', '$', '\\'),
# and minus '[' ']' (IPv6 literals are not supported as redirect targets).
_URL_CHARS: Final = re.compile(r"[A-Za-z0-9\-._~:/?#@!&()*+,=%]+")
_PERCENT_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URL_RULE: Final = (
    f"must be an absolute http:// or https:// URL with a valid host, at most {URL_MAX} "
    "characters of A-Z a-z 0-9 - . _ ~ : / ? # @ ! & ( ) * + , = and %XX escapes"
)

# The form of PHP versions as Debian installs them (/usr/sbin/php-fpm8.2).
PHP_VERSION_PATTERN: Final = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}")

# A socket's file name in the account's socket folder, without ".sock".
APP_SOCKET_NAME_PATTERN: Final = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
APP_SOCKET_SUFFIX: Final = ".sock"

REDIRECT_STATUSES: Final[Mapping[web_pb2.RedirectCode.ValueType, int]] = {
    web_pb2.REDIRECT_CODE_PERMANENT: 301,
    web_pb2.REDIRECT_CODE_TEMPORARY: 302,
}


def aliases(values: Iterable[str], name: Hostname, field: str = "aliases") -> tuple[Hostname, ...]:
    """Other hostnames of a site: at most 50, distinct, none equal to its name. An alias may be
    a wildcard `*.X` (jopanel_rules.hostnames.check_wildcard: X is the site's name or another
    of its aliases); the type says Hostname for both, as nginx and a certificate take either."""
    given = list(values)
    if len(given) > MAX_ALIASES:
        raise InvalidArgument(field, f"must hold at most {MAX_ALIASES} hostnames")
    checked = tuple(alias(value, f"{field}[{index}]") for index, value in enumerate(given))
    if len(set(checked)) != len(checked):
        raise InvalidArgument(field, "must not repeat a hostname")
    if name in checked:
        raise InvalidArgument(field, "must not include the domain's own name")
    for index, value in enumerate(checked):
        try:
            check_wildcard(value, name, checked)
        except RuleError as error:
            raise InvalidArgument(f"{field}[{index}]", str(error)) from None
    return checked


def alias(value: str, field: str) -> Hostname:
    """A hostname, or `*.` and a hostname: `*` only as the whole leftmost label, only once,
    at most HOSTNAME_MAX characters in all."""
    base = wildcard_base(value)
    if base is None:
        return hostname(value, field)
    if len(value) > HOSTNAME_MAX:
        raise InvalidArgument(field, f"must be at most {HOSTNAME_MAX} characters")
    try:
        hostname(base, field)
    except InvalidArgument:
        raise InvalidArgument(
            field, "must be a hostname, or *. and a hostname of two labels or more (*.example.com)"
        ) from None
    return Hostname(value)


def redirect_url(value: str, field: str = "url", *, preserve_path: bool = False) -> RedirectUrl:
    """An absolute http(s) URL; with preserve_path, the request's path and query get appended,
    so the URL itself may then have neither a query nor a fragment."""
    if len(value) > URL_MAX or not _URL_CHARS.fullmatch(value) or _PERCENT_ESCAPE.search(value):
        raise InvalidArgument(field, _URL_RULE)
    scheme, separator, rest = value.partition("://")
    if scheme not in ("http", "https") or not separator:
        raise InvalidArgument(field, _URL_RULE)
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host, colon, port = authority.partition(":")
    if colon and not (port.isdigit() and 1 <= int(port) <= 65535 and port[0] != "0"):
        raise InvalidArgument(field, "must have a port of 1 to 65535 if it names one")
    try:
        hostname(host, field)
    except InvalidArgument:
        # Also refuses user info ("user@host"): '@' is not part of a hostname.
        raise InvalidArgument(
            field, "must have a host in lowercase IDNA (punycode) form, without user info"
        ) from None
    if preserve_path and ("?" in value or "#" in value):
        raise InvalidArgument(
            field, "must have no query or fragment when preserve_path is set (they are appended)"
        )
    return RedirectUrl(value)


def redirect_status(value: web_pb2.RedirectCode.ValueType, field: str = "code") -> int:
    """The HTTP status of a RedirectCode; UNSPECIFIED and unknown numbers are refused."""
    status = REDIRECT_STATUSES.get(value)
    if status is None:
        raise InvalidArgument(field, "must be REDIRECT_CODE_PERMANENT or REDIRECT_CODE_TEMPORARY")
    return status


def proxy_port(value: int, field: str = "port") -> ProxyPort:
    try:
        return ProxyPort(check_port(value))
    except RuleError as error:
        raise InvalidArgument(field, str(error)) from None


def allowed_proxy_port(value: int, allowed: PortRanges, field: str = "port") -> ProxyPort:
    """A TCP port an account's application may be proxied to (jopanel_rules.web's rule: in the
    administrator's ranges, never the server's own services). Who listens on it is checked
    separately, against the account (agent/system/web/app_sockets.py)."""
    try:
        return ProxyPort(check_proxy_port(value, allowed))
    except RuleError as error:
        raise InvalidArgument(field, str(error)) from None


def app_socket(
    value: str, account: AccountName, root: str, field: str = "socket_path"
) -> AppSocket:
    """A socket in the account's own socket folder: exactly <root>/<account>/<name>.sock.

    Anything else (another account's folder, '..', a folder below, a longer path than a
    socket address holds) is refused: the prefix is compared as text, so no path is resolved.
    """
    folder = f"{root}/{account}/"
    rule = (
        f"must be {folder}<name>{APP_SOCKET_SUFFIX}, the name 1 to 64 of a-z 0-9 . _ - starting"
        f" and ending with a letter or digit, at most {SOCKET_PATH_MAX} bytes in all"
    )
    if not value.startswith(folder) or not value.endswith(APP_SOCKET_SUFFIX):
        raise InvalidArgument(field, rule)
    name = value[len(folder) : -len(APP_SOCKET_SUFFIX)]
    if (
        not APP_SOCKET_NAME_PATTERN.fullmatch(name)
        or ".." in name
        or len(value.encode()) > SOCKET_PATH_MAX
    ):
        raise InvalidArgument(field, rule)
    return AppSocket(value)


def php_version(value: str, installed: Collection[str], field: str = "version") -> PhpVersion:
    """One of the installed versions (ListPhpVersions)."""
    if value not in installed:
        choices = ", ".join(installed) or "none is installed"
        raise InvalidArgument(field, f"must be an installed PHP version ({choices})")
    return PhpVersion(value)


# A site's log: what ReadSiteLog and FollowSiteLog may read.
LOG_KINDS: Final = frozenset({web_pb2.SITE_LOG_ACCESS, web_pb2.SITE_LOG_PHP_ERROR})


def site_log(value: web_pb2.SiteLog.ValueType, field: str = "log") -> web_pb2.SiteLog.ValueType:
    if value not in LOG_KINDS:
        raise InvalidArgument(field, "must be SITE_LOG_ACCESS or SITE_LOG_PHP_ERROR")
    return value


def log_lines(value: int, field: str = "lines") -> int:
    """How many lines: 0 means the default (100)."""
    try:
        return check_log_lines(value) if value else LOG_LINES_DEFAULT
    except RuleError as error:
        raise InvalidArgument(field, str(error)) from None


def log_search(value: str, field: str = "contains") -> bytes | None:
    """The text lines must hold, as UTF-8 bytes (lines are compared as bytes); None for all."""
    if not value:
        return None
    try:
        return check_log_search(value).encode()
    except RuleError as error:
        raise InvalidArgument(field, str(error)) from None


@dataclass(frozen=True)
class PhpSettings:
    """One site's PHP ini values, each within its range or 0 for the default (PHP_SETTING_RANGES);
    post_max_size_mb covers upload_max_filesize_mb once both are resolved."""

    memory_limit_mb: int = 0
    upload_max_filesize_mb: int = 0
    post_max_size_mb: int = 0
    max_execution_time_seconds: int = 0
    max_input_vars: int = 0
    display_errors: bool = False

    def value(self, name: str) -> int:
        """The setting as it applies: its own value, or the default for 0."""
        given = getattr(self, name)
        assert isinstance(given, int)
        return given or PHP_SETTING_RANGES[name][2]

    def numbers(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PHP_SETTING_RANGES}


def php_settings(values: Mapping[str, object], field: str = "settings") -> PhpSettings:
    """The settings from their fields (a proto message's or a record's): whole numbers within
    their ranges (0: the default) and a boolean; anything else is refused."""
    numbers: dict[str, int] = {}
    for name in PHP_SETTING_RANGES:
        value = values.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidArgument(f"{field}.{name}", "must be a whole number")
        if value:
            try:
                check_php_setting(name, value)
            except RuleError as error:
                raise InvalidArgument(f"{field}.{name}", str(error)) from None
        numbers[name] = value
    display = values.get("display_errors", False)
    if not isinstance(display, bool):
        raise InvalidArgument(f"{field}.display_errors", "must be true or false")
    settings = PhpSettings(**numbers, display_errors=display)
    try:
        check_post_covers_upload(
            settings.value("post_max_size_mb"), settings.value("upload_max_filesize_mb")
        )
    except RuleError as error:
        raise InvalidArgument(f"{field}.post_max_size_mb", str(error)) from None
    return settings


def php_settings_of(message: web_pb2.PhpSettings, field: str = "settings") -> PhpSettings:
    values: dict[str, object] = {name: getattr(message, name) for name in PHP_SETTING_RANGES}
    values["display_errors"] = message.display_errors
    return php_settings(values, field)


def process_manager(value: int, field: str = "pm") -> ProcessManager:
    """The pool's process manager; UNSPECIFIED and unknown values are refused."""
    try:
        return _PROCESS_MANAGERS[web_pb2.ProcessManager.ValueType(value)]
    except KeyError:
        raise InvalidArgument(
            field,
            "must be PROCESS_MANAGER_ONDEMAND, PROCESS_MANAGER_DYNAMIC or PROCESS_MANAGER_STATIC",
        ) from None


ProcessManager = Literal["ondemand", "dynamic", "static"]
_PROCESS_MANAGERS: Final[dict[web_pb2.ProcessManager.ValueType, ProcessManager]] = {
    web_pb2.PROCESS_MANAGER_ONDEMAND: "ondemand",
    web_pb2.PROCESS_MANAGER_DYNAMIC: "dynamic",
    web_pb2.PROCESS_MANAGER_STATIC: "static",
}
PROCESS_MANAGER_VALUES: Final = {name: value for value, name in _PROCESS_MANAGERS.items()}


def max_children(value: int, field: str = "max_children") -> int:
    try:
        return check_max_children(value)
    except RuleError as error:
        raise InvalidArgument(field, str(error)) from None


def log_retention(value: int, field: str = "log_retention_days") -> int:
    """Days of rotated logs kept; 0 means the default (14)."""
    try:
        return check_log_retention(value) if value else LOG_RETENTION_DEFAULT
    except RuleError as error:
        raise InvalidArgument(field, str(error)) from None
