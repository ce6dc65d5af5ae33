"""Field rules the gateway checks before anything is recorded or sent to the agent.

The agent checks the same fields again on its side of the socket (it trusts no caller); these
checks exist so a person gets a clear, per-field 400 before any work starts.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

import idna
from pydantic import AfterValidator, Field

from jopanel_rules.accounts import ACCOUNT_NAME_PATTERN, is_reserved
from jopanel_rules.cron import CRON_COMMAND_BYTES, CRON_SHORTCUTS
from jopanel_rules.hostnames import HOSTNAME_MAX

# The rules the agent checks too (jopanel_rules): the account name's shape, reserved names.
ACCOUNT_NAME = ACCOUNT_NAME_PATTERN
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"'\\;{}$<>`]")
_EMAIL = re.compile(r"[^\s@\x00-\x1f]{1,64}@[^\s@\x00-\x1f]{1,190}")


def check_account_name(value: str) -> str:
    if not ACCOUNT_NAME.fullmatch(value):
        raise ValueError(
            "use 3 to 32 characters: lowercase letters, digits and underscores,"
            " starting with a letter"
        )
    if is_reserved(value):
        raise ValueError(f"'{value}' is reserved for the system")
    return value


def canonical_user_name(value: str) -> str | None:
    """The one spelling of a sign-in name: without surrounding white space, in lowercase; None
    when no user can have it. Every user name has this form (account names, and the
    administrator's through ensure-admin), so the throttle, the lookup and the audit log all
    key on it, and `ADMIN` or `admin ` spend the budget of `admin`."""
    name = value.strip().lower()
    return name if ACCOUNT_NAME.fullmatch(name) else None


def check_password(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    size = len(value.encode())
    if not 8 <= size <= 72:
        raise ValueError("use 8 to 72 bytes (longer passwords would be cut, so they are refused)")
    return value


def check_email(value: str | None) -> str | None:
    if value is not None and not _EMAIL.fullmatch(value):
        raise ValueError("must be an e-mail address")
    return value


AccountName = Annotated[str, AfterValidator(check_account_name)]
Password = Annotated[str, AfterValidator(check_password)]
Email = Annotated[str | None, AfterValidator(check_email)]


def to_host_name(value: str) -> str:
    """A host name as typed (Unicode or punycode, any case) in its stored form: lowercase
    IDNA (punycode), at least two labels of [a-z0-9-], 253 characters at most."""
    if not value or value.endswith(".") or _CONTROL.search(value) or " " in value:
        raise ValueError("must be a host name such as example.com, without a trailing dot")
    try:
        ascii_name = idna.encode(value, uts46=True, std3_rules=True).decode()
    except idna.IDNAError as exc:
        raise ValueError(f"is not a valid host name ({exc})") from exc
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > HOSTNAME_MAX or not all(map(_LABEL.fullmatch, labels)):
        raise ValueError("must be a host name with two or more labels, such as example.com")
    return ascii_name


def unicode_host_name(name: str) -> str:
    try:
        return str(idna.decode(name))
    except idna.IDNAError:
        return name


def check_redirect_url(value: str) -> str:
    if len(value) > 2048 or _URL_FORBIDDEN.search(value):
        raise ValueError(
            "must be an http(s) URL of at most 2048 characters without spaces, quotes,"
            " backslashes or any of ; { } $ < > `"
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must start with http:// or https:// and name a host")
    try:
        to_host_name(parts.hostname)
    except ValueError as exc:
        if not re.fullmatch(r"[0-9.]+|\[[0-9a-f:]+\]", parts.netloc.rsplit(":", 1)[0]):
            raise ValueError(f"host {exc}") from exc
    return value


HostName = Annotated[str, AfterValidator(to_host_name)]
RedirectUrl = Annotated[str, AfterValidator(check_redirect_url)]
Port = Annotated[int, Field(ge=1024, le=65535)]


_CRON_NAMES = {
    3: "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    4: "sun mon tue wed thu fri sat".split(),
}
_CRON_BOUNDS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
_CRON_FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week"]


def check_schedule(value: str) -> str:
    """Five crontab(5) fields or an @-shortcut; returned with single spaces."""
    if value in CRON_SHORTCUTS:
        return value
    fields = [f for f in value.split(" ") if f]
    if len(fields) != 5:
        raise ValueError("use five fields (minute hour day month weekday) or @daily and the like")
    for index, field in enumerate(fields):
        if not all(_cron_item(index, item) for item in field.split(",")):
            low, high = _CRON_BOUNDS[index]
            raise ValueError(
                f"the {_CRON_FIELD_NAMES[index]} field '{field}' is not valid:"
                f" use *, numbers {low}-{high}, ranges, lists or steps"
            )
    return " ".join(fields)


def _cron_item(index: int, item: str) -> bool:
    base, _, step = item.partition("/")
    if step and not (step.isdigit() and 0 < int(step) <= _CRON_BOUNDS[index][1]):
        return False
    if step and base != "*" and "-" not in base:
        return False  # Debian's cron steps only * and ranges: "5/10" makes crontab refuse
    if base == "*":
        return True
    low, _, high = base.partition("-")
    first = _cron_value(index, low)
    if first is None or not high:
        return first is not None
    last = _cron_value(index, high)
    return last is not None and first <= last


def _cron_value(index: int, text: str) -> int | None:
    names = _CRON_NAMES.get(index, [])
    if text.lower() in names:
        return names.index(text.lower()) + (1 if index == 3 else 0)
    if not text.isdigit() or len(text) > 2:
        return None
    low, high = _CRON_BOUNDS[index]
    return int(text) if low <= int(text) <= high else None


def check_command(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%")
    if not value.strip() or len(escaped.encode()) > CRON_COMMAND_BYTES or _CONTROL.search(value):
        raise ValueError(
            "use one line (no CR, LF or NUL) of at most 998 bytes, counting '\\' and '%' twice"
        )
    if value.lstrip().startswith("="):
        raise ValueError("must not start with '=': cron would read the line as a setting")
    return value


Schedule = Annotated[str, AfterValidator(check_schedule)]
CronCommand = Annotated[str, AfterValidator(check_command)]


_DNS_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def check_record_name(value: str) -> str:
    """A name relative to its zone: "@" for the apex, or labels ("www", "_sip._tcp"), with
    "*" allowed as the first label for a wildcard."""
    if value == "@":
        return value
    labels = value.split(".")
    rest = labels[1:] if labels[0] == "*" else labels
    if len(value) > 200 or not all(map(_DNS_LABEL.fullmatch, rest)):
        raise ValueError('use "@" for the zone itself, or labels such as www or _sip._tcp')
    return value


def check_dns_host(value: str) -> str:
    """A target host name (MX, CNAME, NS, SRV): labels of [a-z0-9_-], two or more."""
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(map(_DNS_LABEL.fullmatch, labels)):
        raise ValueError("must be a host name such as mail.example.com, without a trailing dot")
    return value


RecordName = Annotated[str, AfterValidator(check_record_name)]
DnsHost = Annotated[str, AfterValidator(check_dns_host)]
