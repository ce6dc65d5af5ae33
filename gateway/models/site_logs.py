"""A site's logs on the wire: the last lines of a log, a search, and the followed lines."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from jopanel_rules.web import LOG_LINES_DEFAULT, LOG_LINES_MAX, LOG_SEARCH_MAX

LogKind = Literal["access", "php-error"]
LOG_KINDS: tuple[LogKind, ...] = ("access", "php-error")


class LogQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: Annotated[int, Field(ge=1, le=LOG_LINES_MAX)] = LOG_LINES_DEFAULT
    contains: Annotated[
        str,
        Field(
            max_length=LOG_SEARCH_MAX,
            # No control characters (C0, DEL, C1): the same rule as jopanel_rules.web's.
            pattern=r"^[^\x00-\x1f\x7f-\x9f]*$",
            description="Only lines holding this text (case-sensitive, a plain substring, not a"
            " pattern); empty for every line",
        ),
    ] = ""


class LogLines(BaseModel):
    log: LogKind
    lines: list[str] = Field(description="Oldest first; a line longer than 8192 bytes is cut there")
    truncated: bool = Field(
        description="The search looked at the last 64 MiB of the log only, and found fewer"
        " lines than asked there"
    )


class FollowedLines(BaseModel):
    """The data of one `event: lines` of a followed log."""

    lines: list[str]
