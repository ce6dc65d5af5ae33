"""The file manager's paths (docs/files.md): what a path below an account's home may be.

A path is relative to the home and refused, never cleaned, when it is anything else: a request
that means something else is a mistake or an attack, never a path to guess at. The gateway
checks these rules before any agent call or job starts; the agent checks them again itself.

PATH_PATTERN, FOLDER_PATTERN and NAME_PATTERN state in the OpenAPI document what a pattern can
(relative, no empty, `.` or `..` segment, no control character); written without look-around so
that ECMA-262, Rust's regex (pydantic) and Python's re read them alike. What no pattern states
(bytes rather than characters, the file manager's own working names) is the functions' alone.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

MAX_PATH_BYTES: Final = 4096
MAX_NAME_BYTES: Final = 255  # NAME_MAX of Linux file systems
MAX_NAMES: Final = 1000

# C0 controls, DEL and C1 controls: none is in a name a person types, and each could rewrite
# a terminal that shows the audit log.
_CONTROLS: Final = r"\x00-\x1f\x7f-\x9f"
CONTROL: Final = re.compile(f"[{_CONTROLS}]")
_CHAR: Final = f"[^/{_CONTROLS}]"
_NOT_DOT: Final = f"[^/.{_CONTROLS}]"
# A segment is not empty, not `.` and not `..`: it starts with a character other than a dot,
# or is a dot and such a character, or two dots and at least one more character.
SEGMENT: Final = f"(?:{_NOT_DOT}{_CHAR}*|\\.{_NOT_DOT}{_CHAR}*|\\.\\.{_CHAR}+)"
PATH_PATTERN: Final = f"^{SEGMENT}(?:/{SEGMENT})*$"
FOLDER_PATTERN: Final = f"^(?:{SEGMENT}(?:/{SEGMENT})*)?$"
NAME_PATTERN: Final = f"^{SEGMENT}$"
_PATH: Final = re.compile(PATH_PATTERN)
# The helper's own working files: no request may name one (an upload's partial file is reached
# through its target's path only).
RESERVED: Final = re.compile(r"\.jopanel-(upload|edit|archive)-")

PATH_RULE: Final = (
    "must be relative to the home: segments separated by '/', none empty, '.' or '..', "
    "without control characters"
)


class BadPath(ValueError):
    """The value is no path below a home; the message says why."""


def check_path(value: str, *, home: bool = False) -> str:
    """A path below the home; with `home`, "" (the home itself) too."""
    if value == "" and home:
        return value
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadPath("must be UTF-8") from None
    if not 1 <= size <= MAX_PATH_BYTES:
        raise BadPath(f"must be 1 to {MAX_PATH_BYTES} bytes")
    if CONTROL.search(value):
        raise BadPath("must not hold control characters")
    if not _PATH.fullmatch(value):
        raise BadPath(PATH_RULE)
    segments = value.split("/")
    if any(len(segment.encode()) > MAX_NAME_BYTES for segment in segments):
        raise BadPath(f"must have segments of at most {MAX_NAME_BYTES} bytes")
    if any(RESERVED.match(segment) for segment in segments):
        raise BadPath("must not name the file manager's own working files")
    return value


def check_name(value: str) -> str:
    """One segment: an entry of a folder."""
    checked = check_path(value)
    if "/" in checked:
        raise BadPath("must be one name, without '/'")
    return checked


def check_names(values: list[str]) -> list[str]:
    """Entries of one folder (an archive's): each a name, none twice. Raises BadPath with the
    index of the first refused (-1 for the list itself)."""
    if not 1 <= len(values) <= MAX_NAMES:
        raise NamesError(-1, f"must hold 1 to {MAX_NAMES} names")
    for index, value in enumerate(values):
        try:
            check_name(value)
        except BadPath as error:
            raise NamesError(index, str(error)) from None
    if len(set(values)) != len(values):
        raise NamesError(-1, "must not repeat a name")
    return values


class NamesError(BadPath):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def check_elsewhere(source: str, destination: str) -> None:
    """A move or copy goes somewhere else than the source and than below it (a folder into
    itself never ends)."""
    if destination == source or destination.startswith(source + "/"):
        raise BadPath("must be neither the path itself nor below it")


# A listing's page token: the name it continues after, in base64url (padded or not).
MAX_PAGE_TOKEN: Final = 400


def page_after(token: str) -> str:
    """The name a listing continues after ("" for the first page)."""
    if not token:
        return ""
    invalid = BadPath("must be empty or a next_page_token from an earlier answer")
    if len(token) > MAX_PAGE_TOKEN:
        raise invalid
    try:
        padded = token + "=" * (-len(token) % 4)
        after = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid from None
    if not after or "/" in after or "\0" in after or len(after.encode()) > MAX_NAME_BYTES:
        raise invalid
    return after
