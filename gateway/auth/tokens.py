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


class TokenIssuer:
    def __init__(self, secret: bytes, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

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
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": _REQUIRED},
                leeway=5,
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims["typ"] != ACCESS or not isinstance(claims["ver"], int):
            raise InvalidToken("not an access token")
        try:
            return AccessClaims(int(claims["sub"]), claims["ver"])
        except ValueError as exc:
            raise InvalidToken("bad subject") from exc
