"""Hosted databases: names are "<account>_<suffix>", held to [a-z0-9_]."""

from __future__ import annotations

import re
from typing import Final

DATABASE_NAME_MAX: Final = 64  # MariaDB's longest database name
DATABASE_USER_MAX: Final = 80  # JoPanel's longest database user name (MariaDB takes 128)
# What follows "<account>_": a letter or digit first, so "alice_" and "alice__" are refused.
DATABASE_SUFFIX_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_]*")
