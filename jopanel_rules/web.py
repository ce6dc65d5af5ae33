"""Websites: limits of a web domain's fields."""

from __future__ import annotations

from typing import Final

# Other host names one site may answer to.
MAX_ALIASES: Final = 50
# The longest redirect target, in characters.
URL_MAX: Final = 2048
