"""Failed sign-ins are limited per account name and per client address (sliding window).

Kept in the gateway's memory: one gateway process serves the panel, and a restart forgetting
the counts costs an attacker a restart they cannot cause. Both keys count only failures, so a
person who signs in correctly is never slowed down by someone else guessing at another name
from another address.
"""

from __future__ import annotations

import math
import time
from collections import deque

MAX_KEYS = 100_000


class Window:
    """Failures per key within the last `seconds`; at most `limit` before a key is refused."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> int:
        """Seconds until key may try again; 0 when it may now."""
        failures = self._recent(key)
        if len(failures) < self.limit:
            return 0
        return max(1, math.ceil(failures[0] + self.seconds - time.monotonic()))

    def fail(self, key: str) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._forget_idle()
        self._recent(key).append(time.monotonic())

    def forgive(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        horizon = time.monotonic() - self.seconds
        while failures and failures[0] < horizon:
            failures.popleft()
        return failures

    def _forget_idle(self) -> None:
        horizon = time.monotonic() - self.seconds
        self._failures = {k: v for k, v in self._failures.items() if v and v[-1] >= horizon}


class LoginThrottle:
    def __init__(self, per_name: int, per_address: int, seconds: float) -> None:
        self.names = Window(per_name, seconds)
        self.addresses = Window(per_address, seconds)

    def retry_after(self, name: str, address: str) -> int:
        return max(self.names.retry_after(name), self.addresses.retry_after(address))

    def failed(self, name: str, address: str) -> None:
        self.names.fail(name)
        self.addresses.fail(address)

    def succeeded(self, name: str) -> None:
        self.names.forgive(name)
