"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies").

Anyone can spend the failure budget of a user name, so someone hammering `admin` would keep
the real administrator out too. After a successful sign-in the browser gets a device cookie:
the name, when it was issued and a random nonce, signed with a key derived from the gateway's
signing secret. A sign-in that brings a valid device cookie for the name it signs in with is
throttled on that device's own budget, not on the name's shared one (or the address's); a
device that fails too often is locked out on its own. A forged cookie, an expired one, or one
issued for another name counts for nothing: the request is throttled like any other.

The cookie is `jopanel_device_<name>` (one per name a browser signs in with), HttpOnly,
SameSite=Strict, sent only to the login route, and renewed on every successful sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE_PREFIX = "jopanel_device_"
COOKIE_PATH = "/api/v1/auth/login"
_CONTEXT = b"jopanel device cookie v1"
# A little slack for the clock stepping back between issue and use.
_CLOCK_SKEW_SECONDS = 300


def cookie_name(user_name: str) -> str:
    """The cookie for a canonical user name (letters, digits, '_': safe in a cookie name)."""
    return COOKIE_PREFIX + user_name


@dataclass(frozen=True)
class DeviceCookies:
    key: bytes
    ttl_seconds: int

    @classmethod
    def from_secret(cls, secret: bytes, ttl_seconds: int) -> DeviceCookies:
        # A key of its own: a device cookie is never a valid signature of anything else.
        return cls(hmac.new(secret, _CONTEXT, hashlib.sha256).digest(), ttl_seconds)

    def issue(self, user_name: str, issued_at: float | None = None) -> str:
        issued = str(int(time.time() if issued_at is None else issued_at))
        nonce = secrets.token_hex(16)
        return f"{issued}.{nonce}.{self._sign(user_name, issued, nonce)}"

    def device_of(self, cookie: str | None, user_name: str) -> str | None:
        """The device (its nonce) when the cookie is valid for this name now, else None."""
        if not cookie or len(cookie) > 200 or not cookie.isascii():
            return None
        parts = cookie.split(".")
        if len(parts) != 3:
            return None
        issued, nonce, signature = parts
        if not issued.isdigit() or len(issued) > 12:
            return None
        if not hmac.compare_digest(signature, self._sign(user_name, issued, nonce)):
            return None
        age = time.time() - int(issued)
        if not -_CLOCK_SKEW_SECONDS <= age <= self.ttl_seconds:
            return None
        return nonce

    def _sign(self, user_name: str, issued: str, nonce: str) -> str:
        message = f"{user_name}\0{issued}\0{nonce}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
