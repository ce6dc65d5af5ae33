"""Cursor pagination: `limit` and an opaque `page_token` that carries where the last page ended."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.problems import field_error


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=200)] = 50
    page_token: Annotated[str, Field(max_length=512)] = ""


def encode_token(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def decode_token(token: str, key: str, kind: type) -> Any:
    """The cursor value under key, or None for the first page; a bad token is a 400."""
    if not token:
        return None
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        value = cursor[key]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise field_error("page_token", "is not a token from an earlier page") from exc
    if not isinstance(value, kind) or isinstance(value, bool):
        raise field_error("page_token", "is not a token from an earlier page")
    return value


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
