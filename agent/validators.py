"""Validation of every request field, as pure functions shared by all services.

The agent trusts nothing the gateway sends: each value that reaches a file or an argv passed one
of these functions first. They raise InvalidArgument naming the field and saying what is valid,
and never echo the value (it may be hostile, or a password). The NewTypes they return mark a
value as validated, so mypy shows where an unchecked string would reach the system layer.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Final, NewType

from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2

from agent.errors import InvalidArgument

AccountName = NewType("AccountName", str)
# A password that passed `password`; the empty string means "no password" (login by it locked).
Password = NewType("Password", str)
# The absolute path of a login shell from the whitelist below.
LoginShell = NewType("LoginShell", str)
# A lowercase hostname in IDNA (punycode) form: safe in nginx configuration, paths and file names.
Hostname = NewType("Hostname", str)
# An absolute http(s) URL made only of characters that mean nothing to nginx's parser.
RedirectUrl = NewType("RedirectUrl", str)
# A TCP port on 127.0.0.1 that an account's own application may listen on.
ProxyPort = NewType("ProxyPort", int)
# A disk quota in MiB: 0 (no limit) up to DISK_QUOTA_MAX_MB.
DiskQuotaMb = NewType("DiskQuotaMb", int)
# An inode quota (files, folders, links an account may own): 0 (no limit) up to INODE_QUOTA_MAX.
InodeQuota = NewType("InodeQuota", int)
# The path of a Unix socket in an account's socket folder, <root>/<account>/<name>.sock, made
# only of characters that mean nothing to nginx's parser.
AppSocket = NewType("AppSocket", str)
# An installed PHP version, "<major>.<minor>".
PhpVersion = NewType("PhpVersion", str)

ACCOUNT_NAME_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{2,31}")
_ACCOUNT_NAME_RULE: Final = "must match ^[a-z][a-z0-9_]{2,31}$"

# Names an account may never take: users and groups of Debian and of the services a hosting
# server runs, the panel's own, and mail role names (an account name becomes a mail local part).
# Names with '-' or a leading '_' (www-data, systemd-*, _apt) cannot pass the pattern anyway.
RESERVED_NAMES: Final = frozenset(
    {
        # Debian base users and groups
        "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
        "proxy", "backup", "list", "irc", "gnats", "nobody", "nogroup", "adm", "tty", "disk",
        "kmem", "dialout", "fax", "voice", "cdrom", "floppy", "tape", "sudo", "audio", "dip",
        "operator", "src", "shadow", "utmp", "video", "sasl", "plugdev", "staff", "users",
        "input", "kvm", "render", "sgx", "netdev", "crontab", "messagebus", "sshd", "tss",
        "uuidd", "tcpdump", "polkitd", "avahi", "statd", "dnsmasq", "ntp", "ntpsec", "chrony",
        "wheel", "docker", "lxd", "systemd", "syslog", "landscape", "pollinate",
        # services a hosting server runs
        "www", "web", "nginx", "apache", "apache2", "httpd", "php", "phpfpm", "mysql", "mariadb",
        "postgres", "redis", "memcache", "memcached", "bind", "named", "postfix", "postdrop",
        "dovecot", "dovenull", "exim", "vmail", "opendkim", "clamav", "amavis", "spamd",
        "ftp", "proftpd", "vsftpd", "sftp", "git", "certbot", "letsencrypt",
        "acme", "phpmyadmin", "roundcube", "mongodb", "elasticsearch", "rabbitmq",
        # the panel and administrative names
        "jopanel", "admin", "administrator", "toor", "sysadmin", "support", "panel",
        "localhost", "test", "guest", "default",
        # mail role names (RFC 2142)
        "postmaster", "hostmaster", "webmaster", "abuse", "noc", "security", "info",
        "mailer_daemon", "noreply",
    }
)  # fmt: skip
# Prefixes of names that the system or the panel may create later.
RESERVED_PREFIXES: Final = ("systemd", "jopanel")

PASSWORD_MIN: Final = 8
PASSWORD_MAX: Final = 128

# The shells an account may have, by the wire value of the Shell enum.
LOGIN_SHELLS: Final[Mapping[accounts_pb2.Shell.ValueType, LoginShell]] = {
    accounts_pb2.SHELL_NOLOGIN: LoginShell("/usr/sbin/nologin"),
    accounts_pb2.SHELL_BASH: LoginShell("/bin/bash"),
    accounts_pb2.SHELL_SH: LoginShell("/bin/sh"),
}

DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
_MAX_PAGE_TOKEN: Final = 512


def account_name(value: str, field: str = "name") -> AccountName:
    # fullmatch, not match with "$": "$" also matches before a trailing newline.
    if not ACCOUNT_NAME_PATTERN.fullmatch(value):
        raise InvalidArgument(field, _ACCOUNT_NAME_RULE)
    if value in RESERVED_NAMES or value.startswith(RESERVED_PREFIXES):
        raise InvalidArgument(field, "is reserved for the system; choose another name")
    return AccountName(value)


def account_names(values: Collection[str], field: str = "names") -> tuple[AccountName, ...]:
    """1 to MAX_PAGE_SIZE account names, each valid, in name order without repeats."""
    if not 1 <= len(values) <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"give 1 to {MAX_PAGE_SIZE} names")
    return tuple(sorted({account_name(value, field) for value in values}))


def password(value: str, field: str = "password") -> Password:
    """An empty password means none; otherwise 8..128 characters without control characters."""
    if value and not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise InvalidArgument(
            field, f"must be empty (no password) or {PASSWORD_MIN} to {PASSWORD_MAX} characters"
        )
    # Category Cc is C0 (including NUL, CR, LF), DEL and C1: chpasswd reads one line per user.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(field, "must not contain control characters")
    return Password(value)


def login_shell(value: accounts_pb2.Shell.ValueType, field: str = "shell") -> LoginShell:
    """A Shell enum value; SHELL_UNSPECIFIED and numbers the proto does not define are refused."""
    shell = LOGIN_SHELLS.get(value)
    if shell is None:
        raise InvalidArgument(field, "must be SHELL_NOLOGIN, SHELL_BASH or SHELL_SH")
    return shell


def page_size(value: int, field: str = "page_size") -> int:
    """0 means the default page size."""
    if not 0 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"must be 0 to {MAX_PAGE_SIZE}")
    return value or DEFAULT_PAGE_SIZE


def page_token(value: str, key_pattern: re.Pattern[str], field: str = "page_token") -> str | None:
    """The sort key a next_page_token carries, or None for the first page.

    Tokens are opaque to clients (base64url of the last key returned); the key must match
    `key_pattern`, the shape of the keys the list is sorted by.
    """
    if not value:
        return None
    invalid = InvalidArgument(field, "must be empty or a next_page_token from an earlier response")
    if len(value) > _MAX_PAGE_TOKEN:
        raise invalid
    try:
        key = base64.b64decode(value, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        raise invalid from None
    if not key_pattern.fullmatch(key):
        raise invalid
    return key


def encode_page_token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("ascii")).decode("ascii")


def field_mask(paths: Iterable[str], allowed: Collection[str], field: str) -> frozenset[str]:
    """The paths of a required field mask; each must be one of `allowed`."""
    chosen = frozenset(paths)
    names = ", ".join(sorted(allowed))
    if not chosen:
        raise InvalidArgument(field, f"must name at least one of {names}")
    if not chosen <= frozenset(allowed):
        raise InvalidArgument(field, f"may name only {names}")
    return chosen


# Web domains. Every value below ends up in an nginx server block, a PHP-FPM pool or a path, so
# each is held to a character set that means nothing to those parsers.

HOSTNAME_MAX: Final = 253
_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# The shape of a hostname (length is checked apart): what list page tokens may carry.
HOSTNAME_PATTERN: Final = re.compile(rf"(?:{_LABEL}\.)+{_LABEL}")
_LABEL_PATTERN: Final = re.compile(_LABEL)
_HOSTNAME_RULE: Final = (
    "must be a lowercase hostname in IDNA (punycode) form: 2 or more labels of 1 to 63 of "
    "a-z, 0-9 and '-' (not at either end), separated by '.', no trailing '.', "
    f"at most {HOSTNAME_MAX} characters"
)
MAX_ALIASES: Final = 50

URL_MAX: Final = 2048
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

PROXY_PORT_MIN: Final = 1024
PROXY_PORT_MAX: Final = 65535
# Ports of the server's own services that no proxy backend may name, whatever the
# configuration allows: the panel's gateway (8080 unless configured otherwise), MariaDB (3306,
# 3307 for a second instance, 33060 for its X protocol, 4444, 4567 and 4568 for Galera).
# Services on other ports are found by who listens on them (agent/system/listeners.py).
RESERVED_PROXY_PORTS: Final = frozenset({8080, 3306, 3307, 33060, 4444, 4567, 4568})
# A socket's file name in the account's socket folder, without ".sock".
APP_SOCKET_NAME_PATTERN: Final = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
APP_SOCKET_SUFFIX: Final = ".sock"
# sun_path holds 108 bytes with the terminating NUL; nginx refuses longer paths.
SOCKET_PATH_MAX: Final = 107
# The kernel counts inodes in 64 bits; the proto field is 32 bits.
INODE_QUOTA_MAX: Final = 2**32 - 1
# 16 TiB: more than any one server offers, and far below what the kernel counts.
DISK_QUOTA_MAX_MB: Final = 16 * 1024 * 1024

REDIRECT_STATUSES: Final[Mapping[web_pb2.RedirectCode.ValueType, int]] = {
    web_pb2.REDIRECT_CODE_PERMANENT: 301,
    web_pb2.REDIRECT_CODE_TEMPORARY: 302,
}


def hostname(value: str, field: str = "name") -> Hostname:
    """A hostname in the only form the agent accepts: lowercase, ASCII, IDNA (punycode)."""
    if len(value) > HOSTNAME_MAX or not HOSTNAME_PATTERN.fullmatch(value):
        raise InvalidArgument(field, _HOSTNAME_RULE)
    labels = value.split(".")
    if labels[-1].isdigit():
        # No top-level domain is numeric: this would be an IP address, which no account may claim.
        raise InvalidArgument(field, "must not end in a numeric label (IP addresses are refused)")
    if not all(_is_valid_punycode(label) for label in labels if label.startswith("xn--")):
        raise InvalidArgument(field, "has an 'xn--' label that is not valid punycode")
    return Hostname(value)


def _is_valid_punycode(label: str) -> bool:
    """An 'xn--' label must be the punycode of a lowercase, NFC label of letters and digits.

    This is the shape IDNA2008 (RFC 5891) requires, without its full table of code points; it
    keeps out encodings of control characters, symbols, dots and plain ASCII.
    """
    encoded = label[4:]
    try:
        decoded = encoded.encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    return (
        not decoded.isascii()
        and decoded.encode("punycode").decode("ascii") == encoded
        and unicodedata.is_normalized("NFC", decoded)
        and decoded == decoded.lower()
        and all(unicodedata.category(char)[0] in "LMN" or char == "-" for char in decoded)
    )


def aliases(values: Iterable[str], name: Hostname, field: str = "aliases") -> tuple[Hostname, ...]:
    """Other hostnames of a site: at most 50, distinct, none equal to its name."""
    given = list(values)
    if len(given) > MAX_ALIASES:
        raise InvalidArgument(field, f"must hold at most {MAX_ALIASES} hostnames")
    checked = tuple(hostname(value, f"{field}[{index}]") for index, value in enumerate(given))
    if len(set(checked)) != len(checked):
        raise InvalidArgument(field, "must not repeat a hostname")
    if name in checked:
        raise InvalidArgument(field, "must not include the domain's own name")
    return checked


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
    if not PROXY_PORT_MIN <= value <= PROXY_PORT_MAX:
        raise InvalidArgument(field, f"must be {PROXY_PORT_MIN} to {PROXY_PORT_MAX}")
    return ProxyPort(value)


PortRanges = tuple[tuple[int, int], ...]


def port_ranges(values: Iterable[object]) -> PortRanges:
    """Ranges of ports from items like 3000 or "20000-20999", each within 1024..65535.

    The agent's and the gateway's configuration (proxy_ports) both read them here. Raises
    ValueError saying what is wrong.
    """
    ranges = []
    for value in values:
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,5}(?:-[0-9]{1,5})?", text):
            raise ValueError('each item must be a port like 3000 or a range like "3000-3099"')
        low, _, high = text.partition("-")
        first, last = int(low), int(high or low)
        if not PROXY_PORT_MIN <= first <= last <= PROXY_PORT_MAX:
            raise ValueError(
                f"ports must be {PROXY_PORT_MIN} to {PROXY_PORT_MAX}, a range low to high"
            )
        ranges.append((first, last))
    return tuple(ranges)


def in_ranges(port: int, ranges: PortRanges) -> bool:
    return any(first <= port <= last for first, last in ranges)


def allowed_proxy_port(value: int, allowed: PortRanges, field: str = "port") -> ProxyPort:
    """A TCP port an account's application may be proxied to: in the administrator's ranges,
    never one of the server's own services (RESERVED_PROXY_PORTS) nor below 1024. Who listens
    on it is checked separately, against the account (agent/system/listeners.py)."""
    port = proxy_port(value, field)
    if port in RESERVED_PROXY_PORTS:
        raise InvalidArgument(field, "is a port of the server's own services; use a socket")
    if not in_ranges(port, allowed):
        shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in allowed) or "none"
        raise InvalidArgument(
            field, f"is not a port this server allows (allowed: {shown}); use a socket"
        )
    return port


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


def inode_quota(value: int, field: str = "inode_quota") -> InodeQuota:
    if not 0 <= value <= INODE_QUOTA_MAX:
        raise InvalidArgument(field, f"must be 0 (no limit) to {INODE_QUOTA_MAX}")
    return InodeQuota(value)


def disk_quota_mb(value: int, field: str = "disk_quota_mb") -> DiskQuotaMb:
    if not 0 <= value <= DISK_QUOTA_MAX_MB:
        raise InvalidArgument(field, f"must be 0 (no limit) to {DISK_QUOTA_MAX_MB} MiB")
    return DiskQuotaMb(value)


def php_version(value: str, installed: Collection[str], field: str = "version") -> PhpVersion:
    """One of the installed versions (ListPhpVersions)."""
    if value not in installed:
        choices = ", ".join(installed) or "none is installed"
        raise InvalidArgument(field, f"must be an installed PHP version ({choices})")
    return PhpVersion(value)


# Hosted databases. Names become SQL identifiers (between backticks) and folder names in
# MariaDB's data directory, so they are held to [a-z0-9_]. Each starts with its account's name
# and "_"; the prefix alone does not prove ownership ("bob_x_shop" fits accounts "bob" and
# "bob_x"), the agent's ownership record does (agent/system/database_owners.py).

DatabaseName = NewType("DatabaseName", str)
DatabaseUserName = NewType("DatabaseUserName", str)
# 8 to 128 characters without control characters, never empty: a database user without a
# password would be open to every local process.
DatabasePassword = NewType("DatabasePassword", str)

DATABASE_NAME_MAX: Final = 64  # MariaDB's longest database name
DATABASE_USER_MAX: Final = 80  # JoPanel's longest database user name (MariaDB takes 128)
# What follows "<account>_": a letter or digit first, so "alice_" and "alice__" are refused.
_DATABASE_SUFFIX: Final = re.compile(r"[a-z0-9][a-z0-9_]*")
# MariaDB's and the panel's own. The prefix rule keeps most out ("mysql" and "sys" are reserved
# account names), but "information_schema" would fit an account named "information".
SYSTEM_SCHEMAS: Final = frozenset(
    {"mysql", "information_schema", "performance_schema", "sys", "jopanel", "jopanel_agent"}
)
SYSTEM_DATABASE_USERS: Final = frozenset(
    {"root", "mysql", "mariadb.sys", "jopanel", "public", "none", "debian-sys-maint"}
)


def database_name(value: str, account: AccountName, field: str = "name") -> DatabaseName:
    """A database name for `account`: "<account>_<suffix>", at most 64 characters."""
    return DatabaseName(_prefixed(value, account, DATABASE_NAME_MAX, SYSTEM_SCHEMAS, field))


def database_user_name(value: str, account: AccountName, field: str = "name") -> DatabaseUserName:
    """A database user name for `account`: "<account>_<suffix>", at most 80 characters."""
    name = _prefixed(value, account, DATABASE_USER_MAX, SYSTEM_DATABASE_USERS, field)
    return DatabaseUserName(name)


def _prefixed(
    value: str, account: AccountName, limit: int, reserved: Collection[str], field: str
) -> str:
    prefix = f"{account}_"
    suffix = value[len(prefix) :]
    if len(value) > limit or not value.startswith(prefix) or not _DATABASE_SUFFIX.fullmatch(suffix):
        raise InvalidArgument(
            field,
            'must be the account\'s name, "_", then a lowercase letter or digit and more '
            f'lowercase letters, digits or "_", at most {limit} characters',
        )
    if value in reserved:
        raise InvalidArgument(field, "is reserved for MariaDB or the panel")
    return value


def database_password(value: str, field: str = "password") -> DatabasePassword:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise InvalidArgument(field, f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    # Category Cc is C0 (NUL, CR, LF, ...), DEL and C1.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(field, "must not contain control characters")
    return DatabasePassword(value)


# Ids that the caller chooses for cron jobs and DNS records: safe in comments, file names, JSON.
RESOURCE_ID_PATTERN: Final = re.compile(r"[a-z0-9]{8,32}")
_RESOURCE_ID_RULE: Final = "must match ^[a-z0-9]{8,32}$"

CronJobId = NewType("CronJobId", str)
DnsRecordId = NewType("DnsRecordId", str)


def cron_job_id(value: str, field: str = "id") -> CronJobId:
    if not RESOURCE_ID_PATTERN.fullmatch(value):
        raise InvalidArgument(field, _RESOURCE_ID_RULE)
    return CronJobId(value)


def dns_record_id(value: str, field: str = "id") -> DnsRecordId:
    if not RESOURCE_ID_PATTERN.fullmatch(value):
        raise InvalidArgument(field, _RESOURCE_ID_RULE)
    return DnsRecordId(value)


# Cron jobs. A job becomes one line of the account's crontab, "<schedule> <command>", so the
# schedule is held to crontab(5)'s grammar as Debian's cron parses it, and the command to what
# cron reads as one command (see cron_command).

# Five fields in single-space-separated normal form, or one of CRON_SHORTCUTS.
CronSchedule = NewType("CronSchedule", str)
# A command as the account wrote it; crontab.py escapes '%' and '\\' when it writes the line.
CronCommand = NewType("CronCommand", str)

CRON_SHORTCUTS: Final = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@reboot"}
)
_SCHEDULE_MAX: Final = 255
_MONTHS: Final = tuple("jan feb mar apr may jun jul aug sep oct nov dec".split())
_WEEKDAYS: Final = tuple("sun mon tue wed thu fri sat".split())
# (name, lowest, highest, names by value); day of week 7 is Sunday too, as cron reads it.
_CRON_FIELDS: Final[tuple[tuple[str, int, int, Mapping[str, int]], ...]] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {name: number for number, name in enumerate(_MONTHS, start=1)}),
    ("day of week", 0, 7, {name: number for number, name in enumerate(_WEEKDAYS)}),
)
_CRON_ITEM: Final = re.compile(
    r"(?P<start>\*|[0-9]{1,2}|[A-Za-z]{3})(?:-(?P<end>[0-9]{1,2}|[A-Za-z]{3}))?"
    r"(?:/(?P<step>[0-9]{1,2}))?"
)
CRON_COMMAND_MAX: Final = 1000
# Debian's cron refuses a command longer than this many bytes as the crontab holds it ("command
# too long"), where each '%' and '\\' takes two (see crontab.escape_command).
CRON_COMMAND_BYTES: Final = 998


def cron_schedule(value: str, field: str = "schedule") -> CronSchedule:
    """Five crontab(5) fields separated by spaces, or an @-shortcut; returned in normal form
    (single spaces)."""
    if value in CRON_SHORTCUTS:
        return CronSchedule(value)
    fields = value.split(" ")
    fields = [part for part in fields if part]
    if len(value) > _SCHEDULE_MAX or len(fields) != len(_CRON_FIELDS):
        raise InvalidArgument(
            field,
            "must be five fields (minute hour day-of-month month day-of-week) separated by "
            f"spaces, or one of {', '.join(sorted(CRON_SHORTCUTS))}",
        )
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        if not all(_cron_item(item, low, high, names) for item in text.split(",")):
            kinds = "numbers" if not names else "numbers or three-letter names"
            raise InvalidArgument(
                field,
                f"{name} must be '*', {kinds} {low}-{high}, ranges a-b (a <= b), lists a,b "
                f"and steps */n or a-b/n (n 1-{high})",
            )
    return CronSchedule(" ".join(fields))


def _cron_item(item: str, low: int, high: int, names: Mapping[str, int]) -> bool:
    match = _CRON_ITEM.fullmatch(item)
    if match is None:
        return False
    start, end, step = match["start"], match["end"], match["step"]
    if step is not None and not 1 <= int(step) <= high:
        return False
    if start == "*":
        return end is None
    if end is None:
        # cron takes a step only after '*' or a range: "5/10" is refused by crontab.
        return step is None and _cron_value(start, low, high, names) is not None
    first = _cron_value(start, low, high, names)
    last = _cron_value(end, low, high, names)
    return first is not None and last is not None and first <= last


def _cron_value(text: str, low: int, high: int, names: Mapping[str, int]) -> int | None:
    if text.isdigit():
        return int(text) if low <= int(text) <= high else None
    return names.get(text.lower())


def cron_command(value: str, field: str = "command") -> CronCommand:
    """A command for /bin/sh on one crontab line; '%' is literal (crontab.py escapes it)."""
    if not 1 <= len(value) <= CRON_COMMAND_MAX or not value.strip():
        raise InvalidArgument(field, f"must be 1 to {CRON_COMMAND_MAX} characters, not all blank")
    # CR and LF would end the line, and NUL the string; other control characters have no
    # business in a crontab either. Tab is a blank like space.
    if any(char != "\t" and unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(
            field, "must not contain control characters (CR, LF, NUL, ...) other than tab"
        )
    if value.lstrip(" \t").startswith("="):
        # Debian's cron reads "@daily =x" as the environment setting "@daily=x", not a job.
        raise InvalidArgument(field, "must not start with '=' (cron would take it for a setting)")
    if len(value.encode()) + value.count("%") + value.count("\\") > CRON_COMMAND_BYTES:
        raise InvalidArgument(
            field,
            f"must be at most {CRON_COMMAND_BYTES} bytes in UTF-8, counting '%' and '\\' twice",
        )
    return CronCommand(value)


# DNS zones and records. Every value below ends up in a zone file that named parses, so each is
# held to a form in which no character means anything to the zone file parser: no blank, quote,
# ';', '(', ')', '$', '\\' or newline outside a quoted string the agent escapes itself.

# A zone's name: a hostname (as `hostname`), outside .arpa.
ZoneName = NewType("ZoneName", str)
# A record's name relative to its zone: "@" or labels, '*' allowed as the first.
RecordName = NewType("RecordName", str)
# An absolute host name that a record points to (written with a trailing dot), or "." for SRV.
DnsTarget = NewType("DnsTarget", str)
Ipv4Address = NewType("Ipv4Address", str)  # dotted quad, canonical
Ipv6Address = NewType("Ipv6Address", str)  # canonical (compressed) form
TxtText = NewType("TxtText", str)
CaaTag = NewType("CaaTag", str)
CaaValue = NewType("CaaValue", str)

DNS_NAME_MAX: Final = 253
DNS_LABEL_MAX: Final = 63
DNS_DEFAULT_TTL: Final = 3600
DNS_TTL_MIN: Final = 60
DNS_TTL_MAX: Final = 604800
TXT_MAX: Final = 4000
CAA_VALUE_MAX: Final = 255
CAA_FLAGS: Final = frozenset({0, 128})
CAA_TAGS: Final = ("issue", "issuewild", "iodef")
# A DNS label of a record name or target: '_' may only come first (_dmarc, _sip._tcp).
_DNS_LABEL: Final = re.compile(r"_?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_RECORD_NAME_RULE: Final = (
    "must be '@' for the zone's apex or labels of a-z, 0-9 and '-' (not at either end), each "
    "1 to 63 characters and optionally starting with '_', separated by '.', with '*' allowed "
    "as the first label, and the full name at most 253 characters"
)
# CAA: a CA's domain, then optional "; tag=value" parameters (RFC 8659); values are printable
# ASCII without blanks, quotes, ';' or '\\', so the quoted value needs no escaping.
_CAA_DOMAIN: Final = rf"(?:{_LABEL}\.)+{_LABEL}"
_CAA_PARAMETER: Final = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?=[!#-:<-\[\]-~]*"
_CAA_ISSUE: Final = re.compile(
    rf"(?:{_CAA_DOMAIN})?(?: ?; ?(?:{_CAA_PARAMETER}(?: ?; ?{_CAA_PARAMETER})*)?)?"
)
_CAA_IODEF: Final = re.compile(
    rf"mailto:[a-zA-Z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_CAA_DOMAIN}"
    rf"|https?://{_CAA_DOMAIN}(?::[0-9]{{1,5}})?(?:/[!#-\[\]-~]*)?"
)


def dns_zone_name(value: str, field: str = "name") -> ZoneName:
    """A hostname (lowercase IDNA, two or more labels) that is not under .arpa: reverse zones
    and the protocol's own belong to whoever holds the addresses, never to an account."""
    name = hostname(value, field)
    if name == "arpa" or name.endswith(".arpa"):
        raise InvalidArgument(field, "must not be under .arpa (reverse zones are not served)")
    return ZoneName(name)


