"""Host names (websites, their aliases, DNS zones): the stored form is lowercase IDNA."""

from __future__ import annotations

import re
from typing import Final

HOSTNAME_MAX: Final = 253
# One label: 1 to 63 of a-z, 0-9 and '-', not at either end.
HOSTNAME_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# The shape of a host name of two or more labels (its length is checked apart).
HOSTNAME_PATTERN: Final = re.compile(rf"(?:{HOSTNAME_LABEL}\.)+{HOSTNAME_LABEL}")
