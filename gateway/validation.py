"""Field rules the gateway checks before anything is recorded or sent to the agent.

The agent checks the same fields again on its side of the socket (it trusts no caller); these
checks exist so a person gets a clear, per-field 400 before any work starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import idna
from pydantic import AfterValidator, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from jopanel_rules.accounts import ACCOUNT_NAME_PATTERN, RESERVED_PREFIXES, is_reserved
from jopanel_rules.accounts import RESERVED_NAMES as _RESERVED
from jopanel_rules.cron import CRON_COMMAND_BYTES, CRON_SHORTCUTS
from jopanel_rules.hostnames import HOSTNAME_MAX, WILDCARD_PREFIX, wildcard_base


class Unprocessable(ValueError):
    """A rule the OpenAPI document cannot state (bytes rather than characters, IDNA, the order
    of a cron range, a rule across fields): the request is well formed, so it answers 422,
    where a rule the document states answers 400. docs/api.md lists them."""


@dataclass(frozen=True, eq=False)
class Documented:
    """JSON Schema keywords that state a validator's rule in the OpenAPI document (the
    validator is what enforces it; tests/gateway/test_contract.py checks the two agree)."""

    keywords: dict[str, Any]

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


# Python's str.isspace() characters (what strip() removes), written out so that the document's
# ECMA-262 patterns mean the same as Python's \s.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


# The rules the agent checks too (jopanel_rules): the account name's shape, reserved names.
ACCOUNT_NAME = ACCOUNT_NAME_PATTERN
# The reserved names an account name could be (the document lists them as `not: enum`).
RESERVED_NAMES = frozenset(name for name in _RESERVED if ACCOUNT_NAME.fullmatch(name))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"'\\;{}$<>`]")
_EMAIL_CHAR = f"[^@\\x00-\\x1f\\x7f-\\x9f{SPACE}]"  # no control character (C0, DEL, C1)
_EMAIL = re.compile(f"{_EMAIL_CHAR}{{1,64}}@{_EMAIL_CHAR}{{1,190}}")


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


# bcrypt reads 72 bytes and ignores the rest, so a longer password would be cut: refused.
PASSWORD_MAX_BYTES = 72
# 8 to 72 characters without C0, DEL or C1 controls (the agent refuses those too: chpasswd
# reads one line per user).
_PASSWORD = re.compile(r"[^\x00-\x1f\x7f-\x9f]{8,72}")


def check_password(value: str) -> str:
    if not _PASSWORD.fullmatch(value):
        raise ValueError("use 8 to 72 characters without control characters")
    if len(value.encode()) > PASSWORD_MAX_BYTES:
        raise Unprocessable(
            "is longer than 72 bytes in UTF-8, where bcrypt would cut it: use fewer characters"
            " outside ASCII"
        )
    return value


def check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an e-mail address")
    return value


AccountName = Annotated[
    str,
    AfterValidator(check_account_name),
    Documented(
        {
            "pattern": f"^(?!{'|'.join(RESERVED_PREFIXES)}){ACCOUNT_NAME.pattern}$",
            "not": {"enum": sorted(RESERVED_NAMES)},
        }
    ),
]
Password = Annotated[
    str,
    AfterValidator(check_password),
    Documented(
        {
            "minLength": 8,
            "maxLength": 72,
            "pattern": r"^[^\x00-\x1f\x7f-\x9f]*$",
            # JSON Schema counts characters; bcrypt counts UTF-8 bytes. The byte limit is
            # stated here for clients, and a password within 72 characters but over 72
            # bytes answers 422.
            "x-jopanel-max-utf8-bytes": PASSWORD_MAX_BYTES,
        }
    ),
]
Email = (
    Annotated[str, AfterValidator(check_email), Documented({"pattern": f"^{_EMAIL.pattern}$"})]
    | None
)


# A host name as the document states it: two or more labels of 1 to 63 characters, each
# letters, digits and hyphens (not first or last) or any character outside ASCII, 253 at most.
# Whether the non-ASCII ones make a valid internationalised name (IDNA 2008 with UTS 46, which
# also refuses '--' in the third and fourth places) no pattern can say: that answers 422.
_HOST_CHAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"
_HOST_CHAR_OR_HYPHEN = r"[^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"
_HOST_LABEL = f"{_HOST_CHAR}(?:{_HOST_CHAR_OR_HYPHEN}{{0,61}}{_HOST_CHAR})?"
HOST_NAME_PATTERN = f"^{_HOST_LABEL}(?:\\.{_HOST_LABEL})+$"
_HOST_NAME = re.compile(HOST_NAME_PATTERN)


def to_host_name(value: str) -> str:
    """A host name as typed (Unicode or punycode, any case) in its stored form: lowercase
    IDNA (punycode), at least two labels of [a-z0-9-], 253 characters at most."""
    if len(value) > 253 or not _HOST_NAME.fullmatch(value):
        raise ValueError(
            "must be a host name such as example.com: two or more labels of letters, digits"
            " and hyphens, without a trailing dot"
        )
    try:
        ascii_name = idna.encode(value, uts46=True, std3_rules=True).decode()
    except (idna.IDNAError, UnicodeError) as exc:
        raise Unprocessable(f"is not a valid host name ({exc})") from exc
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > HOSTNAME_MAX or not all(map(_LABEL.fullmatch, labels)):
        raise Unprocessable(
            "must be a host name with two or more labels of at most 63 characters once in"
            " punycode, such as example.com"
        )
    return ascii_name


def unicode_host_name(name: str) -> str:
    try:
        return str(idna.decode(name))
    except idna.IDNAError:
        return name


# http(s)://, a host part, then anything but white space, quotes, backslashes and ; { } $ < > `
_URL_NOT = f"\\x00-\\x1f\\x7f{SPACE}\"'\\\\;{{}}$<>`"
REDIRECT_URL_PATTERN = f"^[Hh][Tt][Tt][Pp][Ss]?://[^{_URL_NOT}/?#]+(?:[/?#][^{_URL_NOT}]*)?$"
_REDIRECT_URL = re.compile(REDIRECT_URL_PATTERN)


def check_redirect_url(value: str) -> str:
    if len(value) > 2048 or not _REDIRECT_URL.fullmatch(value):
        raise ValueError(
            "must be an http(s) URL of at most 2048 characters without spaces, quotes,"
            " backslashes or any of ; { } $ < > `"
        )
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise Unprocessable(f"is not a URL ({exc})") from exc
    if not parts.hostname:
        raise Unprocessable("must name a host after http:// or https://")
    try:
        to_host_name(parts.hostname)
    except ValueError as exc:
        if not re.fullmatch(r"[0-9.]+|\[[0-9a-f:]+\]", parts.netloc.rsplit(":", 1)[0]):
            raise Unprocessable(f"host {exc}") from exc
    return value


HostName = Annotated[
    str,
    AfterValidator(to_host_name),
    Documented({"pattern": HOST_NAME_PATTERN, "maxLength": 253}),
]
# A website's alias: a host name, or `*.` and a host name (docs/security.md, Names: the
# wildcard stands below a name of the same site, which the route checks).
ALIAS_NAME_PATTERN = f"^(?:\\*\\.)?{_HOST_LABEL}(?:\\.{_HOST_LABEL})+$"


def to_alias_name(value: str) -> str:
    """An alias as typed in its stored form: a host name (to_host_name), or `*.` and one,
    `*` only as the whole leftmost label, 253 characters at most in all."""
    base = wildcard_base(value)
    if base is None:
        return to_host_name(value)
    if len(value) > HOSTNAME_MAX:
        raise ValueError(f"must be at most {HOSTNAME_MAX} characters")
    name = WILDCARD_PREFIX + to_host_name(base)
    if len(name) > HOSTNAME_MAX:
        raise Unprocessable(f"must be at most {HOSTNAME_MAX} characters once in punycode")
    return name


AliasName = Annotated[
    str,
    AfterValidator(to_alias_name),
    Documented({"pattern": ALIAS_NAME_PATTERN, "maxLength": HOSTNAME_MAX}),
]
RedirectUrl = Annotated[
    str,
    AfterValidator(check_redirect_url),
    Documented({"pattern": REDIRECT_URL_PATTERN, "maxLength": 2048}),
]
Port = Annotated[int, Field(ge=1024, le=65535)]


def _ipv6_pattern() -> str:
    """What ipaddress.IPv6Address takes (without a scope), spelled out: eight groups, or fewer
    around one '::' that stands for at least one, the last two groups possibly an IPv4 address."""
    group = "[0-9A-Fa-f]{1,4}"
    octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ipv4 = f"{octet}(?:\\.{octet}){{3}}"

    def groups(n: int) -> str:
        return "" if n == 0 else group if n == 1 else f"(?:{group}:){{{n - 1}}}{group}"

    forms = [f"(?:{group}:){{7}}{group}", f"(?:{group}:){{6}}{ipv4}"]
    forms += [f"{groups(n)}::{groups(m)}" for n in range(8) for m in range(8 - n)]
    forms += [
        f"{groups(n)}::{groups(m) + ':' if m else ''}{ipv4}" for n in range(6) for m in range(6 - n)
    ]
    return f"^(?:{'|'.join(forms)})$"


IPV6_PATTERN = _ipv6_pattern()
_CRON_NAMES = {
    3: "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    4: "sun mon tue wed thu fri sat".split(),
}
_CRON_BOUNDS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
_CRON_FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week"]


# The shape of a schedule, as the document states it: an @-shortcut, or five fields of
# comma-separated items (*, a value, a range; * and ranges may take a /step), values being one
# or two digits or a three-letter name. Which values each field takes (bounds, month and day
# names, a range's end not before its start, a step within the field) answers 422.
_CRON_VALUE = "(?:[0-9]{1,2}|[A-Za-z]{3})"
_CRON_ITEM = f"(?:(?:\\*|{_CRON_VALUE}-{_CRON_VALUE})(?:/[0-9]+)?|{_CRON_VALUE})"
_CRON_FIELD = f"{_CRON_ITEM}(?:,{_CRON_ITEM})*"
SCHEDULE_PATTERN = (
    f"^(?:{'|'.join(sorted(CRON_SHORTCUTS))}"
    f"| *{_CRON_FIELD} +{_CRON_FIELD} +{_CRON_FIELD} +{_CRON_FIELD} +{_CRON_FIELD} *)$"
)
_SCHEDULE = re.compile(SCHEDULE_PATTERN)


def check_schedule(value: str) -> str:
    """Five crontab(5) fields or an @-shortcut; returned with single spaces."""
    if not _SCHEDULE.fullmatch(value):
        raise ValueError(
            "use five fields (minute hour day month weekday) of *, numbers, ranges, lists or"
            " steps, or @daily and the like"
        )
    if value in CRON_SHORTCUTS:
        return value
    fields = [f for f in value.split(" ") if f]
    for index, field in enumerate(fields):
        if not all(_cron_item(index, item) for item in field.split(",")):
            low, high = _CRON_BOUNDS[index]
            raise Unprocessable(
                f"the {_CRON_FIELD_NAMES[index]} field '{field}' is not valid:"
                f" use *, numbers {low}-{high}, ranges, lists or steps"
            )
    return " ".join(fields)


def _cron_item(index: int, item: str) -> bool:
    base, _, step = item.partition("/")
    if step and not (step.isascii() and step.isdigit() and 0 < int(step) <= _CRON_BOUNDS[index][1]):
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
    if not (text.isascii() and text.isdigit()) or len(text) > 2:
        return None
    low, high = _CRON_BOUNDS[index]
    return int(text) if low <= int(text) <= high else None


# One line, not blank, not starting with '=' (after white space), 998 characters at most. The
# limit crontab sets is in bytes once '\' and '%' are escaped: past it, 422.
COMMAND_PATTERN = f"^(?![{SPACE}]*=)(?![{SPACE}]*$)[^\\x00-\\x1f\\x7f]*$"
_COMMAND = re.compile(COMMAND_PATTERN)


def check_command(value: str) -> str:
    if len(value) > CRON_COMMAND_BYTES or not _COMMAND.fullmatch(value):
        raise ValueError(
            "use one line (no CR, LF or NUL) of at most 998 characters, not blank and not"
            " starting with '=' (cron would read the line as a setting)"
        )
    escaped = value.replace("\\", "\\\\").replace("%", "\\%")
    if len(escaped.encode()) > CRON_COMMAND_BYTES:
        raise Unprocessable("is longer than 998 bytes in UTF-8, counting '\\' and '%' twice")
    return value


Schedule = Annotated[str, AfterValidator(check_schedule), Documented({"pattern": SCHEDULE_PATTERN})]
CronCommand = Annotated[
    str,
    AfterValidator(check_command),
    Documented({"pattern": COMMAND_PATTERN, "maxLength": CRON_COMMAND_BYTES}),
]


# Labels of DNS names: [a-z0-9_-], 1 to 63, no hyphen first or last.
_DNS_LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
RECORD_NAME_PATTERN = f"^(?:@|(?:\\*|{_DNS_LABEL})(?:\\.{_DNS_LABEL})*)$"
DNS_HOST_PATTERN = f"^{_DNS_LABEL}(?:\\.{_DNS_LABEL})+$"
_RECORD_NAME = re.compile(RECORD_NAME_PATTERN)
_DNS_HOST = re.compile(DNS_HOST_PATTERN)


def check_record_name(value: str) -> str:
    """A name relative to its zone: "@" for the apex, or labels ("www", "_sip._tcp"), with
    "*" allowed as the first label for a wildcard."""
    if len(value) > 200 or not _RECORD_NAME.fullmatch(value):
        raise ValueError('use "@" for the zone itself, or labels such as www or _sip._tcp')
    return value


def check_dns_host(value: str) -> str:
    """A target host name (MX, CNAME, NS, SRV): labels of [a-z0-9_-], two or more."""
    if len(value) > 253 or not _DNS_HOST.fullmatch(value):
        raise ValueError("must be a host name such as mail.example.com, without a trailing dot")
    return value


RecordName = Annotated[
    str,
    AfterValidator(check_record_name),
    Documented({"pattern": RECORD_NAME_PATTERN, "maxLength": 200}),
]
DnsHost = Annotated[
    str,
    AfterValidator(check_dns_host),
    Documented({"pattern": DNS_HOST_PATTERN, "maxLength": 253}),
]