def dns_record_name(value: str, zone: ZoneName, field: str = "name") -> RecordName:
    if value == "@":
        return RecordName(value)
    labels = value.split(".")
    named = labels[1:] if labels[0] == "*" else labels
    if not all(_is_dns_label(label) for label in named):
        raise InvalidArgument(field, _RECORD_NAME_RULE)
    if len(value) + 1 + len(zone) > DNS_NAME_MAX:
        raise InvalidArgument(field, _RECORD_NAME_RULE)
    return RecordName(value)


def _is_dns_label(label: str) -> bool:
    return len(label) <= DNS_LABEL_MAX and _DNS_LABEL.fullmatch(label) is not None


def dns_target(value: str, field: str, *, service: bool = False) -> DnsTarget:
    """An absolute host name without the trailing dot; `service` also allows "." (SRV's "no
    service"). Labels may start with '_' (a CNAME to _domainkey names, say)."""
    if service and value == ".":
        return DnsTarget(value)
    labels = value.split(".")
    valid = (
        len(value) <= DNS_NAME_MAX
        and len(labels) >= 2
        and all(map(_is_dns_label, labels))
        and not labels[-1].isdigit()
    )
    if not valid:
        dot = ', or "." for no service' if service else ""
        raise InvalidArgument(
            field,
            "must be a host name of two or more labels of a-z, 0-9 and '-' (optionally starting "
            f"with '_'), without a trailing dot, at most {DNS_NAME_MAX} characters{dot}",
        )
    return DnsTarget(value)


