"""SSH public keys: what an account may add to the keys sshd reads for it.

A key is one line `<type> <base64>[ <comment>]`, parsed here down to its wire format (RFC 4253
section 6.6, RFC 5656, RFC 8709, OpenSSH's PROTOCOL.u2f), so a line that starts with options
(`command="..."`, `from=`, `environment=`) or carries anything but a key is refused before it
could reach an authorized_keys file. The gateway and the agent both parse with this module;
the agent also has ssh-keygen read the key before it writes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Final

PUBLIC_KEY_MAX: Final = 8192
COMMENT_MAX: Final = 100
# What a comment may hold: written after the key on its line, so no control character, quote
# or anything sshd could read as more than a comment.
COMMENT_PATTERN: Final = re.compile(r"[A-Za-z0-9 ._@+:=,()-]{0,100}")
COMMENT_RULE: Final = "0 to 100 of letters, digits, space and ._@+:=,()-"
FINGERPRINT_PATTERN: Final = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
MAX_KEYS: Final = 100
RSA_MIN_BITS: Final = 2048
RSA_MAX_BITS: Final = 16384
_ED25519_BYTES: Final = 32
# ECDSA curves by key type: (curve name in the blob, bits, uncompressed point length).
_CURVES: Final = {
    "ecdsa-sha2-nistp256": ("nistp256", 256, 65),
    "ecdsa-sha2-nistp384": ("nistp384", 384, 97),
    "ecdsa-sha2-nistp521": ("nistp521", 521, 133),
    "sk-ecdsa-sha2-nistp256@openssh.com": ("nistp256", 256, 65),
}
KEY_TYPES: Final = (
    "ssh-ed25519",
    *_CURVES,
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
)
KEY_RULE: Final = (
    "must be one public key line: a type (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa of"
    " 2048 to 16384 bits, or a security key's sk- type), a space and the key in base64; options"
    " such as command= are not allowed"
)


class BadKey(ValueError):
    """The line is not one public key of a type JoPanel takes."""


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: bytes
    bits: int

    @property
    def base64(self) -> str:
        return base64.b64encode(self.blob).decode()

    @property
    def line(self) -> str:
        """`<type> <base64>`: the key alone, as it is written and shown."""
        return f"{self.type} {self.base64}"

    @property
    def fingerprint(self) -> str:
        """As `ssh-keygen -l` prints it: SHA256 and the digest in base64 without padding."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")
        return f"SHA256:{digest}"


def parse_public_key(line: str) -> PublicKey:
    """The key of one line `<type> <base64>[ <comment>]`; the comment, if any, is dropped.
    Raises BadKey for anything else."""
    if len(line) > PUBLIC_KEY_MAX or not line.isascii() or not line.isprintable():
        raise BadKey(KEY_RULE)
    parts = line.strip().split(" ", 2)
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise BadKey(KEY_RULE)
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise BadKey(KEY_RULE) from None
    reader = _Reader(blob)
    if reader.string() != parts[0].encode():
        raise BadKey(KEY_RULE)
    bits = _read_key(parts[0], reader)
    if not reader.done():
        raise BadKey(KEY_RULE)
    return PublicKey(parts[0], blob, bits)


def _read_key(key_type: str, reader: _Reader) -> int:
    """Reads the rest of the blob for its type; returns the key's bits."""
    if key_type in ("ssh-ed25519", "sk-ssh-ed25519@openssh.com"):
        if len(reader.string()) != _ED25519_BYTES:
            raise BadKey(KEY_RULE)
        bits = 256
    elif key_type in _CURVES:
        curve, bits, point = _CURVES[key_type]
        if reader.string() != curve.encode():
            raise BadKey(KEY_RULE)
        q = reader.string()
        if len(q) != point or q[0] != 4:  # uncompressed point
            raise BadKey(KEY_RULE)
    else:  # ssh-rsa: e, then n
        exponent = reader.mpint()
        bits = reader.mpint().bit_length()
        if exponent < 3 or exponent % 2 == 0 or not RSA_MIN_BITS <= bits <= RSA_MAX_BITS:
            raise BadKey(KEY_RULE)
    if key_type.startswith("sk-"):
        reader.string()  # the application, "ssh:" for OpenSSH's own
    return bits


class _Reader:
    """SSH wire-format fields (uint32 length, then bytes) from a blob, never past its end."""

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        self._at = 0

    def string(self) -> bytes:
        if self._at + 4 > len(self._blob):
            raise BadKey(KEY_RULE)
        (size,) = struct.unpack_from(">I", self._blob, self._at)
        start, self._at = self._at + 4, self._at + 4 + size
        if self._at > len(self._blob):
            raise BadKey(KEY_RULE)
        return self._blob[start : self._at]

    def mpint(self) -> int:
        value = self.string()
        if not value or value[0] & 0x80:  # a key's numbers are positive
            raise BadKey(KEY_RULE)
        return int.from_bytes(value, "big")

    def done(self) -> bool:
        return self._at == len(self._blob)
