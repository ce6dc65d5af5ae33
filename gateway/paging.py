"""Cursor pagination: `limit` and an opaque `page_token` that carries where the last page ended.

A token is the position itself, written in base64url without padding: the UTF-8 bytes of the
last key for keys that are names, the big-endian bytes of the last id for keys that are
numbers. So every string of the shape the OpenAPI document gives (PAGE_TOKEN) names a
position, whether or not an earlier page issued it: a token never issued lists the rows past
the position it names, exactly as a token that was issued for a row since deleted does. There is
nothing to forge: a token only says where to start, and the caller may list from anywhere.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# Base64url without padding, so never a length of 4n + 1 (no bytes end that way).
PAGE_TOKEN = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"  # noqa: S105 (a pattern)
_BIGGEST_ID = 2**63 - 1


# A collection's `account` filter: an account's name, or empty for every account the caller
# sees (gateway/scope.py, account_filter).
AccountFilter = Annotated[str, Field(max_length=32, pattern=r"^([a-z][a-z0-9_]{2,31})?$")]


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=200)] = 50
    page_token: Annotated[
        str,
        Field(
            max_length=512,
            pattern=PAGE_TOKEN,
            description="next_page_token of the page before; empty or absent for the first page",
        ),
    ] = ""


def encode_token(cursor: dict[str, Any]) -> str:
    (value,) = cursor.values()
    if isinstance(value, int):
        raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    else:
        raw = str(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, key: str, kind: type) -> Any:
    """The position a token names (None for the first page). `key` says which way the list
    runs ("after", "before") and is part of the call for its reader only.

    Names sort as ASCII, so a name's bytes past the first non-ASCII one are cut to DEL (which no
    name holds): the position stays where those bytes would sort. A number past the biggest id
    is the biggest id."""
    del key
    if not token:
        return None
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    if kind is int:
        return min(int.from_bytes(raw, "big"), _BIGGEST_ID)
    text = raw.decode("ascii", errors="replace")
    cut = text.find("\ufffd")
    return text if cut < 0 else text[:cut] + "\x7f"


def page_of(
    rows: list[Any], limit: int, key: str, cursor: str = "after"
) -> tuple[list[Any], str | None]:
    """Rows were fetched with limit + 1: the page, and the token of the next one if any."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    # Store records are dataclasses; rows not yet turned into records are dicts.
    value = last[key] if isinstance(last, dict) else getattr(last, key)
    return rows, encode_token({cursor: value})
