"""CronJobService's fields: job ids, schedules and commands as Debian's cron reads them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Final, NewType

from agent.errors import InvalidArgument
from agent.validators.common import RESOURCE_ID_PATTERN, RESOURCE_ID_RULE
from jopanel_rules.cron import CRON_COMMAND_BYTES, CRON_SHORTCUTS

CronJobId = NewType("CronJobId", str)


def cron_job_id(value: str, field: str = "id") -> CronJobId:
    if not RESOURCE_ID_PATTERN.fullmatch(value):
        raise InvalidArgument(field, RESOURCE_ID_RULE)
    return CronJobId(value)


# Cron jobs. A job becomes one line of the account's crontab, "<schedule> <command>", so the
# schedule is held to crontab(5)'s grammar as Debian's cron parses it, and the command to what
# cron reads as one command (see cron_command).

# Five fields in single-space-separated normal form, or one of CRON_SHORTCUTS.
CronSchedule = NewType("CronSchedule", str)
# A command as the account wrote it; crontab.py escapes '%' and '\\' when it writes the line.
CronCommand = NewType("CronCommand", str)

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
