"""Access tokens: short-lived JWTs, HS256 only, with every claim the gateway relies on required.

A token names its user and the user's token version; the gateway checks both against MariaDB on
every request, so a token stops working the moment its user is deleted, suspended or changes
password, long before it expires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "jopanel"
AUDIENCE = "jopanel-api"
ACCESS = "access"
_REQUIRED = ["exp", "iat", "nbf", "sub", "iss", "aud", "typ", "ver"]


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    version: int


# Tokens whose signature and claims were verified, kept until they expire (issue 14): a
# signed-in browser sends the same token with every request for its 5 minutes, and checking
# its HMAC and claims again was a tenth of an agent-backed read. Only tokens that passed every
# check enter it, so no stranger can fill it; it is bounded anyway, and emptied when full.
VERIFIED_TOKENS_KEPT = 10_000
LEEWAY_SECONDS = 5


class TokenIssuer:
    def __init__(self, secret: bytes, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self._verified: dict[str, tuple[AccessClaims, int]] = {}

    def issue(self, user_id: int, version: int) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "typ": ACCESS,
            "ver": version,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_seconds,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        """The token's claims, if its signature and every claim check out now. A token
        verified before is looked up, and still refused from its expiry on (with the same
        leeway as a first check): expiry is the one check whose answer changes with time; the
        user's token version is the caller's to compare at every request."""
        kept = self._verified.get(token)
        if kept is not None:
            claims, expires = kept
            if time.time() < expires + LEEWAY_SECONDS:
                return claims
            del self._verified[token]
            raise InvalidToken("Signature has expired")
        claims, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()
        self._verified[token] = (claims, expires)
        return claims

    def _verify(self, token: str) -> tuple[AccessClaims, int]:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": _REQUIRED},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims["typ"] != ACCESS or not isinstance(claims["ver"], int):
            raise InvalidToken("not an access token")
        if not isinstance(claims["exp"], int):  # PyJWT also takes a float; kept as a whole
            raise InvalidToken("bad expiry")
        try:
            return AccessClaims(int(claims["sub"]), claims["ver"]), claims["exp"]
        except ValueError as exc:
            raise InvalidToken("bad subject") from exc
