"""A short-lived, in-process cache of who may sign in, so most requests skip one SQL round trip.

Every request still proves its token (signature, claims) and is checked against the user's
token version and account status; the cache only keeps that state for a moment. This process
clears the whole cache after every privileged operation it performs (suspend, delete, password
change, ...: all go through `Call.audited`), so its own changes take effect on the next request.
Changes made elsewhere (another gateway process, SQL by hand) take effect within TTL_SECONDS.
"""

from __future__ import annotations

import time

from gateway.store.users import Credentials

TTL_SECONDS = 2.0
MAX_ENTRIES = 10_000


class SessionCache:
    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._entries: dict[int, tuple[float, Credentials]] = {}

    def get(self, user_id: int) -> Credentials | None:
        entry = self._entries.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, creds: Credentials) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[creds.user_id] = (time.monotonic() + self._ttl, creds)

    def clear(self) -> None:
        self._entries.clear()
