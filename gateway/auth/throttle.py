"""Failed sign-ins are limited per user name, per client address and per device (sliding window).

Kept in the gateway's memory: one gateway process serves the panel, and a restart forgetting
the counts costs an attacker a restart they cannot cause. Every key counts only failures, so a
person who signs in correctly is never slowed down by someone else guessing at another name
from another address.

Keys are canonical, so two spellings never get two budgets: the name is the one the lookup uses
(validation.canonical_user_name), and an IPv6 address counts as its /64, which is what one
subscriber usually gets (a client choosing a fresh address in it gains nothing). A sign-in with
a valid device cookie for its name (gateway/auth/devices.py) is counted on that device alone.
"""

from __future__ import annotations

import ipaddress
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


def address_key(address: str) -> str:
    """The budget an address spends: an IPv6 address's /64, an IPv4 address itself (also when
    written as an IPv4-mapped IPv6 address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class LoginThrottle:
    def __init__(self, per_name: int, per_address: int, seconds: float, per_device: int) -> None:
        self.names = Window(per_name, seconds)
        self.addresses = Window(per_address, seconds)
        self.devices = Window(per_device, seconds)

    def retry_after(self, name: str, address: str, device: str | None = None) -> int:
        if device is not None:
            return self.devices.retry_after(device)
        return max(self.names.retry_after(name), self.addresses.retry_after(address_key(address)))

    def failed(self, name: str, address: str, device: str | None = None) -> None:
        if device is not None:
            self.devices.fail(device)
            return
        self.names.fail(name)
        self.addresses.fail(address_key(address))

    def succeeded(self, name: str, device: str | None = None) -> None:
        if device is not None:
            self.devices.forgive(device)
        else:
            self.names.forgive(name)
