"""Validators of FileService's fields: pure functions, tested on their own with hostile input.

A path is relative to the account's home and refused, never cleaned, when it is anything else:
a request that means something else is a mistake or an attack, never a path to guess at.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Final, Literal, NewType

from agent.errors import InvalidArgument
from jopanel_rules import files as rules

# A path below an account's home: segments joined by '/', none empty, '.' or '..'; "" is the
# home itself where a field allows it. The rules are jopanel_rules.files', which the gateway
# checks too; this side checks them again as if the gateway were not there.
FilePath = NewType("FilePath", str)
Format = Literal["zip", "tar.gz"]

MAX_PATH_BYTES: Final = rules.MAX_PATH_BYTES
MAX_NAME_BYTES: Final = rules.MAX_NAME_BYTES
MAX_NAMES: Final = rules.MAX_NAMES
MAX_MODE: Final = 0o777
MAX_UPLOAD_BYTES: Final = 1 << 40
TEXT_LIMIT: Final = 2 * 1024 * 1024
MAX_PAGE_SIZE: Final = 500
DEFAULT_PAGE_SIZE: Final = 100


def path(value: str, field: str = "path", *, home: bool = False) -> FilePath:
    """A path below the home; with `home`, "" (the home itself) too."""
    try:
        return FilePath(rules.check_path(value, home=home))
    except rules.BadPath as error:
        raise InvalidArgument(field, str(error)) from None


def name(value: str, field: str) -> str:
    """One segment: an entry of a folder."""
    try:
        return rules.check_name(value)
    except rules.BadPath as error:
        raise InvalidArgument(field, str(error)) from None


def names(values: Sequence[str], field: str = "names") -> list[str]:
    try:
        return rules.check_names(list(values))
    except rules.NamesError as error:
        where = field if error.index < 0 else f"{field}[{error.index}]"
        raise InvalidArgument(where, str(error)) from None


def elsewhere(source: FilePath, destination: FilePath, field: str = "destination") -> None:
    """A move or copy goes somewhere else than the source and than below it (a folder into
    itself never ends)."""
    try:
        rules.check_elsewhere(source, destination)
    except rules.BadPath as error:
        raise InvalidArgument(field, str(error)) from None


def mode(value: int, field: str = "mode") -> int:
    """Permission bits only: setuid, setgid and sticky bits are never set through the panel."""
    if not 0 <= value <= MAX_MODE:
        raise InvalidArgument(field, "must be 0 to 0777 (no setuid, setgid or sticky bit)")
    return value


def upload_size(value: int, field: str = "upload.size") -> int:
    if value > MAX_UPLOAD_BYTES:
        raise InvalidArgument(field, f"must be at most {MAX_UPLOAD_BYTES} bytes")
    return value


def page_size(value: int, field: str = "page_size") -> int:
    if not 0 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgument(field, f"must be 0 to {MAX_PAGE_SIZE}")
    return value or DEFAULT_PAGE_SIZE


def page_token(value: str, field: str = "page_token") -> str:
    """The name a listing continues after: the token is that name in base64url, padded or not
    (an earlier answer's next_page_token), or empty for the first page."""
    try:
        return rules.page_after(value)
    except rules.BadPath as error:
        raise InvalidArgument(field, str(error)) from None


def next_page_token(after: str) -> str:
    """base64url without padding, the shape of the gateway's own tokens."""
    return base64.urlsafe_b64encode(after.encode("utf-8")).decode("ascii").rstrip("=")


def text(value: str, field: str = "content") -> bytes:
    data = value.encode("utf-8")
    if len(data) > TEXT_LIMIT:
        raise InvalidArgument(field, f"must be at most {TEXT_LIMIT} bytes in UTF-8")
    return data