def dns_host_target(value: str, field: str, *, service: bool = False) -> DnsTarget:
    """A target that must name a host (MX exchange, NS name server, SRV target): named's
    check-names refuses labels with '_' there."""
    target = dns_target(value, field, service=service)
    if "_" in target:
        raise InvalidArgument(field, "must be a host name, without '_'")
    return target


def ipv4_address(value: str, field: str = "address") -> Ipv4Address:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise InvalidArgument(field, "must be an IPv4 address in dotted-quad form") from None
    if str(address) != value:  # no leading zeros, no other spelling
        raise InvalidArgument(field, "must be an IPv4 address in dotted-quad form")
    return Ipv4Address(value)


def ipv6_address(value: str, field: str = "address") -> Ipv6Address:
    """Any standard text form; returned in the compressed canonical form."""
    invalid = InvalidArgument(field, "must be an IPv6 address (without a zone index)")
    # ipaddress accepts a zone index ("fe80::1%eth0"), which is no address of the DNS.
    if len(value) > 45 or "%" in value:
        raise invalid
    try:
        return Ipv6Address(str(ipaddress.IPv6Address(value)))
    except ValueError:
        raise invalid from None


def uint16(value: int, field: str) -> int:
    if not 0 <= value <= 65535:
        raise InvalidArgument(field, "must be 0 to 65535")
    return value


