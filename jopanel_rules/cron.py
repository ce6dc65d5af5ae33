"""Cron jobs: what Debian's cron reads as one schedule and one command."""

from __future__ import annotations

from typing import Final

CRON_SHORTCUTS: Final = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@reboot"}
)
# Debian's cron refuses a command longer than this many bytes as the crontab holds it ("command
# too long"), where each '%' and '\\' takes two (the crontab escapes them).
CRON_COMMAND_BYTES: Final = 998
