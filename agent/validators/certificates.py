"""Validators of CertificateService's fields: tokens, key authorisations, key types, chains.

A token names a file the agent writes and nginx serves, and a key authorisation is that file's
content: both are held to the base64url alphabet, which means nothing to a path, a shell or
nginx. A chain is PEM text the agent parses with `cryptography`; here only its size and shape
are bounded, before any parser sees it.
"""

from __future__ import annotations

import re
from typing import Final, NewType

from jopanel.agent.certificates.v1 import certificates_pb2

from agent.errors import InvalidArgument

# An HTTP-01 token: a file name in the challenge folder.
ChallengeToken = NewType("ChallengeToken", str)
# token + "." + the account key's thumbprint: the served file's content.
KeyAuthorization = NewType("KeyAuthorization", str)
# PEM text of CERTIFICATE blocks, bounded in size and count (parsed by system.certificates.keys).
ChainPem = NewType("ChainPem", str)

# RFC 8555 section 8.1: at least 128 bits of entropy in base64url, so at least 22 characters.
TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{22,128}")
_CHALLENGE_RULE: Final = "must be 22 to 128 characters of A-Z, a-z, 0-9, '_' and '-'"
# A SHA-256 JWK thumbprint, base64url without padding: 43 characters.
THUMBPRINT_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{43}")
KEY_TYPES: Final = {
    certificates_pb2.KEY_TYPE_ECDSA_P256: "ecdsa-p256",
    certificates_pb2.KEY_TYPE_RSA_2048: "rsa-2048",
}
MAX_CHAIN_BYTES: Final = 64 * 1024
MAX_CHAIN_CERTIFICATES: Final = 10
_PEM_BLOCK: Final = re.compile(
    r"-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----"
)


def challenge_token(value: str, field: str = "token") -> ChallengeToken:
    if not TOKEN_PATTERN.fullmatch(value):
        raise InvalidArgument(field, _CHALLENGE_RULE)
    return ChallengeToken(value)


def key_authorization(
    value: str, token: ChallengeToken, field: str = "key_authorization"
) -> KeyAuthorization:
    """token + "." + a 43-character base64url thumbprint (RFC 8555 section 8.1)."""
    head, dot, thumbprint = value.partition(".")
    if head != token or not dot or not THUMBPRINT_PATTERN.fullmatch(thumbprint):
        raise InvalidArgument(
            field, "must be the token, '.', and a 43-character base64url key thumbprint"
        )
    return KeyAuthorization(value)


def key_type(value: certificates_pb2.KeyType.ValueType, field: str = "key_type") -> str:
    """The key type's name ("ecdsa-p256", "rsa-2048"); KEY_TYPE_UNSPECIFIED is refused."""
    chosen = KEY_TYPES.get(value)
    if chosen is None:
        raise InvalidArgument(field, "must be KEY_TYPE_ECDSA_P256 or KEY_TYPE_RSA_2048")
    return chosen


def chain_pem(value: str, field: str = "chain_pem") -> ChainPem:
    """PEM CERTIFICATE blocks only (whitespace between them), at most 64 KiB and 10 blocks."""
    if len(value.encode()) > MAX_CHAIN_BYTES:
        raise InvalidArgument(field, f"must be at most {MAX_CHAIN_BYTES} bytes")
    blocks = _PEM_BLOCK.findall(value)
    if not blocks or _PEM_BLOCK.sub("", value).strip():
        raise InvalidArgument(field, "must be PEM CERTIFICATE blocks and nothing else")
    if len(blocks) > MAX_CHAIN_CERTIFICATES:
        raise InvalidArgument(field, f"must hold at most {MAX_CHAIN_CERTIFICATES} certificates")
    return ChainPem(value)
