"""Validation of every request field, as pure functions shared by all services.

The agent trusts nothing the gateway sends: each value that reaches a file or an argv passed one
of these functions first. They raise InvalidArgument naming the field and saying what is valid,
and never echo the value (it may be hostile, or a password). The NewTypes they return mark a
value as validated, so mypy shows where an unchecked string would reach the system layer.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Final, NewType

from jopanel.agent.accounts.v1 import accounts_pb2

from agent.errors import InvalidArgument

AccountName = NewType("AccountName", str)
# A password that passed `password`; the empty string means "no password" (login by it locked).
Password = NewType("Password", str)
# The absolute path of a login shell from the whitelist below.
LoginShell = NewType("LoginShell", str)

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
