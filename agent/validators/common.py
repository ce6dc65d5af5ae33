"""What every resource's validators share: paging, field masks, host names, caller-chosen ids."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Collection, Iterable
from typing import Final, NewType

from agent.errors import InvalidArgument
from jopanel_rules.hostnames import HOSTNAME_MAX
from jopanel_rules.hostnames import HOSTNAME_PATTERN as HOSTNAME_PATTERN

# A lowercase hostname in IDNA (punycode) form: safe in nginx configuration, paths and file names.
Hostname = NewType("Hostname", str)

DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
_MAX_PAGE_TOKEN: Final = 512


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


# Host names, of web domains and DNS zones (their shape is jopanel_rules.hostnames). The
# pattern is also what list page tokens may carry.
_HOSTNAME_RULE: Final = (
    "must be a lowercase hostname in IDNA (punycode) form: 2 or more labels of 1 to 63 of "
    "a-z, 0-9 and '-' (not at either end), separated by '.', no trailing '.', "
    f"at most {HOSTNAME_MAX} characters"
)


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


# Ids that the caller chooses for cron jobs and DNS records: safe in comments, file names, JSON.
RESOURCE_ID_PATTERN: Final = re.compile(r"[a-z0-9]{8,32}")
RESOURCE_ID_RULE: Final = "must match ^[a-z0-9]{8,32}$"
