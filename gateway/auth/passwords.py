"""bcrypt password hashes, computed off the event loop (each takes a quarter of a second)."""

from __future__ import annotations

import asyncio
import functools

import bcrypt


@functools.cache
def _dummy_hash(rounds: int) -> bytes:
    """Compared against when the user does not exist, so that an unknown name costs the same
    time as a wrong password and the two cannot be told apart."""
    return bcrypt.hashpw(b"jopanel-no-such-user", bcrypt.gensalt(rounds))


async def hash_password(password: str, rounds: int) -> bytes:
    salt = bcrypt.gensalt(rounds)
    return await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)


async def check_password(password: str, hashed: bytes | None, rounds: int) -> bool:
    """True when password matches hashed; with hashed None, spends the same time and fails."""
    candidate = password.encode()
    if len(candidate) > 72:
        return False
    reference = hashed if hashed else await asyncio.to_thread(_dummy_hash, rounds)
    ok = await asyncio.to_thread(bcrypt.checkpw, candidate, reference)
    return ok and hashed is not None