def dns_ttl(value: int, field: str = "ttl") -> int:
    """0 means the zone's default."""
    if value != 0 and not DNS_TTL_MIN <= value <= DNS_TTL_MAX:
        raise InvalidArgument(
            field, f"must be {DNS_TTL_MIN} to {DNS_TTL_MAX} seconds, or 0 for the default"
        )
    return value


def txt_text(value: str, field: str = "text") -> TxtText:
    if not 1 <= len(value) <= TXT_MAX:
        raise InvalidArgument(field, f"must be 1 to {TXT_MAX} characters")
    # Cc: C0 (NUL, CR, LF, ...), DEL and C1.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(field, "must not contain control characters")
    return TxtText(value)


def caa_flags(value: int, field: str = "flags") -> int:
    if value not in CAA_FLAGS:
        raise InvalidArgument(field, "must be 0 or 128")
    return value


def caa_tag(value: str, field: str = "tag") -> CaaTag:
    if value not in CAA_TAGS:
        raise InvalidArgument(field, f"must be one of {', '.join(CAA_TAGS)}")
    return CaaTag(value)


def caa_value(value: str, tag: CaaTag, field: str = "value") -> CaaValue:
    if tag == "iodef":
        pattern, rule = _CAA_IODEF, "must be a mailto: address or an http(s): URL"
    else:
        pattern = _CAA_ISSUE
        rule = (
            "must be a CA's domain and/or ';' parameters tag=value (printable ASCII without "
            "blanks, quotes, ';' or '\\')"
        )
    if not 1 <= len(value) <= CAA_VALUE_MAX or not pattern.fullmatch(value):
        raise InvalidArgument(field, f"{rule}, at most {CAA_VALUE_MAX} characters")
    return CaaValue(value)


# Record types by their names in zone files; which rules of placement each follows.
_HOST_OWNER_TYPES: Final = frozenset({"A", "AAAA", "MX"})


def dns_record_placement(name: RecordName, record_type: str, field: str = "name") -> None:
    """The rules between a record's name and its type that hold in every zone. Whether a CNAME
    stands beside other data depends on the zone: the system layer checks that."""
    if name == "@" and record_type == "CNAME":
        raise InvalidArgument(field, "must not be '@' for a CNAME (the apex holds SOA and NS)")
    if name == "@" and record_type == "NS":
        raise InvalidArgument(
            field, "must not be '@' for NS (the zone's own name servers come from the agent)"
        )
    if record_type in _HOST_OWNER_TYPES and any(part.startswith("_") for part in name.split(".")):
        raise InvalidArgument(field, "must not have labels starting with '_' for A, AAAA and MX")
